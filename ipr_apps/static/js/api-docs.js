// Renders the OpenAPI document with the locally served Swagger UI (see templates/api/docs.html).
const target = document.getElementById("swagger-ui");
if (target && window.SwaggerUIBundle) {
  window.SwaggerUIBundle({ url: target.dataset.specUrl, domNode: target, deepLinking: true });
}
