"""三必访 in Chromium: the responsible leader, on his phone with no signal, records the care
visit from the card on his home; back online it is stored once and the card leaves his home.
And the profile, care and training pages fit a 360 px phone and a 1024 px tablet, every
control a thumb's height."""
import pytest
import sqlalchemy as sa

from fuxin_pwa.care.models import CareVisit
from fuxin_pwa.care.services import record_trigger
from fuxin_pwa.extensions import db
from fuxin_pwa.timeutil import local_today
from fuxin_pwa.training.services import create_session
from tests.browser.conftest import OWN_CHECKS, PHONE, TABLET, assert_fits
from tests.browser.test_outbox import eventually, log_in, rows, wait_outbox_empty
from tests.browser.test_pwa_shell import wait_for_cached_pages, wait_for_worker

@pytest.mark.app_config(WTF_CSRF_ENABLED=True)
def test_a_leader_offline_records_the_care_visit_from_his_home_and_back_online_it_is_stored_once(
        context, page, live_server, world):
    trigger = record_trigger(world.community_worker, world.community_worker.id, "hospitalised", local_today(),
                             "阑尾炎手术住院", world.leader.id)
    base = live_server.url
    log_in(page, base, "leader")
    page.goto(f"{base}/?field=1")
    wait_for_worker(page)
    page.reload()  # now through the worker, which keeps his home for offline use
    wait_for_cached_pages(page, ["/?field=1"])
    card = page.locator("#home-care")
    assert "吴社工" in card.inner_text() and "患病住院" in card.inner_text()

    context.set_offline(True)
    response = page.reload()
    assert response.from_service_worker
    card = page.locator("#home-care")
    card.locator("summary").click()
    form = card.locator("form.care-visit-form")
    form.locator("input[name=visitors]").fill("刘书记、街道工会主席")
    form.locator("textarea[name=brought]").fill("到医院看望，送去慰问金和水果")
    form.locator("textarea[name=follow_up]").fill("出院后帮助申请困难职工补助")
    form.locator("button[type=submit]").click()
    form.locator("[data-outbox-status]").filter(has_text="已保存").wait_for()
    assert rows(CareVisit) == []  # nothing reached the server yet
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]

    context.set_offline(False)  # the outbox sends it
    eventually(page, lambda: len(rows(CareVisit)) == 1, what="the care visit")
    wait_outbox_empty(page)
    [visit] = rows(CareVisit)
    assert (visit.trigger_id, visit.user_id, visit.source, visit.visitors) == (
        trigger.id, world.leader.id, "sync", "刘书记、街道工会主席")
    assert visit.follow_up == "出院后帮助申请困难职工补助"
    page.goto(f"{base}/?field=1")
    assert page.locator("#home-care").count() == 0  # nothing owed any more
    db.session.expire_all()
    assert db.session.scalar(sa.select(sa.func.count(CareVisit.id))) == 1


def test_the_new_pages_fit_a_phone_and_a_tablet(browser, live_server, world):
    trigger = record_trigger(world.leader, world.grid.id, "hardship", local_today(), "家中房屋受损", world.leader.id)
    session = create_session(world.leader, "party_school", "街道党校：社会工作实务", local_today(), 3, "党群服务中心",
                             "王老师", ["community_worker", "grid_worker"], [world.cadre.id])
    for viewport in (PHONE, TABLET):
        context = browser.new_context(**OWN_CHECKS, viewport=viewport, locale="zh-CN", has_touch=True)
        try:
            page = context.new_page()
            log_in(page, live_server.url, "leader")
            for path in ("/people/", f"/people/{world.grid.id}", "/care/", f"/care/{trigger.id}", "/care/new",
                         "/training/", "/training/new", f"/training/{session.id}", "/training/teams",
                         "/training/reports", f"/training/people/{world.grid.id}/credentials", "/?field=1"):
                page.goto(live_server.url + path)
                assert_fits(page, viewport["width"])
            if viewport is not TABLET:
                continue
            # At the tablet, the organiser marks him present with one tap, in place.
            page.goto(f"{live_server.url}/training/{session.id}")
            row = page.locator(f"#attendance-{world.cadre.id}")
            row.get_by_role("button", name="未到").click()
            row.get_by_role("button", name="已到").wait_for()
        finally:
            context.close()
