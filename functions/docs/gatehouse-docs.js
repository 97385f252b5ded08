// Starts Swagger UI on the page's document (its URL is the container's data-spec, relative to
// the page). A file, not an inline script: the page's Content-Security-Policy allows only files
// from this origin. No validator badge: it would send the document to another host.
window.addEventListener("load", function () {
  var root = document.getElementById("swagger-ui");
  window.ui = SwaggerUIBundle({
    url: root.dataset.spec,
    domNode: root,
    deepLinking: true,
    presets: [SwaggerUIBundle.presets.apis],
    layout: "BaseLayout",
    validatorUrl: null,
  });
});
