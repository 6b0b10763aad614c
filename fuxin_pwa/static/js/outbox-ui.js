// 福新外勤 outbox on every page: the badge in the header (templates/pwa/_badge.html), the
// sync triggers (page start, `online`, every 60 s while visible) and the one-line notice a
// form leaves for the next page. Plain DOM; small enough that no library is needed.
(function () {
  "use strict";
  var O = window.FuxinOutbox;
  if (!O || !O.store || !O.sync || O.ui) return;
  var store = O.store;
  var INTERVAL_MS = 60 * 1000;
  var ME_STALE_MS = 10 * 60 * 1000;
  var pageStartedAt = Date.now();

  function badge() { return document.querySelector("[data-outbox-badge]"); }

  function ago(ms) {
    var min = Math.floor((Date.now() - ms) / 60000);
    if (min < 1) return FuxinT("刚刚");
    if (min < 60) return FuxinT("{n} 分钟前", { n: min });
    if (min < 24 * 60) return FuxinT("{n} 小时前", { n: Math.floor(min / 60) });
    return FuxinT("{n} 天前", { n: Math.floor(min / 1440) });
  }

  function loginUrl() {
    return "/login?next=" + encodeURIComponent(location.pathname + location.search);
  }

  // Whose records the badge counts: the page's person, or, on a page served to no one (the
  // offline page, cached without cookies), the person this device last synced for (the
  // cached /api/v1/me). "" when there is neither: the badge stays hidden, never counting
  // every account's records as one person's.
  function badgeOwner(el) {
    if (el.dataset.outboxUser) return Promise.resolve(el.dataset.outboxUser);
    return store.getMeta("me").then(function (me) {
      return (me && me.body && me.body.user && me.body.user.username) || "";
    });
  }

  // One render at a time; a change that comes during one is drawn right after it (not lost
  // until the next timer). Returns the promise of the drawing, settled once the badge shows it.
  var rendering = null, renderAgain = false;
  function renderBadge() {
    var el = badge();
    if (!el) return Promise.resolve();
    if (rendering) { renderAgain = true; return rendering; }
    rendering = badgeOwner(el).then(function (owner) {
      if (!owner) return null;
      return Promise.all([store.counts(owner), store.getMeta("status")]);
    }).then(function (got) {
      if (!got) { el.hidden = true; return; }
      var c = got[0], status = got[1] || {}, parts = [], tone = "ok";
      var href = el.dataset.outboxHref;
      // A 401 heard since this page was served: the session has ended under it.
      if (status.state === "auth" && status.at >= pageStartedAt) {
        parts.push(FuxinT("请重新登录")); tone = "auth"; href = loginUrl();
      }
      if (c.attention) { parts.push(FuxinT("需处理 {n} 条", { n: c.attention })); if (tone === "ok") tone = "attention"; }
      if (c.pending) {
        var failing = status.state === "failed" && navigator.onLine !== false;
        parts.push(failing ? FuxinT("同步失败，稍后重试") : FuxinT("待同步 {n} 条", { n: c.pending }));
        if (tone === "ok") tone = failing ? "failed" : "pending";
      }
      if (!parts.length) parts.push(status.last_ok_at ? FuxinT("已全部同步 · {ago}", { ago: ago(status.last_ok_at) }) : FuxinT("已全部同步"));
      el.querySelector("[data-outbox-badge-text]").textContent = parts.join(" · ");
      el.setAttribute("href", href);
      el.className = "outbox-badge outbox-badge-" + tone;
      el.title = c.pending ? FuxinT("本机待同步 {n} 条", { n: c.pending }) : "";
      el.hidden = false;
    }).catch(function () { /* no IndexedDB: the badge stays as it is */ }).then(function () {
      rendering = null;
      if (renderAgain) { renderAgain = false; return renderBadge(); }
    });
    return rendering;
  }

  function hasWork() {
    return store.allRecords().then(function (all) {
      return all.some(function (r) { return store.SENDABLE[r.state] || r.state === "photos_pending"; });
    });
  }

  function maybeSync(reason, opts) {
    if (!badge()) return Promise.resolve();  // logged out: a sync would only hear 401
    return Promise.all([hasWork(), store.getMeta("status"), store.getMeta("me")]).then(function (got) {
      var status = got[1] || {}, me = got[2];
      var due = got[0] || status.state === "auth" || status.state === "failed" ||
        (reason === "start" && (!me || Date.now() - me.fetched_at > ME_STALE_MS));
      if (due) return O.sync.run(reason, opts);
    });
  }

  function showFlash() {
    var text = sessionStorage.getItem("fuxin-flash");
    var main = document.getElementById("main");
    if (!text || !main) return;
    sessionStorage.removeItem("fuxin-flash");
    var p = document.createElement("p");
    p.className = "flash flash-success"; p.setAttribute("role", "status"); p.textContent = text;
    main.insertBefore(p, main.firstChild);
  }

  // The /outbox page's own script, fetched only where that page is shown.
  function loadPageScript() {
    var page = document.querySelector("[data-outbox-script]");
    if (!page) return;
    if (O.page) { O.page.start(); return; }
    if (document.querySelector("script[data-outbox-page-script]")) return;
    var script = document.createElement("script");
    script.src = page.dataset.outboxScript;
    script.dataset.outboxPageScript = "";
    document.body.appendChild(script);
  }

  // A page start: a full load, or htmx swapping in a whole page (boosted link or form).
  function pageStart() {
    // htmx also announces the first page (htmx:load on body): one start per <main>.
    var main = document.getElementById("main") || document.body;
    if (main.dataset.outboxStarted) return;
    main.dataset.outboxStarted = "1";
    pageStartedAt = Date.now();
    // The worker has no page to ask: it reads the language the pages last showed, for its
    // offline page and the reasons its Background Sync writes down.
    store.setMeta("lang", document.documentElement.lang || "zh-CN").catch(function () {});
    loadPageScript();
    showFlash();
    renderBadge();
    maybeSync("start");
  }

  var queued = false;
  O.on(function (kind, detail) {
    if (kind === "session") {
      // The worker drops the pages it keeps when the session they were drawn for has ended
      // or another person's has begun. A message wakes it; the BroadcastChannel would not.
      var worker = navigator.serviceWorker && navigator.serviceWorker.controller;
      if (worker) worker.postMessage({ type: "SESSION", user: detail.user || "" });
      return;
    }
    if ((kind === "changed" || kind === "status") && !queued) {
      queued = true;
      setTimeout(function () { queued = false; renderBadge(); }, 50);
    }
  });
  window.addEventListener("online", function () { renderBadge(); O.sync.run("online"); });
  window.addEventListener("offline", renderBadge);
  document.addEventListener("visibilitychange", function () {
    if (document.visibilityState === "visible") maybeSync("visible", { respectBackoff: true });
  });
  setInterval(function () {
    if (document.visibilityState === "visible") maybeSync("interval", { respectBackoff: true });
  }, INTERVAL_MS);
  setInterval(renderBadge, 30 * 1000);  // "2 分钟前" moves on

  document.addEventListener("htmx:load", function (e) {
    if (e.target && e.target.querySelector && e.target.querySelector("#main")) pageStart();
    else if (e.target && e.target.id === "main") pageStart();
  });
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", pageStart);
  else pageStart();

  O.ui = { renderBadge: renderBadge, maybeSync: maybeSync };
})();
