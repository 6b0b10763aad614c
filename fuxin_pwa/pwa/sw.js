/* 福新外勤 service worker: the offline shell. Served by Flask at /sw.js (scope "/"), with
 * this release's shell (version, files, pages) written in place of the config mark below.
 *
 * Hand-written, not Workbox. The shell needs four things: precache a dozen versioned files,
 * pages network-first with a cache fallback (a kept page also answering a link to it with
 * arguments its scripts fill in), an offline page, and a new release that waits for the
 * person's tap. Flask already hashes the files and names the version, which is
 * what Workbox's build tools are for, so Workbox would only add its runtime: workbox-sw
 * plus six modules (core, precaching, routing, strategies, cacheable-response,
 * expiration) vendored in lockstep, for less code of ours than this file. Here each rule
 * reads top to bottom, and the rules that matter most for this app (only our own caches
 * are ever deleted; a fragment never answers a page; a login or logout drops the previous
 * person's pages) are plain to see.
 *
 * Only the caches named fuxin-shell-* and fuxin-pages-* are ours. IndexedDB (the outbox,
 * "fuxin-outbox") and every other cache are never touched, on update or otherwise; the one
 * thing the worker does with the outbox is send it on a Background Sync event, through the
 * same store and sync client the pages use.
 */
"use strict";

const SHELL = __SHELL_CONFIG__;
const SHELL_CACHE = "fuxin-shell-" + SHELL.version;   // static files and the offline page
const PAGES_CACHE = "fuxin-pages-" + SHELL.version;   // full pages, as last seen online
const OUR_CACHES = /^fuxin-(shell|pages)-/;
// A phone with one bar of signal can hang on a request for a minute: after this long a
// page that is in the cache is shown from it (the network answer still refreshes it).
const NETWORK_TIMEOUT_MS = 5000;

// The outbox store and the sync client (static/js/outbox-store.js, outbox-sync.js), at this
// release's versioned URLs: neither touches the DOM, so the worker runs the very code the
// pages run. importScripts only works while the worker script first runs, hence up here.
importScripts(...SHELL.imports);

self.addEventListener("install", (event) => {
  // No skipWaiting() here: a new release waits until the person taps "有新版本，点此更新",
  // so nobody's half-typed form is reloaded under them.
  event.waitUntil(precache());
});

async function precache() {
  const cache = await caches.open(SHELL_CACHE);
  await cache.addAll(SHELL.precache);  // versioned URLs: the HTTP cache may answer, that is right
  // Without cookies, so the offline page holds no one's name and no session's token; one
  // for each language, the language named in its URL.
  await Promise.all(Object.values(SHELL.offlineUrls).map(async (url) => {
    const offline = await fetch(url, { credentials: "omit" });
    if (!offline.ok) throw new Error("offline page answered " + offline.status);
    await cache.put(url, offline);
  }));
}

// The language the pages last showed (outbox-ui.js writes it down): the worker has no page.
async function pagesLanguage() {
  try {
    const lang = await self.FuxinOutbox.store.getMeta("lang");
    return /^en/i.test(lang || "") ? "en" : "zh_CN";
  } catch (error) {
    return "zh_CN";  // no IndexedDB: the default
  }
}

self.addEventListener("activate", (event) => {
  event.waitUntil((async () => {
    const names = await caches.keys();
    await Promise.all(names
      .filter((name) => OUR_CACHES.test(name) && name !== SHELL_CACHE && name !== PAGES_CACHE)
      .map((name) => caches.delete(name)));
    // The first worker takes the open page at once, so it works offline without a reload.
    await self.clients.claim();
  })());
});

self.addEventListener("message", (event) => {
  const type = event.data && event.data.type;
  if (type === "SKIP_WAITING") {
    self.skipWaiting();
  } else if (type === "CLAIM") {
    event.waitUntil(self.clients.claim());  // a page that missed the first claim (pwa.js)
  } else if (type === "WARM_PAGES") {
    event.waitUntil(warmPages(String(event.data.user || "")));
  } else if (type === "SESSION") {
    event.waitUntil(sessionIs(String(event.data.user || "")));
  }
});

