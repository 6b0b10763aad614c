"""The outbox and the sync client in Chromium, against the real app.

Every test counts what the server stored (rows, after expire_all), not what the page says:
the proof of exactly once is on the server's side. Offline is `context.set_offline(True)`
with the forms loaded before (no service worker needed, no reload while offline)."""
import base64
import io
import json
import re
import threading
import time
from datetime import timedelta

import pytest
import sqlalchemy as sa

from fuxin_pwa.extensions import db
from fuxin_pwa.field.models import CheckIn, TaskLog
from fuxin_pwa.timeutil import utcnow
from tests.browser.conftest import CHROMIUM, CHROMIUM_ARGS, FUXIN_CENTRE, OWN_CHECKS, PHONE

FAST_RETRY = "window.FUXIN_SYNC_BACKOFF_MS = 200;"


# --- helpers ------------------------------------------------------------------------------

def rows(model, **where):
    db.session.expire_all()
    return db.session.scalars(sa.select(model).filter_by(**where)).all()


def photo_model(app):
    """The photo table. The upload route must be there: a test that needs it fails, never skips."""
    assert any(rule.rule.endswith("/photos/<photo_id>") for rule in app.url_map.iter_rules()), \
        "PUT /api/v1/records/<id>/photos/<id> is missing"
    from fuxin_pwa.photos.models import Photo
    return Photo


def eventually(page, check, timeout=15.0, what="the server to hold the records"):
    """Poll a server-side condition while the page keeps running."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if check():
            return
        page.wait_for_timeout(100)
    raise AssertionError(f"timed out waiting for {what}")


def outbox(page):
    return page.evaluate("FuxinOutbox.store.allRecords()")


def wait_outbox_empty(page, timeout=15000):
    """Until the page's outbox holds nothing. (Not wait_for_function: it does not await a
    promise, and a promise is truthy, so it would return at once.)"""
    deadline = time.monotonic() + timeout / 1000
    while page.evaluate("FuxinOutbox.store.allRecords().then(r => r.length)"):
        assert time.monotonic() < deadline, "timed out waiting for the outbox to empty"
        page.wait_for_timeout(50)


def log_in(page, base, username="liaison"):
    page.goto(f"{base}/login")
    page.fill("#username", username)
    page.fill("#password", "fuxin2024")
    page.click("button[type=submit]")
    page.wait_for_url(lambda url: "/login" not in url)


def save(page, button):
    """Tap save and wait for this save's 已保存 (the line is cleared first)."""
    page.bring_to_front()  # a background tab gets no animation frames: clicks there crawl
    status = page.locator("[data-outbox-status]")
    if status.count():
        status.evaluate("el => { el.textContent = ''; }")
    page.get_by_role("button", name=button, exact=True).click()
    page.wait_for_function(
        "(document.querySelector('[data-outbox-status]') || {}).textContent?.startsWith('已保存')")


def save_checkin(page, note):
    page.fill("#note", note)
    save(page, "保存签到")


def save_task_log(page, summary, **fields):
    page.select_option("#kind", fields.pop("kind", "resident_visit"))
    page.fill("#summary", summary)
    for name, value in fields.items():
        page.fill(f"#{name}", value)
    save(page, "保存")


def badge_text(page):
    return page.locator("[data-outbox-badge-text]").inner_text()


def wait_badge(page, text):
    """The badge follows IndexedDB (and the other tabs) a moment after each change."""
    page.wait_for_function("t => document.querySelector('[data-outbox-badge-text]').textContent.includes(t)",
                           arg=text)


# Every text the outbox badge shows, in order, however briefly.
RECORD_BADGE = """
window.__badgeSeen = [];
document.addEventListener("DOMContentLoaded", () => {
  const el = document.querySelector("[data-outbox-badge-text]");
  if (el) new MutationObserver(() => window.__badgeSeen.push(el.textContent))
    .observe(el, {childList: true, characterData: true, subtree: true});
});
"""


def big_photo(tmp_path, name="photo.jpg", size=(4000, 3000)):
    """A 12 MP JPEG, as a phone camera makes."""
    from PIL import Image
    image = Image.linear_gradient("L").resize(size).convert("RGB")
    path = tmp_path / name
    image.save(path, "JPEG", quality=90)
    return path


