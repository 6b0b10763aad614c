"""One phone, several people: whoever holds it next sees nothing of the last person's
residents — not in the outbox, not in the pages the service worker keeps, not in htmx's
history. Chromium against the real app, the worker included."""
import re

from tests.browser.test_outbox import save_checkin
from tests.browser.test_pwa_shell import OFFLINE_PAGES, poll, wait_for_cached_pages, wait_for_worker


def kept(page, path):
    return page.evaluate("p => caches.match(p, {ignoreVary: true}).then(r => !!r)", path)


def test_someone_not_logged_in_sees_how_many_records_wait_and_whose_never_what(context, page, live_server, login,
                                                                              world):
    login("liaison")
    page.goto(f"{live_server.url}/checkin")
    save_checkin(page, "已同步：张大爷家门口积水")  # online: sent, listed as synced, then home
    page.wait_for_url(f"{live_server.url}/")
    poll(page, "FuxinOutbox.store.recentSynced().then(s => s.length === 1)")
    page.goto(f"{live_server.url}/checkin")
    context.set_offline(True)
    save_checkin(page, "张大爷 13812345678 反映路灯坏了")
    page.evaluate("""FuxinOutbox.store.allRecords().then(([r]) => FuxinOutbox.store.putRecords([
        Object.assign({}, r, {id: FuxinOutbox.store.uuid(), state: 'needs_attention',
                              data: Object.assign({}, r.data, {note: '李奶奶 低保材料'}),
                              errors: {place_id: ['不在负责范围']}})]))""")
    context.clear_cookies()  # her session ends; the next person picks the phone up
    context.set_offline(False)

    page.goto(f"{live_server.url}/outbox")
    page.wait_for_selector("text=账号 l****n 有 2 条记录在本机等待同步")
    text = page.inner_text("main")
    for secret in ("张大爷", "13812345678", "李奶奶", "积水"):
        assert secret not in text, secret
    assert "liaison" not in text
    assert page.get_by_role("button", name=re.compile("导出未同步记录")).is_disabled()
    assert page.get_by_role("button", name="放弃").count() == 0
    assert page.get_by_role("button", name="修改").count() == 0
    assert "登录后可查看最近已同步的记录" in text
    login_link = page.get_by_role("link", name="登录", exact=True)
    assert login_link.get_attribute("href") == "/login?next=/outbox"

    # Back in, she sees and exports her own again.
    login_link.click()
    page.fill("#username", "liaison")
    page.fill("#password", "fuxin2024")
    page.click("button[type=submit]")
    page.wait_for_url(f"{live_server.url}/outbox")
    page.wait_for_selector("text=李奶奶 低保材料")
    assert page.get_by_role("button", name="放弃").count() == 1


def test_a_colleague_logged_in_on_the_phone_sees_the_count_not_the_records(context, page, live_server, login, world):
    login("liaison")
    page.goto(f"{live_server.url}/checkin")
    context.set_offline(True)
    save_checkin(page, "张大爷 13812345678")
    context.clear_cookies()
    context.set_offline(False)
    login("liaison_b")
    page.goto(f"{live_server.url}/outbox")
    page.wait_for_selector("text=账号 l****n 有 1 条记录在本机等待同步")
    assert "需该账号登录后才能查看、同步或导出" in page.inner_text("main")
    assert "张大爷" not in page.inner_text("main")
    assert page.get_by_role("button", name=re.compile("导出未同步记录")).is_disabled()


def test_a_residents_household_page_is_never_kept(page, live_server, login, world):
    login("liaison")
    wait_for_worker(page)
    wait_for_cached_pages(page, OFFLINE_PAGES)
    url = f"{live_server.url}/cases/households/{world.household_a.id}"
    response = page.goto(url)
    assert "张三" in page.inner_text("main")  # she covers 东村: she may see it
    assert "no-store" in response.headers["cache-control"]
    page.goto(f"{live_server.url}/")
    wait_for_cached_pages(page, ["/"])
    assert not kept(page, url)

    page.context.set_offline(True)
    response = page.goto(url)
    assert response.from_service_worker
    assert "当前无网络" in page.inner_text("main") and "张三" not in page.content()


def test_the_kept_pages_go_as_soon_as_the_server_says_the_session_has_ended(context, page, live_server, login,
                                                                            world):
    login("liaison")
    wait_for_worker(page)
    wait_for_cached_pages(page, OFFLINE_PAGES)
    context.clear_cookies()  # expired, or ended by a logout on another device
    page.evaluate("FuxinOutbox.sync.run('manual')")  # /api/v1/me answers 401
    poll(page, "caches.match('/my/record', {ignoreVary: true}).then(r => !r)")

    context.set_offline(True)
    page.goto(f"{live_server.url}/my/record")
    assert "当前无网络" in page.inner_text("main")


def test_the_kept_pages_go_when_the_session_is_someone_elses(context, page, live_server, login, world):
    login("liaison")
    wait_for_worker(page)
    wait_for_cached_pages(page, OFFLINE_PAGES)
    # A colleague's session arrives without a login page passing the worker (a cookie set
    # by another tab's login the worker did not see, say).
    context.clear_cookies()
    form = context.request.get(f"{live_server.url}/login").text()
    token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', form)
    data = {"username": "liaison_b", "password": "fuxin2024", **({"csrf_token": token.group(1)} if token else {})}
    assert context.request.post(f"{live_server.url}/login", form=data, max_redirects=0).status == 302
    page.evaluate("FuxinOutbox.sync.run('manual')")  # /api/v1/me answers for liaison_b
    poll(page, "caches.match('/my/record', {ignoreVary: true}).then(r => !r)")


def test_htmx_keeps_no_page_in_local_storage(page, live_server, login, world):
    login("liaison")
    page.get_by_role("link", name="一户一策").first.click()
    page.wait_for_url(f"{live_server.url}/cases/")
    page.get_by_role("link", name="首页").first.click()
    page.wait_for_url(f"{live_server.url}/")
    assert page.evaluate("localStorage.getItem('htmx-history-cache')") is None
