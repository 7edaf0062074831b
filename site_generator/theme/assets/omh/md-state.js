/* Open Models Hub: the page-state helpers Material's bundle expects on window (__md_scope,
   __md_hash, __md_get, __md_set), loaded as a file so that pages carry no inline script.
   The scope (the site's root, relative to the page) is the script element's data-md-scope. */
(function () {
  "use strict";
  var script = document.currentScript;
  var scope = new URL((script && script.getAttribute("data-md-scope")) || ".", location);

  window.__md_scope = scope;

  /* A 32-bit hash of a text (Material stores it to remember a dismissed banner). */
  window.__md_hash = function (text) {
    var hash = 0;
    for (var i = 0; i < text.length; i++) {
      hash = ((hash << 5) - hash + text.charCodeAt(i)) | 0;
    }
    return hash;
  };

  /* Values are kept per site (the scope's path), as JSON. */
  window.__md_get = function (key, storage, base) {
    storage = storage || localStorage;
    base = base || scope;
    return JSON.parse(storage.getItem(base.pathname + "." + key));
  };

  window.__md_set = function (key, value, storage, base) {
    storage = storage || localStorage;
    base = base || scope;
    try {
      storage.setItem(base.pathname + "." + key, JSON.stringify(value));
    } catch (error) {
      /* storage full or disabled: the setting is simply not remembered */
    }
  };
})();
