// 福新外勤 relaying a directive (传达部署) from the task-log form, with or without a signal.
//
// The server draws the directives waiting at the place the form opens on (a radio each,
// 传达部署：<title>; field/task_log.html). This keeps them in step with the place picked
// afterwards, from the directives the phone last got from /api/v1/me (kept in IndexedDB by
// outbox-sync.js, meta "me": `directives`, each with the `place_ids` still waiting), so it
// works the same on the copy of the form the service worker keeps for offline use:
// - ticking one makes the record a relay (it sends `directive_id`, and the people reached),
//   a briefing unless another kind was chosen;
// - opened from a 待传达 card (/log?directive_id=…&place_id=…) while offline, the worker
//   answers with the page kept without those arguments (pwa/shell.py OFFLINE_ARGS): the place
//   is picked by outbox-forms.js, the directive here, as the server would have drawn them.
// What the page came with stays offered at its place even when the phone's list does not
// know it (published after the last /me): a relay the person was sent to make is never
// dropped for want of a title, and nothing the server drew vanishes under the thumb.
(function () {
  "use strict";
  if (window.FuxinRelay) return;  // htmx re-runs body scripts after a boosted navigation
  window.FuxinRelay = {};
  var O = null;  // the outbox, once its scripts (after this one in the page) have run
  var states = new WeakMap();

  // The person's own list only: on a shared phone the last /me may still be the previous
  // person's for a few minutes after the next one logs in.
  function directivesKnown() {
    var badge = document.querySelector("[data-outbox-user]");
    var user = badge ? badge.dataset.outboxUser : "";
    return O.store.getMeta("me").then(function (me) {
      var body = me && me.body;
      if (!body || !body.user || (user && body.user.username !== user)) return [];
      return Array.isArray(body.directives) ? body.directives : [];
    }).catch(function () { return []; });  // no IndexedDB: only what the server drew
  }

  function parts(form) {
    var section = form.parentNode;
    return { wrap: form.querySelector("[data-relay-choice]"), options: form.querySelector("[data-relay-options]"),
      people: form.querySelector("[data-relay-people]"), heading: section && section.querySelector("[data-relay-heading]") };
  }

  function placeOf(form) {
    return form.elements.place_id ? String(form.elements.place_id.value || "") : "";
  }

  function radios(form) {
    return Array.prototype.slice.call(form.querySelectorAll("input[type=radio][name=directive_id]"));
  }

  function ticked(form) {
    var on = radios(form).filter(function (r) { return r.checked; })[0];
    return on ? on.value : "";
  }

  function title(state, id) {
    var found = state.known.concat(state.drawn).filter(function (d) { return String(d.id) === id && d.title; })[0];
    return found ? found.title : FuxinT("编号 {id}", { id: id });
  }

  // The directives waiting at this place: the one the page opened with first (unless the
  // list has it), then the phone's list, then what the page came with that the list lacks:
  // the server's order, when the phone's list says what the server did.
  function offered(state, placeId) {
    var ids = [];
    function add(id) { if (ids.indexOf(id) < 0) ids.push(id); }
    var known = state.known.filter(function (d) {
      return (d.place_ids || []).some(function (p) { return String(p) === placeId; });
    }).map(function (d) { return String(d.id); });
    var linked = state.linked;
    if (linked && linked.placeId === placeId && known.indexOf(linked.id) < 0) add(linked.id);
    known.forEach(add);
    state.drawn.forEach(function (d) { if (d.placeId === placeId) add(d.id); });
    return ids;
  }

  function radio(value, label) {
    var wrap = document.createElement("label"), input = document.createElement("input");
    wrap.className = "check";
    input.type = "radio"; input.name = "directive_id"; input.value = value;
    wrap.appendChild(input);
    wrap.appendChild(document.createTextNode(" " + label));
    return wrap;
  }

  // The radios for the chosen place, `want` ticked if it is among them (else none), and
  // what goes with a ticked one shown: the people reached, and the heading of the directive
  // the page opened with.
  function draw(form, want) {
    var state = states.get(form), el = parts(form), placeId = placeOf(form);
    var ids = placeId ? offered(state, placeId) : [];
    var linked = state.linked;
    var opened = linked && linked.byDefault && linked.placeId === placeId ? linked.id : null;
    var labels = ids.map(function (id) { return FuxinT("传达部署：{title}", { title: title(state, id) }); });
    var wanted = ids.map(function (id, i) { return id + "\t" + labels[i]; }).join("\n");
    var drawn = Array.prototype.map.call(el.options.querySelectorAll("label"), function (l) {
      return l.querySelector("input").value + "\t" + l.textContent.trim();
    }).join("\n");
    if (drawn !== wanted) {
      // Redrawn only when the offer changed: the same radios stay, and with them the focus.
      el.options.replaceChildren.apply(el.options, ids.map(function (id, i) { return radio(id, labels[i]); }));
    }
    // Defaults first (the `checked` attribute may tick a radio), then what is ticked now.
    radios(form).forEach(function (r) { r.defaultChecked = r.value ? r.value === opened : !opened; });
    var on = ids.indexOf(want) >= 0 ? want : "";
    radios(form).forEach(function (r) { r.checked = r.value === on; });
    el.wrap.hidden = !ids.length;
    shown(form);
  }

  function shown(form) {
    var state = states.get(form), el = parts(form), on = ticked(form);
    el.people.hidden = !on;
    if (el.heading) {
      var heading = !!state.linked && on === state.linked.id;
      el.heading.hidden = !heading;
      if (heading) el.heading.querySelector("[data-relay-title]").textContent = title(state, on);
    }
  }

  // A relay is a briefing, unless the person chose another kind already.
  function relayKind(form, byDefault) {
    var kind = form.elements.kind, code = form.dataset.relayKind;
    if (!kind || !code || kind.value) return;
    if (byDefault) {
      Array.prototype.forEach.call(kind.options, function (o) { o.defaultSelected = o.value === code; });
    }
    kind.value = code;
  }

  function setUp(form) {
    if (states.has(form) || !form.querySelector("[data-relay-choice]")) return;
    var state = { known: [], drawn: [], linked: null };
    states.set(form, state);
    // The place the server drew them for (the page's first, when it picked none).
    var drawnAt = String(form.querySelector("[data-relay-options]").dataset.relayPlace || "");
    var drawn = form.querySelectorAll("[data-relay-options] input[type=radio]");
    state.drawn = Array.prototype.map.call(drawn, function (r) {
      if (r.defaultChecked) state.linked = { id: r.value, placeId: drawnAt, byDefault: true };
      return { id: r.value, placeId: drawnAt, title: r.dataset.title };
    });
    if (!state.linked) {
      // The page kept without the card's arguments: the place the address names (picked by
      // outbox-forms.js, before this reads it) and its directive.
      if (O.forms) O.forms.enhance(form);
      var args = new URLSearchParams(window.location.search), asked = args.get("directive_id");
      var placeId = placeOf(form);
      if (asked && /^\d+$/.test(asked) && placeId && args.get("place_id") === placeId) {
        state.linked = { id: asked, placeId: placeId, byDefault: true };
        relayKind(form, true);
      }
    }

    form.addEventListener("change", function (e) {
      if (e.target === form.elements.place_id) { draw(form, ticked(form)); return; }
      if (e.target.name !== "directive_id") return;
      if (e.target.value) relayKind(form, false);
      shown(form);
    });
    // A fresh form for the next record (outbox-forms.js resets it): its defaults once reset has run.
    form.addEventListener("reset", function () {
      setTimeout(function () { draw(form, ticked(form)); }, 0);
    });
    // A record the server sent back, in the form again: its directive offered and ticked.
    form.addEventListener("outbox:restored", function (e) {
      var data = e.detail.record.data || {};
      if (data.directive_id != null) {
        state.linked = { id: String(data.directive_id), placeId: String(data.place_id), byDefault: false };
      }
      draw(form, data.directive_id != null ? String(data.directive_id) : "");
    });
    refresh(form, state.linked ? state.linked.id : undefined);
  }

  function refresh(form, want) {
    return directivesKnown().then(function (known) {
      states.get(form).known = known;
      draw(form, want === undefined ? ticked(form) : want);
    });
  }

  function scan(root) {
    (root && root.querySelectorAll ? root : document).querySelectorAll("form[data-relay-kind]").forEach(setUp);
  }

  function start() {
    O = window.FuxinOutbox;
    if (!O || !O.store) return;  // no outbox: the form posts as the server drew it
    // A newer /api/v1/me (a sync ran): offer what it says, keeping what is ticked.
    O.on(function (kind) {
      if (kind !== "me") return;
      document.querySelectorAll("form[data-relay-kind]").forEach(function (form) {
        if (states.has(form)) refresh(form);
      });
    });
    document.addEventListener("htmx:load", function (e) { scan(e.target); });
    scan(document);
  }

  // This file comes with the form, so it runs before the outbox's scripts at the page's end
  // (deferred scripts run in order, while the document is already "interactive"): start once
  // they all have, at DOMContentLoaded, or at once when htmx brings it into a loaded page.
  if (window.FuxinOutbox && window.FuxinOutbox.forms) start();
  else document.addEventListener("DOMContentLoaded", start);
})();
