// 福新外勤 tallying residents served at a service day (定点便民服务), at the centre's tablet,
// with or without a signal.
//
// Each service is a big button; each tap is one resident served: a `service_tally` record
// (count 1) saved in the outbox at once and synced like every field record, so a tap is
// stored exactly once however the signal comes and goes. The generic outbox form
// (outbox-forms.js) is not used for the taps: it takes a second tap within a second on an
// untouched form as a double tap, and here two residents in a row are two taps. The hand
// count (补录) below the buttons is an ordinary outbox form.
//
// The number on a button is what the server had counted when it drew (or last sent) the
// totals, plus what this device has saved since that the server had not counted: records
// still in the outbox, and those it confirmed after that moment (the outbox's `synced` log,
// by the server's own clock, so a wrong tablet clock cannot double or drop a count). Online,
// the totals are asked for again after each sync, so the other tablets' taps show up too.
// Without JS (or IndexedDB) each button posts its form and the page comes back.
(function () {
  "use strict";
  if (window.FuxinTally) return;  // htmx re-runs body scripts after a boosted navigation
  window.FuxinTally = {};
  var base = {};  // "day:service" -> the server's count, as of baseAt (ms, server clock)
  var baseAt = 0;
  var hooked = false;

  function outbox() { var O = window.FuxinOutbox; return O && O.store && O.sync && O.forms ? O : null; }
  function key(day, service) { return day + ":" + service; }

  function page() { return document.querySelector("[data-tally-page]"); }

  // The server's numbers as drawn into the page (or as the last /totals answer).
  function readBase(root) {
    base = {};
    root.querySelectorAll("[data-tally-total]").forEach(function (el) {
      base[key(el.dataset.day, el.dataset.service)] = Number(el.dataset.tallyTotal) || 0;
    });
    baseAt = Number(root.dataset.drawnAt) || 0;
  }

  function add(map, data) {
    if (!data || data.event_id == null || !data.service) return;
    var k = key(data.event_id, data.service);
    map[k] = (map[k] || 0) + (Number(data.count) || 0);
  }

  function show() {
    var root = page(), O = outbox();
    if (!root || !O) return;
    Promise.all([O.store.allRecords(), O.store.recentSynced()]).then(function (got) {
      var waiting = {}, since = {};
      got[0].forEach(function (r) { if (r.type === "service_tally" && O.store.SENDABLE[r.state]) add(waiting, r.data); });
      got[1].forEach(function (s) {
        if (s.type === "service_tally" && s.status === "created" && Date.parse(s.server_time) > baseAt) add(since, s.data);
      });
      root.querySelectorAll("[data-tally-total]").forEach(function (el) {
        var k = key(el.dataset.day, el.dataset.service);
        el.textContent = String((base[k] || 0) + (waiting[k] || 0) + (since[k] || 0));
        var badge = el.parentNode.querySelector("[data-tally-waiting]");
        if (badge) {
          badge.hidden = !waiting[k];
          badge.textContent = FuxinT("未同步 {n}", { n: waiting[k] || 0 });
        }
      });
    }).catch(function () { /* no IndexedDB: the page's own numbers stand */ });
  }

  // Online after a sync: the server's totals again (every tablet's taps), then the sum.
  function refetch() {
    var root = page();
    if (!root || navigator.onLine === false) { show(); return; }
    var ids = Array.prototype.map.call(root.querySelectorAll("[data-tally-day]"), function (el) { return el.dataset.tallyDay; });
    fetch(root.dataset.totalsUrl + "?" + ids.map(function (id) { return "day=" + id; }).join("&"),
      { credentials: "same-origin", headers: { Accept: "application/json" } })
      .then(function (r) { return r.ok ? r.json() : Promise.reject(r.status); })
      .then(function (answer) {
        base = {};
        Object.keys(answer.totals || {}).forEach(function (day) {
          Object.keys(answer.totals[day]).forEach(function (service) { base[key(day, service)] = answer.totals[day][service]; });
        });
        baseAt = answer.drawn_at;
        show();
      }, show);
  }

  function pulse(button) {
    button.classList.remove("tally-tapped");
    void button.offsetWidth;  // restart the animation on a quick second tap
    button.classList.add("tally-tapped");
  }

  function tap(form) {
    var O = outbox(), store = O.store;
    var button = form.querySelector("button");
    var data = { event_id: Number(form.elements.event_id.value), service: form.elements.service.value, count: 1 };
    pulse(button);
    O.forms.currentUser().then(function (owner) {
      var now = new Date();
      return store.saveRecord({ id: store.uuid(), type: "service_tally", occurred_at: store.isoLocal(now), data: data,
        owner: owner, photos: [], state: "queued", created_at: now.getTime(), attempts: 0, last_error: null, errors: null });
    }).then(function () {
      show();
      O.sync.run("save");
      O.sync.registerBackground();
    }, function () {
      HTMLFormElement.prototype.submit.call(form);  // no IndexedDB: post, as without JS
    });
  }

  document.addEventListener("submit", function (e) {
    var form = e.target;
    if (!form.matches || !form.matches("form[data-tally]")) return;
    var O = outbox();
    if (!O || O.available === false) return;  // posts as without JS
    e.preventDefault();
    tap(form);
  });

  function start() {
    var root = page(), O = outbox();
    if (!root || !O) return;
    readBase(root);
    if (!hooked) {
      hooked = true;
      O.on(function (kind) {
        if (!page()) return;
        if (kind === "results") refetch(); else if (kind === "changed") show();
      });
    }
    show();
  }

  // Deferred like the outbox's scripts but before them in the page: wait until they have run.
  if (document.readyState === "complete") start(); else document.addEventListener("DOMContentLoaded", start);
  document.addEventListener("htmx:afterSettle", start);
})();