self.addEventListener("fetch", (event) => {
  const request = event.request;
  const url = new URL(request.url);
  if (url.origin !== self.location.origin) return;
  if (request.method !== "GET") {
    // Never cached, never answered from a cache: saving offline is the outbox's job.
    if (SHELL.sessionUrls.includes(url.pathname)) event.waitUntil(forgetPages());
    return;
  }
  if (url.pathname.startsWith(SHELL.apiPrefix)) return;  // the JSON API is always live
  if (url.pathname.startsWith(SHELL.staticPrefix)) {
    event.respondWith(staticFile(request));
  } else if (isFullPage(request)) {
    event.respondWith(page(event, request));
  }
  // Anything else (htmx fragments, the manifest, photos) goes to the network untouched.
});

// A navigation, or htmx's boosted link or form, which the server answers with a whole page.
// Other htmx requests get a fragment (same URL, `Vary: HX-Request`): those are never
// cached, so a fragment can never answer a navigation.
function isFullPage(request) {
  return request.mode === "navigate" || request.headers.get("HX-Boosted") === "true";
}

function pageKey(request) {
  const url = new URL(request.url);
  url.hash = "";
  return url.href;
}

// A page the server marks no-store (one that shows a resident's phone or ID number in full,
// say: every page but the ones meant to open offline) is never kept.
function isCacheablePage(response) {
  return response.status === 200 && response.type === "basic" && !response.redirected &&
    (response.headers.get("Content-Type") || "").startsWith("text/html") &&
    !/no-store/i.test(response.headers.get("Cache-Control") || "");
}

function wait(ms) {
  return new Promise((resolve) => setTimeout(() => resolve(null), ms));
}

async function page(event, request) {
  const key = pageKey(request);
  const network = fetch(request);
  // Registered before anything else reads the response, so the copy is taken first.
  event.waitUntil(network.then((response) => {
    if (!isCacheablePage(response)) {
      // No longer to be kept (no-store now, or the session ended): drop an older copy.
      return response.status === 200 || response.redirected
        ? caches.open(PAGES_CACHE).then((cache) => cache.delete(key, { ignoreVary: true })) : undefined;
    }
    const copy = response.clone();
    return caches.open(PAGES_CACHE).then((cache) => cache.put(key, copy));
  }).catch(() => undefined));
  // ignoreVary: the server varies on HX-Request and Accept-Encoding, but only whole pages
  // are ever stored here, under their bare URL.
  const cached = await caches.match(key, { cacheName: PAGES_CACHE, ignoreVary: true }) ||
    await keptWithoutArgs(request);
  if (!cached) return network.catch(() => offlinePage());
  const answer = await Promise.race([network.catch(() => null), wait(NETWORK_TIMEOUT_MS)]);
  return answer || cached;
}

// A link with arguments to a page kept for offline use (/log?directive_id=3&place_id=5 from
// the 待传达 card) that was never opened online: the page kept without them, for its scripts
// read the arguments from the address (SHELL.offlineArgs says which a page's scripts know).
// Rebuilt as a response of no URL, so the page and htmx's history keep the address asked
// for, arguments and all, and not the kept copy's.
async function keptWithoutArgs(request) {
  const url = new URL(request.url);
  const known = SHELL.offlineArgs[url.pathname];
  if (!known || !url.search || [...url.searchParams.keys()].some((name) => !known.includes(name))) return null;
  const kept = await caches.match(url.origin + url.pathname, { cacheName: PAGES_CACHE, ignoreVary: true });
  if (!kept) return null;
  return new Response(kept.body, { status: kept.status, statusText: kept.statusText, headers: kept.headers });
}

