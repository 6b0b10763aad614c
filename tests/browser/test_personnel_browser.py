"""The grade ledger and the reserve pool in Chromium: every page a leader opens fits a 360 px
phone and the 1024 px tablet at the centre, every control a finger tall; and a community
worker reads her own grade, a young cadre his own candidacy, on their profiles."""
from datetime import date

from fuxin_pwa.grades.services import set_post
from fuxin_pwa.reserve.services import nominate
from fuxin_pwa.timeutil import local_today
from tests.browser.conftest import OWN_CHECKS, PHONE, TABLET, assert_fits
from tests.browser.test_outbox import log_in


def test_the_grade_and_reserve_pages_fit_a_phone_and_a_tablet(browser, live_server, world):
    set_post(world.community_worker, "deputy", date(2015, 3, 1))
    candidate = nominate(world.leader, world.cadre, local_today(), "防汛值守中带队坚守一线")
    for viewport in (PHONE, TABLET):
        context = browser.new_context(**OWN_CHECKS, viewport=viewport, locale="zh-CN", has_touch=True)
        try:
            page = context.new_page()
            log_in(page, live_server.url, "leader")
            for path in ("/grades/", f"/grades/{world.community_worker.id}", f"/grades/{world.community_worker.id}/post",
                         "/reserve/", "/reserve/nominate", f"/reserve/{candidate.id}",
                         f"/people/{world.community_worker.id}", f"/people/{world.cadre.id}",
                         f"/people/{world.community_worker.id}/photo/edit"):
                response = page.goto(live_server.url + path)
                assert response.status == 200, path
                assert_fits(page, viewport["width"])
        finally:
            context.close()
    for username, shows in (("community", "薪级"), ("cadre", "后备")):
        context = browser.new_context(**OWN_CHECKS, viewport=PHONE, locale="zh-CN", has_touch=True)
        try:
            page = context.new_page()
            log_in(page, live_server.url, username)
            page.goto(f"{live_server.url}/people/me")
            assert shows in page.locator("main").inner_text()
            assert_fits(page, PHONE["width"])
        finally:
            context.close()
