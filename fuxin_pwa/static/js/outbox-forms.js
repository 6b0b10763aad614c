// 福新外勤 field forms with JS: one path online or offline. A form marked data-outbox
// ("checkin" | "task_log") is never posted; its record goes into the IndexedDB outbox, the
// form says 已保存 at once and is fresh for the next record, and the sync client sends it.
// Without JS (or without IndexedDB) the same forms post as they always did.
//
// Once the server confirms a record saved online within a few seconds (the usual case),
// the form carries on as the online form did: to the page it names in
// data-outbox-next, or, on a case page, the visits and status are refreshed in place. A
// record the server refuses comes back into the untouched form with its errors.
(function () {
  "use strict";
  var O = window.FuxinOutbox;
  if (!O || !O.store || !O.sync || O.forms) return;
  var store = O.store;
  var CONTINUE_WITHIN_MS = 8000;
  var DOUBLE_TAP_MS = 1000;  // a second tap on an untouched fresh form is not a second record
  var states = new WeakMap();

  store.open().then(function () { O.available = true; }, function () {
    O.available = false;  // the forms post as without JS, and photos cannot go with them
    document.querySelectorAll("[data-outbox-photos]").forEach(function (el) { el.hidden = true; });
  });

  function st(form) {
    var s = states.get(form);
    if (!s) { s = { photos: [], dirty: false }; states.set(form, s); }
    return s;
  }

  function currentUser() {
    var badge = document.querySelector("[data-outbox-user]");
    if (badge && badge.dataset.outboxUser) return Promise.resolve(badge.dataset.outboxUser);
    return store.getMeta("me").then(function (me) { return me && me.body ? me.body.user.username : ""; });
  }

  // The form's one line of news: 已保存, 已同步, or (tone "error") what went wrong.
  function status(form, text, html, tone) {
    var el = form.querySelector("[data-outbox-status]");
    if (!el) return;
    if (html) el.innerHTML = html; else el.textContent = text;
    el.classList.toggle("outbox-saved-error", tone === "error");
    el.hidden = false;
  }

  // --- Enhancing a form (on load and on every htmx swap) -----------------------------------

  function enhance(form) {
    if (form.dataset.outboxReady || !O.types[form.dataset.outbox]) return;
    form.dataset.outboxReady = "1";
    var type = O.types[form.dataset.outbox];
    // A fresh id per opened form, even when the page itself came from a cache.
    if (form.elements.record_id) form.elements.record_id.value = store.uuid();
    placeFromAddress(form);
    // A link's argument the offline copy of the page was kept without (a request raised at a
    // service day: ?service_day_id=…), written into the hidden field that carries it.
    form.querySelectorAll("input[data-from-address]").forEach(function (input) {
      var given = new URLSearchParams(window.location.search).get(input.dataset.fromAddress);
      if (given && !input.value) input.value = given;
    });
    type.required.forEach(function (name) {
      var el = form.elements[name];
      if (el && el.type !== "hidden") el.required = true;
    });
    var button = form.querySelector("button[type=submit]");
    if (button && !form.querySelector("[data-outbox-status]")) {
      var p = document.createElement("p");
      p.className = "outbox-saved";
      p.setAttribute("role", "status");
      p.dataset.outboxStatus = "";
      p.hidden = true;
      button.insertAdjacentElement("afterend", p);
    }
    var photos = form.querySelector("[data-outbox-photos]");
    if (photos) setUpPhotos(form, photos);
    form.addEventListener("input", function () { st(form).dirty = true; });
    form.addEventListener("change", function () { st(form).dirty = true; });
  }

  // A link naming a place (the home's 签到 for a village, a 待传达 card) opened offline is
  // answered with the page kept without its arguments (pwa/shell.py OFFLINE_ARGS): the place
  // is picked here as the server would have, and made the form's default, so a fresh form
  // for the next record keeps it as it keeps a place the server picked.
  function placeFromAddress(form) {
    var select = form.elements.place_id;
    var wanted = new URLSearchParams(window.location.search).get("place_id");
    if (!wanted || !select || select.tagName !== "SELECT") return;
    var options = Array.prototype.slice.call(select.options);
    if (options.some(function (o) { return o.defaultSelected; })) return;  // the server picked one
    if (!options.some(function (o) { return o.value === wanted; })) return;  // not one of theirs
    options.forEach(function (o) { o.defaultSelected = o.value === wanted; });
    select.value = wanted;
  }

  function enhanceAll(root) {
    if (!root || !root.querySelectorAll) return;
    if (root.matches && root.matches("form[data-outbox]")) enhance(root);
    root.querySelectorAll("form[data-outbox]").forEach(enhance);
  }

  // --- Photos -------------------------------------------------------------------------------

  function setUpPhotos(form, wrap) {
    wrap.hidden = false;
    var input = wrap.querySelector("input[type=file]");
    var list = wrap.querySelector("[data-outbox-thumbs]");
    var note = wrap.querySelector("[data-outbox-photo-note]");
    input.addEventListener("change", function () {
      var s = st(form), files = Array.prototype.slice.call(input.files || []);
      input.value = "";  // the same photo may be chosen again after removing it
      var kept = (s.editing ? s.editing.photos.length : 0) + s.photos.length;
      var room = O.photos.MAX_PHOTOS - kept;
      note.textContent = files.length > room ? FuxinT("每条记录最多 {n} 张照片", { n: O.photos.MAX_PHOTOS }) : "";
      files.slice(0, Math.max(room, 0)).forEach(function (file) {
        var item = { li: document.createElement("li") };
        item.li.textContent = FuxinT("处理中…");
        // Scaled as soon as it is chosen, so saving stays instant.
        item.promise = O.photos.scale(file).then(function (scaled) {
          item.scaled = scaled;
          item.url = URL.createObjectURL(scaled.blob);
          item.li.textContent = "";
          var img = document.createElement("img");
          img.src = item.url; img.alt = FuxinT("照片");
          item.li.appendChild(img);
          return scaled;
        }, function (err) {
          item.li.textContent = (err && err.message) || FuxinT("无法读取该照片");
          return null;
        });
        var remove = document.createElement("button");
        remove.type = "button"; remove.className = "link-button"; remove.textContent = FuxinT("移除");
        remove.addEventListener("click", function () {
          s.photos = s.photos.filter(function (x) { return x !== item; });
          if (item.url) URL.revokeObjectURL(item.url);
          item.li.remove(); note.textContent = "";
        });
        item.promise.then(function () { item.li.appendChild(remove); });
        s.photos.push(item);
        s.dirty = true;
        list.appendChild(item.li);
      });
    });
  }

  function clearPhotos(form) {
    var s = st(form);
    s.photos.forEach(function (item) { if (item.url) URL.revokeObjectURL(item.url); item.li.remove(); });
    s.photos = [];
  }

  // --- Saving -------------------------------------------------------------------------------

  function convert(raw, kind) {
    if (typeof raw === "number") return raw;
    var text = String(raw);
    if (text.trim() === "") return undefined;  // empty is absent, as the protocol says
    if (kind === "int" || kind === "float") {
      var n = Number(text);
      return isFinite(n) ? n : text;  // not a number: the server's form says what is wrong
    }
    return text;
  }

  // The form's fields as the protocol names them; a case page fixes place, household and
  // case in data-outbox-fixed, as the server does for that form.
  function collect(form, type) {
    var fixed = form.dataset.outboxFixed ? JSON.parse(form.dataset.outboxFixed) : {};
    var data = {};
    Object.keys(O.types[type].fields).forEach(function (name) {
      var el = form.elements[name];
      var raw = name in fixed ? fixed[name] : (el ? el.value : undefined);
      if (raw === undefined || raw === null) return;
      var value = convert(raw, O.types[type].fields[name]);
      if (value !== undefined) data[name] = value;
    });
    return data;
  }

  function save(form) {
    var s = st(form), type = form.dataset.outbox;
    if (s.saving) return;
    if (!s.dirty && !s.editing && s.savedAt && Date.now() - s.savedAt < DOUBLE_TAP_MS) return;
    clearErrors(form);
    if (!form.checkValidity()) { form.reportValidity(); return; }
    s.saving = true;
    var now = new Date(), editing = s.editing;
    var id = form.elements.record_id && form.elements.record_id.value;
    if (!id || (editing && editing.idTaken)) id = store.uuid();
    var data = collect(form, type);
    Promise.all([currentUser()].concat(s.photos.map(function (p) { return p.promise; }))).then(function (got) {
      var owner = got[0];
      var photos = got.slice(1).filter(Boolean).map(function (scaled) {
        return { id: store.uuid(), record_id: id, type: scaled.type, blob: scaled.blob, width: scaled.width,
          height: scaled.height, state: "queued" };
      });
      var record = {
        id: id, type: type, occurred_at: editing ? editing.occurred_at : store.isoLocal(now), data: data,
        owner: owner, photos: (editing ? editing.photos : []).concat(photos.map(function (p) { return p.id; })),
        state: "queued", created_at: editing ? editing.created_at : now.getTime(), attempts: 0,
        last_error: null, errors: null
      };
      return store.saveRecord(record, photos, editing && editing.id);
    }).then(function (record) {
      s.saving = false;
      status(form, FuxinT(navigator.onLine === false ? "已保存 · 联网后自动同步" : "已保存"));
      s.savedId = record.id;
      s.lastRecord = record;
      s.savedAt = Date.now();
      s.savedOnline = navigator.onLine !== false;
      fresh(form);
      O.sync.run("save");
      O.sync.registerBackground();
    }, function (err) {
      s.saving = false;
      if (O.available === false) { HTMLFormElement.prototype.submit.call(form); return; }  // no IndexedDB: post
      status(form, FuxinT("保存失败：{error}，请重试", { error: (err && err.message) || err }), null, "error");
    });
  }

  // A fresh form for the next record: the page's defaults, a new id, a new position.
  function fresh(form) {
    var s = st(form);
    form.reset();
    if (form.elements.record_id) form.elements.record_id.value = store.uuid();
    clearPhotos(form);
    var note = form.querySelector("[data-outbox-photo-note]");
    if (note) note.textContent = "";
    s.editing = null;
    s.dirty = false;
    if (form.hasAttribute("data-geolocate")) {
      // field.js locates a form it sees as new content (htmx:load); this one is new again.
      delete form.dataset.geoStarted;
      form.parentNode.dispatchEvent(new CustomEvent("htmx:load", { bubbles: true }));
    }
  }

  // --- Errors the server sent back -----------------------------------------------------------

  function clearErrors(form) {
    form.querySelectorAll("[data-outbox-error]").forEach(function (el) { el.remove(); });
    form.querySelectorAll(".field.has-error").forEach(function (el) { el.classList.remove("has-error"); });
  }

  // A form control by name; of a group of radios (a RadioNodeList), the first, whose .field
  // holds them all.
  function control(form, name) {
    var el = form.elements[name];
    if (el && !el.closest) el = el[0] || null;
    return el && el.type !== "hidden" ? el : null;
  }

  function showErrors(form, errors) {
    clearErrors(form);
    var banner = document.createElement("p");
    banner.className = "flash flash-error"; banner.setAttribute("role", "alert");
    banner.dataset.outboxError = ""; banner.textContent = FuxinT("请修改标红的内容后再保存。");
    form.insertBefore(banner, form.firstChild);
    Object.keys(errors || {}).forEach(function (name) {
      var el = control(form, name);
      var wrap = el ? el.closest(".field") : null;
      [].concat(errors[name]).forEach(function (msg) {
        var p = document.createElement("p");
        p.className = "error"; p.dataset.outboxError = "";
        p.textContent = wrap ? msg : (O.labels[name] ? FuxinT(O.labels[name]) : name) + FuxinT("：") + msg;
        if (wrap) { wrap.classList.add("has-error"); wrap.appendChild(p); } else banner.after(p);
      });
    });
  }

  // The refused record back into the form it came from, to be fixed and saved again.
  function restore(form, record) {
    Object.keys(record.data).forEach(function (name) {
      var el = form.elements[name];
      // A group of radios takes its value by ticking the one of that value; a lone radio
      // is ticked or not, never given another value.
      if (el && el.type === "radio") el.checked = el.value === String(record.data[name]);
      else if (el && el.type !== "hidden" && el.type !== "file") el.value = record.data[name];
    });
    // What a page's own script draws from the record (relay.js: the directive relayed).
    form.dispatchEvent(new CustomEvent("outbox:restored", { detail: { record: record } }));
    if (form.elements.record_id) form.elements.record_id.value = record.id;
    st(form).editing = { id: record.id, photos: record.photos || [], occurred_at: record.occurred_at,
      created_at: record.created_at, idTaken: !!(record.errors && record.errors.id) };
    var note = form.querySelector("[data-outbox-photo-note]");
    if (note && (record.photos || []).length) note.textContent = FuxinT("已附照片 {n} 张，会随记录一起保存", { n: record.photos.length });
    showErrors(form, record.errors);
  }

  // --- After the server answered -------------------------------------------------------------

  function carryOn(form, record) {
    var flash = form.dataset.outboxFlash;
    if (form.dataset.outboxRefresh) { refreshCase(form, form.dataset.outboxRefresh, flash); return; }
    var next = form.dataset.outboxNext;
    if (record && record.data.case_id && form.dataset.outboxCases) next = form.dataset.outboxCases + record.data.case_id;
    if (!next) return;
    if (flash) sessionStorage.setItem("fuxin-flash", flash);
    window.location.assign(next);
  }

  // The case page's timeline, facts and status from the server, without a reload; the live
  // visit form stays (it is fresh already, or holds the next visit being typed).
  function refreshCase(form, url, flash) {
    fetch(url, { credentials: "same-origin" }).then(function (r) { return r.ok ? r.text() : null; }).then(function (html) {
      if (!html) return;
      var doc = new DOMParser().parseFromString(html, "text/html");
      ["case-facts", "case-status"].forEach(function (id) {
        var live = document.getElementById(id), got = doc.getElementById(id);
        if (live && got) { live.replaceWith(got); if (window.htmx) window.htmx.process(got); }
      });
      var visits = document.getElementById("visits"), fromServer = doc.getElementById("visits");
      if (!visits || !fromServer || !visits.contains(form)) return;
      var theirs = fromServer.querySelector("form[data-outbox]");
      if (theirs) theirs.replaceWith(form); else fromServer.appendChild(form);
      var note = document.createElement("p");
      note.className = "flash flash-success"; note.setAttribute("role", "status"); note.textContent = flash || FuxinT("已同步");
      var heading = fromServer.querySelector("h2");
      if (heading) heading.after(note); else fromServer.prepend(note);
      visits.replaceChildren.apply(visits, Array.prototype.slice.call(fromServer.childNodes));
      if (window.htmx) window.htmx.process(visits);
    }).catch(function () { /* offline again: the timeline refreshes on the next visit */ });
  }

  O.on(function (kind, detail) {
    if (kind !== "results") return;
    document.querySelectorAll("form[data-outbox]").forEach(function (form) {
      var s = st(form);
      var res = s.savedId && (detail.results || []).filter(function (r) { return r.id === s.savedId; })[0];
      if (!res) return;
      if (res.status === "rejected") {
        store.getRecord(s.savedId).then(function (record) {
          if (!record || record.state !== "needs_attention") {
            status(form, FuxinT("已保存 · 服务器暂时出错，稍后自动重试"));
            return;
          }
          s.savedId = null;
          if (!s.dirty) { restore(form, record); status(form, FuxinT("服务器退回了这条记录，请修改后重新保存"), null, "error"); }
          else status(form, "", FuxinT('上一条记录被服务器退回，请到<a href="/outbox">待同步</a>处理'), "error");
        });
        return;
      }
      if ((detail.photos_pending || []).indexOf(res.id) >= 0) { status(form, FuxinT("已同步 · 照片上传中…")); return; }
      status(form, FuxinT(res.status === "conflict" ? "已同步（与他人的更改冲突，已保留）" : "已同步"));
      // Saved online and confirmed at once: go on as the online form did. A record saved
      // offline and confirmed later does not move the page under the person.
      var soon = s.savedOnline && Date.now() - s.savedAt < CONTINUE_WITHIN_MS;
      s.savedId = null;
      if (soon && !s.dirty && res.status !== "conflict") carryOn(form, s.lastRecord);
    });
  });

  // Before htmx (boost or hx-post) sees the submit: capture phase on the document.
  document.addEventListener("submit", function (e) {
    var form = e.target;
    if (!(form instanceof HTMLFormElement) || !form.dataset.outbox || O.available === false) return;
    e.preventDefault();
    e.stopImmediatePropagation();
    enhance(form);
    save(form);
  }, true);

  document.addEventListener("DOMContentLoaded", function () { enhanceAll(document); });
  document.addEventListener("htmx:load", function (e) { enhanceAll(e.target); });
  if (document.readyState !== "loading") enhanceAll(document);

  O.forms = { enhance: enhance, restore: restore, currentUser: currentUser };
})();