class SyncTap:
    """Test-only WSGI middleware in front of the app: logs every POST /api/v1/sync body and
    can answer some of them itself (a 500, a 403, a 413) before the app sees them."""

    def __init__(self, app, answer=None):
        self.inner = app.wsgi_app
        self.answer = answer
        self.bodies, self.answered = [], []
        self.lock = threading.Lock()
        app.wsgi_app = self

    def __call__(self, environ, start_response):
        if environ.get("PATH_INFO") == "/api/v1/sync" and environ.get("REQUEST_METHOD") == "POST":
            raw = environ["wsgi.input"].read(int(environ.get("CONTENT_LENGTH") or 0))
            environ["wsgi.input"] = io.BytesIO(raw)
            body = json.loads(raw)
            with self.lock:
                canned = self.answer(body, len(self.bodies) + len(self.answered)) if self.answer else None
                (self.answered if canned else self.bodies).append(body)
            if canned:
                status, payload, headers = (canned + ([],))[:3]
                start_response(status, [("Content-Type", "application/json"), *headers])
                return [json.dumps(payload).encode()]
        return self.inner(environ, start_response)

    def sent_ids(self):
        return [r["id"] for body in self.bodies for r in body["records"]]


# --- the stories --------------------------------------------------------------------------

def test_offline_two_checkins_and_a_task_log_with_a_photo_reach_the_server_once(
        app, context, page, live_server, login, world, tmp_path):
    login("liaison")
    page.goto(f"{live_server.url}/checkin")
    log_page = context.new_page()
    log_page.goto(f"{live_server.url}/log")
    context.set_offline(True)

    save_checkin(page, "入村走访一")
    save_checkin(page, "入村走访二")
    log_page.set_input_files("#photos", str(big_photo(tmp_path)))
    log_page.wait_for_selector("[data-outbox-thumbs] img")
    save_task_log(log_page, "走访三户，讲解防汛政策")

    # Scaled on the phone: what IndexedDB holds is a JPEG of at most 1600 px.
    kept = log_page.evaluate("""async () => {
        const rec = (await FuxinOutbox.store.allRecords()).find(r => r.type === 'task_log');
        const [p] = await FuxinOutbox.store.photosOf(rec.id);
        return {n: rec.photos.length, w: p.width, h: p.height, type: p.blob.type, size: p.blob.size};
    }""")
    assert kept["n"] == 1 and max(kept["w"], kept["h"]) == 1600 and kept["type"] == "image/jpeg"
    assert kept["size"] < 1_000_000
    wait_badge(page, "待同步 3 条")
    wait_badge(log_page, "待同步 3 条")  # the other tab hears of it too
    assert badge_text(page) == "待同步 3 条"
    assert rows(CheckIn) == [] and rows(TaskLog) == []

    context.set_offline(False)  # fires `online` in both pages
    eventually(page, lambda: len(rows(CheckIn)) == 2 and len(rows(TaskLog)) == 1)
    wait_outbox_empty(page)
    assert sorted(c.note for c in rows(CheckIn)) == ["入村走访一", "入村走访二"]
    assert all(c.source == "sync" and c.lat == 37.4968 for c in rows(CheckIn))
    wait_badge(page, "已全部同步")

    photos = rows(photo_model(app))
    assert len(photos) == 1
    assert photos[0].record_uuid == rows(TaskLog)[0].uuid
    assert max(photos[0].width, photos[0].height) == 1600


def test_two_tabs_coming_online_at_once_send_each_record_once(app, context, page, live_server, login, world):
    tap = SyncTap(app)
    login("liaison")
    page.goto(f"{live_server.url}/checkin")
    other = context.new_page()
    other.goto(f"{live_server.url}/checkin")
    context.set_offline(True)
    save_checkin(page, "一号标签页 第一条")
    save_checkin(page, "一号标签页 第二条")
    save_checkin(other, "二号标签页")

    context.set_offline(False)  # both tabs hear `online` at the same moment
    eventually(page, lambda: len(rows(CheckIn)) == 3)
    wait_outbox_empty(page)
    # The second tab's run (or a new one, if it is over) resolves once it is done: after the
    # lock it finds nothing left to send.
    assert other.evaluate("FuxinOutbox.sync.run('manual')") == "ok"
    assert len(rows(CheckIn)) == 3
    ids = tap.sent_ids()
    assert sorted(ids) == sorted(c.uuid for c in rows(CheckIn))  # each sent once: the lock, not luck


