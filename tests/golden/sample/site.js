/* Extras for residents whose phone runs scripts; every page works without them.
   base.html loads this after the first paint: nothing here is needed to show a page.
   - search as you type, loading search.json only once the resident starts typing;
   - a share button on procedure pages (Web Share, else copy the link);
   - on procedure pages, procedure.js: the documents checklist and read-aloud;
   - the service worker that keeps opened pages for reading offline.
   Words come from the page (data-* attributes), in the page's language. */
(function () {
  "use strict";
  if (!window.fetch || !String.prototype.normalize) return;
  var root = new URL(".", document.currentScript.src).href;
  var LIMIT = 20;

  var folds = true;  // false for a language in another script (search.json "z": 0)

  function fold(text) {
    // Same as thutuc.text.fold: đ→d, casefold, strip tone and vowel marks.
    if (!folds) return text.toLowerCase().normalize("NFC");
    return text.replace(/[đĐ]/g, "d").toLowerCase().normalize("NFD")
      .replace(/[\u0300-\u036f]/g, "").normalize("NFC");
  }

  function words(text) {
    return text.replace(/[^\s\p{L}\p{M}\p{N}]+/gu, " ").trim().replace(/\s+/g, " ");
  }

  function fill(data, name, n) {
    return ((n === 1 && data[name + "One"]) || data[name] || "").replace("{n}", n);
  }

  function el(tag, className, text) {
    var node = document.createElement(tag);
    if (className) node.className = className;
    if (text) node.textContent = text;
    return node;
  }

  function prepare(data) {
    folds = data.z !== 0;
    var fields = data.f.map(function (f) { return { title: f[0], folded: f[1] }; });
    return data.p.map(function (p) {
      var field = fields[p[2]];
      var titleFolded = " " + words(fold(p[1]));
      return {
        path: p[0], title: p[1], field: field.title,
        titleWords: " " + words(p[1].toLowerCase()) + " ",
        otherWords: " " + words((p[3] + " " + field.title).toLowerCase()) + " ",
        titleFolded: titleFolded,
        folded: titleFolded + " " + p[4] + " " + field.folded
      };
    });
  }

  function score(item, query) {
    // Every word typed must start a word of the procedure, its keywords or its field.
    // (In a script without spaces between words, anywhere in a word.)
    var start = folds ? " " : "";
    for (var i = 0; i < query.tokens.length; i++) {
      if (item.folded.indexOf(start + query.tokens[i]) < 0) return 0;
    }
    // Accents as typed decide first: a whole word in the title, then in keywords or
    // field, then the start of a word ("hộ" in "hội"); then how well the title matches.
    var title = exactness(item.titleWords, query.exact);
    var other = exactness(item.otherWords, query.exact);
    var points = 1 + 100 * (title === 2 ? 5 : other === 2 ? 4 : title ? 3 : other ? 2 : 0);
    if (item.titleFolded.indexOf(" " + query.folded) >= 0) {
      // The words in the title, in order; the closer the title is to them, the higher.
      points += 20 + Math.round(10 * query.folded.length / item.titleFolded.length);
    }
    query.tokens.forEach(function (t) { if (item.titleFolded.indexOf(" " + t) >= 0) points += 2; });
    return points;
  }

  function exactness(haystack, typed) {
    if (haystack.indexOf(" " + typed + " ") >= 0) return 2;
    return haystack.indexOf(" " + typed) >= 0 ? 1 : 0;
  }

  function search(items, text) {
    var exact = words(text.normalize("NFC").toLowerCase());
    var query = { exact: exact, folded: fold(exact), tokens: fold(exact).split(" ") };
    if (!exact) return null;
    return items.map(function (item, order) { return { item: item, points: score(item, query), order: order }; })
      .filter(function (hit) { return hit.points > 0; })
      .sort(function (a, b) { return b.points - a.points || a.order - b.order; })
      .map(function (hit) { return hit.item; });
  }

  function show(hits, status, list, form) {
    list.textContent = "";
    if (hits === null) { status.textContent = ""; return; }
    status.textContent = hits.length ? fill(form.dataset, "found", hits.length) : form.dataset.none;
    var base = new URL(".", new URL(form.dataset.index, location.href)).href;
    hits.slice(0, LIMIT).forEach(function (item) {
      var link = el("a", "", item.title);
      link.href = base + item.path;
      link.appendChild(el("small", "", item.field));
      list.appendChild(el("li")).appendChild(link);
    });
  }

  function setupSearch() {
    var input = document.getElementById("q");
    if (!input || !input.form) return;
    var status = el("p", "search-status");
    var list = el("ul", "list results");
    status.setAttribute("role", "status");
    input.form.after(status, list);
    var loading = null;
    function load() {
      loading = loading || fetch(input.form.dataset.index || root + "search.json").then(function (r) {
        if (!r.ok) throw new Error(r.status);
        return r.json();
      }).then(prepare);
      return loading;
    }
    function update() {
      return load().then(function (items) { show(search(items, input.value), status, list, input.form); });
    }
    input.addEventListener("focus", function () { load().catch(function () { loading = null; }); });
    input.addEventListener("input", function () { update().catch(function () { loading = null; }); });
    input.form.addEventListener("submit", function (event) {
      // With results on screen, stay; if the index cannot load, go to the A–Z list.
      event.preventDefault();
      update().catch(function () { input.form.submit(); });
    });
    var asked = new URLSearchParams(location.search).get("q");
    if (asked && !input.value) input.value = asked;
    if (input.value) update().catch(function () {});  // typed before this script arrived
  }

  function copy(text) {
    if (navigator.clipboard && window.isSecureContext) return navigator.clipboard.writeText(text);
    return new Promise(function (resolve, reject) {
      var area = el("textarea");
      area.value = text;
      area.setAttribute("readonly", "");
      area.style.position = "fixed";
      area.style.opacity = "0";
      document.body.appendChild(area);
      area.select();
      var done = document.execCommand("copy");
      area.remove();
      if (done) resolve(); else reject(new Error("copy"));
    });
  }

  function setupShare() {
    var slot = document.getElementById("chia-se");
    if (!slot) return;
    var button = el("button", "", slot.dataset.label || "Chia sẻ trang này");
    var note = el("span", "share-note");  // inline: an empty note takes no room
    var canonical = document.querySelector("link[rel=canonical]");
    var url = canonical ? canonical.href : location.href;
    button.type = "button";
    note.setAttribute("role", "status");
    slot.append(button, note);
    function copyLink() {
      copy(url).then(function () { note.textContent = slot.dataset.copied; },
        function () { note.textContent = slot.dataset.copy + " " + url; });
    }
    button.addEventListener("click", function () {
      if (!navigator.share) return copyLink();
      navigator.share({ title: document.title, url: url }).catch(function (error) {
        if (error.name !== "AbortError") copyLink();  // AbortError: the resident closed the sheet
      });
    });
  }

  function registerWorker() {
    if (!("serviceWorker" in navigator)) return;
    // Only after load: keeping pages for offline must not slow the first one down.
    navigator.serviceWorker.register(root + "sw.js").catch(function () {});
  }

  function loadProcedureExtras() {
    if (!document.getElementById("giay-to-can-mang") && !document.getElementById("chia-se")) return;
    var script = el("script");
    script.src = root + "procedure.js";
    document.body.appendChild(script);
  }

  setupSearch();
  setupShare();
  loadProcedureExtras();
  registerWorker();
  document.documentElement.setAttribute("data-enhanced", "");  // for tests: extras in place
})();
