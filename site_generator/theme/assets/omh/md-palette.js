/* Open Models Hub: applies the colour palette the reader chose (remembered by Material's bundle
   under "__palette") before the page is shown; "follow the system" picks the matching toggle. */
(function () {
  "use strict";
  var palette = window.__md_get && window.__md_get("__palette");
  if (!palette || !palette.color) {
    return;
  }
  var color = palette.color;
  if (color.media === "(prefers-color-scheme)") {
    var light = window.matchMedia("(prefers-color-scheme: light)").matches;
    var input = document.querySelector(
      "[data-md-color-media='(prefers-color-scheme: " + (light ? "light" : "dark") + ")']");
    if (input) {
      ["media", "scheme", "primary", "accent"].forEach(function (name) {
        color[name] = input.getAttribute("data-md-color-" + name);
      });
    }
  }
  Object.keys(color).forEach(function (name) {
    document.body.setAttribute("data-md-color-" + name, color[name]);
  });
})();
