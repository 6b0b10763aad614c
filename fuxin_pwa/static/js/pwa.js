// The installable shell, on every page: registers the service worker (/sw.js), shows the
// banner of a waiting release, asks once for persistent storage, and offers "install".
// Hand-written, no library (workbox-window would do the same in more bytes): these are a
// few standard browser APIs, and every byte here is paid on a phone's first visit.
(function () {
  "use strict";
  // htmx runs the body's scripts again after each boosted navigation: set up once, and
  // let later runs only refresh what the new page shows.
  if (window.fuxinPwa) { window.fuxinPwa.onPage(document.currentScript); return; }
  var script = document.currentScript || {dataset: {}};
  var workerUrl = script.dataset.sw || "/sw.js";
  var hasWorker = "serviceWorker" in navigator;
  var state = { registration: null, waiting: null, updating: false, installPrompt: null,
                user: script.dataset.user || "", lastUpdateCheck: Date.now(), onPage: onPage };
  window.fuxinPwa = state;
  var UPDATE_CHECK_MS = 15 * 60 * 1000;  // boosted navigations are not page loads: check now and then

  function showUpdateBanner() {
    if (!state.waiting || document.getElementById("pwa-update")) return;
    var template = document.getElementById("pwa-update-template");
    if (!template) return;
    document.body.appendChild(template.content.cloneNode(true));
    document.querySelector("[data-pwa-update]").addEventListener("click", function () {
      // Another tab may have taken the update already: then this page only needs a reload.
      if (state.waiting.state !== "installed") { window.location.reload(); return; }
      state.updating = true;
      this.disabled = true;
      state.waiting.postMessage({ type: "SKIP_WAITING" });
    });
  }

  function watch(registration) {
    state.registration = registration;
    function waitingNow(worker) {
      // Without a controller this is the first install, not an update: nothing to offer.
      if (!navigator.serviceWorker.controller) return;
      state.waiting = worker;
      showUpdateBanner();
    }
    if (registration.waiting) waitingNow(registration.waiting);
    registration.addEventListener("updatefound", function () {
      var incoming = registration.installing;
      if (!incoming) return;
      incoming.addEventListener("statechange", function () {
        if (incoming.state === "installed") waitingNow(incoming);
      });
    });
  }

  function warmPages() {
    // The worker fetches the pages that must open offline, for whoever is logged in here.
    var controller = hasWorker && navigator.serviceWorker.controller;
    if (controller && state.user) controller.postMessage({ type: "WARM_PAGES", user: state.user });
  }

  function checkForUpdate() {
    if (!state.registration || Date.now() - state.lastUpdateCheck < UPDATE_CHECK_MS) return;
    state.lastUpdateCheck = Date.now();
    state.registration.update().catch(function () {});  // offline: next time
  }

  function register() {
    navigator.serviceWorker.register(workerUrl, { scope: "/" }).then(watch).catch(function () {
      // No worker (an insecure origin, a private window): the app still works online.
    });
    // A page that opened while the first worker was activating can miss its claim and stay
    // uncontrolled (no offline) until the next navigation: ask the active worker to take it.
    navigator.serviceWorker.ready.then(function (reg) {
      if (!navigator.serviceWorker.controller && reg.active) reg.active.postMessage({ type: "CLAIM" });
    });
  }

  // Storage the browser may clear is what strands an outbox: ask once per way of opening
  // the app (in the browser, then again once installed, when browsers grant it readily).
  function persistStorage() {
    var storage = navigator.storage;
    var notes = document.querySelectorAll("[data-persist-note]");
    function show(granted) { notes.forEach(function (note) { note.hidden = granted; }); }
    if (!storage || !storage.persist || !storage.persisted) { show(false); return; }
    var standalone = window.matchMedia("(display-mode: standalone)").matches || navigator.standalone;
    var key = "fuxin-persist-asked-" + (standalone ? "app" : "browser");
    var asked = false;
    try { asked = localStorage.getItem(key) === "1"; } catch (e) { asked = true; }
    storage.persisted().then(function (granted) {
      if (granted || asked) return granted;
      try { localStorage.setItem(key, "1"); } catch (e) { /* private mode: ask again next time */ }
      return storage.persist();
    }).then(function (granted) {
      if (notes.length) show(granted);
    }).catch(function () { show(false); });
  }

  function offerInstall() {
    document.querySelectorAll("[data-install-app]").forEach(function (button) {
      button.hidden = !state.installPrompt;
      button.onclick = function () {
        if (!state.installPrompt) return;
        state.installPrompt.prompt();
        state.installPrompt.userChoice.finally(function () {
          state.installPrompt = null;
          offerInstall();
        });
      };
    });
  }

  function onPage(pageScript) {
    // The new page's copy of this script says who is logged in now (after a boosted login).
    if (pageScript && pageScript.dataset) state.user = pageScript.dataset.user || "";
    showUpdateBanner();
    warmPages();
    checkForUpdate();
    if (document.querySelector("[data-persist-note]")) persistStorage();
    offerInstall();
  }

  // Kept so the install page can offer its own button (Chrome, Edge, Android browsers).
  window.addEventListener("beforeinstallprompt", function (event) {
    state.installPrompt = event;
    offerInstall();
  });

  if (hasWorker) {
    navigator.serviceWorker.addEventListener("controllerchange", function () {
      if (state.updating) { state.updating = false; window.location.reload(); return; }
      warmPages();  // the first worker just took this page
    });
    document.addEventListener("visibilitychange", function () {
      if (document.visibilityState === "visible") checkForUpdate();
    });
    // After the page's own files: the worker's precache then comes from the HTTP cache.
    if (document.readyState === "complete") register();
    else window.addEventListener("load", register);
  }
  persistStorage();
  warmPages();
  offerInstall();
})();
