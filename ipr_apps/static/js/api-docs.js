// Renders the OpenAPI document with the locally served Swagger UI (see templates/api/docs.html).
// deepLinking stays off: with it Swagger UI puts a link (the operation's path) inside each
// operation's summary <button>, a focusable element nested in another (WCAG 4.1.2, axe
// "nested-interactive"); without it the path is plain text and the button alone toggles.
const target = document.getElementById("swagger-ui");

// Swagger UI renders some controls without an accessible name and scrollable examples that a
// keyboard cannot reach; name and reach them as they appear (operations render when opened).
function completeAccessibility(root) {
  for (const control of root.querySelectorAll(
    "tr[data-param-name] :is(select, input, textarea):not([aria-label])",
  )) {
    control.setAttribute("aria-label", control.closest("tr").dataset.paramName);
  }
  for (const body of root.querySelectorAll(".body-param textarea:not([aria-label])")) {
    body.setAttribute("aria-label", "Request body");
  }
  for (const code of root.querySelectorAll(".highlight-code > pre:not([tabindex])")) {
    code.tabIndex = 0;
  }
}

if (target && window.SwaggerUIBundle) {
  window.SwaggerUIBundle({ url: target.dataset.specUrl, domNode: target, deepLinking: false });
  new MutationObserver(() => completeAccessibility(target)).observe(target, {
    childList: true,
    subtree: true,
  });
}
