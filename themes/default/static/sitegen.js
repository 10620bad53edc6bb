// sitegen default theme: progressive enhancements. Everything works without it.

// Data files are scripts, so that they load from disk too. Each is fetched once; whoever asks
// for it while it loads is called back when it has loaded (or failed to).
function sitegenLoad(src, then) {
  "use strict";
  var state = sitegenLoad.state = sitegenLoad.state || {};  // src: true once loaded, else the callbacks
  if (state[src] === true) return then();
  if (state[src]) { state[src].push(then); return; }
  state[src] = [then];
  var script = document.createElement("script");
  script.src = src;
  script.onload = script.onerror = function () {
    var waiting = state[src];
    state[src] = true;
    waiting.forEach(function (f) { f(); });
  };
  document.head.appendChild(script);
}

// Listeners on the document or the window are kept by part ("tips", "finder"…), so that running
// this script again on a new body (the preview refreshes a page in place) replaces them.
function sitegenOn(part, target, type, handler, capture) {
  "use strict";
  var kept = window.sitegenListeners = window.sitegenListeners || [];
  kept.push({ part: part, target: target, type: type, handler: handler, capture: !!capture });
  target.addEventListener(type, handler, capture);
}
function sitegenOff(part) {
  "use strict";
  var kept = window.sitegenListeners || [];
  window.sitegenListeners = kept.filter(function (l) {
    if (l.part !== part) return true;
    l.target.removeEventListener(l.type, l.handler, l.capture);
    return false;
  });
}

(function () {
  "use strict";
  sitegenOff("tips");
  // Escape hides an open tooltip until the pointer or focus leaves its mention.
  sitegenOn("tips", document, "keydown", function (event) {
    if (event.key !== "Escape") return;
    var open = document.querySelectorAll("a.m:hover, a.m:focus");
    for (var i = 0; i < open.length; i++) open[i].classList.add("tip-dismissed");
  });
  function reset(event) {
    var m = event.target.closest && event.target.closest("a.m");
    if (m) m.classList.remove("tip-dismissed");
  }
  sitegenOn("tips", document, "mouseout", reset);
  sitegenOn("tips", document, "focusout", reset);

  // A tooltip stays inside the viewport: one that would cross an edge moves along. The tooltip is
  // the mention's ::after box, at the mention's left edge unless --tip-x moves it.
  function place(mention) {
    if (!mention.hasAttribute("aria-describedby")) return;
    mention.style.removeProperty("--tip-x");
    var tip = getComputedStyle(mention, "::after");
    var size = parseFloat(tip.width);
    if (tip.display === "none" || !size) return;
    var left = mention.getClientRects()[0].left, right = left + size;
    var width = document.documentElement.clientWidth, margin = 8, shift = 0;
    if (right > width - margin) shift = width - margin - right;
    if (left + shift < margin) shift = margin - left;
    if (shift) mention.style.setProperty("--tip-x", Math.round(shift) + "px");
  }
  function mentionOf(event) {
    return event.target.closest ? event.target.closest("a.m") : null;
  }
  ["mouseover", "focusin"].forEach(function (name) {
    sitegenOn("tips", document, name, function (event) {
      var mention = mentionOf(event);
      if (mention) place(mention);
    });
  });

  // Touch: the first tap on a mention shows its tooltip, a second tap follows the link.
  var touched = false, open = null;
  sitegenOn("tips", document, "pointerdown", function (event) { touched = event.pointerType === "touch"; }, true);
  sitegenOn("tips", document, "click", function (event) {
    var mention = mentionOf(event);
    if (open && open !== mention) { open.classList.remove("tip-open"); open = null; }
    if (!mention || !touched || open === mention) return;
    event.preventDefault();
    mention.classList.add("tip-open");
    open = mention;
    place(mention);
  });
})();