def test_the_network_back_while_an_offline_run_is_ending_still_sends_the_record(
        app, context, page, live_server, login, world):
    # The save's own run finds the phone offline; the network comes back while that run is
    # still writing down "offline". The `online` it heard then must get a run of its own,
    # not wait for the next minute's tick. Background Sync is left out: the page alone.
    login("liaison")
    page.goto(f"{live_server.url}/checkin")
    page.evaluate("FuxinOutbox.sync.run('manual')")  # the start's sync is over
    page.evaluate("""() => {
        FuxinOutbox.sync.registerBackground = () => Promise.resolve(false);
        const store = FuxinOutbox.store, setMeta = store.setMeta;
        window.__gate = new Promise(open => { window.__openGate = open; });
        store.setMeta = (key, value) => {
            if (key !== 'status' || !value || value.state !== 'offline') return setMeta(key, value);
            window.__atGate = true;
            return window.__gate.then(() => setMeta(key, value));
        };
    }""")
    context.set_offline(True)
    save_checkin(page, "恢复网络时仍在离线同步中")
    page.wait_for_function("window.__atGate === true")
    context.set_offline(False)
    page.wait_for_function("navigator.onLine")
    page.evaluate("window.__openGate()")

    eventually(page, lambda: len(rows(CheckIn)) == 1, timeout=10)
    wait_outbox_empty(page)


def test_a_server_error_on_the_first_sync_is_retried_and_stores_once(app, context, page, live_server, login, world):
    tap = SyncTap(app, answer=lambda body, n: ("500 INTERNAL SERVER ERROR", {"error": "test"}) if n == 0 else None)
    context.add_init_script("window.FUXIN_SYNC_BACKOFF_MS = 300;")  # not 5 s
    context.add_init_script(RECORD_BADGE)  # the retry may replace the failure's words before a poll sees them
    login("liaison")
    page.goto(f"{live_server.url}/checkin")
    context.set_offline(True)
    save_checkin(page, "第一次同步会失败")
    context.set_offline(False)

    # Retried by itself. A loaded machine may add a failed attempt or two (the network not yet
    # back when `online` fires), each doubling the wait: the time-out leaves room for those.
    eventually(page, lambda: len(rows(CheckIn)) == 1, timeout=30)
    wait_outbox_empty(page)
    assert "同步失败，稍后重试" in page.evaluate("window.__badgeSeen")  # she was told, before the retry
    assert page.evaluate("FuxinOutbox.sync.run('manual')") == "ok"  # a run now finds nothing to send
    assert len(tap.answered) == 1 and len(tap.bodies) == 1  # refused once, sent again once, nothing after
    assert tap.answered[0]["records"][0]["id"] == tap.bodies[0]["records"][0]["id"] == rows(CheckIn)[0].uuid
    assert len(rows(CheckIn)) == 1


@pytest.mark.app_config(WTF_CSRF_ENABLED=True)
def test_a_session_that_ended_offline_asks_to_log_in_and_drains_after(app, context, page, live_server, login, world):
    tap = SyncTap(app)
    login("liaison")
    page.goto(f"{live_server.url}/checkin")
    context.set_offline(True)
    save_checkin(page, "会话过期前保存")
    context.clear_cookies()  # the session ends while the phone is offline
    context.set_offline(False)

    wait_badge(page, "请重新登录")
    assert "/login?next=%2Fcheckin" in page.get_attribute("[data-outbox-badge]", "href")
    assert len(outbox(page)) == 1 and rows(CheckIn) == []
    page.click("[data-outbox-badge]")
    page.wait_for_url("**/login?next=*")
    page.fill("#username", "liaison")
    page.fill("#password", "fuxin2024")
    page.click("button[type=submit]")
    page.wait_for_url(f"{live_server.url}/checkin")

    eventually(page, lambda: len(rows(CheckIn)) == 1)  # nobody saved it again
    wait_outbox_empty(page)
    stored = rows(CheckIn)[0]
    assert stored.note == "会话过期前保存" and stored.user_id == world.liaison.id
    assert tap.sent_ids() == [stored.uuid]


