"""The installable shell in Chromium: the phone installs the app, opens it with no signal,
and is offered a new release without losing what the outbox holds."""
import io
import time

from PIL import Image

from fuxin_pwa.pwa.shell import shell_version
from tests.factories import make_checkin

OFFLINE_PAGES = ["/", "/checkin", "/log", "/my/record"]


def wait_for_worker(page):
    """The worker is active and controls this page: only then does offline work."""
    page.evaluate("navigator.serviceWorker.ready.then(() => true)")
    page.wait_for_function("navigator.serviceWorker.controller !== null")


def poll(page, script, arg=None, timeout_s=10):
    """Until an async script in the page is true (wait_for_function does not await promises)."""
    deadline = time.monotonic() + timeout_s
    while not page.evaluate(script, arg):
        assert time.monotonic() < deadline, f"still false: {script}"
        page.wait_for_timeout(50)


def wait_for_cached_pages(page, paths):
    """Until the worker has stored these pages (it fetches them after the first page load)."""
    poll(page, """async (paths) => {
        for (const path of paths) {
          if (!(await caches.match(path, {ignoreVary: true}))) return false;
        }
        return true;
      }""", paths)


def cache_names(page):
    return page.evaluate("caches.keys()")


def test_the_app_is_installable_and_its_worker_controls_the_page(page, live_server, login, world):
    login("liaison")
    href = page.get_attribute("link[rel=manifest]", "href")
    response = page.request.get(live_server.url + href)
    assert response.ok and response.headers["content-type"] == "application/manifest+json"
    manifest = response.json()
    assert manifest["name"] == "福新外勤" and manifest["short_name"]
    assert manifest["display"] == "standalone" and manifest["lang"] == "zh-CN"
    assert manifest["start_url"] == "/" and manifest["scope"] == "/"
    assert manifest["theme_color"] == "#b22222" and manifest["background_color"]
    seen = set()
    for icon in manifest["icons"]:
        fetched = page.request.get(live_server.url + icon["src"])
        assert fetched.ok and fetched.headers["content-type"] == "image/png"
        width, height = Image.open(io.BytesIO(fetched.body())).size
        assert f"{width}x{height}" == icon["sizes"]
        seen.add((icon["sizes"], icon["purpose"]))
    assert {("192x192", "any"), ("512x512", "any"), ("512x512", "maskable")} <= seen
    touch_icon = page.get_attribute("link[rel=apple-touch-icon]", "href")
    assert Image.open(io.BytesIO(page.request.get(live_server.url + touch_icon).body())).size == (180, 180)

    wait_for_worker(page)
    assert page.evaluate("navigator.serviceWorker.ready.then(r => r.active.state)") == "activated"
    assert page.evaluate("navigator.serviceWorker.controller.scriptURL") == f"{live_server.url}/sw.js"

    # The install help is one tap away; it warns only if storage may be cleared.
    page.get_by_role("link", name="安装到手机").click()
    page.wait_for_url(f"{live_server.url}/install")
    persisted = page.evaluate("navigator.storage.persisted()")
    note = page.locator("[data-persist-note]")
    note.wait_for(state="hidden" if persisted else "visible")
    assert "在 Safari 中点分享 → 添加到主屏幕" in page.inner_text("main")