// Entity quick-find: prefix search over entity names, loaded as scripts so it works from file://.
(function () {
  "use strict";
  sitegenOff("finder");
  var form = document.querySelector("form.finder");
  if (!form) return;
  // Its controls are made here: without a script the finder cannot work, and the page is smaller.
  if (!form.querySelector("input")) {
    form.insertAdjacentHTML("beforeend",
      '<label for="finder-input">Find an entity or cable</label>' +
      '<input id="finder-input" type="text" autocomplete="off" spellcheck="false" placeholder="Entity, or cable id\u2026"' +
      ' role="combobox" aria-autocomplete="list" aria-expanded="false" aria-controls="finder-list">' +
      '<ul id="finder-list" role="listbox" aria-label="Entities" hidden></ul>' +
      '<p class="finder-status" role="status" aria-live="polite"></p>');
  }
  var input = form.querySelector("input");
  var list = form.querySelector("[role=listbox]");
  var status = form.querySelector("[role=status]");
  var root = form.getAttribute("data-root") || "";
  var pattern = form.getAttribute("data-finder");
  var labels = {};  // each type's label, so the type is said in words, not in colour alone
  (form.getAttribute("data-types") || "").split(";").forEach(function (pair) {
    var i = pair.indexOf("=");
    if (i > 0) labels[pair.slice(0, i)] = pair.slice(i + 1);
  });
  var active = -1;
  var matches = [];
  form.hidden = false;

  function fold(text) {
    return text.normalize("NFKD").replace(/[\u0300-\u036f]/g, "").toLowerCase();
  }
  // The data is in parts by the start of words (a, b… and, where a letter has many, ta, th…);
  // the list of parts comes first. A query needs the longest part its first word starts with.
  var parts = null;
  function withParts(then) {
    sitegenLoad(pattern.replace("SHARD", "_parts"), function () {
      if (!parts) {
        parts = {};
        (window.sitegenFinderParts || []).forEach(function (name) { parts[name] = true; });
      }
      then(parts);
    });
  }
  function shardOf(query, known) {
    if (!/[a-z0-9]/.test(query.charAt(0))) return "_";
    // The longest word of the query picks the part: "the minis" looks where "ministry" is.
    var word = query.split(/[^0-9a-z]+/).reduce(function (a, b) { return b.length > a.length ? b : a; }, "");
    for (var length = word.length; length > 1; length--) {
      if (known[word.slice(0, length)]) return word.slice(0, length);
    }
    return word.charAt(0);
  }
  function load(shard, then) {
    sitegenLoad(pattern.replace("SHARD", shard), function () {
      var finder = window.sitegenFinder = window.sitegenFinder || {};
      then(finder[shard] = finder[shard] || []);
    });
  }
  function named(name, query) {
    name = fold(name);
    return name.indexOf(query) === 0 || (" " + name.replace(/[^0-9a-z\u00c0-\uffff]+/g, " ")).indexOf(" " + query) !== -1;
  }
  function find(rows, query) {
    // Each row: [name, type, path, mentions] and, for an entity the editors named, its aliases.
    var found = [];
    for (var i = 0; i < rows.length && found.length < 12; i++) {
      var row = rows[i];
      if (named(row[0], query)) { found.push({ row: row, alias: "" }); continue; }
      var aliases = row[4] || [];
      for (var j = 0; j < aliases.length; j++) {
        if (named(aliases[j], query)) { found.push({ row: row, alias: aliases[j] }); break; }
      }
    }
    return found;
  }
  function select(index) {
    var items = list.querySelectorAll("[role=option]");
    active = index;
    for (var i = 0; i < items.length; i++) items[i].setAttribute("aria-selected", i === index ? "true" : "false");
    if (index >= 0 && items[index]) input.setAttribute("aria-activedescendant", items[index].id);
    else input.removeAttribute("aria-activedescendant");
  }
  function show(rows) {
    matches = rows;
    list.textContent = "";
    rows.forEach(function (found, i) {
      var row = found.row;
      var li = document.createElement("li");
      li.id = "finder-option-" + i;
      li.setAttribute("role", "option");
      li.setAttribute("aria-selected", "false");
      var a = document.createElement("a");
      a.href = root + row[2];
      a.className = "ent ent-" + row[1];
      a.tabIndex = -1;
      a.textContent = row[0];
      var count = document.createElement("span");
      count.className = "count";
      if (row[1] === "doc") {
        a.className = "doc-ref";
        count.textContent = " Document · " + (row[5] || "");
      } else {
        count.textContent = (found.alias ? " (" + found.alias + ")" : "") + " " + (labels[row[1]] || row[1].toUpperCase()) + " · " + row[3];
      }
      li.appendChild(a);
      li.appendChild(count);
      list.appendChild(li);
    });
    var open = rows.length > 0;
    list.hidden = !open;
    input.setAttribute("aria-expanded", open ? "true" : "false");
    select(-1);
    status.textContent = input.value.trim() ? (rows.length ? rows.length + " matching entities" : "No entity matches") : "";
  }
  function update() {
    var query = fold(input.value.trim()).replace(/\s+/g, " ");
    if (!query) return show([]);
    withParts(function (known) {
      load(shardOf(query, known), function (rows) {
        if (fold(input.value.trim()).replace(/\s+/g, " ") === query) show(find(rows, query));
      });
    });
  }
  input.addEventListener("input", update);
  input.addEventListener("keydown", function (event) {
    if (event.key === "ArrowDown" && matches.length) { select((active + 1) % matches.length); event.preventDefault(); }
    else if (event.key === "ArrowUp" && matches.length) { select(active <= 0 ? matches.length - 1 : active - 1); event.preventDefault(); }
    else if (event.key === "Escape") { show([]); }
  });
  form.addEventListener("submit", function (event) {
    event.preventDefault();
    var found = matches[active >= 0 ? active : 0];
    if (found) window.location.href = root + found.row[2];
  });
  sitegenOn("finder", document, "click", function (event) {
    if (!form.contains(event.target)) { list.hidden = true; input.setAttribute("aria-expanded", "false"); }
  });
})();

