"""Weekly coverage in Chromium: a liaison checks in offline on her phone; once the outbox has
synced, the leader's matrix on the service-centre tablet (1024×768) shows her village
visited, and tapping the cell brings its evidence in without a reload."""
import re

from playwright.sync_api import expect

from fuxin_pwa.field.models import CheckIn
from tests.browser.test_outbox import eventually, log_in, rows, save_checkin, wait_outbox_empty

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

    tablet = browser.new_context(viewport=TABLET, locale="zh-CN")
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
