// 福新外勤 dispatch: the acknowledgement buttons on a dispatched person's home, and the
// member filter of the board's group form. Plain DOM; the buttons themselves are outbox
// forms (data-outbox="incident_ack", static/js/outbox-forms.js), so they save offline and
// sync exactly once whether or not this file runs.
//
// What this adds:
// - 到岗 asks the phone for its position at the tap (where the person stands at the post),
//   waits at most a few seconds, and saves with or without it.
// - An acknowledgement waiting in the outbox shows on its card as 已保存，待同步 with the
//   buttons up to it put away, also after the banner refreshes or the page is opened again
//   offline: the outbox is the truth for what was tapped but not yet sent.
// - Once the server has answered a sync, the banner asks for itself again, so it shows the
//   state the server holds.
// - The banner is drawn with the home; its poll refreshes the cards in place. A poll that
//   brings other cards (sent somewhere new, another post, an incident over) would push the
//   page under the person's thumb, so it is held and announced by a fixed bar instead; the
//   cards change when the bar is tapped. htmx has no "ask first" swap, hence this much code.
(function () {
  "use strict";
  if (window.FuxinDispatch) return;  // htmx re-runs body scripts after a boosted navigation
  var LOCATE_TIMEOUT_MS = 8000;
  var locating = false;

  function banner() { return document.getElementById("dispatch-mine"); }

  // --- 到岗 with the position ------------------------------------------------------------

  function setValue(form, name, value) { if (form.elements[name]) form.elements[name].value = value; }

  function locate(form) {
    var card = form.closest("[data-dispatch-card]");
    var note = card && card.querySelector("[data-dispatch-locating]");
    var done = false;
    locating = true;
    if (note) note.hidden = false;
    ["lat", "lon", "accuracy_m"].forEach(function (name) { setValue(form, name, ""); });
    function go() {
      if (done) return;
      done = true;
      locating = false;
      if (note) note.hidden = true;
      form.dataset.located = "1";
      if (form.isConnected) form.requestSubmit();
    }
    if (!("geolocation" in navigator)) { go(); return; }
    navigator.geolocation.getCurrentPosition(function (pos) {
      setValue(form, "lat", pos.coords.latitude.toFixed(6));
      setValue(form, "lon", pos.coords.longitude.toFixed(6));
      setValue(form, "accuracy_m", Math.round(pos.coords.accuracy));
      go();
    }, go, { enableHighAccuracy: true, timeout: LOCATE_TIMEOUT_MS, maximumAge: 60000 });
    setTimeout(go, LOCATE_TIMEOUT_MS + 1000);  // a browser that never answers
  }

  // On window, in the capture phase: before outbox-forms.js (on document) takes the submit.
  window.addEventListener("submit", function (e) {
    var form = e.target;
    if (!(form instanceof HTMLFormElement) || !form.hasAttribute("data-dispatch-locate")) return;
    if (form.dataset.located) { delete form.dataset.located; return; }
    e.preventDefault();
    e.stopImmediatePropagation();
    if (!locating) locate(form);
  }, true);

  // The banner is not replaced while a position is being read: the tap would be lost.
  document.addEventListener("htmx:beforeRequest", function (e) {
    if (locating && e.detail.elt === banner()) e.preventDefault();
  });

  // --- A poll that brings other cards ------------------------------------------------------

  var NEWS_ARMED_MS = 700;  // a tap already on its way to the page underneath is not taken
  var held = null;

  function keyOf(root) {
    var el = root.querySelector("[data-dispatch-key]");
    return el ? el.getAttribute("data-dispatch-key") : "";
  }
  function news() { return document.querySelector("[data-dispatch-news]"); }

  function hideNews() {
    var bar = news();
    held = null;
    if (bar) bar.hidden = true;
  }

  function showNews(current, incoming) {
    var bar = news();
    if (!bar) return;
    var button = bar.querySelector("[data-dispatch-news-show]");
    var had = {};
    current.split(" ").forEach(function (k) { if (k) had[k.split(":")[0]] = 1; });
    var isNew = incoming.split(" ").some(function (k) { return k && !had[k.split(":")[0]]; });
    button.textContent = isNew ? button.dataset.new : button.dataset.changed;
    if (!bar.hidden) return;
    bar.hidden = false;
    bar.classList.remove("is-armed");
    setTimeout(function () { bar.classList.add("is-armed"); }, NEWS_ARMED_MS);
  }

  document.addEventListener("htmx:beforeSwap", function (e) {
    var el = banner();
    if (!el || e.detail.elt !== el || !e.detail.xhr || e.detail.xhr.status !== 200) return;
    var parsed = document.createElement("template");
    parsed.innerHTML = e.detail.serverResponse;
    var current = keyOf(el), incoming = keyOf(parsed.content);
    if (incoming === current) { hideNews(); return; }  // the same cards: refreshed in place
    e.detail.shouldSwap = false;
    held = e.detail.serverResponse;
    showNews(current, incoming);
  });

  document.addEventListener("click", function (e) {
    var button = e.target.closest && e.target.closest("[data-dispatch-news-show]");
    var el = banner();
    if (!button || !el || !held) return;
    var html = held;
    hideNews();
    window.htmx.swap(el, html, { swapStyle: "innerHTML" });
    el.scrollIntoView({ block: "start" });
  });

  // --- What waits in the outbox ----------------------------------------------------------

  var ORDER = ["received", "en_route", "on_site", "stood_down"];

  function markCard(card, state) {
    var reached = ORDER.indexOf(state);
    var label = null;
    card.querySelectorAll("form[data-dispatch-ack]").forEach(function (form) {
      var at = ORDER.indexOf(form.dataset.state);
      if (at === reached) label = form.dataset.label;
      form.hidden = at <= reached;
      form.classList.toggle("is-next", at === reached + 1);
    });
    var pending = card.querySelector("[data-dispatch-pending]");
    if (pending && label) {
      pending.querySelector("[data-dispatch-pending-state]").textContent = label;
      pending.hidden = false;
    }
  }

  function markFromOutbox() {
    var O = window.FuxinOutbox, root = banner() || document.querySelector(".dispatch-mine");
    if (!O || !O.store || !root) return;
    O.store.allRecords().then(function (records) {
      var latest = {};
      records.forEach(function (r) {
        // A record the server refused waits on the outbox page; its buttons stay here.
        if (r.type !== "incident_ack" || r.state === "needs_attention" || !r.data) return;
        var key = String(r.data.incident_id), seen = latest[key];
        if (!seen || r.occurred_at >= seen.occurred_at) latest[key] = r;
      });
      Object.keys(latest).forEach(function (key) {
        var card = root.querySelector('[data-dispatch-card="' + key + '"]');
        if (card) markCard(card, latest[key].data.state);
      });
    }, function () { /* no IndexedDB: the forms post, nothing waits */ });
  }

  function refreshBanner() {
    var el = banner();
    if (el && window.htmx) window.htmx.trigger(el, "dispatch-refresh");
  }

  function hookOutbox() {
    var O = window.FuxinOutbox;
    if (!O || !O.on || O.dispatchHooked) return;
    O.dispatchHooked = true;
    O.on(function (kind) {
      if (kind === "changed") markFromOutbox();
      else if (kind === "results") refreshBanner();
    });
  }

  // --- The board: filtering the people offered for a group --------------------------------

  function filterMembers(input) {
    var q = input.value.trim().toLowerCase();
    var form = input.form;
    form.querySelectorAll("[data-member]").forEach(function (label) {
      var text = label.dataset.member.toLowerCase();
      // A ticked person stays in sight: the filter must not hide who is already chosen.
      label.hidden = !!q && text.indexOf(q) < 0 && !label.querySelector("input").checked;
    });
    form.querySelectorAll("[data-member-team]").forEach(function (team) {
      team.hidden = !team.querySelector("[data-member]:not([hidden])");
    });
  }

  function enhance(root) {
    (root || document).querySelectorAll("input[data-member-filter]").forEach(function (input) {
      if (input.dataset.ready) return;
      input.dataset.ready = "1";
      input.hidden = false;
      input.addEventListener("input", function () { filterMembers(input); });
    });
    markFromOutbox();
  }

  function start() { hookOutbox(); enhance(document); }

  window.FuxinDispatch = { markFromOutbox: markFromOutbox };
  document.addEventListener("htmx:load", function (e) { hookOutbox(); enhance(e.target); });
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
  else start();
})();