def test_a_liaison_opens_home_checkin_and_log_with_no_signal(page, live_server, login, world):
    login("liaison")  # the one online visit: the home page after logging in
    wait_for_worker(page)
    wait_for_cached_pages(page, OFFLINE_PAGES)
    page.goto(f"{live_server.url}/cases/")  # residents' households: never kept (no-store)
    page.goto(f"{live_server.url}/")
    wait_for_cached_pages(page, ["/"])
    page.context.set_offline(True)

    response = page.reload()
    assert response.from_service_worker
    assert page.get_by_role("link", name="签到", exact=True).first.is_visible()
    assert "我的包片" in page.inner_text("main")

    for path, button in (("/checkin", "保存签到"), ("/log", "保存")):
        response = page.goto(live_server.url + path)
        assert response.from_service_worker, path
        response = page.reload()
        assert response.from_service_worker, path
        assert page.locator("form[method=post] select#place_id").count() == 1
        assert page.get_by_role("button", name=button, exact=True).is_visible()

    # A boosted link still works: the worker answers htmx with the cached whole page.
    page.goto(live_server.url + "/")
    page.get_by_role("link", name="记一笔").first.click()
    page.wait_for_url(f"{live_server.url}/log")
    page.wait_for_selector("textarea#summary")

    # Visited online but never kept, or never opened: the offline page, with the way to the
    # pages that do work.
    response = page.goto(live_server.url + "/cases/")
    assert response.from_service_worker and "当前无网络" in page.inner_text("main")
    response = page.goto(live_server.url + "/cases/households")
    assert response.from_service_worker
    text = page.inner_text("main")
    assert "当前无网络" in text and "已保存的记录会在联网后自动同步" in text
    assert page.locator("main a[href='/checkin']").count() == 1

    # Read in English last, the app's offline page is English too.
    page.context.set_offline(False)
    page.goto(f"{live_server.url}/?lang=en")
    poll(page, "FuxinOutbox.store.getMeta('lang').then(l => l === 'en')")
    page.context.set_offline(True)
    response = page.goto(live_server.url + "/cases/households")
    assert response.from_service_worker and '<html lang="en">' in page.content()
    assert "You are offline" in page.inner_text("main") and "当前无网络" not in page.inner_text("main")

    # A POST is never answered from a cache: offline it fails, for the outbox to keep it.
    outcome = page.evaluate("""fetch('/checkin', {method: 'POST', body: new FormData()})
        .then(r => 'answered ' + r.status, () => 'failed')""")
    assert outcome == "failed"


def test_a_search_fragment_never_answers_a_whole_page(page, live_server, login, world):
    make_checkin(world.liaison, world.village_a, note="修路协调")
    make_checkin(world.liaison, world.village_a, note="防汛巡查")
    login("liaison")
    wait_for_worker(page)
    page.goto(f"{live_server.url}/my/record")
    page.locator("#q").press_sequentially("防汛")
    page.wait_for_function("!document.querySelector('#record-list').textContent.includes('修路协调')")
    assert "q=" in page.url  # the fragment's URL is now in the address bar
    assert page.evaluate("caches.match(location.href, {ignoreVary: true}).then(r => !!r)") is False
    page.context.set_offline(True)

    response = page.reload()  # that URL was only ever a fragment: no page for it offline
    assert response.from_service_worker
    assert "当前无网络" in page.inner_text("main")
    response = page.goto(f"{live_server.url}/my/record")  # the whole page, as it was cached
    assert response.from_service_worker
    assert page.locator("header.topbar").count() == 1 and "我近30天的记录" in page.inner_text("main")


def test_a_new_release_is_offered_and_the_outbox_survives_the_update(app, page, live_server, login, world):
    login("liaison")
    wait_for_worker(page)
    with app.test_request_context():
        old_version = shell_version()
    assert f"fuxin-shell-{old_version}" in cache_names(page)
    # Something waiting in the outbox, as the outbox keeps it (another database of ours).
    page.evaluate("""new Promise((resolve, reject) => {
        const open = indexedDB.open('fuxin-pwa-test-outbox', 1);
        open.onupgradeneeded = () => open.result.createObjectStore('records', {keyPath: 'id'});
        open.onsuccess = () => {
          const tx = open.result.transaction('records', 'readwrite');
          tx.objectStore('records').put({id: 'r-1', type: 'checkin'});
          tx.oncomplete = () => { open.result.close(); resolve(); };
        };
        open.onerror = () => reject(open.error);
    })""")

    databases = page.evaluate("indexedDB.databases().then(list => list.map(d => d.name))")

    app.config["ASSET_VERSION_SALT"] = "the next release"
    with app.test_request_context():
        new_version = shell_version()
    assert new_version != old_version
    page.reload()  # a navigation: the browser checks /sw.js and finds a new worker
    update = page.get_by_role("button", name="有新版本，点此更新")
    update.wait_for()
    assert page.evaluate("navigator.serviceWorker.controller !== null")

    page.evaluate("window.beforeUpdate = true")
    with page.expect_navigation():
        update.click()  # SKIP_WAITING → the new worker takes over → the page reloads
    assert page.evaluate("window.beforeUpdate === undefined")
    wait_for_worker(page)
    poll(page, f"caches.keys().then(k => !k.includes('fuxin-shell-{old_version}'))")
    names = cache_names(page)
    assert f"fuxin-shell-{new_version}" in names
    assert not any(old_version in name for name in names)
    assert page.get_by_role("button", name="有新版本，点此更新").count() == 0
    kept = page.evaluate("""new Promise((resolve) => {
        const open = indexedDB.open('fuxin-pwa-test-outbox', 1);
        open.onsuccess = () => {
          const get = open.result.transaction('records').objectStore('records').get('r-1');
          get.onsuccess = () => resolve(get.result);
        };
    })""")
    assert kept == {"id": "r-1", "type": "checkin"}
    # Every database there was (the real outbox, "fuxin-outbox", among them) is still there.
    after = page.evaluate("indexedDB.databases().then(list => list.map(d => d.name))")
    assert set(databases) <= set(after)


