/* Starts Swagger UI on the API description page (/docs; intake/routers/api_docs.py).
   A file rather than inline code, so the page keeps its content security policy. */
"use strict";
window.addEventListener("DOMContentLoaded", () => {
  const root = document.getElementById("swagger-ui");
  window.ui = window.SwaggerUIBundle({
    url: root.dataset.openapi,
    domNode: root,
    presets: [window.SwaggerUIBundle.presets.apis],
    layout: "BaseLayout",
    deepLinking: true,
    validatorUrl: null, // the public validator is another site: nothing leaves this service
  });
});
