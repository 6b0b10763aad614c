"""On a 360 px phone in Chromium: the liaison's two taps from home to a saved check-in."""
import sqlalchemy as sa

from fuxin_pwa.extensions import db
from fuxin_pwa.field.models import CheckIn
from tests.browser.conftest import OWN_CHECKS


def test_liaison_checks_in_with_two_taps_and_her_position(page, live_server, login, world):
    login("liaison")
    page.get_by_role("link", name="签到", exact=True).first.click()       # tap 1
    page.wait_for_url("**/checkin")
    page.wait_for_function("document.querySelector('[data-geo=lat]').value !== ''")
    assert "已定位 ±18 米" in page.inner_text("[data-geo-status]")
    page.get_by_role("button", name="保存签到").click()                    # tap 2
    page.wait_for_url(f"{live_server.url}/")
    assert "已保存签到" in page.inner_text("main")
    assert "本周已入村" in page.inner_text("main")
    db.session.expire_all()
    stored = db.session.scalars(sa.select(CheckIn)).all()
    assert len(stored) == 1
    assert round(stored[0].lat, 4) == 37.4968 and stored[0].accuracy_m == 18
    assert stored[0].place_id == world.village_a.id
    # Nothing on the page is wider than the phone.
    assert page.evaluate("document.documentElement.scrollWidth") <= 360


def test_checkin_with_location_denied_still_saves_as_no_location(browser, live_server, world):
    context = browser.new_context(**OWN_CHECKS, viewport={"width": 360, "height": 740}, locale="zh-CN")
    page = context.new_page()
    page.goto(f"{live_server.url}/login")
    page.fill("#username", "liaison")
    page.fill("#password", "fuxin2024")
    page.click("button[type=submit]")
    page.wait_for_url(f"{live_server.url}/")
    page.goto(f"{live_server.url}/checkin")
    # No permission, no fix: saving never waits for a position.
    page.get_by_role("button", name="保存签到").click()
    page.wait_for_url(f"{live_server.url}/")
    db.session.expire_all()
    stored = db.session.scalar(sa.select(CheckIn))
    assert stored is not None and stored.lat is None
    context.close()


def test_my_record_search_filters_as_you_type(page, live_server, login, world):
    from tests.factories import make_checkin
    make_checkin(world.liaison, world.village_a, note="修路协调")
    make_checkin(world.liaison, world.village_a, note="防汛巡查")
    login("liaison")
    page.goto(f"{live_server.url}/my/record")
    page.locator("#q").press_sequentially("防汛")
    page.wait_for_function("!document.querySelector('#record-list').textContent.includes('修路协调')")
    assert "防汛巡查" in page.inner_text("#record-list")
    assert "q=%E9%98%B2%E6%B1%9B" in page.url  # the search is in the address, shareable and reloadable


def test_a_boosted_form_with_errors_shows_them_and_keeps_the_text(page, live_server, login, world):
    login("liaison")
    page.goto(f"{live_server.url}/log")
    page.select_option("#kind", "resident_visit")
    page.fill("#summary", "走访了三户")
    page.fill("#next_step_on", "2001-01-01")
    page.get_by_role("button", name="保存").click()
    page.wait_for_selector("text=下一步日期不能早于本次走访日期")
    assert page.input_value("#summary") == "走访了三户"


def test_an_expired_session_during_a_search_takes_the_whole_page_to_login(page, context, live_server, login, world):
    login("liaison")
    page.goto(f"{live_server.url}/my/record")
    context.clear_cookies()  # the session ends while the page is open
    page.locator("#q").press_sequentially("东村")
    page.wait_for_url(lambda url: "/login?next=" in url)
    assert page.locator("h1").inner_text() == "登录福新外勤"
    assert page.locator("#record-list").count() == 0  # not a login form inside the list
