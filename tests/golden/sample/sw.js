/* Service worker for a thutuc site; thutuc/service_worker.py fills in the
   version and the pages to keep. Pages come from the network first, so a
   resident online never reads an old page; offline, they come from the cache,
   and a page never opened shows the offline page with the hotline. */
"use strict";
var CACHE = "thutuc-fbd98dc109a8";
var PRECACHE = ["./", "ho-tich/", "chung-thuc/", "nuoi-con-nuoi/", "bao-tro-xa-hoi/", "giam-ngheo/", "dat-dai/", "nong-nghiep/", "van-hoa/", "ton-giao/", "lien-he/", "offline/", "site.js", "procedure.js", "en/offline/"];
// Each language's offline page, by its folder: "" (Vietnamese), "en/"...
var OFFLINES = {"": "offline/", "en/": "en/offline/"};

self.addEventListener("install", function (event) {
  event.waitUntil(caches.open(CACHE).then(function (cache) {
    // The page that registered us was loaded before we existed: keep it too.
    return self.clients.matchAll({ type: "window", includeUncontrolled: true }).then(function (windows) {
      var own = windows.map(function (w) { return w.url.split("#")[0]; }).filter(inScope);
      var urls = PRECACHE.map(function (path) { return new URL(path, self.registration.scope).href; });
      // addAll refuses a list with the same address twice (the home page opened, say).
      return cache.addAll(urls.concat(own).filter(function (url, i, all) { return all.indexOf(url) === i; }));
    });
  }).then(function () { return self.skipWaiting(); }));
});

self.addEventListener("activate", function (event) {
  // A new build has a new cache name: drop the caches of older builds.
  event.waitUntil(caches.keys().then(function (names) {
    return Promise.all(names.filter(function (name) {
      return name.indexOf("thutuc-") === 0 && name !== CACHE;
    }).map(function (name) { return caches.delete(name); }));
  }).then(function () { return self.clients.claim(); }));
});

self.addEventListener("fetch", function (event) {
  var request = event.request;
  if (request.method !== "GET" || !inScope(request.url)) return;
  event.respondWith(fetch(request).then(function (response) {
    keep(request, response);
    return response;
  }, function () { return fromCache(request); }));
});

function offlinePage(url) {
  var rest = url.slice(self.registration.scope.length);
  var folder = Object.keys(OFFLINES).filter(function (f) { return f && rest.indexOf(f) === 0; })[0] || "";
  return new URL(OFFLINES[folder], self.registration.scope).href;
}

function inScope(url) {
  return url.indexOf(self.registration.scope) === 0;
}

function keep(request, response) {
  // no-store: the preview server's live-reload answers, never worth keeping.
  var noStore = /no-store/.test(response.headers.get("Cache-Control") || "");
  if (!response.ok || response.type !== "basic" || noStore) return;
  var copy = response.clone();
  caches.open(CACHE).then(function (cache) { return cache.put(request, copy); });
}

function fromCache(request) {
  var navigate = request.mode === "navigate";
  return caches.match(request, { ignoreSearch: navigate, cacheName: CACHE }).then(function (hit) {
    if (hit) return hit;
    return navigate ? caches.match(offlinePage(request.url), { cacheName: CACHE }) : Response.error();
  });
}
