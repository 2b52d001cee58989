// Renders the OpenAPI document with the locally served Swagger UI (see templates/api/docs.html).
// deepLinking stays off: with it Swagger UI puts a link (the operation's path) inside each
// operation's summary <button>, a focusable element nested in another (WCAG 4.1.2, axe
// "nested-interactive"); without it the path is plain text and the button alone toggles.
const target = document.getElementById("swagger-ui");
if (target && window.SwaggerUIBundle) {
  window.SwaggerUIBundle({ url: target.dataset.specUrl, domNode: target, deepLinking: false });
}