def test_a_refused_record_waits_on_the_outbox_page_and_syncs_once_fixed(app, page, live_server, login, world):
    login("liaison")
    page.goto(f"{live_server.url}/log")
    save_task_log(page, "约谈户主，约定下次再谈", next_step_on="2001-01-01")
    # Refused (a next step before the visit): back in the form with the server's words...
    page.wait_for_selector("form[data-outbox] >> text=下一步日期不能早于本次走访日期")
    assert rows(TaskLog) == []

    # ...and kept on the device, under 需处理, until fixed.
    page.goto(f"{live_server.url}/outbox")
    item = page.locator("[data-outbox-attention] .outbox-item")
    item.wait_for()
    assert "下一步日期：下一步日期不能早于本次走访日期" in item.inner_text()
    wait_badge(page, "需处理 1 条")
    item.get_by_role("button", name="修改").click()
    later = (utcnow() + timedelta(days=7)).date().isoformat()
    item.get_by_label("下一步日期").fill(later)
    item.get_by_role("button", name="保存并重新同步").click()

    eventually(page, lambda: len(rows(TaskLog)) == 1)
    wait_outbox_empty(page)
    stored = rows(TaskLog)[0]
    assert stored.next_step_on.isoformat() == later and stored.summary == "约谈户主，约定下次再谈"
    page.wait_for_selector("[data-outbox-synced] >> text=服务器接收于")


def test_a_phone_clock_two_days_behind_is_corrected_and_flagged(app, context, page, live_server, login, world):
    # The phone's Date runs two days behind the real time.
    context.add_init_script("""(() => {
        const shift = -2 * 24 * 3600 * 1000, Real = Date;
        class Shifted extends Real {
            constructor(...a) { if (a.length) super(...a); else super(Real.now() + shift); }
            static now() { return Real.now() + shift; }
        }
        window.Date = Shifted;
    })();""")
    login("liaison")
    page.goto(f"{live_server.url}/checkin")
    context.set_offline(True)
    save_checkin(page, "手机时间不准")
    context.set_offline(False)

    eventually(page, lambda: len(rows(CheckIn)) == 1)
    stored = rows(CheckIn)[0]
    assert stored.clock_corrected is True
    assert abs(stored.occurred_at - utcnow()) < timedelta(minutes=2)
    assert abs(stored.device_occurred_at - (utcnow() - timedelta(days=2))) < timedelta(minutes=2)


def test_nothing_is_lost_when_the_browser_restarts_with_a_full_outbox(app, browser_type, live_server, world, tmp_path):
    profile = tmp_path / "phone-profile"

    def launch():
        return browser_type.launch_persistent_context(
            str(profile), executable_path=CHROMIUM, args=CHROMIUM_ARGS, viewport=PHONE, locale="zh-CN", **OWN_CHECKS,
            geolocation=FUXIN_CENTRE, permissions=["geolocation"])

    phone = launch()
    page = phone.pages[0] if phone.pages else phone.new_page()
    log_in(page, live_server.url)
    page.goto(f"{live_server.url}/checkin")
    phone.set_offline(True)
    save_checkin(page, "重启前一")
    save_checkin(page, "重启前二")
    phone.close()  # the browser is closed (or killed by the phone) with the outbox full

    phone = launch()
    page = phone.pages[0] if phone.pages else phone.new_page()
    page.route("**/api/v1/sync", lambda route: route.abort())  # hold the sync until we looked
    page.goto(f"{live_server.url}/outbox")
    page.wait_for_selector("[data-outbox-queue] .outbox-item")
    kept = outbox(page)
    assert sorted(r["data"]["note"] for r in kept) == ["重启前一", "重启前二"]
    assert rows(CheckIn) == []

    page.unroute("**/api/v1/sync")
    page.goto(f"{live_server.url}/login?next=/outbox")
    if page.locator("#username").count():  # the session cookie may or may not survive a restart
        page.fill("#username", "liaison")
        page.fill("#password", "fuxin2024")
        page.click("button[type=submit]")
        page.wait_for_url("**/outbox")
    else:
        page.goto(f"{live_server.url}/outbox")
    page.get_by_role("button", name="立即同步").click()
    eventually(page, lambda: len(rows(CheckIn)) == 2)
    wait_outbox_empty(page)
    assert sorted(c.uuid for c in rows(CheckIn)) == sorted(r["id"] for r in kept)
    phone.close()


