"""Weekly coverage in Chromium: a liaison checks in offline on her phone; once the outbox has
synced, the leader's matrix on the service-centre tablet (1024×768) shows her village
visited, and tapping the cell brings its evidence in without a reload."""
import re

from playwright.sync_api import expect

from fuxin_pwa.field.models import CheckIn
from tests.browser.test_outbox import eventually, log_in, rows, save_checkin, wait_outbox_empty
from tests.browser.conftest import OWN_CHECKS

TABLET = {"width": 1024, "height": 768}


def test_a_liaisons_offline_checkin_once_synced_turns_her_village_visited_on_the_leaders_matrix(
        browser, context, page, live_server, login, world):
    login("liaison")
    page.goto(f"{live_server.url}/checkin")
    page.select_option("#place_id", str(world.village_a.id))
    expect(page.locator("[data-geo-status]")).to_contain_text("已定位 ±18 米")
    context.set_offline(True)
    save_checkin(page, "暴雨前入村，查看低洼户")  # into the outbox: no network
    assert rows(CheckIn) == []

    context.set_offline(False)  # the outbox syncs on `online`
    eventually(page, lambda: len(rows(CheckIn)) == 1)
    wait_outbox_empty(page)

    tablet = browser.new_context(**OWN_CHECKS, viewport=TABLET, locale="zh-CN")
    board = tablet.new_page()
    log_in(board, live_server.url, "leader")
    board.goto(f"{live_server.url}/coverage/")
    east = board.locator('[data-person="liaison"][data-place="东村"]')
    expect(east).to_have_class(re.compile(r"\bis-visited\b"))
    expect(east).to_contain_text("已入村 1 次")
    expect(board.locator('[data-person="liaison_b"][data-place="西村"]')).to_contain_text("未入村")
    expect(board.locator("#uncovered")).not_to_contain_text("东村 村")

    board.evaluate("window.__samePage = true")  # gone if the tap reloads or navigates
    east.click()
    panel = board.locator("#coverage-evidence-body")
    expect(panel).to_contain_text("暴雨前入村，查看低洼户")
    expect(panel).to_contain_text("±18 米")
    expect(panel).to_contain_text("赵包村 · 东村")
    assert board.evaluate("window.__samePage === true")
    assert board.url == f"{live_server.url}/coverage/"
    # On the tablet the panel sits beside the matrix, in view: the page does not jump.
    box = board.locator("#coverage-evidence").bounding_box()
    assert box["x"] > TABLET["width"] / 2 and box["y"] < TABLET["height"]
    assert board.evaluate("window.scrollY") == 0
    tablet.close()


def test_on_a_phone_a_leader_reaches_one_liaison_among_many_with_one_tap(browser, live_server, world):
    from tests.factories import make_user
    for i in range(40):
        make_user(f"lx{i:02d}", role="village_liaison", name=f"包村{i:02d}号", places=[world.village_a])
    phone = browser.new_context(**OWN_CHECKS, viewport={"width": 360, "height": 740}, locale="zh-CN")
    page = phone.new_page()
    log_in(page, live_server.url, "leader")
    page.goto(f"{live_server.url}/coverage/")
    row = page.locator("#cov-lx39")
    expect(row).not_to_be_in_viewport()  # far down a long matrix
    page.locator(".cov-names").get_by_role("link", name="包村39号", exact=True).click()
    expect(row).to_be_in_viewport()
    expect(row).to_contain_text("包村39号")
    box = page.locator(".cov-names a").first.bounding_box()
    assert box["height"] >= 44  # a finger's target
    phone.close()
