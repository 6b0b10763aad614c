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
// the dictionary below when <html lang> starts with "en". {n}-style placeholders are filled
// from params in both languages. A service worker has no document and shows no UI: Chinese.
// Here, at the top of the first script every page (and the worker) loads, so all may use it.
(function (root) {
  "use strict";
  if (root.FuxinT) return;
  // Keep the terms of the server catalog (translations/en/LC_MESSAGES/messages.po).
  var EN = {
    // outbox-store.js: record types and field labels
    "签到": "Check-in", "工作记录": "Task log",
    "地点": "Place", "纬度": "Latitude", "经度": "Longitude", "定位精度（米）": "Accuracy (metres)",
    "备注": "Note", "工作类型": "Task type", "户": "Household", "一户一策": "Household case",
    "工作内容": "What was done", "结果": "Outcome", "下一步日期": "Next step on",
    "用时（分钟）": "Time spent (minutes)", "记录编号": "Record ID", "时间": "Time",
    "记录类型": "Record type", "内容": "Content", "记录": "Record", "服务器": "Server", "照片": "Photo",
    "：": ": ", "；": "; ",
    // outbox-sync.js: why a sync failed
    "网络不通": "No network connection",
    "服务器繁忙": "The server is busy",
    "服务器暂时出错（{status}）": "Temporary server error ({status})",
    "服务器答复 {status}": "The server answered {status}",
    "服务器处理部分记录时出错": "The server failed on some records",
    "记录过大，无法发送；请导出后交管理员导入": "This record is too large to send; export it and give the file to an administrator to import",
    "登录凭证已失效": "Your login is no longer valid",
    "请求格式错误": "Malformed request",
    "照片过大，服务器不接收": "The photo is too large for the server",
    "服务器不接受该照片格式": "The server does not accept this photo format",
    "服务器尚未收到该记录，稍后重试": "The server has not received this record yet; will retry later",
    "同步出错：{error}": "Sync error: {error}",
    // outbox-photos.js
    "无法读取该照片": "Cannot read this photo",
    "照片压缩失败": "Could not compress the photo",
    // outbox-forms.js
    "每条记录最多 {n} 张照片": "At most {n} photos per record",
    "处理中…": "Processing…",
    "移除": "Remove",
    "已保存 · 联网后自动同步": "Saved · will sync when online",
    "已保存": "Saved",
    "保存失败：{error}，请重试": "Could not save: {error}. Please try again",
    "请修改标红的内容后再保存。": "Please correct the fields marked in red, then save again.",
    "已附照片 {n} 张，会随记录一起保存": "{n} photo(s) attached; they are saved with the record",
    "已同步": "Synced",
    "已保存 · 服务器暂时出错，稍后自动重试": "Saved · temporary server error, will retry automatically",
    "服务器退回了这条记录，请修改后重新保存": "The server sent this record back; please correct it and save again",
    '上一条记录被服务器退回，请到<a href="/outbox">待同步</a>处理': 'The server sent your last record back; please fix it in the <a href="/outbox">Outbox</a>',
    "已同步 · 照片上传中…": "Synced · uploading photos…",
    "已同步（与他人的更改冲突，已保留）": "Synced (conflicted with someone else's change; both kept)",
    // outbox-ui.js: the badge
    "刚刚": "just now", "{n} 分钟前": "{n} min ago", "{n} 小时前": "{n} h ago", "{n} 天前": "{n} days ago",
    "请重新登录": "Please log in again",
    "需处理 {n} 条": "{n} need attention",
    "同步失败，稍后重试": "Sync failed, will retry",
    "待同步 {n} 条": "{n} to sync",
    "已全部同步 · {ago}": "All synced · {ago}",
    "已全部同步": "All synced",
    "本机待同步 {n} 条": "{n} record(s) on this device waiting to sync",
    // outbox-page.js: the /outbox page
    "排队中": "Queued", "发送中": "Sending", "失败": "Failed", "需处理": "Needs attention",
    "照片上传中": "Uploading photos",
    "已同步（服务器已有）": "Synced (already on the server)",
    "已保存，但有冲突": "Saved (with a conflict)",
    "地点 {id}": "Place {id}",
    "记录于 {time}": "Recorded {time}",
    "照片 {n} 张": "{n} photo(s)",
    "账号 {owner} 的记录，需该账号登录后同步": "Saved by account {owner}; it syncs once that account logs in",
    "修改": "Edit", "放弃": "Discard",
    "服务器接收于 {time}": "Received by the server {time}",
    "请选择": "Choose…",
    "（原选项 {value}）": "(previous choice {value})",
    "保存并重新同步": "Save and sync again",
    "取消": "Cancel",
    "这条记录已同步，放弃的是未能上传的照片。确定放弃吗？": "This record has synced; discarding drops the photos that could not be uploaded. Discard them?",
    "确定放弃这条记录吗？放弃后无法恢复，服务器也不会收到它。": "Discard this record? It cannot be recovered and the server will never receive it.",
    "正在同步…": "Syncing…",
    "登录已过期，记录都还在本机。": "Your login has expired; your records are still on this device. ",
    "同步失败（{message}），{wait} 秒后自动重试": "Sync failed ({message}); retrying in {wait} s",
    "同步失败（{message}），稍后自动重试": "Sync failed ({message}); will retry automatically",
    "当前离线，联网后自动同步": "Offline; will sync when back online",
    "上次同步：{time}": "Last synced: {time}",
    "没有需要处理的记录。": "No records need attention.",
    "本机没有待发送的记录。": "No records waiting to be sent on this device.",
    "还没有同步记录。": "Nothing synced yet.",
    "导出未同步记录": "Export unsynced records",
    "导出 {owner} 的未同步记录": "Export {owner}'s unsynced records",
    "{label}（{n} 条）": "{label} ({n})",
    // field.js: geolocation
    '此设备不支持定位，将记为"无定位"': 'This device cannot get a location; it will be recorded as "No location"',
    "已定位 ±{m} 米": "Located ±{m} m",
    "已定位 ±{m} 米（定位精度低）": "Located ±{m} m (low accuracy)",
    '未能定位，将记为"无定位"，仍可保存': 'Could not get a location; it will be recorded as "No location". You can still save.'
  };
  function english() {
    var doc = root.document;
    return !!(doc && doc.documentElement && /^en/i.test(doc.documentElement.lang || ""));
  }
  root.FuxinT = function (zh, params) {
    var text = english() && Object.prototype.hasOwnProperty.call(EN, zh) ? EN[zh] : zh;
    return !params ? text : text.replace(/\{(\w+)\}/g, function (all, key) {
      return Object.prototype.hasOwnProperty.call(params, key) ? String(params[key]) : all;
    });
  };
  root.FuxinT.en = EN;
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
      fields: { kind: "text", place_id: "int", household_id: "int", case_id: "int", summary: "text",
        outcome: "text", next_step_on: "date", duration_min: "int" }
    }
  };
  O.labels = {
    place_id: "地点", lat: "纬度", lon: "经度", accuracy_m: "定位精度（米）", note: "备注",
    kind: "工作类型", household_id: "户", case_id: "一户一策", summary: "工作内容", outcome: "结果",
    next_step_on: "下一步日期", duration_min: "用时（分钟）", id: "记录编号", occurred_at: "时间",
    type: "记录类型", data: "内容", record: "记录", server: "服务器", photos: "照片"
  };

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
