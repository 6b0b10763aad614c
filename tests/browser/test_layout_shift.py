"""Nothing moves under the thumb: every field page of every field demo login, loaded on a
phone over Lighthouse's slow 4G with a 4× slower CPU, shifts its layout by at most 0.05 in
the first 5 s after load; and when a poll brings the person a new dispatch, the 签到 button
stays where the thumb is aiming.

The sum is the page's own `layout-shift` entries (the Layout Instability API that Lighthouse's
CLS is made of), leaving out those within 0.5 s of the person's own input, as CLS does."""
import re

import pytest
import sqlalchemy as sa
from playwright.sync_api import expect

from tests.browser.conftest import FUXIN_CENTRE, OWN_CHECKS, PHONE

FIELD_LOGINS = ("liaison", "cadre", "grid", "community")
FIELD_PAGES = ("/", "/checkin", "/log", "/my/record", "/requests/", "{request}", "/cases/", "/outbox")
LIMIT = 0.05
SETTLE_MS = 5000
# Lighthouse's mobile "slow 4G" as DevTools applies it (its devtools throttling constants).
SLOW_4G = {"offline": False, "latency": 562.5, "downloadThroughput": 1474.56 * 1024 / 8,
           "uploadThroughput": 675 * 1024 / 8}
CPU_SLOWDOWN = 4

# Installed before any script of the page: sums every shift from the first paint on.
COUNT_SHIFTS = """
window.__shifts = [];
new PerformanceObserver((list) => {
  for (const e of list.getEntries()) {
    if (!e.hadRecentInput) window.__shifts.push({value: e.value, at: e.startTime,
      nodes: (e.sources || []).map(s => s.node ? (s.node.id || s.node.className || s.node.nodeName) : '?')});
  }
}).observe({type: 'layout-shift', buffered: true});
"""


def phone(browser, server, username):
    context = browser.new_context(**OWN_CHECKS, viewport=PHONE, locale="zh-CN", geolocation=FUXIN_CENTRE,
                                  permissions=["geolocation"], has_touch=True)
    context.add_init_script(COUNT_SHIFTS)
    page = context.new_page()
    page.goto(f"{server.url}/login")
    page.fill("#username", username)
    page.fill("#password", "fuxin2024")
    page.click("button[type=submit]")
    page.wait_for_url(lambda url: "/login" not in url)
    return context, page


def throttle(page):
    cdp = page.context.new_cdp_session(page)
    cdp.send("Network.enable")
    cdp.send("Network.emulateNetworkConditions", SLOW_4G)
    cdp.send("Emulation.setCPUThrottlingRate", {"rate": CPU_SLOWDOWN})
    return cdp


def a_request_of_mine(context, server):
    html = context.request.get(f"{server.url}/requests/").text()
    found = re.search(r'href="(/requests/\d+)"', html)
    assert found, "every field demo login can open at least one request"
    return found.group(1)


def shifts(page):
    return page.evaluate("window.__shifts")


def total(entries):
    return round(sum(e["value"] for e in entries), 4)


@pytest.mark.parametrize("username", FIELD_LOGINS)
def test_no_field_page_moves_while_it_loads_on_a_slow_phone(browser, demo_server, username):
    context, first = phone(browser, demo_server, username)
    try:
        found = load_side_by_side(context, first, demo_server)
    finally:
        context.close()
    over = {path: (total(e), e) for path, e in found.items() if total(e) > LIMIT}
    assert not over, f"{username}: layout shift over {LIMIT}: {over}"


def load_side_by_side(context, first, demo_server):
    paths = [p.format(request=a_request_of_mine(context, demo_server)) for p in FIELD_PAGES]
    # The pages load side by side, one tab each, each on its own throttled link.
    tabs = [first] + [context.new_page() for _ in paths[1:]]
    for tab in tabs:
        throttle(tab)
    for tab, path in zip(tabs, paths):
        tab.goto(demo_server.url + path, wait_until="commit")
    for tab in tabs:
        tab.wait_for_load_state("load", timeout=30000)
    tabs[-1].wait_for_timeout(SETTLE_MS)
    return {path: shifts(tab) for tab, path in zip(tabs, paths)}


@pytest.mark.app_config(WTF_CSRF_ENABLED=True, DISPATCH_POLL_SECONDS=1)
def test_a_new_dispatch_is_announced_by_a_bar_and_the_checkin_button_stays_under_the_thumb(
        page, live_server, login, world):
    from tests.browser.test_dispatch_browser import open_incident

    page.context.add_init_script(COUNT_SHIFTS)
    login("liaison")
    checkin = page.get_by_role("link", name="签到", exact=True).first
    aimed_at = checkin.bounding_box()
    bar = page.locator("[data-dispatch-news]")
    expect(bar).to_be_hidden()

    incident = open_incident(world)  # the leader sends her to the flooded junction
    expect(bar).to_be_visible(timeout=8000)  # the next poll (every second here) brings it
    expect(bar).to_contain_text("有新的调度任务，点此查看")
    assert checkin.bounding_box() == aimed_at
    assert page.locator("[data-dispatch-card]").count() == 0
    assert total(shifts(page)) <= LIMIT

    page.wait_for_function("document.querySelector('[data-dispatch-news]').classList.contains('is-armed')")
    bar.get_by_role("button").click()
    card = page.locator(f'[data-dispatch-card="{incident.id}"]')
    expect(card).to_be_in_viewport()
    expect(card).to_contain_text("解放路口")
    expect(bar).to_be_hidden()

    # Her state changed on the server (acknowledged from the tablet's list): the same card,
    # refreshed in place by the poll, with no bar.
    from fuxin_pwa.dispatch.models import Deployment
    from fuxin_pwa.extensions import db
    deployment = db.session.scalar(sa.select(Deployment))
    deployment.state = "received"
    db.session.commit()
    expect(card.locator("[data-dispatch-state]")).to_contain_text("收到", timeout=8000)
    expect(bar).to_be_hidden()
    assert total(shifts(page)) <= LIMIT
