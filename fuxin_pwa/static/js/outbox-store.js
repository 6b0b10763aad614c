// 福新外勤 outbox: the IndexedDB store that holds what a person saved until the server
// has confirmed it (sync protocol v1). Loaded by every page; no DOM here, so the service
// worker can importScripts() this file and outbox-sync.js for Background Sync.
//
// Why no library (not even `idb`): we use five object-store operations inside a handful of
// transactions; a 30-line promise wrapper below covers them, and one less vendored file is
// one less thing for the service worker and the pages to keep in step.
//
// Database `fuxin-outbox`:
//   records  {id, type, occurred_at, data, owner, photos: [photo ids], state, created_at,
//             attempts, last_error, errors, server_status, server_time}
//            state: queued | sending | failed | needs_attention | photos_pending
//   photos   {id, record_id, type, blob, width, height, state, last_error}  (blobs apart, so
//            listing the outbox never loads images)
//   synced   the last SYNCED_KEEP records the server confirmed, with its receipt time
//   meta     device_id, me (GET /api/v1/me with its ETag), status (the last sync's outcome)
// FuxinT(zh, params): the text of the page's language for a JS string. Chinese is the
// source and the default (as on the server: the Chinese text is the key); English comes from
// the dictionary of fuxin-en.js when <html lang> starts with "en". {n}-style placeholders are filled
// from params in both languages. A service worker has no document: it sets FuxinLang to the
// language the pages last showed (meta "lang"), so what it writes down reads in that language.
// The English texts are in fuxin-en.js, which only English pages (and the worker) load.
// Here, at the top of the first script every page (and the worker) loads, so all may use it.
(function (root) {
  "use strict";
  if (root.FuxinT) return;
  function english() {
    var doc = root.document;
    if (doc && doc.documentElement) return /^en/i.test(doc.documentElement.lang || "");
    return /^en/i.test(root.FuxinLang || "");
  }
  root.FuxinT = function (zh, params) {
    var EN = root.FuxinEN || {};  // js/fuxin-en.js, on English pages only
    var text = english() && Object.prototype.hasOwnProperty.call(EN, zh) ? EN[zh] : zh;
    return !params ? text : text.replace(/\{(\w+)\}/g, function (all, key) {
      return Object.prototype.hasOwnProperty.call(params, key) ? String(params[key]) : all;
    });
  };
  // The locale for dates and numbers the scripts format themselves.
  root.FuxinT.locale = function () { return english() ? "en-GB" : "zh-CN"; };
})(typeof self !== "undefined" ? self : this);

