// Starts Swagger UI from a file, not an inline script, so /docs runs under a CSP
// with script-src 'self'. The page passes the spec URL and settings as data attributes.
window.addEventListener("load", function () {
  var element = document.getElementById("swagger-ui");
  var config = JSON.parse(element.dataset.config);
  config.url = element.dataset.specUrl;
  config.dom_id = "#swagger-ui";
  window.ui = SwaggerUIBundle(config);
});
