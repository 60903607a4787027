// The API reference at /schema: Scalar, served from our own static files (static/vendor/scalar),
// started here so the page needs no inline script. No fonts or proxies from elsewhere.
(function () {
  var mount = document.getElementById("api-reference");
  if (!mount || !window.Scalar) return;
  window.Scalar.createApiReference(mount, {
    url: mount.getAttribute("data-url"),
    withDefaultFonts: false,
    hideClientButton: false,
    telemetry: false,
  });
})();
