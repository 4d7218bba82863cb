/* Procedure pages, for phones that run scripts (site.js loads this after the page):
   - the documents to bring become a checklist; ticks stay on the phone
     (localStorage, per procedure and language, by the document's words, so an
     edited list never ticks the wrong paper), with "Còn thiếu N giấy tờ";
   - read-aloud through the phone's own speech engine, offered only when it
     lists a voice for the page's language: key facts first, then the steps,
     a sentence at a time, started by a tap, with a stop button.
   Without scripts the page is the plain list it always was. Words come from
   the page's data-* attributes, in the page's language. */
(function () {
  "use strict";

  function el(tag, className, text) {
    var node = document.createElement(tag);
    if (className) node.className = className;
    if (text) node.textContent = text;
    return node;
  }

  function storage() {
    try { localStorage.setItem("thutuc-test", "1"); localStorage.removeItem("thutuc-test"); return localStorage; }
    catch (error) { return null; }  // private mode, or storage turned off: ticks last until reload
  }

  function setupChecklist() {
    var list = document.getElementById("giay-to-can-mang");
    var bar = document.getElementById("con-thieu");
    if (!list || !bar || list.classList.contains("checklist")) return;
    var store = storage();
    var key = "thutuc-giay-to:" + list.dataset.key;
    var ticked = [];
    try { ticked = JSON.parse((store && store.getItem(key)) || "[]"); } catch (error) { ticked = []; }
    var boxes = [];
    Array.prototype.forEach.call(list.children, function (item) {
      var label = el("label", "check");
      var box = el("input");
      var words = el("span");
      box.type = "checkbox";
      while (item.firstChild) words.appendChild(item.firstChild);  // links stay links
      box.checked = ticked.indexOf(words.textContent.trim()) >= 0;
      label.append(box, words);
      item.appendChild(label);
      box.addEventListener("change", update);
      boxes.push(box);
    });
    var status = el("p", "checklist-status");
    var clear = el("button", "secondary", list.dataset.clear);
    status.setAttribute("role", "status");  // read out when it changes
    clear.type = "button";
    clear.addEventListener("click", function () {
      boxes.forEach(function (box) { box.checked = false; });
      update();
      boxes[0].focus();
    });
    bar.append(status, clear);
    list.classList.add("checklist");
    function update() {
      var now = boxes.filter(function (b) { return b.checked; })
        .map(function (b) { return b.nextSibling.textContent.trim(); });
      var missing = boxes.length - now.length;
      if (store) {
        if (now.length) store.setItem(key, JSON.stringify(now)); else store.removeItem(key);
      }
      var words = (missing === 1 && list.dataset.missingOne) || list.dataset.missing;
      status.textContent = missing ? words.replace("{n}", missing) : list.dataset.done;
      clear.hidden = !now.length;
    }
    update();
  }

  function sentences(text) {
    return text.replace(/\s+/g, " ").split(/(?<=[.!?;])\s+/).map(function (s) { return s.trim(); })
      .filter(function (s) { return /[\p{L}\p{N}]/u.test(s); });
  }

  function readingOrder() {
    // Key facts first (title, summary, papers, time, fee, where), then the steps.
    var main = document.querySelector("main");
    var parts = [];
    function add(node) { if (node) parts = parts.concat(sentences(node.textContent)); }
    add(main.querySelector("h1"));
    add(main.querySelector("p.lead"));
    var papers = document.getElementById("giay-to");
    if (papers) {
      add(papers);
      main.querySelectorAll("#giay-to-can-mang > li").forEach(add);
    }
    main.querySelectorAll(".facts dt").forEach(function (term) {
      var value = term.nextElementSibling;
      parts = parts.concat(sentences(term.textContent + ": " + (value ? value.textContent : "")));
    });
    main.querySelectorAll(".steps h2, .steps h3, .steps p, .steps li").forEach(function (node) {
      if (!node.querySelector("p, li")) add(node);  // a list item's own paragraph once
    });
    return parts;
  }

  function setupListen() {
    var slot = document.getElementById("chia-se");
    var synth = window.speechSynthesis;
    if (!slot || !slot.dataset.listen || !synth || !window.SpeechSynthesisUtterance) return;
    if (/\bZalo/i.test(navigator.userAgent)) return;  // Zalo's in-app browser cannot speak
    var main = document.querySelector("main");
    var want = (main.getAttribute("lang") || document.documentElement.lang || "vi").toLowerCase();
    var button = null, voice = null, queue = [], speaking = false;
    function pick() {
      var voices = synth.getVoices() || [];
      for (var i = 0; i < voices.length; i++) {
        var tag = (voices[i].lang || "").toLowerCase().replace("_", "-");
        if (tag === want || tag.split("-")[0] === want.split("-")[0]) return voices[i];
      }
      return null;
    }
    function offer() {
      // Voices arrive late (voiceschanged), or not at all: no voice, no button.
      if (button || !(voice = pick())) return;
      button = el("button", "listen", slot.dataset.listen);
      button.type = "button";
      button.setAttribute("aria-pressed", "false");
      button.addEventListener("click", function () { if (speaking) stop(); else start(); });
      slot.appendChild(button);
    }
    function next() {
      if (!speaking) return;
      var text = queue.shift();
      if (!text) { stop(); return; }
      var utterance = new SpeechSynthesisUtterance(text);
      utterance.voice = voice;
      utterance.lang = voice.lang;
      utterance.rate = 0.9;  // a little slower: many listeners are elderly
      utterance.onend = next;
      utterance.onerror = stop;
      synth.speak(utterance);
    }
    function start() {
      synth.cancel();
      queue = readingOrder();
      speaking = true;
      button.textContent = "■ " + slot.dataset.stop;
      button.setAttribute("aria-pressed", "true");
      next();  // from the tap itself: phones only speak after one
    }
    function stop() {
      speaking = false;
      synth.cancel();
      button.textContent = slot.dataset.listen;
      button.setAttribute("aria-pressed", "false");
    }
    offer();
    if (synth.addEventListener) synth.addEventListener("voiceschanged", offer);
    setTimeout(offer, 1000);
    setTimeout(offer, 3000);
    addEventListener("pagehide", function () { if (speaking) stop(); });
  }

  setupChecklist();
  setupListen();
  document.documentElement.setAttribute("data-procedure-extras", "");  // for tests
})();