def test_export_downloads_everything_unsent_in_the_outbox_file_format(app, context, page, live_server, login, world,
                                                                      tmp_path):
    login("liaison")
    page.goto(f"{live_server.url}/checkin")
    outbox_page = context.new_page()
    outbox_page.goto(f"{live_server.url}/outbox")
    context.set_offline(True)
    page.set_input_files("#photos", str(big_photo(tmp_path, size=(800, 600))))
    page.wait_for_selector("[data-outbox-thumbs] img")
    save_checkin(page, "带照片的签到")
    save_checkin(page, "没有照片")

    button = outbox_page.get_by_role("button", name=re.compile("导出未同步记录"))
    outbox_page.wait_for_selector("button:has-text('导出未同步记录（2 条）')")
    with outbox_page.expect_download() as download:
        button.click()
    doc = json.loads(open(download.value.path(), encoding="utf-8").read())
    assert set(doc) == {"format", "exported_at", "device_id", "user", "records"}
    assert doc["format"] == "fuxin-outbox/1" and doc["user"] == {"username": "liaison"}
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d[+-]\d\d:\d\d", doc["exported_at"])
    assert re.fullmatch(r"[0-9a-f-]{36}", doc["device_id"])
    by_note = {r["data"]["note"]: r for r in doc["records"]}
    assert set(by_note) == {"带照片的签到", "没有照片"}
    first = by_note["带照片的签到"]
    assert set(first) == {"id", "type", "occurred_at", "data", "photos"} and first["type"] == "checkin"
    assert first["data"]["place_id"] == world.village_a.id and isinstance(first["data"]["lat"], float)
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d[+-]\d\d:\d\d", first["occurred_at"])
    [photo] = first["photos"]
    assert photo["type"] == "image/jpeg" and base64.b64decode(photo["data"])[:2] == b"\xff\xd8"
    assert by_note["没有照片"]["photos"] == []


@pytest.mark.app_config(WTF_CSRF_ENABLED=True)
def test_a_stale_csrf_token_is_refreshed_and_the_batch_sent_again(app, context, page, live_server, login, world):
    tap = SyncTap(app, answer=lambda body, n: ("403 FORBIDDEN", {"error": "csrf"}) if n == 0 else None)
    login("liaison")
    page.goto(f"{live_server.url}/checkin")
    context.set_offline(True)
    save_checkin(page, "令牌过期")
    context.set_offline(False)
    eventually(page, lambda: len(rows(CheckIn)) == 1)
    wait_outbox_empty(page)
    assert len(tap.answered) == 1 and len(tap.bodies) == 1


def test_a_batch_too_large_is_split_until_it_fits(app, context, page, live_server, login, world):
    too_large = ("413 REQUEST ENTITY TOO LARGE", {"error": "too_large"})
    tap = SyncTap(app, answer=lambda body, n: too_large if len(body["records"]) > 1 else None)
    login("liaison")
    page.goto(f"{live_server.url}/checkin")
    context.set_offline(True)
    for i in range(3):
        save_checkin(page, f"第{i + 1}条")
    context.set_offline(False)
    eventually(page, lambda: len(rows(CheckIn)) == 3)
    wait_outbox_empty(page)
    assert sorted(len(b["records"]) for b in tap.bodies) == [1, 1, 1]


def test_another_persons_records_wait_for_them_on_a_shared_phone(app, context, page, live_server, login, world):
    login("liaison")
    page.goto(f"{live_server.url}/checkin")
    context.set_offline(True)
    save_checkin(page, "赵包村的签到")
    context.clear_cookies()
    context.set_offline(False)

    log_in(page, live_server.url, "liaison_b")  # a colleague logs in on the same phone
    page.goto(f"{live_server.url}/outbox")
    page.get_by_role("button", name="立即同步").click()
    page.wait_for_selector("[data-outbox-queue] >> text=账号 l****n 有 1 条记录在本机等待同步")
    assert "赵包村的签到" not in page.inner_text("main")  # hers to read, not the colleague's
    page.evaluate("FuxinOutbox.sync.run('manual')")  # resolves when the colleague's run is over
    assert rows(CheckIn) == []

    context.clear_cookies()  # the colleague hands the phone back
    log_in(page, live_server.url, "liaison")
    eventually(page, lambda: len(rows(CheckIn)) == 1)
    assert rows(CheckIn)[0].user_id == world.liaison.id


