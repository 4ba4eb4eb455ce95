// Starts Swagger UI on /api/docs. A file, not an inline script: the Content-Security-Policy
// (api/security.py) allows scripts from this origin only.
window.addEventListener("load", function () {
  window.ui = SwaggerUIBundle({
    url: document.body.dataset.openapi,
    dom_id: "#swagger-ui",
    deepLinking: true,
    layout: "BaseLayout",
    presets: [SwaggerUIBundle.presets.apis],
    validatorUrl: null,
    withCredentials: true,
  });
});
