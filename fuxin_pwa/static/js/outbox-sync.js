// 福新外勤 sync client: sends the outbox to POST /api/v1/sync and the photos after their
// records (sync protocol v1). No DOM here: pages call FuxinOutbox.sync.run() from their
// triggers (outbox-ui.js); a service worker can importScripts() outbox-store.js and this
// file and call the same run() from its `sync` event (tag FuxinOutbox.sync.TAG).
//
// Exactly once rests on two things: the server stores a record id once (so a replay is
// harmless), and a record leaves the outbox only when a 200 answer names it. Web Locks
// keep two tabs from sending the same batch at once; without them (old browsers, plain
// http) the server's idempotency still holds.
(function (root) {
  "use strict";
  var O = root.FuxinOutbox;
  if (!O || !O.store || O.sync) return;
  var store = O.store;

  var TAG = "fuxin-outbox-sync";
  var MAX_RECORDS = 200;                 // protocol limits per request
  var MAX_BYTES = 1024 * 1024 - 8192;    // 1 MiB less room for the envelope
  var BACKOFF_MAX = 5 * 60 * 1000;
  var encoder = new TextEncoder();
  // Absolute, so the same calls work from a page, the service worker or any other worker.
  var API = ((root.location && root.location.origin) || "") + "/api/v1";

  // Tests set window.FUXIN_SYNC_BACKOFF_MS so a retry does not take 5 s.
  function backoffBase() { return Number(root.FUXIN_SYNC_BACKOFF_MS) || 5000; }

  // again: the reason of a trigger heard while a run was under way (null: none).
  var failures = 0, timer = null, nextAt = 0, running = null, again = null;

  // --- HTTP -------------------------------------------------------------------------------

  function retryAfterMs(resp) {
    var v = resp.headers.get("Retry-After");
    if (!v) return 0;
    if (/^\d+$/.test(v.trim())) return Number(v) * 1000;
    var at = Date.parse(v);
    return isNaN(at) ? 0 : Math.max(at - Date.now(), 0);
  }

  // {status, body, after} or {network: true}; never throws.
  function call(method, url, body, headers) {
    var init = { method: method, headers: headers || {}, credentials: "same-origin", cache: "no-store",
      redirect: "manual" };
    if (body !== undefined) init.body = body;
    return root.fetch(url, init).then(function (resp) {
      var type = resp.headers.get("Content-Type") || "";
      var parsed = type.indexOf("json") >= 0 ? resp.json().catch(function () { return null; }) : Promise.resolve(null);
      return parsed.then(function (json) {
        return { status: resp.status, body: json, etag: resp.headers.get("ETag"), after: retryAfterMs(resp) };
      });
    }, function () { return { network: true }; });
  }

  // GET /api/v1/me with the cached ETag: who this session is, its CSRF token, and the
  // places and task kinds the forms need offline. `force` skips the ETag (a CSRF refresh).
  function fetchMe(force) {
    return store.getMeta("me").then(function (cached) {
      var headers = { Accept: "application/json" };
      if (cached && cached.etag && !force) headers["If-None-Match"] = cached.etag;
      return call("GET", API + "/me", undefined, headers).then(function (r) {
        // Whose session this is, for the worker's kept pages: "" once it has ended.
        if (r.status === 401) O.emit("session", { user: "" });
        if (r.status === 200 && r.body && r.body.user) O.emit("session", { user: r.body.user.username });
        if (r.status === 304 && cached) return { me: cached.body };
        if (r.status === 200 && r.body && r.body.user) {
          return store.setMeta("me", { etag: r.etag, body: r.body, fetched_at: Date.now() })
            .then(function () { O.emit("me", { user: r.body.user.username }); return { me: r.body }; });
        }
        return r;
      });
    });
  }

  // --- Status (what the badge says) -------------------------------------------------------

  function setStatus(state, extra) {
    return store.getMeta("status").then(function (prev) {
      var status = Object.assign({ last_ok_at: prev && prev.last_ok_at, user: prev && prev.user },
        extra || {}, { state: state, at: Date.now() });
      return store.setMeta("status", status).then(function () { O.emit("status", status); return state; });
    });
  }

  function schedule(delay) {
    if (timer) root.clearTimeout(timer);
    nextAt = Date.now() + delay;
    timer = root.setTimeout(function () { timer = null; run("retry"); }, delay);
    return delay;
  }

  // Network trouble, 5xx, 429: try again later, keeping everything.
  function retryLater(message, after) {
    failures++;
    var delay = after || Math.min(backoffBase() * Math.pow(2, failures - 1), BACKOFF_MAX);
    schedule(delay);
    return setStatus("failed", { message: message, next_at: nextAt });
  }

  function explain(r) {
    if (r.network) return FuxinT("网络不通");
    if (r.status === 429) return FuxinT("服务器繁忙");
    if (r.status >= 500) return FuxinT("服务器暂时出错（{status}）", { status: r.status });
    return FuxinT("服务器答复 {status}", { status: r.status });
  }

  // --- Records ----------------------------------------------------------------------------

  function wire(r) { return { id: r.id, type: r.type, occurred_at: r.occurred_at, data: r.data }; }

  // Batches of at most 200 records and under 1 MiB, oldest first.
  function pack(records) {
    var batches = [], batch = [], bytes = 0;
    records.forEach(function (r) {
      var size = encoder.encode(JSON.stringify(wire(r))).length + 1;
      if (batch.length && (batch.length >= MAX_RECORDS || bytes + size > MAX_BYTES)) {
        batches.push(batch); batch = []; bytes = 0;
      }
      batch.push(r); bytes += size;
    });
    if (batch.length) batches.push(batch);
    return batches;
  }

  function withState(r, state, extra) { return Object.assign({}, r, { state: state }, extra || {}); }

  function onlyServerFault(errors) {
    var keys = Object.keys(errors || {});
    return keys.length === 1 && keys[0] === "server";
  }

  function syncedEntry(r, result, serverTime) {
    return { id: r.id, type: r.type, status: result.status, detail: result.detail || null,
      data: r.data, owner: r.owner, occurred_at: r.occurred_at, server_time: serverTime,
      photos: (r.photos || []).length, synced_at: Date.now() };
  }

  // The 200 answer: every record it names is settled; one it does not name stays queued.
  function settle(batch, answer, ctx) {
    var byId = {};
    (answer.results || []).forEach(function (res) { if (res && res.id) byId[res.id] = res; });
    var keep = [], gone = [], log = [];
    batch.forEach(function (r) {
      var res = byId[r.id];
      if (!res) { keep.push(withState(r, "queued")); return; }
      if (res.status === "rejected") {
        if (onlyServerFault(res.errors)) {  // the server failed on it: not the person's to fix
          ctx.retry = ctx.retry || FuxinT("服务器处理部分记录时出错");
          keep.push(withState(r, "failed", { last_error: res.errors.server[0] }));
        } else {
          keep.push(withState(r, "needs_attention", { errors: res.errors || {}, last_error: null }));
        }
        return;
      }
      // created, duplicate, conflict: stored on the server.
      var done = { server_status: res.status, server_time: answer.server_time, detail: res.detail || null };
      if ((r.photos || []).length) keep.push(withState(r, "photos_pending", done));
      else { gone.push(r.id); log.push(syncedEntry(r, res, answer.server_time)); }
    });
    var photosPending = keep.filter(function (r) { return r.state === "photos_pending"; })
      .map(function (r) { return r.id; });
    return store.putRecords(keep, true)
      .then(function () { return store.removeRecords(gone, log); })
      .then(function () {
        O.emit("results", { results: answer.results || [], server_time: answer.server_time,
          photos_pending: photosPending });
      });
  }

  // One POST; answers "ok", "auth" or "retry" (after scheduling it).
  function send(batch, ctx) {
    var body = JSON.stringify({ device_id: ctx.deviceId, sent_at: store.isoLocal(new Date()),
      records: batch.map(wire) });
    var headers = { "Content-Type": "application/json", Accept: "application/json", "X-CSRFToken": ctx.csrf };
    return call("POST", API + "/sync", body, headers).then(function (r) {
      if (r.status === 200 && r.body && Array.isArray(r.body.results)) return settle(batch, r.body, ctx).then(function () { return "ok"; });
      var back = batch.map(function (rec) { return withState(rec, "queued"); });
      if (r.status === 401) return store.putRecords(back, true).then(function () { return "auth"; });
      if (r.status === 403 && !ctx.csrfRetried) {
        ctx.csrfRetried = true;  // a stale token: fetch a fresh one and try this batch once more
        return fetchMe(true).then(function (m) {
          if (!m.me) return store.putRecords(back, true).then(function () { return m.status === 401 ? "auth" : retryLater(explain(m)); });
          ctx.csrf = m.me.csrf_token;
          return send(batch, ctx);
        });
      }
      if (r.status === 413) {
        if (batch.length > 1) {
          var half = Math.ceil(batch.length / 2);
          return send(batch.slice(0, half), ctx).then(function (first) {
            return first === "ok" ? send(batch.slice(half), ctx) : first;
          });
        }
        return store.putRecords([withState(batch[0], "needs_attention",
          { errors: { record: [FuxinT("记录过大，无法发送；请导出后交管理员导入")] } })], true).then(function () { return "ok"; });
      }
      var reason = r.status === 403 ? FuxinT("登录凭证已失效") : r.status === 400 ? FuxinT("请求格式错误") : explain(r);
      var failed = batch.map(function (rec) { return withState(rec, "failed", { last_error: reason }); });
      return store.putRecords(failed, true).then(function () { return retryLater(reason, r.after); });
    });
  }

  function markSending(batch) {
    var sending = batch.map(function (r) {
      return withState(r, "sending", { attempts: (r.attempts || 0) + 1 });
    });
    return store.putRecords(sending, true).then(function () { return sending; });
  }

  // --- Photos (after their record) --------------------------------------------------------

  function uploadPhoto(photo, ctx) {
    var url = API + "/records/" + encodeURIComponent(photo.record_id) + "/photos/" + encodeURIComponent(photo.id);
    return call("PUT", url, photo.blob, { "Content-Type": photo.type || "image/jpeg", "X-CSRFToken": ctx.csrf })
      .then(function (r) {
        if (r.status === 201 || r.status === 200) return store.deletePhoto(photo.id).then(function () { return "ok"; });
        if (r.status === 401) return "auth";
        if (r.status === 403 && !ctx.csrfRetried) {
          ctx.csrfRetried = true;
          return fetchMe(true).then(function (m) {
            if (!m.me) return m.status === 401 ? "auth" : "retry";
            ctx.csrf = m.me.csrf_token;
            return uploadPhoto(photo, ctx);
          });
        }
        if (r.status === 413 || r.status === 415) {
          // The server's own words where it gave them (a full storage quota is a 413 too).
          var why = (r.body && typeof r.body.detail === "string" && r.body.detail) ||
            FuxinT(r.status === 413 ? "照片过大，服务器不接收" : "服务器不接受该照片格式");
          return store.putPhoto(Object.assign({}, photo, { state: "needs_attention", last_error: why }))
            .then(function () { return "attention:" + why; });
        }
        // 404: the server does not know the record yet; network, 5xx, 429: try again later.
        var msg = r.status === 404 ? FuxinT("服务器尚未收到该记录，稍后重试") : explain(r);
        return store.putPhoto(Object.assign({}, photo, { state: "failed", last_error: msg }))
          .then(function () { ctx.retry = ctx.retry || msg; ctx.retryAfter = r.after; return "retry"; });
      });
  }

  function uploadPhotos(records, ctx) {
    var chain = Promise.resolve("ok");
    records.forEach(function (rec) {
      chain = chain.then(function (prev) {
        if (prev === "auth") return prev;
        return store.photosOf(rec.id).then(function (photos) {
          var mine = Promise.resolve("ok"), problems = [];
          photos.forEach(function (p) {
            if (p.state === "needs_attention") { problems.push(p.last_error); return; }
            mine = mine.then(function (o) {
              return o === "auth" ? o : uploadPhoto(p, ctx).then(function (res) {
                if (res.indexOf("attention:") === 0) problems.push(res.slice(10));
                return res;
              });
            });
          });
          return mine.then(function (o) {
            if (o === "auth") return o;
            return store.photosOf(rec.id).then(function (left) {
              if (!left.length) {
                return store.removeRecords([rec.id], [syncedEntry(rec, { status: rec.server_status,
                  detail: rec.detail }, rec.server_time)]).then(function () {
                  O.emit("results", { results: [{ id: rec.id, status: rec.server_status }], photos_done: true });
                  return "ok";
                });
              }
              if (problems.length && left.every(function (p) { return p.state === "needs_attention"; })) {
                return store.putRecords([withState(rec, "needs_attention", { errors: { photos: problems } })], true)
                  .then(function () { return "ok"; });
              }
              return "ok";
            });
          });
        });
      });
    });
    return chain;
  }

  // --- One run ----------------------------------------------------------------------------

  function runOnce() {
    if (root.navigator && root.navigator.onLine === false) return setStatus("offline");
    var ctx = {};
    return store.deviceId().then(function (id) {
      ctx.deviceId = id;
      return fetchMe(false);
    }).then(function (m) {
      if (m.status === 401) return setStatus("auth");
      if (!m.me) return retryLater(explain(m), m.after);
      ctx.csrf = m.me.csrf_token;
      ctx.user = m.me.user.username;
      return store.allRecords().then(function (all) {
        // Only this session's person: another's records wait for them to log in.
        var mine = all.filter(function (r) { return r.owner === ctx.user; })
          .sort(function (a, b) { return a.created_at - b.created_at; });
        var batches = pack(mine.filter(function (r) { return store.SENDABLE[r.state]; }));
        var chain = Promise.resolve("ok");
        batches.forEach(function (batch) {
          chain = chain.then(function (prev) {
            return prev !== "ok" ? prev : markSending(batch).then(function (b) { return send(b, ctx); });
          });
        });
        return chain.then(function (outcome) {
          if (outcome !== "ok") return outcome;
          return store.allRecords().then(function (now) {
            var pending = now.filter(function (r) { return r.owner === ctx.user && r.state === "photos_pending"; });
            return uploadPhotos(pending, ctx);
          });
        });
      }).then(function (outcome) {
        if (outcome === "auth") return setStatus("auth", { user: ctx.user });
        if (outcome !== "ok") return outcome;  // already scheduled and reported
        if (ctx.retry) return retryLater(ctx.retry, ctx.retryAfter);
        failures = 0;
        nextAt = 0;
        return setStatus("ok", { last_ok_at: Date.now(), user: ctx.user });
      });
    }).catch(function (e) {
      // IndexedDB trouble or a bug: report it, keep every record, try again later.
      console.error("outbox sync", e);
      return retryLater(FuxinT("同步出错：{error}", { error: e && e.message || e }));
    });
  }

  function withLock(fn) {
    var locks = root.navigator && root.navigator.locks;
    return locks && locks.request ? locks.request("fuxin-sync", fn) : fn();
  }

  // Whether a trigger heard during a run that ended with `outcome` still needs a run of its
  // own. After "ok" a save made meanwhile is sent; after "offline" the network may have come
  // back meanwhile (the `online` event of a run that began offline must not be lost: the
  // records would wait for the next 60 s tick). After "failed" the retry is scheduled
  // already, unless the network just came back or the person asked: then try now. "auth"
  // waits for a login, which no run helps.
  function wantsAnother(outcome, reason) {
    if (outcome === "ok" || outcome === "offline") return true;
    return outcome === "failed" && (reason === "online" || reason === "manual");
  }

  // One sync at a time in this tab (a trigger during a run may ask for one more run), and
  // across tabs through the lock; the outbox is read inside the lock, so a second tab
  // waiting for it finds what the first one sent already gone.
  function run(reason, opts) {
    if (opts && opts.respectBackoff && Date.now() < nextAt) return Promise.resolve("waiting");
    if (reason === "online" || reason === "manual") { failures = 0; nextAt = 0; }
    if (running) {
      if (again !== "online" && again !== "manual") again = reason;
      return running;
    }
    running = (function loop() {
      again = null;
      return withLock(runOnce).then(function (outcome) {
        return again && wantsAnother(outcome, again) ? loop() : outcome;
      });
    })().then(function (outcome) { running = null; return outcome; },
      function (e) { running = null; throw e; });
    return running;
  }

  // Background Sync where the browser has it: the worker (another module) listens for TAG.
  function registerBackground() {
    var sw = root.navigator && root.navigator.serviceWorker;
    if (!sw || !sw.getRegistration) return Promise.resolve(false);
    return sw.getRegistration().then(function (reg) {
      return reg && reg.sync ? reg.sync.register(TAG).then(function () { return true; }) : false;
    }).catch(function () { return false; });
  }

  O.sync = { run: run, fetchMe: fetchMe, registerBackground: registerBackground, TAG: TAG,
    isRunning: function () { return !!running; }, nextAt: function () { return nextAt; } };
})(typeof self !== "undefined" ? self : this);
