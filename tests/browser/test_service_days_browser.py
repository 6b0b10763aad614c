"""定点便民服务 in Chromium, at the centre's tablet: the staff tally residents served with a
tap each while the signal is gone, including three haircuts in a row and a paper count
entered by hand; back online every tap is stored once and the numbers on the buttons stay
what they were. And the service-day pages fit a 360 px phone and a 1024 px tablet."""
from datetime import time

import pytest
import sqlalchemy as sa

from fuxin_pwa.extensions import db
from fuxin_pwa.service_days.models import ServiceKind, ServiceTally
from fuxin_pwa.service_days.services import DayInput, save_day
from fuxin_pwa.timeutil import local_today
from tests.browser.conftest import OWN_CHECKS, PHONE, TABLET, assert_fits
from tests.browser.test_outbox import eventually, log_in, rows, wait_outbox_empty
from tests.browser.test_pwa_shell import wait_for_cached_pages, wait_for_worker

def a_day(world, codes=("haircut", "clinic")):
    kinds = [db.session.scalar(sa.select(ServiceKind).where(ServiceKind.code == c)).id for c in codes]
    return save_day(world.leader, DayInput("东村便民服务日", world.village_a.id, local_today(), time(8, 30), time(11, 30),
                                           kinds, [], "区医院志愿者", None))


def shown(page, day, service):
    return page.locator(f'[data-tally-total][data-day="{day.id}"][data-service="{service}"]').inner_text()


def served(day):
    found = {}
    for t in rows(ServiceTally, day_id=day.id):
        code = db.session.get(ServiceKind, t.kind_id).code
        found[code] = found.get(code, 0) + t.count
    return found


@pytest.mark.app_config(WTF_CSRF_ENABLED=True)
def test_the_tablet_offline_tallies_each_resident_and_back_online_each_is_stored_once(
        browser, live_server, world):
    day = a_day(world)
    base = live_server.url
    context = browser.new_context(**OWN_CHECKS, viewport=TABLET, locale="zh-CN", has_touch=True)
    try:
        page = context.new_page()
        log_in(page, base, "liaison")
        page.goto(f"{base}/service-days/tally")
        wait_for_worker(page)
        wait_for_cached_pages(page, ["/service-days/tally"])

        context.set_offline(True)
        response = page.reload()
        assert response.from_service_worker
        haircut = page.locator(f"#day-{day.id} form[data-tally]").filter(has_text="理发").locator("button")
        for _ in range(3):  # three residents in a row: three taps, none taken for a double tap
            haircut.click()
        page.locator(f"#day-{day.id} form[data-tally]").filter(has_text="义诊").locator("button").click()
        page.wait_for_function(f"""document.querySelector('[data-day="{day.id}"][data-service="haircut"]')
                                   .textContent === '3'""")
        assert shown(page, day, "clinic") == "1"
        assert "未同步 3" in haircut.inner_text()
        # Fifteen more checked on the clinic's paper sheet, entered at once.
        page.locator(f"#day-{day.id} details.tally-more summary").click()
        more = page.locator(f"#day-{day.id} details.tally-more form")
        more.locator("select[name=service]").select_option("clinic")
        more.locator("input[name=count]").fill("15")
        more.locator("input[name=note]").fill("纸质登记表补录")
        more.locator("button[type=submit]").click()
        page.wait_for_function(f"""document.querySelector('[data-day="{day.id}"][data-service="clinic"]')
                                   .textContent === '16'""")
        assert rows(ServiceTally) == []  # nothing reached the server yet
        assert page.evaluate("document.documentElement.scrollWidth") <= TABLET["width"]

        context.set_offline(False)  # the outbox sends them
        eventually(page, lambda: len(rows(ServiceTally)) == 5, what="the five tallies")
        wait_outbox_empty(page)
        assert served(day) == {"haircut": 3, "clinic": 16}
        # The buttons still say what was served: the server's count now, nothing twice.
        page.wait_for_function(f"""document.querySelector('[data-day="{day.id}"][data-service="haircut"]')
                                   .parentNode.querySelector('[data-tally-waiting]').hidden""")
        assert (shown(page, day, "haircut"), shown(page, day, "clinic")) == ("3", "16")
        page.reload()
        assert (shown(page, day, "haircut"), shown(page, day, "clinic")) == ("3", "16")
        page.wait_for_timeout(300)
        assert len(rows(ServiceTally)) == 5
    finally:
        context.close()


@pytest.mark.app_config(WTF_CSRF_ENABLED=True)
def test_a_request_heard_at_the_tablet_with_no_signal_names_the_day_once_synced(browser, live_server, world):
    from fuxin_pwa.requests.models import ResidentRequest

    day = a_day(world)
    base = live_server.url
    context = browser.new_context(**OWN_CHECKS, viewport=TABLET, locale="zh-CN", has_touch=True)
    try:
        page = context.new_page()
        log_in(page, base, "liaison")
        page.goto(f"{base}/service-days/tally")
        wait_for_worker(page)
        wait_for_cached_pages(page, ["/service-days/tally", "/requests/new"])
        context.set_offline(True)
        page.reload()
        page.locator(f"#day-{day.id}").get_by_role("link", name="群众有诉求？登记诉求").click()
        page.wait_for_url(f"**/requests/new?service_day_id={day.id}")
        # A boosted link changes the address before the kept page is swapped in and enhanced.
        page.wait_for_function(f"document.querySelector('form[data-outbox=request] input[name=service_day_id]')"
                               f"?.value === '{day.id}'")
        form = page.locator("form[data-outbox=request]")
        page.fill("#resident_name", "李大爷")
        page.select_option("#place_id", str(world.village_a.id))
        page.select_option("#category", "policy_question")
        page.fill("#description", "咨询高龄补贴怎么申请")
        form.locator("button[type=submit]").click()
        form.locator("[data-outbox-status]").filter(has_text="已保存").wait_for()
        assert rows(ResidentRequest) == []
        context.set_offline(False)
        eventually(page, lambda: len(rows(ResidentRequest)) == 1, what="the request")
        [raised] = rows(ResidentRequest)
        assert (raised.service_day_id, raised.resident_name, raised.source) == (day.id, "李大爷", "sync")
    finally:
        context.close()


def test_the_service_day_pages_fit_a_phone_and_a_tablet(browser, live_server, world):
    day = a_day(world, codes=("haircut", "clinic", "legal", "policy", "errands"))
    for viewport in (PHONE, TABLET):
        context = browser.new_context(**OWN_CHECKS, viewport=viewport, locale="zh-CN", has_touch=True)
        try:
            page = context.new_page()
            log_in(page, live_server.url, "leader")
            for path in ("/service-days/", "/service-days/new", f"/service-days/{day.id}",
                         f"/service-days/{day.id}/edit", "/service-days/tally", f"/requests/new?service_day_id={day.id}"):
                page.goto(live_server.url + path)
                assert_fits(page, viewport["width"])
        finally:
            context.close()