def test_after_logout_the_phone_shows_no_one_s_pages_offline(page, live_server, world):
    def log_in(username):
        page.goto(f"{live_server.url}/login")
        page.fill("#username", username)
        page.fill("#password", "fuxin2024")
        # Not remembered: with 记住我 ticked, logging out does not end the session today
        # (auth.logout clears the session after logout_user, losing its "clear the
        # remember cookie" mark). This test is about the worker's side of logging out.
        page.uncheck("#remember")
        page.click("button[type=submit]")
        page.wait_for_url(f"{live_server.url}/")

    log_in("liaison")
    wait_for_worker(page)
    wait_for_cached_pages(page, OFFLINE_PAGES)
    page.get_by_role("button", name="退出").click()
    page.wait_for_url("**/login")
    page.context.set_offline(True)
    response = page.goto(f"{live_server.url}/checkin")
    assert response.from_service_worker
    assert "当前无网络" in page.inner_text("main")
    assert world.liaison.name not in page.inner_text("body")

    # The next person on this phone gets their own pages.
    page.context.set_offline(False)
    log_in("cadre")
    wait_for_cached_pages(page, OFFLINE_PAGES)
    page.context.set_offline(True)
    page.goto(f"{live_server.url}/checkin")
    assert world.cadre.name in page.inner_text("header")


def test_the_offline_page_badge_counts_the_last_synced_persons_outbox(page, live_server, login, world):
    from tests.browser.test_outbox import save_checkin, wait_badge

    # Nobody has synced on this phone yet: the page names no one, so there is no badge.
    page.goto(f"{live_server.url}/offline")
    page.evaluate("FuxinOutbox.ui.renderBadge()")  # resolves once the badge is drawn
    assert page.locator("[data-outbox-badge]").is_hidden()

    login("liaison")
    wait_for_worker(page)
    page.goto(f"{live_server.url}/checkin")
    poll(page, "FuxinOutbox.store.getMeta('me').then(m => !!m)")  # /api/v1/me, kept in IndexedDB
    page.context.set_offline(True)
    save_checkin(page, "无网络时保存")
    page.evaluate("""(place) => FuxinOutbox.store.saveRecord({id: FuxinOutbox.store.uuid(), type: 'checkin',
        occurred_at: FuxinOutbox.store.isoLocal(new Date()), data: {place_id: place}, owner: 'liaison_b',
        photos: [], state: 'queued', created_at: Date.now(), attempts: 0})""", world.village_b.id)

    # Never opened: the offline page, cached without cookies, counts liaison's record only.
    response = page.goto(f"{live_server.url}/cases/households")
    assert response.from_service_worker and "当前无网络" in page.inner_text("main")
    assert page.get_attribute("[data-outbox-badge]", "data-outbox-user") == ""
    wait_badge(page, "待同步 1 条")
    assert page.locator("main [data-outbox-badge]").is_visible()
