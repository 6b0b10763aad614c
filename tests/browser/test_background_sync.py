"""Background Sync in Chromium: the service worker sends the outbox with no page of the app
open, through the same store and sync client the pages use (sw.js imports them).

Records are saved offline on pages, the pages are closed (so their own triggers, `online`
and the timers, are gone with them), the network comes back, and only the worker's `sync`
event can send them. The proof is the server's: each record stored once, each sent once."""
from fuxin_pwa.field.models import CheckIn, TaskLog
from tests.browser.test_outbox import (SyncTap, big_photo, eventually, outbox, photo_model, rows, save_checkin,
                                       save_task_log)
from tests.browser.test_pwa_shell import wait_for_worker

TAG = "fuxin-outbox-sync"


class WorkerDevTools:
    """A CDP session on a blank page of the phone's context (a page of the app would bring
    its own sync triggers): the service worker's registration and Background Sync's log."""

    def __init__(self, context):
        self.page = context.new_page()  # about:blank: loads none of the app's scripts
        self.cdp = context.new_cdp_session(self.page)
        self.registrations, self.sync_log = {}, []
        self.cdp.on("ServiceWorker.workerRegistrationUpdated", self._registrations)
        self.cdp.on("BackgroundService.backgroundServiceEventReceived",
                    lambda e: self.sync_log.append(e["backgroundServiceEvent"]))
        self.cdp.send("ServiceWorker.enable")  # answers with the registrations there are
        self.cdp.send("BackgroundService.startObserving", {"service": "backgroundSync"})
        self.cdp.send("BackgroundService.setRecording", {"shouldRecord": True, "service": "backgroundSync"})

    def _registrations(self, event):
        for reg in event["registrations"]:
            if not reg["isDeleted"]:
                self.registrations[reg["scopeURL"]] = reg["registrationId"]

    def registration_id(self, scope):
        eventually(self.page, lambda: scope in self.registrations, timeout=5, what="the worker's registration")
        return self.registrations[scope]

    def dispatch_sync(self, origin, registration_id):
        self.cdp.send("ServiceWorker.dispatchSyncEvent", {
            "origin": origin, "registrationId": registration_id, "tag": TAG, "lastChance": False})

    def completed(self):
        """How each sync event the browser fired by itself ended: 'succeeded', or 'failed'
        when the worker's waitUntil promise rejected. (Chromium logs no completion for an
        event dispatched through DevTools: those are judged by what the server holds.)"""
        return [dict((m["key"], m["value"]) for m in e["eventMetadata"]).get("Status")
                for e in self.sync_log if e["eventName"] == "Sync completed" and e["instanceId"] == TAG]

    def dispatched(self):
        return [e for e in self.sync_log if e["eventName"] == "Dispatched sync event" and e["instanceId"] == TAG]


def save_offline(context, page, base, tmp_path):
    """Two check-ins and a task log with a photo, saved with no signal on two pages."""
    page.goto(f"{base}/checkin")
    wait_for_worker(page)
    log_page = context.new_page()
    log_page.goto(f"{base}/log")
    context.set_offline(True)
    save_checkin(page, "后台同步一")
    save_checkin(page, "后台同步二")
    log_page.set_input_files("#photos", str(big_photo(tmp_path, size=(800, 600))))
    log_page.wait_for_selector("[data-outbox-thumbs] img")
    save_task_log(log_page, "关掉页面后由后台同步发送")
    saved = sorted(r["id"] for r in outbox(page))
    assert len(saved) == 3
    return saved, log_page


def stored_ids():
    return sorted([c.uuid for c in rows(CheckIn)] + [t.uuid for t in rows(TaskLog)])


def assert_each_stored_once(app, tap, saved):
    assert stored_ids() == saved
    assert sorted(tap.sent_ids()) == saved  # and each sent once
    [photo] = rows(photo_model(app))
    assert photo.record_uuid == rows(TaskLog)[0].uuid


def worker_status(worker):
    """What the sync client last wrote down (the badge reads the same), from the worker."""
    return worker.evaluate("FuxinOutbox.store.getMeta('status').then(s => s && s.state)")


def worker_message(worker):
    return worker.evaluate("FuxinOutbox.store.getMeta('status').then(s => s && s.message)")