(function (root) {
  "use strict";
  var O = root.FuxinOutbox = root.FuxinOutbox || {};
  if (O.store) return; // htmx re-runs body scripts after a boosted navigation

  var DB_NAME = "fuxin-outbox";
  var SYNCED_KEEP = 50;
  var SENDABLE = { queued: 1, sending: 1, failed: 1 };

  // Field names and labels as the protocol names them; the forms, the sync client and the
  // outbox page's editor all read this one table.
  O.types = {
    checkin: {
      label: "签到", required: ["place_id"],
      fields: { place_id: "int", lat: "float", lon: "float", accuracy_m: "float", note: "text" }
    },
    task_log: {
      label: "工作记录", required: ["kind", "place_id", "summary"],
      fields: { kind: "text", place_id: "int", household_id: "int", case_id: "int", request_id: "int", summary: "text",
        outcome: "text", next_step_on: "date", duration_min: "int" }
    },
    request: {
      label: "群众诉求", required: ["resident_name", "place_id", "category", "description"],
      fields: { resident_name: "text", resident_phone: "text", place_id: "int", household_id: "int",
        category: "text", description: "text" }
    },
    request_update: {
      label: "诉求办理", required: ["request_id", "action", "base_version"],
      fields: { request_id: "int", action: "text", base_version: "int", assignee_id: "int", assignee_team: "text",
        to_status: "text", referred_to: "text", satisfaction: "text", note: "text" }
    }
  };
  O.labels = {
    place_id: "地点", lat: "纬度", lon: "经度", accuracy_m: "定位精度（米）", note: "备注",
    kind: "工作类型", household_id: "户", case_id: "一户一策", summary: "工作内容", outcome: "结果",
    next_step_on: "下一步日期", duration_min: "用时（分钟）", id: "记录编号", occurred_at: "时间",
    type: "记录类型", data: "内容", record: "记录", server: "服务器", photos: "照片",
    resident_name: "居民姓名", resident_phone: "联系电话", category: "诉求类别", description: "诉求内容",
    request_id: "群众诉求", action: "操作", base_version: "版本", assignee_id: "派给人员", assignee_team: "派给队伍",
    to_status: "办结结果", referred_to: "转办至", satisfaction: "群众满意度"
  };
  // Emergency dispatch: a person's acknowledgement (收到 → 出发 → 到岗 → 撤离; 到岗 with the
  // position), and a report from a post is a task log naming its incident.
  O.types.incident_ack = {
    label: "调度确认", required: ["incident_id", "state"],
    fields: { incident_id: "int", state: "text", lat: "float", lon: "float", accuracy_m: "float", note: "text" }
  };
  O.types.task_log.fields.incident_id = "int";
  O.labels.incident_id = "突发事件";
  // Relaying a directive (传达部署) is a task log naming it, with the people reached.
  O.types.task_log.fields.directive_id = "int";
  O.types.task_log.fields.people_reached = "int";
  O.labels.directive_id = "传达部署";
  O.labels.people_reached = "传达人数";
  O.labels.state = "确认状态";
  // 三必访: a leader's care visit, made from the home's card (offline too).
  O.types.care_visit = {
    label: "关爱走访", required: ["trigger_id", "visited_on", "visitors", "brought"],
    fields: { trigger_id: "int", visited_on: "date", visitors: "text", brought: "text", follow_up: "text" }
  };
  O.labels.trigger_id = "关爱对象";
  O.labels.visited_on = "走访日期";
  O.labels.visitors = "走访人员";
  O.labels.brought = "带去的慰问或帮助";
  O.labels.follow_up = "需要跟进的事项";
  // 定点便民服务: residents served at a service day, a tap each at the tablet (tally.js); a
  // request raised there names the day.
  O.types.service_tally = {
    label: "便民服务登记", required: ["event_id", "service", "count"],
    fields: { event_id: "int", service: "text", count: "int", household_id: "int", note: "text" }
  };
  O.types.request.fields.service_day_id = "int";
  O.labels.event_id = "便民服务日";
  O.labels.service = "服务项目";
  O.labels.count = "人数";
  O.labels.service_day_id = "便民服务日";
  // Planned rounds: a check-in may name the household visited, which ticks it off the plan.
  O.types.checkin.fields.household_id = "int";

  function uuid() {
    // crypto.randomUUID needs a secure context; a plain-http LAN install still gets v4 ids.
    if (root.crypto && root.crypto.randomUUID) return root.crypto.randomUUID();
    var b = root.crypto.getRandomValues(new Uint8Array(16));
    b[6] = (b[6] & 15) | 64; b[8] = (b[8] & 63) | 128;
    var h = Array.prototype.map.call(b, function (x) { return (x + 256).toString(16).slice(1); }).join("");
    return h.slice(0, 8) + "-" + h.slice(8, 12) + "-" + h.slice(12, 16) + "-" + h.slice(16, 20) + "-" + h.slice(20);
  }

  // ISO 8601 with the device's offset, e.g. 2026-11-26T09:41:07+08:00 (the protocol's form).
  function isoLocal(d) {
    d = d || new Date();
    function p(n) { return String(n).padStart(2, "0"); }
    var off = -d.getTimezoneOffset(), a = Math.abs(off);
    return d.getFullYear() + "-" + p(d.getMonth() + 1) + "-" + p(d.getDate()) + "T" + p(d.getHours()) + ":" +
      p(d.getMinutes()) + ":" + p(d.getSeconds()) + (off >= 0 ? "+" : "-") + p(Math.floor(a / 60)) + ":" + p(a % 60);
  }

  var opening = null;
  function open() {
    if (opening) return opening;
    opening = new Promise(function (resolve, reject) {
      if (!root.indexedDB) { reject(new Error("no IndexedDB")); return; }
      var req = root.indexedDB.open(DB_NAME, 1);
      req.onupgradeneeded = function () {
        var db = req.result;
        db.createObjectStore("records", { keyPath: "id" });
        db.createObjectStore("photos", { keyPath: "id" }).createIndex("record_id", "record_id");
        db.createObjectStore("synced", { keyPath: "id" });
        db.createObjectStore("meta");
      };
      req.onsuccess = function () {
        var db = req.result;
        // Another tab upgrading later must not be blocked by this one.
        db.onversionchange = function () { db.close(); opening = null; };
        resolve(db);
      };
      req.onerror = function () { reject(req.error); };
      req.onblocked = function () { reject(new Error("IndexedDB blocked")); };
    });
    opening.catch(function () { opening = null; });
    return opening;
  }

  // Runs fn(stores) in one transaction; resolves with fn's result once it has committed,
  // so "saved" is only ever said about data that is on disk.
  function tx(names, mode, fn) {
    return open().then(function (db) {
      return new Promise(function (resolve, reject) {
        var t = db.transaction(names, mode), stores = {}, result;
        [].concat(names).forEach(function (n) { stores[n] = t.objectStore(n); });
        t.oncomplete = function () { resolve(result && result.__req ? result.__req.result : result); };
        t.onerror = function () { reject(t.error); };
        t.onabort = function () { reject(t.error || new Error("transaction aborted")); };
        try { result = fn(stores, t); } catch (e) { t.abort(); reject(e); }
      });
    });
  }
  function later(request) { return { __req: request }; } // a request whose result tx() returns

  // A tiny event bus: listeners in this tab, and the same message to the other tabs (and
  // the service worker) over a BroadcastChannel, so every badge follows every change.
  var listeners = [];
  var channel = root.BroadcastChannel ? new root.BroadcastChannel(DB_NAME) : null;
  function fire(msg) {
    listeners.forEach(function (fn) { try { fn(msg.kind, msg.detail || {}); } catch (e) { console.error(e); } });
  }
  if (channel) channel.onmessage = function (e) { if (e.data && e.data.kind) fire(e.data); };
  O.on = function (fn) { listeners.push(fn); };
  O.emit = function (kind, detail) {
    var msg = { kind: kind, detail: detail || {} };
    fire(msg);
    if (channel) channel.postMessage(msg);
  };
  function changed(detail) { O.emit("changed", detail); }

  var store = O.store = {
    uuid: uuid, isoLocal: isoLocal, open: open, SENDABLE: SENDABLE,

    allRecords: function () {
      return tx("records", "readonly", function (s) { return later(s.records.getAll()); });
    },
    getRecord: function (id) {
      return tx("records", "readonly", function (s) { return later(s.records.get(id)); });
    },
    // A new or edited record with its photos, in one transaction. `replaces` is the id of a
    // record this one stands in for (an edit that needed a fresh id): it goes in the same step.
    saveRecord: function (record, photos, replaces) {
      return tx(["records", "photos"], "readwrite", function (s) {
        if (replaces && replaces !== record.id) s.records.delete(replaces);
        (photos || []).forEach(function (p) { s.photos.put(p); });
        (record.photos || []).forEach(function (pid) {
          var get = s.photos.get(pid);
          get.onsuccess = function () {
            if (get.result && get.result.record_id !== record.id) {
              get.result.record_id = record.id;
              s.photos.put(get.result);
            }
          };
        });
        s.records.put(record);
      }).then(function () { changed({ saved: record.id }); return record; });
    },
    // `onlyExisting`: the sync client settling a batch must not bring back a record the
    // person discarded on the outbox page while it was on the wire.
    putRecords: function (records, onlyExisting) {
      if (!records.length) return Promise.resolve();
      return tx("records", "readwrite", function (s) {
        records.forEach(function (r) {
          if (!onlyExisting) { s.records.put(r); return; }
          var get = s.records.get(r.id);
          get.onsuccess = function () { if (get.result) s.records.put(r); };
        });
      }).then(function () { changed(); });
    },
    // Records that left the outbox (confirmed or discarded), with their photos; confirmed ones
    // go into the "recently synced" log in the same step.
    removeRecords: function (ids, syncedEntries) {
      return tx(["records", "photos", "synced"], "readwrite", function (s) {
        ids.forEach(function (id) {
          s.records.delete(id);
          var cur = s.photos.index("record_id").openKeyCursor(IDBKeyRange.only(id));
          cur.onsuccess = function () {
            if (cur.result) { s.photos.delete(cur.result.primaryKey); cur.result.continue(); }
          };
        });
        (syncedEntries || []).forEach(function (e) { s.synced.put(e); });
        if (syncedEntries && syncedEntries.length) {
          var all = s.synced.getAll();
          all.onsuccess = function () {
            all.result.sort(function (a, b) { return b.synced_at - a.synced_at; })
              .slice(SYNCED_KEEP).forEach(function (old) { s.synced.delete(old.id); });
          };
        }
      }).then(function () { changed(); });
    },
    recentSynced: function () {
      return tx("synced", "readonly", function (s) { return later(s.synced.getAll()); })
        .then(function (list) { return list.sort(function (a, b) { return b.synced_at - a.synced_at; }); });
    },
    photosOf: function (recordId) {
      return tx("photos", "readonly", function (s) {
        return later(s.photos.index("record_id").getAll(IDBKeyRange.only(recordId)));
      });
    },
    putPhoto: function (photo) {
      return tx("photos", "readwrite", function (s) { s.photos.put(photo); });
    },
    deletePhoto: function (id) {
      return tx("photos", "readwrite", function (s) { s.photos.delete(id); });
    },
    getMeta: function (key) {
      return tx("meta", "readonly", function (s) { return later(s.meta.get(key)); });
    },
    setMeta: function (key, value) {
      return tx("meta", "readwrite", function (s) { s.meta.put(value, key); });
    },
    // One id per device (per browser profile), made once; read and written in one
    // transaction so two tabs opening at once agree on it.
    deviceId: function () {
      var made = uuid();
      return tx("meta", "readwrite", function (s) {
        var get = s.meta.get("device_id");
        get.onsuccess = function () { if (!get.result) s.meta.put(made, "device_id"); };
        return later(get);
      }).then(function (found) { return found || made; });
    },
    // What the badge shows: the person's own records, by state.
    counts: function (owner) {
      return store.allRecords().then(function (all) {
        var c = { pending: 0, attention: 0, total: 0, others: 0 };
        all.forEach(function (r) {
          if (owner && r.owner !== owner) { c.others++; return; }
          c.total++;
          if (r.state === "needs_attention") c.attention++; else c.pending++;
        });
        return c;
      });
    }
  };
})(typeof self !== "undefined" ? self : this);