async function offlinePage() {
  const url = SHELL.offlineUrls[await pagesLanguage()] || SHELL.offlineUrls.zh_CN;
  const cached = await caches.match(url, { cacheName: SHELL_CACHE });
  return cached || new Response("当前无网络 · No network", {
    status: 503, headers: { "Content-Type": "text/plain; charset=utf-8" } });
}

// Versioned static files: from the precache when the exact version is there, else the
// network; offline, any version of that file beats none (an older cached page may still
// name an older version).
async function staticFile(request) {
  const cache = await caches.open(SHELL_CACHE);
  const exact = await cache.match(request, { ignoreVary: true });
  if (exact) return exact;
  try {
    return await fetch(request);
  } catch (error) {
    const anyVersion = await cache.match(request, { ignoreSearch: true, ignoreVary: true });
    if (anyVersion) return anyVersion;
    throw error;
  }
}

// The pages that must open with no signal, fetched once someone is logged in. Each page
// says whose it is (pwa.js passes the user id), so pages are only fetched for a logged-in
// person, and a different person's login (even one this worker did not see, such as a
// session that expired) drops the previous person's pages first. A page that answers with
// a redirect (a leader's home) is tried once per person and worker run.
const OWNER_KEY = "/__fuxin-pages-owner";  // a cache entry only, never a URL anyone fetches
const tried = new Set();

async function warmPages(user) {
  if (!user) return;
  let cache = await caches.open(PAGES_CACHE);
  const owner = await cache.match(OWNER_KEY);
  if (owner && (await owner.text()) !== user) {
    await forgetPages();
    cache = await caches.open(PAGES_CACHE);
  }
  if (!owner) await cache.put(OWNER_KEY, new Response(user));
  await Promise.all(SHELL.offlinePages.map(async (path) => {
    const key = new URL(path, self.location.origin).href;
    if (tried.has(user + " " + key) || await cache.match(key, { ignoreVary: true })) return;
    tried.add(user + " " + key);
    try {
      const response = await fetch(key, { credentials: "same-origin", redirect: "manual" });
      if (isCacheablePage(response)) await cache.put(key, response);
    } catch (error) {
      tried.delete(user + " " + key);  // offline now: try again after the next page load
    }
  }));
}

async function forgetPages() {
  tried.clear();
  await caches.delete(PAGES_CACHE);
}

// /api/v1/me has answered (a page's sync or this worker's): "" when the session has ended.
// Then, or when it is someone else's, the pages kept for the last person go at once, so the
// phone shows no one's pages to whoever holds it next, offline included.
async function sessionIs(user) {
  const cache = await caches.open(PAGES_CACHE);
  const owner = await cache.match(OWNER_KEY);
  if (!user || (owner && (await owner.text()) !== user)) await forgetPages();
}

// Background Sync: a page that saved a record registers the tag (outbox-forms.js calls
// FuxinOutbox.sync.registerBackground), and the browser fires it once it has a network,
// even after every page of the app was closed. The sync lock (navigator.locks) keeps this
// run and a page's from sending the same batch; the server's idempotency covers the rest.
// This worker's own syncs (Background Sync) hear /api/v1/me too.
self.FuxinOutbox.on((kind, detail) => {
  if (kind === "session") sessionIs(String(detail.user || ""));
});

self.addEventListener("sync", (event) => {
  if (event.tag !== self.FuxinOutbox.sync.TAG) return;
  event.waitUntil(backgroundSync());
});

// Chrome fires a sync event again later (its own backoff, a few times) only when the
// promise rejects: reject when the records stayed for want of a network or a working
// server, not when they wait for the person (a login, a record to fix), which no retry helps.
async function backgroundSync() {
  self.FuxinLang = await pagesLanguage();  // the reasons it writes down read in the person's language
  const outcome = await self.FuxinOutbox.sync.run("background");
  if (outcome === "failed" || outcome === "offline") throw new Error("outbox not sent: " + outcome);
  return outcome;
}