// Full-text search page: Pagefind's interface, which needs a web server.
(function () {
  "use strict";
  var box = document.getElementById("search");
  if (!box) return;
  if (window.location.protocol === "file:") {
    document.querySelector(".search-offline").hidden = false;
    return;
  }
  var script = document.createElement("script");
  script.src = box.getAttribute("data-pagefind-ui");
  var ui = new URL(script.src, window.location.href);
  // The index is in parts (pagefind/p1/, p2/…), searched together: results are ranked across them.
  var parts = fetch(new URL("parts.json", ui)).then(function (response) {
    if (!response.ok) throw new Error(response.status);
    return response.json();
  });
  script.onload = function () {
    parts.then(start, function () {
      box.textContent = "The search index is missing or damaged: build the site again.";
    });
  };
  function start(listed) {
    /* global PagefindUI */
    // Result links are made from the site root, which may be any sub-path of the host.
    var base = new URL(box.getAttribute("data-root") || "./", window.location.href).pathname;
    var bundles = listed.parts.map(function (name) { return new URL(name + "/", ui).pathname; });
    if (!bundles.length) {
      box.textContent = "There is nothing to search: the site has no document with text.";
      return;
    }
    new PagefindUI({
      element: "#search",
      baseUrl: base,
      bundlePath: bundles[0],
      mergeIndex: bundles.slice(1).map(function (path) { return { bundlePath: path, baseUrl: base }; }),
      showSubResults: true,
      showImages: false,
      showEmptyFilters: false,
      processResult: function (result) {
        result.sub_results = paragraphs(result);  // the cable's classification, origin and date show as its meta
        return result;
      }
    });
    var params = new URLSearchParams(window.location.search);
    var input = box.querySelector("input");
    if (params.get("q") && input) {
      input.value = params.get("q");
      input.dispatchEvent(new Event("input", { bubbles: true }));
    }
  }
  function escapeHtml(text) {
    return String(text).replace(/[&<>"']/g, function (c) {
      return { "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" }[c];
    });
  }
  // A cable's sections are its numbered paragraphs, not headings: the sub-results are the
  // paragraphs that match best, each linking to its permalink (#par3).
  function paragraphs(result) {
    var anchors = (result.anchors || [])
      .filter(function (a) { return /^par/.test(a.id || "") && /^div$/i.test(a.element || ""); })
      .sort(function (a, b) { return a.location - b.location; });
    if (!anchors.length || !result.content) {
      return (result.sub_results || []).filter(function (s) { return !/#doc-title$/.test(s.url); });
    }
    var words = result.content.split(/[\r\n\s]+/g);
    var hits = result.locations || [];
    var found = [];
    anchors.forEach(function (anchor, i) {
      var end = i + 1 < anchors.length ? anchors[i + 1].location : words.length;
      var mine = hits.filter(function (l) { return l >= anchor.location && l < end; });
      if (!mine.length) return;
      var start = Math.max(anchor.location, mine[0] - 10);
      var stop = Math.min(end, start + 30);
      var excerpt = words.slice(start, stop).map(function (word, k) {
        return mine.indexOf(start + k) >= 0 ? "<mark>" + escapeHtml(word) + "</mark>" : escapeHtml(word);
      }).join(" ");
      found.push({
        title: "Paragraph " + anchor.id.replace(/^par/, ""),
        url: result.url.split("#")[0] + "#" + anchor.id,
        excerpt: excerpt,
        locations: mine,
        anchor: anchor
      });
    });
    if (!found.length) {  // the words are in the title or the header: the page's own excerpt
      return [{ title: (result.meta || {}).title, url: result.url, excerpt: result.excerpt, locations: hits }];
    }
    found.sort(function (a, b) { return b.locations.length - a.locations.length; });
    return found.slice(0, 3);
  }
  script.onerror = function () {
    box.textContent = "The search index is missing: the site was built without Pagefind.";
  };
  document.head.appendChild(script);
})();

// The jump to a page of a long list: pages are plain files, so the address is made here.
(function () {
  "use strict";
  var forms = document.querySelectorAll("form.pager-jump");
  Array.prototype.forEach.call(forms, function (form) {
    form.hidden = false;
    form.addEventListener("submit", function (event) {
      event.preventDefault();
      var input = form.querySelector("input");
      var n = Math.round(Number(input.value));
      if (!(n >= 1 && n <= Number(input.max))) { input.focus(); return; }
      window.location.href = n === 1 ? form.getAttribute("data-first") : form.getAttribute("data-pattern").replace("{n}", String(n));
    });
  });
})();

// Filtering an entity's documents by year, origin, tag and the entities named with it. The data is
// a script beside the entity's pages, loaded when the filter is first used; without a script the
// page is its plain list. Within a group any chosen value will do; across groups, and among the
// entities named with it, every choice must hold.
(function () {
  "use strict";
  sitegenOff("facets");
  var box = document.querySelector("details.facets");
  if (!box) return;
  var section = box.parentNode;
  var results = section.querySelector(".facet-results");
  var list = results.querySelector("ol.filtered");
  var more = results.querySelector(".facet-more");
  var status = section.querySelector(".facet-status");
  var groupsBox = box.querySelector(".facet-groups");
  var plain = [section.querySelector("ol.occurrences"), section.querySelector("nav.pager")];
  var PAGE = 100, FEW = 12;
  var GROUPS = [
    { name: "year", legend: "Year", values: function (d) { return d[3] ? [d[3]] : []; } },
    { name: "origin", legend: "Origin", values: function (d) { return d[4] >= 0 ? [d[4]] : []; } },
    { name: "tag", legend: "Tag", values: function (d) { return d[5]; } },
    { name: "with", legend: "Named in a paragraph with", all: true, values: function (d) { return d[6]; } }
  ];
  var data = null, chosen = {}, matching = [], shown = 0;
  GROUPS.forEach(function (g) { chosen[g.name] = {}; });
  box.hidden = false;
  // Each entity named with this one that can narrow its documents gets a "both" link.
  var named = (document.querySelector("h1") || {}).textContent || "";
  Array.prototype.forEach.call(document.querySelectorAll(".ranked-bars li[data-with]"), function (li) {
    var other = li.querySelector("a.ent"), both = document.createElement("a");
    both.className = "both";
    both.href = "#with=" + li.getAttribute("data-with");
    both.textContent = "both";
    both.setAttribute("aria-label", "both: the documents naming " + named + " and " + (other ? other.textContent : ""));
    li.insertBefore(both, li.querySelector(".bar"));
    li.insertBefore(document.createTextNode(" "), both);
  });

  function load(then) {
    if (data) return then();
    status.textContent = "Loading the filter…";
    sitegenLoad(box.getAttribute("data-facets"), function () {
      if (!data) {
        data = window.sitegenFacets || null;
        if (!data) { status.textContent = "The filter's data is missing from the site."; return; }
        build();
      }
      then();
    });
  }
  function label(group, value) {
    if (group === "origin") return data.origins[value];
    if (group === "tag") return data.tags[value];
    if (group === "with") {  // an entity: its name, and its type's name by its id's first part (loc/peru)
      var other = data["with"][value];
      return other[1] + " (" + data.types[other[0].split("/")[0]] + ")";
    }
    return String(value);
  }
  function matches(d, skip) {
    return GROUPS.every(function (g) {
      if (g.name === skip) return true;
      var wanted = Object.keys(chosen[g.name]);
      if (!wanted.length) return true;
      var have = g.values(d).map(String);
      var hit = function (v) {  // a month (2009-03), from a timeline drawn by month, is in the date
        return v.length === 7 ? String(d[2]).slice(0, 7) === v : have.indexOf(v) >= 0;
      };
      return g.all ? wanted.every(hit) : wanted.some(hit);
    });
  }
  // One fieldset per group, most frequent values first (years newest first); the counts are made
  // again on every change: how many documents a value gives with the other groups' choices.
  function build() {
    GROUPS.forEach(function (g) {
      var counts = {};
      data.docs.forEach(function (d) { g.values(d).forEach(function (v) { counts[v] = (counts[v] || 0) + 1; }); });
      var values = Object.keys(counts);
      if (g.name === "year") values.sort().reverse();
      else values.sort(function (a, b) { return counts[b] - counts[a] || label(g.name, a).localeCompare(label(g.name, b)); });
      if (!values.length) return;
      var fieldset = document.createElement("fieldset");
      fieldset.className = "facet facet-" + g.name;
      var legend = document.createElement("legend");
      legend.textContent = g.legend;
      fieldset.appendChild(legend);
      var ul = document.createElement("ul");
      values.forEach(function (v, i) {
        var li = document.createElement("li");
        if (i >= FEW) li.hidden = true;
        var input = document.createElement("input");
        input.type = "checkbox";
        input.value = v;
        input.setAttribute("data-group", g.name);
        var text = document.createElement("label");
        text.appendChild(input);
        text.appendChild(document.createTextNode(" " + label(g.name, v) + " "));
        var count = document.createElement("span");
        count.className = "count";
        text.appendChild(count);
        li.appendChild(text);
        ul.appendChild(li);
      });
      fieldset.appendChild(ul);
      if (values.length > FEW) {
        var all = document.createElement("button");
        all.type = "button";
        all.className = "facet-all";
        all.textContent = "Show all " + values.length;
        all.addEventListener("click", function () {
          Array.prototype.forEach.call(ul.children, function (li) { li.hidden = false; });
          all.remove();
        });
        fieldset.appendChild(all);
      }
      groupsBox.appendChild(fieldset);
    });
    groupsBox.addEventListener("change", function (event) {
      var input = event.target;
      var group = chosen[input.getAttribute("data-group")];
      if (input.checked) group[input.value] = true; else delete group[input.value];
      update(true);
    });
  }
  function any() {
    return GROUPS.some(function (g) { return Object.keys(chosen[g.name]).length > 0; });
  }
  function row(d) {
    var li = document.createElement("li");
    var h = document.createElement("h3");
    var a = document.createElement("a");
    a.href = d[0];
    a.textContent = d[1];
    h.appendChild(a);
    var meta = document.createElement("p");
    meta.className = "doc-meta";
    var origin = d[4] >= 0 ? data.origins[d[4]] : "";
    meta.textContent = [origin, d[2], d[7] + (d[7] === 1 ? " mention" : " mentions")].filter(Boolean).join(" · ");
    li.appendChild(h);
    li.appendChild(meta);
    return li;
  }
  function showMore() {
    var stop = Math.min(matching.length, shown + PAGE);
    for (; shown < stop; shown++) list.appendChild(row(matching[shown]));
    more.hidden = shown >= matching.length;
  }
  function update(remember) {
    Array.prototype.forEach.call(groupsBox.querySelectorAll("input[data-group]"), function (input) {
      input.checked = !!chosen[input.getAttribute("data-group")][input.value];
    });
    GROUPS.forEach(function (g) {
      var counts = {};
      data.docs.forEach(function (d) {
        if (matches(d, g.name)) g.values(d).forEach(function (v) { counts[v] = (counts[v] || 0) + 1; });
      });
      Array.prototype.forEach.call(groupsBox.querySelectorAll("input[data-group=" + g.name + "]"), function (input) {
        var n = counts[input.value] || 0;
        input.parentNode.querySelector(".count").textContent = "(" + n.toLocaleString("en") + ")";
        input.disabled = !n && !input.checked;
        if (input.checked) input.parentNode.parentNode.hidden = false;
      });
    });
    var filtering = any();
    matching = filtering ? data.docs.filter(function (d) { return matches(d); }) : [];
    list.textContent = "";
    shown = 0;
    if (filtering) showMore();
    results.hidden = !filtering;
    plain.forEach(function (el) { if (el) el.hidden = filtering; });
    status.textContent = filtering
      ? matching.length.toLocaleString("en") + " of " + data.docs.length.toLocaleString("en") + " documents"
      : "All " + data.docs.length.toLocaleString("en") + " documents";
    if (remember) {
      var params = new URLSearchParams();
      GROUPS.forEach(function (g) {
        Object.keys(chosen[g.name]).forEach(function (v) { params.append(g.name, key(g.name, v)); });
      });
      var hash = filtering ? "#filter=" + params.toString() : "";
      history.replaceState(null, "", window.location.pathname + window.location.search + hash);
    }
  }
  // Addresses name values as a reader sees them (a year, an origin, a tag, an entity), not by number.
  function key(group, value) {
    if (group === "with") return data["with"][value][0];
    return group === "year" ? value : label(group, value);
  }
  function choose(query) {
    GROUPS.forEach(function (g) {
      chosen[g.name] = {};
      query.getAll(g.name).forEach(function (wanted) {
        if (g.name === "year") { chosen.year[wanted] = true; return; }
        var values = g.name === "origin" ? data.origins : g.name === "tag" ? data.tags : data["with"];
        for (var n = 0; n < values.length; n++) {
          if (key(g.name, String(n)) === wanted) { chosen[g.name][String(n)] = true; return; }
        }
      });
    });
  }
  function fromAddress() {
    var hash = window.location.hash;
    var query = null;
    if (hash.indexOf("#filter=") === 0) query = new URLSearchParams(hash.slice(8));
    else if (hash.indexOf("#with=") === 0) query = new URLSearchParams("with=" + hash.slice(6));
    if (!query) return;
    box.open = true;
    load(function () { choose(query); update(false); section.scrollIntoView(); });
  }
  box.addEventListener("toggle", function () { if (box.open) load(function () { update(false); }); });
  more.addEventListener("click", showMore);
  results.querySelector(".facet-clear").addEventListener("click", function () {
    GROUPS.forEach(function (g) { chosen[g.name] = {}; });
    update(true);
  });
  // A timeline's bar shows that year's documents; "both" those naming the other entity too.
  sitegenOn("facets", document, "click", function (event) {
    var link = event.target.closest && event.target.closest(".timeline a[data-year], .timeline a[data-month], a.both");
    if (!link) return;
    event.preventDefault();
    box.open = true;
    load(function () {
      if (!link.classList.contains("both")) {
        GROUPS.forEach(function (g) { chosen[g.name] = {}; });
        chosen.year[link.getAttribute("data-year") || link.getAttribute("data-month")] = true;
      } else {
        choose(new URLSearchParams("with=" + link.getAttribute("href").slice(6)));
      }
      update(true);
      section.scrollIntoView();
    });
  });
  sitegenOn("facets", window, "hashchange", fromAddress);
  fromAddress();
})();
