/* Open Models Hub: copy buttons, the record page's menus, the address in its code snippets,
   and charts. No inline script, no data from outside the page: chart data is read from
   <script type="application/json"> blocks the generator wrote. */
(function () {
  "use strict";

  var PALETTE = ["#3f51b5", "#00897b", "#ef6c00", "#8e24aa", "#c62828", "#2e7d32", "#6d4c41",
                 "#00838f", "#ad1457", "#5d4037", "#546e7a", "#f9a825"];

  function copyText(button) {
    var target = document.getElementById(button.getAttribute("data-omh-copy"));
    if (!target) { return; }
    var text = target.textContent.trim();
    var done = function () {
      var label = button.textContent;
      button.textContent = "Copied";
      button.setAttribute("data-omh-copied", "true");
      window.setTimeout(function () { button.textContent = label; }, 2000);
    };
    var fallback = function () {
      selectText(target);
      try { if (document.execCommand("copy")) { done(); } } catch (e) { /* selected for the reader */ }
    };
    if (navigator.clipboard && window.isSecureContext) {
      navigator.clipboard.writeText(text).then(done, fallback);
    } else {
      fallback();
    }
  }

  function selectText(element) {
    var range = document.createRange();
    range.selectNodeContents(element);
    var selection = window.getSelection();
    selection.removeAllRanges();
    selection.addRange(range);
  }

  function chartConfig(spec) {
    var axisColor = getComputedStyle(document.body).getPropertyValue("--md-default-fg-color--light") || "#777";
    var common = {
      responsive: true, maintainAspectRatio: false, animation: false,
      plugins: { legend: { display: (spec.series || []).filter(function (s) { return !s.hidden; }).length > 1 } },
      scales: {}
    };
    if (spec.type === "line") {
      common.scales = {
        x: { type: "linear", title: { display: true, text: spec.x || "" }, ticks: { color: axisColor } },
        y: { title: { display: true, text: spec.y || "" }, ticks: { color: axisColor } }
      };
      return {
        type: "line",
        data: { datasets: spec.series.map(function (s, i) {
          return { label: s.label, data: s.points.map(function (p) { return { x: p[0], y: p[1] }; }),
                   borderColor: PALETTE[i % PALETTE.length], backgroundColor: PALETTE[i % PALETTE.length],
                   pointRadius: s.points.length > 60 ? 0 : 2, borderWidth: 2, tension: 0 };
        }) },
        options: common
      };
    }
    if (spec.type === "scatter") {
      // Points are [x, y] or [x, y, name]; a series with "line" joins its points (a Pareto front).
      common.plugins.legend.display = spec.series.length > 1;
      common.plugins.tooltip = { callbacks: { label: function (item) {
        var point = item.raw;
        return (point.name ? point.name + ": " : "") + point.y + " at " + point.x;
      } } };
      common.scales = {
        x: { type: spec.log ? "logarithmic" : "linear", title: { display: true, text: spec.x || "" }, ticks: { color: axisColor } },
        y: { title: { display: true, text: spec.y || "" }, ticks: { color: axisColor } }
      };
      return {
        type: "scatter",
        data: { datasets: spec.series.map(function (s, i) {
          return { label: s.label, showLine: !!s.line, borderColor: PALETTE[i % PALETTE.length],
                   backgroundColor: PALETTE[i % PALETTE.length], pointRadius: s.line ? 5 : 4,
                   pointStyle: s.line ? "rectRot" : "circle", borderWidth: s.line ? 2 : 1,
                   data: s.points.map(function (p) { return { x: p[0], y: p[1], name: p[2] || "" }; }) };
        }) },
        options: common
      };
    }
    var shown = spec.series.filter(function (s) { return !s.hidden; });
    common.indexAxis = spec.horizontal ? "y" : "x";
    var valueAxis = spec.horizontal ? "x" : "y";
    common.scales[valueAxis] = { beginAtZero: true, title: { display: true, text: spec.unit || "" } };
    return {
      type: "bar",
      data: { labels: spec.labels, datasets: shown.map(function (s, i) {
        return { label: s.label, data: s.values, backgroundColor: PALETTE[i % PALETTE.length] };
      }) },
      options: common
    };
  }

  function drawCharts() {
    if (typeof window.Chart === "undefined") { return; }
    var canvases = document.querySelectorAll("canvas[data-omh-chart]");
    Array.prototype.forEach.call(canvases, function (canvas) {
      if (canvas.getAttribute("data-omh-drawn")) { return; }
      var data = document.getElementById("omh-chart-" + canvas.getAttribute("data-omh-chart"));
      if (!data) { return; }
      try {
        new window.Chart(canvas, chartConfig(JSON.parse(data.textContent)));
        canvas.setAttribute("data-omh-drawn", "true");
      } catch (error) {
        canvas.parentNode.setAttribute("data-omh-error", String(error));
      }
    });
  }

  function bindMenus() {
    // One menu open at a time; Escape or a click elsewhere closes it.
    var menus = document.querySelectorAll("details.omh-action");
    Array.prototype.forEach.call(menus, function (menu) {
      menu.addEventListener("toggle", function () {
        if (!menu.open) { return; }
        Array.prototype.forEach.call(menus, function (other) {
          if (other !== menu) { other.open = false; }
        });
      });
    });
    document.addEventListener("keydown", function (event) {
      if (event.key !== "Escape") { return; }
      Array.prototype.forEach.call(menus, function (menu) { menu.open = false; });
    });
    document.addEventListener("click", function (event) {
      Array.prototype.forEach.call(menus, function (menu) {
        if (menu.open && !menu.contains(event.target)) { menu.open = false; }
      });
    });
  }

  function localiseSnippets() {
    // A snippet fetches files from the page's published address; served from elsewhere (a
    // preview, a mirror), it fetches them from where the page actually is.
    if (!/^https?:$/.test(window.location.protocol)) { return; }
    var here = new URL(".", window.location.href).href;
    Array.prototype.forEach.call(document.querySelectorAll("[data-omh-here]"), function (node) {
      node.textContent = here;
    });
  }

  function init() {
    bindMenus();
    localiseSnippets();
    Array.prototype.forEach.call(document.querySelectorAll("button[data-omh-copy]"), function (button) {
      if (!button.getAttribute("data-omh-bound")) {
        button.setAttribute("data-omh-bound", "true");
        button.addEventListener("click", function () { copyText(button); });
      }
    });
    drawCharts();
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", init);
  } else {
    init();
  }
})();
