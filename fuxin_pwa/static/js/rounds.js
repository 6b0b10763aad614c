// 福新外勤 本月计划 (planned rounds) without a signal.
//
// The home's panel (rounds/_home.html) is drawn by the server, and the service worker keeps
// the home for offline use: offline, that copy still lists a household the person has just
// visited (the visit waits in the outbox) and counts it as owed. So, offline, or while such
// a visit has not reached the server, the panel is drawn again here from the plan the phone
// last got from /api/v1/me (meta "me": `plan`) minus the households named by the person's
// own visits still in the outbox (task logs and check-ins). Online with nothing pending the
// server's drawing is the fresher and is left alone. A household's 已逾期 is the server's
// (it knows last month); only the count, the list and the next visit's day move here.
//
// On the task-log and check-in forms, a household of the plan opened offline (/log?household_id=…, the
// page kept without it: pwa/shell.py OFFLINE_ARGS) is offered and picked, as the server would.
(function () {
  "use strict";
  if (window.FuxinRounds) return;  // htmx re-runs body scripts after a boosted navigation
  window.FuxinRounds = {};
  var O = null;
  var VISITS = { task_log: 1, checkin: 1 };

  function pageUser() {
    var badge = document.querySelector("[data-outbox-user]");
    return badge ? badge.dataset.outboxUser : "";
  }

  // The person's own plan of this month, or null (another person's /me, last month's, none).
  function planKnown() {
    var user = pageUser();
    return O.store.getMeta("me").then(function (me) {
      var body = me && me.body, plan = body && body.plan;
      if (!plan || !plan.month || !body.user || (user && body.user.username !== user)) return null;
      var now = new Date(), month = now.getFullYear() + "-" + String(now.getMonth() + 1).padStart(2, "0");
      return plan.month === month ? { plan: plan, user: body.user.username } : null;
    }).catch(function () { return null; });
  }

  // {household id: visits of this person's still waiting to be sent}
  function pendingVisits(user) {
    return O.store.allRecords().then(function (all) {
      var found = {};
      all.forEach(function (r) {
        var hid = r.data && r.data.household_id;
        if (!VISITS[r.type] || hid == null || r.owner !== user || !O.store.SENDABLE[r.state]) return;
        found[hid] = (found[hid] || 0) + 1;
      });
      return found;
    });
  }

  function dueBy(done, required) {  // as rounds/services.py next_due: the k-th of N by day ⌈k·D/N⌉
    var now = new Date(), last = new Date(now.getFullYear(), now.getMonth() + 1, 0).getDate();
    return { month: now.getMonth() + 1, day: Math.min(last, Math.ceil((done + 1) * last / required)) };
  }

  function el(tag, cls, text) {
    var e = document.createElement(tag);
    if (cls) e.className = cls;
    if (text != null) e.textContent = text;
    return e;
  }

  function item(o) {
    var li = el("li", "entry rounds-household" + (o.overdue ? " is-overdue" : ""));
    var a = el("a", "rounds-log");
    a.href = "/log?household_id=" + o.household_id + "&place_id=" + o.place_id;
    a.appendChild(el("strong", null, (o.place_name ? o.place_name + " · " : "") + o.address));
    li.appendChild(a);
    var p = el("p");
    p.appendChild(el("span", "rounds-count", FuxinT("本月已走访 {done}/{required} 次", { done: o.done, required: o.required })));
    var due = dueBy(o.done, o.required);
    p.appendChild(document.createTextNode(" · "));
    p.appendChild(el("span", "due", FuxinT("{month}月{day}日前走访", due)));
    if (o.overdue) p.appendChild(el("span", "overdue-tag", FuxinT("已逾期")));
    p.appendChild(document.createTextNode(" · "));
    var checkin = el("a", "rounds-log", FuxinT("入户签到"));
    checkin.href = "/checkin?household_id=" + o.household_id + "&place_id=" + o.place_id;
    p.appendChild(checkin);
    li.appendChild(p);
    return li;
  }

  function drawHome(panel) {
    return planKnown().then(function (known) {
      if (!known) return;
      return pendingVisits(known.user).then(function (pending) {
        if (navigator.onLine !== false && !Object.keys(pending).length) return;  // the server's is right
        var plan = known.plan, done = plan.done, owed = [];
        (plan.owed || []).forEach(function (o) {
          var more = Math.min(pending[o.household_id] || 0, o.required - o.done);
          done += more;
          if (o.done + more < o.required) owed.push(Object.assign({}, o, { done: o.done + more }));
        });
        // The server's order: overdue first, then the soonest due (the fewest made of the most owed).
        owed.sort(function (a, b) {
          return (b.overdue - a.overdue) || (dueBy(a.done, a.required).day - dueBy(b.done, b.required).day) ||
            String(a.place_name).localeCompare(String(b.place_name)) || String(a.address).localeCompare(String(b.address));
        });
        var limit = parseInt(panel.dataset.roundsLimit, 10) || 8, link = panel.querySelector("h2 a");
        link.textContent = FuxinT("本月计划 {done}/{required}", { done: done, required: plan.required });
        var body = [panel.querySelector("h2")];
        if (owed.length) {
          var ul = el("ul", "plain rounds-owed");
          owed.slice(0, limit).forEach(function (o) { ul.appendChild(item(o)); });
          body.push(ul);
          if (owed.length > limit) {
            var more = el("p"), a = el("a", null, FuxinT("还有 {n} 户待走访", { n: owed.length - limit }));
            a.href = link.getAttribute("href");
            more.appendChild(a);
            body.push(more);
          }
        } else {
          body.push(el("p", "muted", FuxinT("本月计划走访已完成。")));
        }
        panel.replaceChildren.apply(panel, body);
      });
    });
  }

  // The task-log or check-in form kept without ?household_id=…: that household of the plan,
  // offered and picked.
  function householdFromAddress(form) {
    var select = form.elements.household_id, wanted = new URLSearchParams(window.location.search).get("household_id");
    if (!select || select.tagName !== "SELECT" || !wanted || !/^\d+$/.test(wanted)) return;
    if (Array.prototype.some.call(select.options, function (o) { return o.value === wanted; })) return;
    planKnown().then(function (known) {
      var o = known && (known.plan.owed || []).filter(function (h) { return String(h.household_id) === wanted; })[0];
      if (!o) return;
      var option = new Option(o.address, wanted, true, true);
      select.appendChild(option);
      var wrap = select.closest("[data-household-choice]");
      if (wrap) wrap.hidden = false;
      select.value = wanted;
      var place = form.elements.place_id;
      if (place && place.tagName === "SELECT" &&
          Array.prototype.some.call(place.options, function (p) { return p.value === String(o.place_id); })) {
        Array.prototype.forEach.call(place.options, function (p) { p.defaultSelected = p.value === String(o.place_id); });
        place.value = String(o.place_id);
      }
    });
  }

  function scan() {
    var panel = document.getElementById("home-rounds");
    if (panel) drawHome(panel);
    document.querySelectorAll("form[data-outbox=task_log], form[data-outbox=checkin]").forEach(householdFromAddress);
  }

  function start() {
    O = window.FuxinOutbox;
    if (!O || !O.store) return;
    O.on(function (kind) {
      if (kind !== "me" && kind !== "changed") return;
      var panel = document.getElementById("home-rounds");
      if (panel) drawHome(panel);
    });
    window.addEventListener("offline", scan);
    document.addEventListener("htmx:load", scan);
    scan();
  }

  // As relay.js: this file comes with the page, before the outbox's scripts at its end.
  if (window.FuxinOutbox && window.FuxinOutbox.forms) start();
  else document.addEventListener("DOMContentLoaded", start);
})();
