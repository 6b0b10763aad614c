// 福新外勤 /outbox: what this device still holds, drawn from IndexedDB (the server knows
// nothing of it). Queued, sending, failed (with the reason), needs attention (the server's
// errors, editable or discardable), the last synced with the server's receipt time, a
// 立即同步 button and 导出未同步记录 (format fuxin-outbox/1, for the admin's import).
// Loaded by outbox-ui.js only on the page that has [data-outbox-page].
(function () {
  "use strict";
  var O = window.FuxinOutbox;
  if (!O || !O.store || !O.sync || O.page) return;
  var store = O.store;
  var STATES = { queued: "排队中", sending: "发送中", failed: "失败", needs_attention: "需处理",
    photos_pending: "照片上传中" };
  var SYNCED = { created: "已同步", duplicate: "已同步（服务器已有）", conflict: "已保存，但有冲突" };
  var FIELD_INPUT = { text: "text", int: "number", float: "number", date: "date" };
  var LONG_TEXT = { note: 1, summary: 1, outcome: 1 };
  // Shown in the editor even when empty; the rest only when the record has them.
  var ALWAYS = { place_id: 1, kind: 1, note: 1, summary: 1, outcome: 1, next_step_on: 1, duration_min: 1 };

  function root() { return document.querySelector("[data-outbox-page]"); }
  function currentUser() {
    var b = document.querySelector("[data-outbox-user]");
    return b ? b.dataset.outboxUser : "";
  }
  function h(tag, attrs, children) {
    var el = document.createElement(tag);
    Object.keys(attrs || {}).forEach(function (k) {
      if (k === "text") el.textContent = attrs[k]; else if (k in el && k !== "list") el[k] = attrs[k];
      else el.setAttribute(k, attrs[k]);
    });
    (children || []).forEach(function (c) { if (c) el.appendChild(typeof c === "string" ? document.createTextNode(c) : c); });
    return el;
  }
  function when(iso) { return iso ? String(iso).slice(0, 16).replace("T", " ") : ""; }

  var ref = { places: {}, kinds: {}, me: null };
  function loadRef() {
    return store.getMeta("me").then(function (me) {
      ref.me = me && me.body;
      ref.places = {}; ref.kinds = {};
      (ref.me ? ref.me.places : []).forEach(function (p) { ref.places[p.id] = p.name; });
      (ref.me ? ref.me.task_kinds : []).forEach(function (k) { ref.kinds[k.code] = k.label; });
    });
  }

  function describe(r) {
    var d = r.data || {}, bits = [];
    if (d.kind) bits.push(ref.kinds[d.kind] || d.kind);
    if (d.place_id != null) bits.push(ref.places[d.place_id] || FuxinT("地点 {id}", { id: d.place_id }));
    var text = d.summary || d.note || "";
    return { head: (O.types[r.type] ? FuxinT(O.types[r.type].label) : r.type) + (bits.length ? " · " + bits.join(" · ") : ""),
      text: text.length > 80 ? text.slice(0, 80) + "…" : text };
  }

  function errorList(errors) {
    return h("ul", { className: "outbox-errors" }, Object.keys(errors || {}).map(function (k) {
      return h("li", { className: "error", text: (O.labels[k] ? FuxinT(O.labels[k]) : k) + FuxinT("：") + [].concat(errors[k]).join(FuxinT("；")) });
    }));
  }

  function item(r) {
    var d = describe(r), state = STATES[r.state] ? FuxinT(STATES[r.state]) : r.state;
    if (r.state === "failed" && r.last_error) state += FuxinT("：") + r.last_error;
    var li = h("li", { className: "outbox-item outbox-" + r.state, "data-record-id": r.id }, [
      h("div", { className: "outbox-item-head" }, [h("strong", { text: d.head }), h("span", { className: "tag", text: state })]),
      h("time", { text: FuxinT("记录于 {time}", { time: when(r.occurred_at) }) }),
      d.text ? h("p", { text: d.text }) : null,
      (r.photos || []).length ? h("p", { className: "muted", text: FuxinT("照片 {n} 张", { n: r.photos.length }) }) : null
    ]);
    if (r.state === "needs_attention") {
      li.appendChild(errorList(r.errors));
      var actions = h("div", { className: "outbox-item-actions" });
      if (!r.server_status) actions.appendChild(h("button", { type: "button", className: "btn btn-small", text: FuxinT("修改"),
        onclick: function () { openEditor(li, r); } }));
      actions.appendChild(h("button", { type: "button", className: "btn btn-small", text: FuxinT("放弃"),
        onclick: function () { discard(r); } }));
      li.appendChild(actions);
    }
    return li;
  }

  function syncedItem(e) {
    var d = describe(e);
    return h("li", { className: "outbox-item outbox-synced" + (e.status === "conflict" ? " outbox-conflict" : "") }, [
      h("div", { className: "outbox-item-head" }, [h("strong", { text: d.head }),
        h("span", { className: "tag", text: SYNCED[e.status] ? FuxinT(SYNCED[e.status]) : e.status })]),
      h("time", { text: FuxinT("服务器接收于 {time}", { time: when(e.server_time) }) }),
      d.text ? h("p", { text: d.text }) : null,
      e.detail ? h("p", { className: "error", text: e.detail }) : null
    ]);
  }

  // --- Fixing a refused record -------------------------------------------------------------

  function control(name, kind, value) {
    var el;
    if (name === "place_id" && ref.me) {
      el = h("select", {}, ref.me.places.map(function (p) { return h("option", { value: p.id, text: p.name }); }));
    } else if (name === "kind" && ref.me) {
      el = h("select", {}, [h("option", { value: "", text: FuxinT("请选择") })].concat(ref.me.task_kinds.map(function (k) {
        return h("option", { value: k.code, text: k.label });
      })));
    } else if (LONG_TEXT[name]) {
      el = h("textarea", { rows: 2 });
    } else {
      el = h("input", { type: FIELD_INPUT[kind] || "text" });
      if (kind === "float") el.step = "any";
    }
    // A place no longer assigned (or a retired kind) stays visible as it was, to be changed.
    if (el.tagName === "SELECT" && value != null && value !== "" &&
        !Array.prototype.some.call(el.options, function (o) { return o.value === String(value); })) {
      el.insertBefore(h("option", { value: value, text: FuxinT("（原选项 {value}）", { value: value }) }), el.firstChild);
    }
    el.name = name;
    el.value = value == null ? "" : value;
    return el;
  }

  function openEditor(li, r) {
    var type = O.types[r.type];
    if (!type) return;
    var form = h("form", { className: "outbox-editor", "data-outbox-editor": "", novalidate: true });
    Object.keys(type.fields).forEach(function (name) {
      if (!(name in r.data) && !(r.errors && r.errors[name]) && !ALWAYS[name]) return;
      var id = "edit-" + r.id + "-" + name, el = control(name, type.fields[name], r.data[name]);
      el.id = id;
      var wrap = h("div", { className: "field" + (r.errors && r.errors[name] ? " has-error" : "") },
        [h("label", { htmlFor: id, text: O.labels[name] ? FuxinT(O.labels[name]) : name }), el]);
      ((r.errors && r.errors[name]) || []).forEach(function (msg) { wrap.appendChild(h("p", { className: "error", text: msg })); });
      form.appendChild(wrap);
    });
    form.appendChild(h("div", { className: "outbox-item-actions" }, [
      h("button", { type: "submit", className: "btn btn-primary btn-small", text: FuxinT("保存并重新同步") }),
      h("button", { type: "button", className: "btn btn-small", text: FuxinT("取消"), onclick: function () { form.remove(); render(); } })
    ]));
    form.addEventListener("submit", function (e) {
      e.preventDefault();
      e.stopImmediatePropagation();
      var data = {};
      Object.keys(r.data).forEach(function (k) { data[k] = r.data[k]; });
      Array.prototype.forEach.call(form.elements, function (el) {
        if (!el.name) return;
        var raw = el.value.trim(), kind = type.fields[el.name];
        if (raw === "") delete data[el.name];
        else data[el.name] = (kind === "int" || kind === "float") && isFinite(Number(raw)) ? Number(raw) : raw;
      });
      // An id the server says belongs to another record cannot be fixed: the edit gets a new one.
      var fixed = Object.assign({}, r, { data: data, state: "queued", errors: null, last_error: null, attempts: 0 });
      if (r.errors && r.errors.id) fixed.id = store.uuid();
      store.saveRecord(fixed, [], r.id).then(function () {
        form.remove();
        render();
        O.sync.run("manual");
      });
    }, true);
    li.appendChild(form);
  }

  function discard(r) {
    var msg = FuxinT(r.server_status ? "这条记录已同步，放弃的是未能上传的照片。确定放弃吗？"
      : "确定放弃这条记录吗？放弃后无法恢复，服务器也不会收到它。");
    if (!window.confirm(msg)) return;
    store.removeRecords([r.id]).then(render);
  }

  // --- Export --------------------------------------------------------------------------------

  function base64(blob) {
    return new Promise(function (resolve, reject) {
      var reader = new FileReader();
      reader.onload = function () { resolve(String(reader.result).split(",")[1] || ""); };
      reader.onerror = function () { reject(reader.error); };
      reader.readAsDataURL(blob);
    });
  }

  function exportFor(owner) {
    return Promise.all([store.allRecords(), store.deviceId()]).then(function (got) {
      var mine = got[0].filter(function (r) { return r.owner === owner; })
        .sort(function (a, b) { return a.created_at - b.created_at; });
      return Promise.all(mine.map(function (r) {
        return store.photosOf(r.id).then(function (photos) {
          return Promise.all(photos.map(function (p) {
            return base64(p.blob).then(function (data) { return { id: p.id, type: p.type, data: data }; });
          }));
        }).then(function (photos) {
          return { id: r.id, type: r.type, occurred_at: r.occurred_at, data: r.data, photos: photos };
        });
      })).then(function (records) {
        var doc = { format: "fuxin-outbox/1", exported_at: store.isoLocal(new Date()), device_id: got[1],
          user: { username: owner }, records: records };
        var url = URL.createObjectURL(new Blob([JSON.stringify(doc, null, 1)], { type: "application/json" }));
        var stamp = doc.exported_at.slice(0, 16).replace(/[-:]/g, "").replace("T", "-");
        var a = h("a", { href: url, download: "fuxin-outbox-" + owner + "-" + stamp + ".json" });
        document.body.appendChild(a);
        a.click();
        a.remove();
        setTimeout(function () { URL.revokeObjectURL(url); }, 10000);
      });
    });
  }

  // --- Drawing the page ----------------------------------------------------------------------

  function statusLine(status, counts) {
    var el = root().querySelector("[data-outbox-page-status]");
    el.textContent = "";
    if (O.sync.isRunning()) { el.textContent = FuxinT("正在同步…"); return; }
    if (!status) return;
    if (status.state === "auth") {
      el.append(FuxinT("登录已过期，记录都还在本机。"), h("a", { href: "/login?next=/outbox", text: FuxinT("请重新登录") }));
    } else if (status.state === "failed" && counts.pending) {
      var wait = status.next_at ? Math.max(0, Math.round((status.next_at - Date.now()) / 1000)) : 0;
      el.textContent = FuxinT(wait ? "同步失败（{message}），{wait} 秒后自动重试" : "同步失败（{message}），稍后自动重试",
        { message: status.message || "", wait: wait });
    } else if (status.state === "offline" || navigator.onLine === false) {
      el.textContent = FuxinT("当前离线，联网后自动同步");
    } else if (status.last_ok_at) {
      el.textContent = FuxinT("上次同步：{time}", { time: new Date(status.last_ok_at).toLocaleString(FuxinT.locale(), { hour12: false }) });
    }
  }

  // A username shown to whoever holds the phone: enough for its owner to know it is theirs.
  function masked(name) {
    var chars = Array.from(String(name || ""));
    if (chars.length <= 2) return (chars[0] || "") + "*";
    return chars[0] + "*".repeat(Math.min(chars.length - 2, 4)) + chars[chars.length - 1];
  }

  // Records of anyone but the person logged in (everyone's, when nobody is): how many and
  // whose, never what they say. A shared phone shows the next person nothing of the last
  // one's residents; the owner sees, fixes, discards and exports them after logging in.
  function others(counts, user) {
    var names = Object.keys(counts).sort();
    return names.map(function (owner) {
      return h("li", { className: "outbox-item outbox-others" }, [
        h("p", { text: FuxinT("账号 {owner} 有 {n} 条记录在本机等待同步", { owner: masked(owner), n: counts[owner] }) }),
        h("p", { className: "muted", text: user ? FuxinT("需该账号登录后才能查看、同步或导出")
          : FuxinT("登录后可查看、修改和导出自己的记录") }),
        user ? null : h("a", { className: "btn btn-small", href: "/login?next=/outbox", text: FuxinT("登录") })
      ]);
    });
  }

  function fill(sel, items, empty) {
    var list = root().querySelector(sel);
    list.replaceChildren.apply(list, items.length ? items : [h("li", { className: "empty", text: empty })]);
  }

  function render() {
    var page = root();
    if (!page || page.querySelector("[data-outbox-editor]")) return Promise.resolve();
    var user = currentUser();
    return Promise.all([loadRef(), store.allRecords(), store.recentSynced(), store.getMeta("status")]).then(function (got) {
      var all = got[1].sort(function (a, b) { return a.created_at - b.created_at; });
      var mine = all.filter(function (r) { return user && r.owner === user; });
      var elsewhere = {};
      all.forEach(function (r) { if (!user || r.owner !== user) elsewhere[r.owner] = (elsewhere[r.owner] || 0) + 1; });
      var attention = mine.filter(function (r) { return r.state === "needs_attention"; });
      var queue = mine.filter(function (r) { return r.state !== "needs_attention"; });
      var synced = user ? got[2].filter(function (e) { return e.owner === user; }) : [];
      fill("[data-outbox-attention]", attention.map(item), FuxinT("没有需要处理的记录。"));
      fill("[data-outbox-queue]", queue.map(item).concat(others(elsewhere, user)), FuxinT("本机没有待发送的记录。"));
      fill("[data-outbox-synced]", synced.map(syncedItem), FuxinT(user ? "还没有同步记录。" : "登录后可查看最近已同步的记录。"));
      var exports = page.querySelector("[data-outbox-exports]");
      exports.replaceChildren(mine.length
        ? h("button", { type: "button", className: "btn", onclick: function () { exportFor(user); },
          text: FuxinT("{label}（{n} 条）", { label: FuxinT("导出未同步记录"), n: mine.length }) })
        : h("button", { type: "button", className: "btn", disabled: true, text: FuxinT("导出未同步记录") }));
      statusLine(got[3], { pending: queue.length });
    });
  }

  function start() {
    var page = root();
    if (!page || page.dataset.outboxDrawn) return;
    page.dataset.outboxDrawn = "1";
    page.querySelector("[data-outbox-sync-now]").addEventListener("click", function () {
      var run = O.sync.run("manual");
      render();
      run.then(render);
    });
    render();
  }

  var queued = false;
  O.on(function (kind) {
    if (kind !== "changed" && kind !== "status") return;
    if (!queued) { queued = true; setTimeout(function () { queued = false; render(); }, 50); }
  });
  document.addEventListener("htmx:load", start);
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
  else start();

  O.page = { render: render, exportFor: exportFor, start: start };
})();
