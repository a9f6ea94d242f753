// Starts Swagger UI on /api/docs (a file, not an inline script: the page's CSP allows none).
"use strict";
window.addEventListener("load", function () {
  var root = document.getElementById("swagger-ui");
  window.ui = SwaggerUIBundle({
    url: root.dataset.spec,
    domNode: root,
    // Deep links put a link inside each operation's button (nested controls a screen reader
    // cannot reach); the operation ids are in the page as anchors anyway.
    deepLinking: false,
    validatorUrl: null,
    docExpansion: "list",
    defaultModelsExpandDepth: 0,
    persistAuthorization: false,
    presets: [SwaggerUIBundle.presets.apis],
    layout: "BaseLayout"
  });
});