def test_a_rate_limited_sync_waits_as_long_as_the_server_asks(app, context, page, live_server, login, world):
    busy = ("429 TOO MANY REQUESTS", {"error": "rate_limited"}, [("Retry-After", "1")])
    tap = SyncTap(app, answer=lambda body, n: busy if n == 0 else None)
    context.add_init_script(FAST_RETRY)  # Retry-After wins over the (short) backoff
    login("liaison")
    page.goto(f"{live_server.url}/checkin")
    context.set_offline(True)
    save_checkin(page, "服务器忙")
    context.set_offline(False)
    refused_at = time.monotonic()
    eventually(page, lambda: len(rows(CheckIn)) == 1)
    assert time.monotonic() - refused_at >= 0.9
    assert len(tap.answered) == 1 and len(tap.bodies) == 1


def test_without_javascript_the_check_in_form_posts_as_before(browser, live_server, world):
    context = browser.new_context(**OWN_CHECKS, viewport=PHONE, locale="zh-CN", java_script_enabled=False)
    page = context.new_page()
    log_in(page, live_server.url)
    page.goto(f"{live_server.url}/checkin")
    assert not page.locator("[data-outbox-photos]").is_visible()  # photos need the outbox
    page.fill("#note", "没有脚本也能签到")
    page.get_by_role("button", name="保存签到").click()
    page.wait_for_url(f"{live_server.url}/")
    [stored] = rows(CheckIn)
    assert stored.note == "没有脚本也能签到" and stored.source == "web"
    context.close()


def test_the_sync_engine_runs_in_a_worker_as_background_sync_would_run_it(app, page, live_server, login, world):
    # The service worker importScripts the store and the engine and calls run() from its
    # `sync` event (test_background_sync.py); a dedicated worker proves they need no DOM.
    login("liaison")
    page.goto(f"{live_server.url}/outbox")
    page.evaluate("""(place) => FuxinOutbox.store.saveRecord({id: FuxinOutbox.store.uuid(), type: 'checkin',
        occurred_at: FuxinOutbox.store.isoLocal(new Date()), data: {place_id: place, note: '后台同步'},
        owner: 'liaison', photos: [], state: 'queued', created_at: Date.now(), attempts: 0})""", world.village_a.id)
    said = page.evaluate("""async (base) => {
        const source = `importScripts('${base}/static/js/outbox-store.js', '${base}/static/js/outbox-sync.js');
            onmessage = async () => postMessage(await FuxinOutbox.sync.run('background'));`;
        const worker = new Worker(URL.createObjectURL(new Blob([source], {type: 'text/javascript'})));
        return await new Promise(done => { worker.onmessage = e => done(e.data); worker.postMessage('sync'); });
    }""", live_server.url)
    assert said == "ok"
    [stored] = rows(CheckIn)
    assert stored.note == "后台同步"
    wait_outbox_empty(page)


@pytest.mark.app_config(PHOTO_QUOTA_BYTES=1000)
def test_a_full_photo_quota_is_shown_in_the_servers_words_and_the_record_kept(app, context, page, live_server,
                                                                                login, world, tmp_path):
    login("liaison")
    page.goto(f"{live_server.url}/checkin")
    context.set_offline(True)
    page.set_input_files("#photos", str(big_photo(tmp_path, size=(800, 600))))
    page.wait_for_selector("[data-outbox-thumbs] img")
    save_checkin(page, "照片存不下")
    context.set_offline(False)

    eventually(page, lambda: len(rows(CheckIn)) == 1)  # the record itself is stored
    page.goto(f"{live_server.url}/outbox")
    page.wait_for_selector("[data-outbox-attention] >> text=照片存储已满")
    assert "请联系管理员" in page.inner_text("[data-outbox-attention]")
    assert len(outbox(page)) == 1  # the photo waits on the phone, never dropped
