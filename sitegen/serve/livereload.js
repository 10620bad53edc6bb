// sitegen preview: live reload and the build-problem overlay. Injected by
// `sitegen serve` only; never part of a built site.
(function () {
  "use strict";
  var here = location.pathname.replace(/\/$/, "/index.html");
  var scrollKey = "sitegen-scroll:" + here;
  var saved = sessionStorage.getItem(scrollKey);
  if (saved !== null) {
    sessionStorage.removeItem(scrollKey);
    var y = parseInt(saved, 10);
    var restore = function () { window.scrollTo(0, y); };
    if (document.readyState === "complete") restore(); else window.addEventListener("load", restore);
  }

  // Build events are numbered: a page that reloads itself says which it had, and the server sends
  // those that came meanwhile (a page recreated while this one reloaded into "not found").
  var seqKey = "sitegen-seq", lastSeq = sessionStorage.getItem(seqKey);
  sessionStorage.removeItem(seqKey);

  function reload() {
    sessionStorage.setItem(scrollKey, String(window.scrollY));
    if (lastSeq !== null) sessionStorage.setItem(seqKey, String(lastSeq));
    location.reload();
  }

  // Swap in the new page body without a full reload: faster, and the scroll
  // position, focus of the window and open connection stay as they are.
  var lastState = null;
  function refresh() {
    var y = window.scrollY;
    fetch(location.href, { cache: "no-store" }).then(function (response) {
      if (!response.ok) throw new Error(String(response.status));
      return response.text();
    }).then(function (html) {
      var fresh = new DOMParser().parseFromString(html, "text/html");
      document.title = fresh.title;
      // The tooltips' text is in the head: the new page's replaces the old.
      var tips = document.getElementById("tips"), freshTips = fresh.getElementById("tips");
      if (tips) tips.remove();
      if (freshTips) document.head.appendChild(document.adoptNode(freshTips));
      document.body.replaceWith(document.adoptNode(fresh.body));
      rerunScripts();
      window.scrollTo(0, y);
      if (lastState) overlay(lastState.problems, lastState.error);
    }).catch(reload);
  }

  // Scripts that came with the new body do not run by themselves: the theme's run again on it
  // (they replace the listeners they set before), this one stays as it is.
  function rerunScripts() {
    var scripts = document.body.querySelectorAll("script");
    for (var i = 0; i < scripts.length; i++) {
      var old = scripts[i];
      if (old.src && new URL(old.src).pathname.indexOf("/__sitegen/") === 0) continue;
      var script = document.createElement("script");
      for (var j = 0; j < old.attributes.length; j++) script.setAttribute(old.attributes[j].name, old.attributes[j].value);
      if (!old.src) script.textContent = old.textContent;
      else script.async = false;
      old.replaceWith(script);
    }
  }

  // The output paths of the scripts this page runs: when one of them changed, the page reloads.
  function scriptPaths() {
    var paths = [];
    for (var i = 0; i < document.scripts.length; i++) {
      var src = document.scripts[i].src;
      if (src && new URL(src).origin === location.origin) paths.push(new URL(src).pathname.slice(1));
    }
    return paths;
  }

  function swapStylesheets() {
    var links = document.querySelectorAll('link[rel="stylesheet"]');
    for (var i = 0; i < links.length; i++) {
      var url = new URL(links[i].href);
      url.searchParams.set("sitegen", String(Date.now()));
      links[i].href = url.toString();
    }
  }

  function overlay(problems, error) {
    var box = document.getElementById("sitegen-overlay");
    if (!error && (!problems || problems.length === 0)) {
      if (box) box.remove();
      return;
    }
    if (!box) {
      box = document.createElement("div");
      box.id = "sitegen-overlay";
      box.setAttribute("role", "alert");
      box.style.cssText = "position:fixed;left:1rem;right:1rem;bottom:1rem;max-height:45vh;overflow:auto;" +
        "z-index:2147483647;background:#1d1d22;color:#f4f4f6;border-left:6px solid #e5484d;" +
        "padding:.8rem 1rem;font:14px/1.5 ui-monospace,Menlo,Consolas,monospace;box-shadow:0 4px 24px rgba(0,0,0,.4)";
      document.body.appendChild(box);
    }
    box.textContent = "";
    var close = document.createElement("button");
    close.type = "button";
    close.textContent = "×";
    close.setAttribute("aria-label", "Hide build problems");
    close.style.cssText = "float:right;background:none;border:0;color:inherit;font-size:20px;cursor:pointer";
    close.onclick = function () { box.remove(); };
    box.appendChild(close);
    var title = document.createElement("strong");
    title.textContent = error ? "Build failed — showing the last good pages" : "Problems in the sources";
    box.appendChild(title);
    var lines = error ? [error].concat(problems || []) : problems;
    for (var i = 0; i < lines.length; i++) {
      var line = document.createElement("div");
      line.className = "sitegen-problem";
      line.textContent = lines[i];
      box.appendChild(line);
    }
  }

  var source = new EventSource("/__sitegen/events?path=" + encodeURIComponent(here) +
    (lastSeq !== null ? "&since=" + encodeURIComponent(lastSeq) : ""));
  source.addEventListener("state", function (event) {
    var data = JSON.parse(event.data);
    lastState = data;
    overlay(data.problems, data.error);
  });
  // This page's file changed while the build showed an error: it is shown once the error is gone.
  var missed = false;
  source.addEventListener("build", function (event) {
    var data = JSON.parse(event.data);
    lastState = data;
    if (data.seq !== undefined) lastSeq = data.seq;
    overlay(data.problems, data.error);
    if (!data.error && data.navigate && data.navigate !== here.slice(1)) {
      location.href = "/" + data.navigate;  // sitegen serve --navigate: follow the document being edited
      return;
    }
    var mine = (data.changed || []).indexOf(here.slice(1)) !== -1;
    if (data.error) { missed = missed || mine || (data.changed || []).indexOf("*") !== -1; return; }
    if (missed) { missed = false; refresh(); return; }
    if (data.css_only) { swapStylesheets(); return; }
    var scripts = scriptPaths();
    if (data.changed.indexOf("*") !== -1 || data.changed.some(function (p) { return scripts.indexOf(p) !== -1; })) reload();
    else if (data.changed.indexOf(here.slice(1)) !== -1) refresh();
  });
})();
