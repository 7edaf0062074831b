/* Open Models Hub: the search page. Full-text search and facets over the record pages, with
   Pagefind (its script, WebAssembly and index chunks are files of this site, under pagefind/;
   the browser fetches only the chunks a query needs). The query, the chosen filters and the
   sort are kept in the page's address, so a search can be shared and survives "Back"; each
   choice of a filter or a sort is a step in the browser's history (Back undoes it), while
   typing a query only rewrites the current step.

   The index is in shards (pagefind/0/, pagefind/1/, ...: one bundle each, listed in the page's
   configuration), each searched by its own copy of Pagefind's script, and their answers are
   merged: filter counts add up; a sorted view is a merge of the shards' sorted lists by the
   pages' sort keys (unique, and compared as Pagefind compares them), which gives what one
   index would and loads a result's data only when it heads its shard's list or is next; the
   best matches are merged by score.

   Filters combine: values of one facet with OR, facets with AND. A facet's counts say how many
   results each value would give with the other facets' choices kept. Nothing a record says is
   ever inserted as HTML: results and filters are built with text nodes. */
(function () {
  "use strict";

  var root = document.getElementById("omh-search");
  var configNode = document.getElementById("omh-search-config");
  if (!root || !configNode) { return; }
  var config = JSON.parse(configNode.textContent);
  var FACETS = config.facets;
  var SHOWN_VALUES = 8;
  var DEBOUNCE_MS = 150;

  var form = root.querySelector("form");
  var input = document.getElementById("omh-search-query");
  var sortSelect = document.getElementById("omh-search-sort");
  var facetsBox = document.getElementById("omh-facets");
  var clearButton = document.getElementById("omh-search-clear");
  var activeList = document.getElementById("omh-active-filters");
  var statusLine = document.getElementById("omh-search-status");
  var resultList = document.getElementById("omh-search-results");
  var moreButton = document.getElementById("omh-search-more");
  var filtersToggle = document.getElementById("omh-filters-toggle");

  var shards = null;       // one Pagefind module per bundle of the index, once loaded
  var allValues = null;    // facet key -> {value: count over the whole catalogue}
  var state = readState();
  var response = null;     // the current search: its total, filter counts, next results
  var showing = Promise.resolve();  // pages of results are shown one after the other
  var generation = 0;      // the newest search; older ones drop their results
  var expanded = {};       // facets whose every value is shown
  var timer = null;

  // -- the address --------------------------------------------------------------------------

  function readState() {
    var params = new URLSearchParams(window.location.search);
    var filters = {};
    FACETS.forEach(function (facet) {
      var values = params.getAll(facet.key).filter(function (v) { return v !== ""; });
      if (values.length) { filters[facet.key] = unique(values); }
    });
    var sort = params.get("sort") || "";
    return { q: params.get("q") || "", sort: config.sorts[sort] ? sort : "", filters: filters };
  }

  function writeState(push) {
    var params = new URLSearchParams();
    if (state.q.trim()) { params.set("q", state.q.trim()); }
    FACETS.forEach(function (facet) {
      (state.filters[facet.key] || []).forEach(function (v) { params.append(facet.key, v); });
    });
    if (state.sort) { params.set("sort", state.sort); }
    var query = params.toString();
    var url = window.location.pathname + (query ? "?" + query : "");
    if (url !== window.location.pathname + window.location.search) {
      if (push) {
        window.history.pushState(null, "", url);
      } else {
        window.history.replaceState(null, "", url);
      }
    }
  }

  function unique(values) {
    return values.filter(function (v, i) { return values.indexOf(v) === i; });
  }

  // -- searching ----------------------------------------------------------------------------

  function pagefindFilters(except) {
    var filters = {};
    Object.keys(state.filters).forEach(function (key) {
      if (key !== except && state.filters[key].length) { filters[key] = { any: state.filters[key] }; }
    });
    return filters;
  }

  function currentSort() {
    var key = state.sort || (state.q.trim() ? "" : "newest");
    return config.sorts[key] || null;
  }

  function term() {
    // Without a query: a word on every record page, so that the filters choose among all of
    // them (Pagefind's own query-less search would fetch the whole word index).
    return state.q.trim() || config.everyRecord;
  }

  // -- the shards ---------------------------------------------------------------------------

  function searchShards(options) {
    return Promise.all(shards.map(function (shard) { return shard.search(term(), options); }));
  }

  function addCounts(each) {
    // Filter value counts, summed over the shards.
    var counts = {};
    each.forEach(function (filters) {
      Object.keys(filters || {}).forEach(function (key) {
        var into = counts[key] = counts[key] || {};
        Object.keys(filters[key]).forEach(function (value) {
          into[value] = (into[value] || 0) + filters[key][value];
        });
      });
    });
    return counts;
  }

  function filtersOf(answers) {
    return answers.map(function (answer) { return answer && answer.filters; });
  }

  function compareKeys(a, b) {
    // Pagefind orders sort keys by their UTF-8 bytes, that is by code points; JavaScript
    // compares UTF-16 units, which put a character beyond U+FFFF (a surrogate pair) before
    // U+E000 to U+FFFF.
    for (var i = 0; i < a.length && i < b.length; i++) {
      var x = a.charCodeAt(i), y = b.charCodeAt(i);
      if (x === y) { continue; }
      var pairX = x >= 0xD800 && x <= 0xDFFF, pairY = y >= 0xD800 && y <= 0xDFFF;
      if (pairX !== pairY) { return pairX ? 1 : -1; }
      return x - y;
    }
    return a.length - b.length;
  }

  function merger(lists, sort) {
    // The next results of the merged shards: a function that gives the next `count` of them,
    // each as a promise of its data. Calls run one after the other.
    var loaded = new Map();
    function data(result) {
      if (!loaded.has(result)) { loaded.set(result, result.data()); }
      return loaded.get(result);
    }
    var take;
    if (!sort) {
      // Best matches: by score (Array.prototype.sort is stable: equal scores keep the order
      // of the shards).
      var all = [].concat.apply([], lists).sort(function (a, b) { return b.score - a.score; });
      var at = 0;
      take = async function (count) {
        var next = all.slice(at, at + count);
        at += next.length;
        return next.map(data);
      };
    } else {
      var heads = lists.map(function () { return 0; });
      var keyOf = function (shard) {
        var list = lists[shard], head = heads[shard];
        if (head >= list.length) { return null; }
        // The next one is fetched meanwhile: it heads the list once this one is taken.
        if (head + 1 < list.length) { data(list[head + 1]); }
        return data(list[head]).then(function (item) {
          return String((item && item.meta && item.meta[sort.meta]) || "");
        });
      };
      take = async function (count) {
        var next = [];
        while (next.length < count) {
          var keys = await Promise.all(lists.map(function (list, shard) { return keyOf(shard); }));
          var best = -1;
          for (var shard = 0; shard < keys.length; shard++) {
            if (keys[shard] === null) { continue; }
            var order = best < 0 ? 0 : compareKeys(keys[shard], keys[best]);
            if (best < 0 || (sort.direction === "desc" ? order > 0 : order < 0)) { best = shard; }
          }
          if (best < 0) { break; }
          next.push(data(lists[best][heads[best]++]));
        }
        return next;
      };
    }
    var queue = Promise.resolve();
    return function (count) {
      var taken = queue.then(function () { return take(count); });
      queue = taken.catch(function () {});
      return taken;
    };
  }

  async function searchAll() {
    var sort = currentSort();
    var order = {};
    if (sort) { order[sort.field] = sort.direction; }
    var filters = pagefindFilters(null);
    var answers = await searchShards({ filters: filters, sort: order });
    var lists = answers.map(function (answer) { return (answer && answer.results) || []; });
    var found = lists.reduce(function (n, list) { return n + list.length; }, 0);
    if (state.q.trim()) {
      // A result that scores nothing matched only weightless words (one character, or fields
      // kept for display): Pagefind's fallback for a word that begins no indexed word. A
      // sorted search scores by position, so the scores come from the search unsorted.
      var scored = sort ? await searchShards({ filters: filters }) : answers;
      lists = lists.map(function (list, shard) {
        var weighs = new Set();
        ((scored[shard] && scored[shard].results) || []).forEach(function (result) {
          if (result.score > 0) { weighs.add(result.id); }
        });
        return list.filter(function (result) { return weighs.has(result.id); });
      });
    }
    var total = lists.reduce(function (n, list) { return n + list.length; }, 0);
    var nothing = total === 0 && found > 0;
    return { total: total, filters: nothing ? {} : addCounts(filtersOf(answers)),
             nothing: nothing, next: merger(lists, sort), shown: 0 };
  }

  async function run() {
    if (!shards) { return; }  // still loading: start() searches with the state it finds
    var mine = ++generation;
    root.setAttribute("data-omh-state", "searching");
    var counted = allValues !== null;  // every filter's chunk is loaded: the counts are whole
    var found;
    try {
      found = await searchAll();
    } catch (error) {
      fail(error);
      return;
    }
    if (mine !== generation) { return; }
    response = found;
    await show(mine, true);
    renderActive();
    if (allValues) { await updateFacets(mine, counted); }
  }

  async function updateFacets(mine, counted) {
    if (response.nothing) {
      renderFacets({});
      root.setAttribute("data-omh-state", "done");
      return;
    }
    var counts = response.filters;
    if (!counted) {
      var again = await searchShards({ filters: pagefindFilters(null) });
      if (mine !== generation) { return; }
      counts = addCounts(filtersOf(again));
    }
    counts = Object.assign({}, counts);
    // A facet with a choice counts its values as if it had none (the others stay applied).
    for (var key in state.filters) {
      if (!state.filters[key].length) { continue; }
      var without = await searchShards({ filters: pagefindFilters(key) });
      if (mine !== generation) { return; }
      counts[key] = addCounts(filtersOf(without))[key] || {};
    }
    if (mine !== generation) { return; }
    renderFacets(counts);
    root.setAttribute("data-omh-state", "done");
  }

  function show(mine, replace) {
    showing = showing.then(function () { return showMore(mine, replace); }, function () {});
    return showing;
  }

  async function showMore(mine, replace) {
    // Each result is shown as soon as it and those before it have arrived; the previous
    // results stay until the first new one can take their place.
    var current = response;
    if (mine !== generation || !current) { return; }
    try {
      var pending = await current.next(config.pageSize);
      if (mine !== generation) { return; }
      if (replace && !pending.length) { resultList.textContent = ""; }
      for (var i = 0; i < pending.length; i++) {
        var item = await pending[i];
        if (mine !== generation) { return; }
        if (replace && i === 0) { resultList.textContent = ""; }
        resultList.appendChild(resultItem(item));
      }
      current.shown += pending.length;
    } catch (error) {
      fail(error);
      return;
    }
    moreButton.hidden = current.shown >= current.total;
    renderStatus();
  }

  function schedule() {
    window.clearTimeout(timer);
    timer = window.setTimeout(function () { writeState(false); run(); }, DEBOUNCE_MS);
  }

  function now() {
    // A filter, a sort or a submitted query: a new step in the history.
    window.clearTimeout(timer);
    writeState(true);
    run();
  }

  function fail(error) {
    statusLine.textContent = "The search index could not be loaded: " + String(error && error.message || error);
    root.setAttribute("data-omh-state", "error");
  }

  // -- results ------------------------------------------------------------------------------

  function element(tag, className, text) {
    var node = document.createElement(tag);
    if (className) { node.className = className; }
    if (text !== undefined && text !== null) { node.textContent = text; }
    return node;
  }

  function safeUrl(url) {
    // Pagefind's URLs are paths of this site; anything else is not linked.
    return typeof url === "string" && /^\/(?!\/)/.test(url) ? url : null;
  }

  function excerpt(html) {
    // Pagefind escapes < and > in the page text and marks the matches with <mark>.
    var node = element("p", "omh-result__excerpt");
    String(html || "").split(/(<mark>|<\/mark>)/).reduce(function (marked, part) {
      if (part === "<mark>") { return true; }
      if (part === "</mark>") { return false; }
      if (part) {
        var text = document.createTextNode(part.replace(/&lt;/g, "<").replace(/&gt;/g, ">"));
        if (marked) {
          var mark = element("mark");
          mark.appendChild(text);
          node.appendChild(mark);
        } else {
          node.appendChild(text);
        }
      }
      return marked;
    }, false);
    return node;
  }

  function facts(meta) {
    var list = element("dl", "omh-result__facts");
    var pairs = [];
    try { pairs = JSON.parse(meta.facts || "[]"); } catch (error) { pairs = []; }
    if (meta.date) { pairs.unshift(["Created", meta.date]); }
    pairs.forEach(function (pair) {
      if (!Array.isArray(pair) || pair.length !== 2) { return; }
      var item = element("div", "omh-result__fact");
      item.appendChild(element("dt", null, String(pair[0])));
      item.appendChild(element("dd", null, String(pair[1])));
      list.appendChild(item);
    });
    return list;
  }

  function resultItem(item) {
    var meta = item.meta || {};
    var li = element("li", "omh-result");
    var head = element("div", "omh-result__head");
    var url = safeUrl(item.url);
    var title = element(url ? "a" : "span", "omh-result__title", meta.title || item.url);
    if (url) { title.href = url; }
    head.appendChild(title);
    if (meta.version) { head.appendChild(element("span", "omh-muted", " v" + meta.version)); }
    if (meta.kind) { head.appendChild(element("span", "omh-kind", meta.kind)); }
    if (meta.status && meta.status !== "active") {
      var status = element("span", "omh-status omh-status--" + meta.status.replace(/[^a-z]/g, ""), meta.status);
      head.appendChild(status);
      li.classList.add("omh-result--" + meta.status.replace(/[^a-z]/g, ""));
    }
    li.appendChild(head);
    if (state.q.trim() && item.excerpt) {
      li.appendChild(excerpt(item.excerpt));
    } else if (meta.description) {
      li.appendChild(element("p", "omh-result__excerpt", meta.description));
    }
    li.appendChild(facts(meta));
    return li;
  }

  function renderStatus() {
    var total = response.total;
    var text = total === 0 ? "No results." : (total === 1 ? "1 result" : total.toLocaleString("en") + " results");
    if (total > response.shown) { text += ", showing " + response.shown.toLocaleString("en"); }
    if (total > 0) {
      var sort = state.sort || (state.q.trim() ? "" : "newest");
      var option = sortSelect.querySelector('option[value="' + sort + '"]');
      text += " \u00b7 " + (option ? option.textContent : "Best match");
    }
    statusLine.textContent = text;
  }

  // -- filters ------------------------------------------------------------------------------

  function orderedValues(facet, counts) {
    var known = Object.keys(allValues[facet.key] || {});
    var chosen = state.filters[facet.key] || [];
    var values = unique(known.concat(chosen)).filter(function (v) {
      return (counts[v] || 0) > 0 || chosen.indexOf(v) >= 0;
    });
    values.sort(function (a, b) {
      if (facet.order === "fixed") {
        var ia = facet.values.indexOf(a), ib = facet.values.indexOf(b);
        if (ia !== ib) { return (ia < 0 ? 1e9 : ia) - (ib < 0 ? 1e9 : ib); }
      } else if (facet.order === "desc") {
        if (a !== b) { return a < b ? 1 : -1; }
      } else if ((counts[b] || 0) !== (counts[a] || 0)) {
        return (counts[b] || 0) - (counts[a] || 0);
      }
      return a.localeCompare(b);
    });
    return values;
  }

  function renderFacets(counts) {
    var focused = document.activeElement;
    var focusKey = focused && focused.getAttribute && focused.getAttribute("data-omh-facet");
    var focusValue = focusKey ? focused.value : null;
    Array.prototype.forEach.call(facetsBox.querySelectorAll("fieldset"), function (node) {
      node.parentNode.removeChild(node);
    });
    FACETS.forEach(function (facet) {
      var facetCounts = counts[facet.key] || {};
      var values = orderedValues(facet, facetCounts);
      if (!values.length) { return; }
      var chosen = state.filters[facet.key] || [];
      var fieldset = element("fieldset", "omh-facet");
      fieldset.setAttribute("data-omh-facet", facet.key);
      var legend = element("legend", "omh-facet__title", facet.title);
      fieldset.appendChild(legend);
      if (chosen.length) {
        var clear = element("button", "omh-facet__clear", "Clear");
        clear.type = "button";
        clear.setAttribute("aria-label", "Clear the " + facet.title.toLowerCase() + " filter");
        clear.addEventListener("click", function () { delete state.filters[facet.key]; now(); });
        legend.appendChild(clear);
      }
      var open = expanded[facet.key] || values.length <= SHOWN_VALUES + 2;
      values.forEach(function (value, index) {
        var label = element("label", "omh-facet__value");
        if (!open && index >= SHOWN_VALUES && chosen.indexOf(value) < 0) { label.hidden = true; }
        var box = element("input");
        box.type = "checkbox";
        box.value = value;
        box.checked = chosen.indexOf(value) >= 0;
        box.setAttribute("data-omh-facet", facet.key);
        box.addEventListener("change", function () { toggle(facet.key, value, box.checked); });
        label.appendChild(box);
        label.appendChild(element("span", "omh-facet__name", value));
        label.appendChild(element("span", "omh-facet__count", (facetCounts[value] || 0).toLocaleString("en")));
        fieldset.appendChild(label);
        if (focusKey === facet.key && focusValue === value) { focused = box; }
      });
      if (!open) {
        var more = element("button", "omh-facet__more", "Show all " + values.length);
        more.type = "button";
        more.addEventListener("click", function () { expanded[facet.key] = true; renderFacets(counts); });
        fieldset.appendChild(more);
      }
      facetsBox.appendChild(fieldset);
    });
    if (focused && focused.getAttribute && focused.getAttribute("data-omh-facet") && document.body.contains(focused)) {
      focused.focus();
    }
    clearButton.hidden = !Object.keys(state.filters).length;
    renderToggle();
  }

  function chosenCount() {
    return Object.keys(state.filters).reduce(function (n, key) { return n + state.filters[key].length; }, 0);
  }

  function renderToggle() {
    // On a narrow screen the filters sit behind this button, above the results.
    var count = chosenCount();
    filtersToggle.textContent = count ? "Filters (" + count + ")" : "Filters";
  }

  function renderActive() {
    activeList.textContent = "";
    FACETS.forEach(function (facet) {
      (state.filters[facet.key] || []).forEach(function (value) {
        var item = element("li");
        var button = element("button", "omh-chip omh-active-filter", facet.title + ": " + value + " \u00d7");
        button.type = "button";
        button.setAttribute("aria-label", "Remove the filter " + facet.title + ": " + value);
        button.addEventListener("click", function () { toggle(facet.key, value, false); });
        item.appendChild(button);
        activeList.appendChild(item);
      });
    });  renderToggle();
  }

  function toggle(key, value, on) {
    var values = (state.filters[key] || []).filter(function (v) { return v !== value; });
    if (on) { values.push(value); }
    if (values.length) { state.filters[key] = values; } else { delete state.filters[key]; }
    now();
  }

  // -- wiring -------------------------------------------------------------------------------

  function showState() {
    input.value = state.q;
    sortSelect.value = state.sort;
  }

  async function start() {
    showState();
    try {
      // Each bundle's own script: a module of its own (its address differs), with its own
      // state and worker, which finds its index beside it.
      var loading = await Promise.all(config.bundles.map(function (bundle) {
        return import(new URL(bundle + "pagefind.js", document.baseURI).href);
      }));
      await Promise.all(loading.map(function (shard) {
        return shard.options({ excerptLength: 24, ranking: config.ranking });
      }));
      shards = loading;
      await run();  // results first; the filters' values and counts follow
      var filters = addCounts(await Promise.all(shards.map(function (shard) {
        return shard.filters();
      })));
      allValues = {};
      FACETS.forEach(function (facet) { allValues[facet.key] = filters[facet.key] || {}; });
      if (response) { await updateFacets(generation, false); }
    } catch (error) {
      fail(error);
    }
  }

  input.addEventListener("input", function () { state.q = input.value; schedule(); });
  sortSelect.addEventListener("change", function () { state.sort = sortSelect.value; now(); });
  form.addEventListener("submit", function (event) {
    event.preventDefault();
    state.q = input.value;
    now();
  });
  clearButton.addEventListener("click", function () { state.filters = {}; now(); });
  filtersToggle.addEventListener("click", function () {
    var open = filtersToggle.getAttribute("aria-expanded") !== "true";
    filtersToggle.setAttribute("aria-expanded", open ? "true" : "false");
    root.classList.toggle("omh-search--filters-open", open);
  });
  moreButton.addEventListener("click", function () { show(generation, false); });
  window.addEventListener("popstate", function () {
    window.clearTimeout(timer);
    state = readState();
    showState();
    run();
  });
  window.addEventListener("pageshow", function (event) {
    // Back to a page kept in memory: its address is the truth.
    if (event.persisted) { state = readState(); showState(); if (shards && allValues) { run(); } }
  });

  start();
})();