def test_the_workers_sync_event_sends_what_was_saved_offline_with_the_pages_closed(
        app, context, page, live_server, login, world, tmp_path):
    # Background Sync's permission is refused in this context (it grants only geolocation),
    # so the browser never fires the tag by itself: the one sync event is the one sent below.
    tap = SyncTap(app)
    login("liaison")
    saved, log_page = save_offline(context, page, live_server.url, tmp_path)
    [worker] = context.service_workers
    assert worker.evaluate("typeof FuxinOutbox.sync.run") == "function"  # imported, not a page's copy

    devtools = WorkerDevTools(context)
    registration = devtools.registration_id(f"{live_server.url}/")
    page.close()
    log_page.close()
    context.set_offline(False)  # no page hears `online`: none is open
    # The worker reaches the server again, and still nothing was sent: only a sync event sends.
    assert worker.evaluate("fetch('/healthz').then(r => r.status)") == 200
    assert stored_ids() == [] and tap.bodies == []

    devtools.dispatch_sync(live_server.url, registration)
    eventually(devtools.page, lambda: len(devtools.dispatched()) == 1, what="DevTools to dispatch the event")
    eventually(devtools.page, lambda: stored_ids() == saved)
    eventually(devtools.page, lambda: worker_status(worker) == "ok", what="the worker's run to finish")
    assert worker.evaluate("FuxinOutbox.store.allRecords().then(r => r.length)") == 0  # photo too
    assert_each_stored_once(app, tap, saved)


def test_a_sync_event_that_meets_a_server_error_keeps_everything_and_asks_to_be_retried(
        app, context, page, live_server, login, world, tmp_path):
    # (Not "still offline": Chromium will not dispatch a sync event to a worker whose network
    # DevTools has cut, and neither would a phone's browser. A failing server is the case.)
    failing = [True]
    tap = SyncTap(app, answer=lambda body, n: ("503 SERVICE UNAVAILABLE", {"error": "test"}) if failing[0] else None)
    login("liaison")
    saved, log_page = save_offline(context, page, live_server.url, tmp_path)
    [worker] = context.service_workers
    devtools = WorkerDevTools(context)
    registration = devtools.registration_id(f"{live_server.url}/")
    page.close()
    log_page.close()
    context.set_offline(False)

    devtools.dispatch_sync(live_server.url, registration)
    eventually(devtools.page, lambda: len(tap.answered) >= 1, what="the worker to try")
    eventually(devtools.page, lambda: worker_status(worker) == "failed", what="the worker's run to give up")
    assert len(worker.evaluate("FuxinOutbox.store.allRecords()")) == 3
    assert stored_ids() == [] and tap.bodies == []
    assert worker_message(worker) == "服务器暂时出错（503）"  # her pages were Chinese
    # The handler's promise rejects, which is what makes the browser fire the tag again later.
    said = worker.evaluate("backgroundSync().then(() => 'resolved', e => 'rejected: ' + e.message)")
    assert said == "rejected: outbox not sent: failed"

    failing[0] = False
    devtools.dispatch_sync(live_server.url, registration)  # the browser's retry
    eventually(devtools.page, lambda: stored_ids() == saved)
    eventually(devtools.page, lambda: worker_status(worker) == "ok", what="the retried run to finish")
    assert worker.evaluate("backgroundSync()") == "ok"  # nothing left: resolves, no more retries
    assert_each_stored_once(app, tap, saved)


def test_the_browser_fires_the_tag_itself_when_the_network_returns(
        app, context, page, live_server, login, world, tmp_path):
    # Allowed, the page's registration (outbox-forms.js) is real: Chromium holds the tag
    # while the network is cut and fires it on its own once it is back.
    context.grant_permissions(["geolocation", "background-sync"])
    tap = SyncTap(app)
    login("liaison")
    saved, log_page = save_offline(context, page, live_server.url, tmp_path)
    assert page.evaluate("navigator.serviceWorker.ready.then(r => r.sync.getTags())") == [TAG]
    devtools = WorkerDevTools(context)
    page.close()
    log_page.close()
    assert stored_ids() == []  # still offline: nothing can have left the phone

    context.set_offline(False)
    eventually(devtools.page, lambda: stored_ids() == saved)
    eventually(devtools.page, lambda: "succeeded" in devtools.completed(), what="the sync event to finish")
    assert_each_stored_once(app, tap, saved)


def test_what_the_worker_writes_down_reads_in_the_language_her_pages_last_showed(
        app, context, page, live_server, login, world):
    tap = SyncTap(app, answer=lambda body, n: ("503 SERVICE UNAVAILABLE", {"error": "test"}))
    login("liaison")
    page.goto(f"{live_server.url}/checkin?lang=en")  # she reads the app in English
    wait_for_worker(page)
    context.set_offline(True)
    page.fill("#note", "Visited before the storm")
    page.get_by_role("button", name="Save check-in", exact=True).click()
    page.wait_for_function("(document.querySelector('[data-outbox-status]') || {}).textContent?.startsWith('Saved')")
    [worker] = context.service_workers
    devtools = WorkerDevTools(context)
    registration = devtools.registration_id(f"{live_server.url}/")
    page.close()
    context.set_offline(False)

    devtools.dispatch_sync(live_server.url, registration)
    eventually(devtools.page, lambda: len(tap.answered) >= 1, what="the worker to try")
    eventually(devtools.page, lambda: worker_status(worker) == "failed", what="the worker's run to give up")
    assert worker_message(worker) == "Temporary server error (503)"
    [kept] = worker.evaluate("FuxinOutbox.store.allRecords()")
    assert kept["last_error"] == "Temporary server error (503)" and stored_ids() == []
