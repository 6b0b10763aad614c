"""本月计划 with no signal: a grid worker opens the app once online, later logs a visit (or
checks in) at a household of her plan offline, and the home the service worker kept shows
one household fewer owed; back online the server counts the same."""
from playwright.sync_api import expect

from fuxin_pwa.extensions import db
from fuxin_pwa.field.models import CheckIn, TaskLog
from fuxin_pwa.places.models import Household
from fuxin_pwa.rounds.models import VisitRule
from fuxin_pwa.rounds.services import set_care_tags
from tests.browser.test_outbox import eventually, rows, save, save_task_log, wait_outbox_empty
from tests.browser.test_pwa_shell import poll, wait_for_cached_pages, wait_for_worker


def _plan(world):
    """Two 独居老人 households in her grid, a visit a month each."""
    second = Household(place_id=world.grid_c.id, address="万科第1网格5号", head_name="赵六")
    db.session.add(second)
    db.session.commit()
    set_care_tags(world.household_c, ["lives_alone"])
    set_care_tags(second, ["lives_alone"])
    db.session.add(VisitRule(team="grid_worker", care_tag="lives_alone", visits_per_month=1,
                             created_by_id=world.leader.id))
    db.session.commit()
    return world.household_c, second


def test_offline_a_visit_at_a_household_of_her_plan_takes_it_off_the_home(context, page, live_server, login, world):
    first, second = _plan(world)
    login("grid")
    wait_for_worker(page)
    wait_for_cached_pages(page, ["/", "/log"])
    poll(page, "() => FuxinOutbox.store.getMeta('me').then(m => !!m && m.body.plan.owed.length === 2)")

    context.set_offline(True)
    response = page.goto(f"{live_server.url}/")
    assert response.from_service_worker
    panel = page.locator("#home-rounds")
    expect(panel).to_contain_text("本月计划 0/2")
    panel.get_by_role("link", name=first.address, exact=False).click()
    page.wait_for_url(f"**/log?household_id={first.id}**")
    # The form the worker kept without the household: offered and picked from the phone's plan.
    expect(page.locator("#household_id")).to_have_value(str(first.id))
    expect(page.locator("#place_id")).to_have_value(str(first.place_id))
    save_task_log(page, "走访独居老人，身体情况良好")
    assert rows(TaskLog) == []

    response = page.goto(f"{live_server.url}/")
    assert response.from_service_worker
    expect(panel).to_contain_text("本月计划 1/2")
    expect(panel.locator("li.rounds-household")).to_have_count(1)
    expect(panel).to_contain_text(second.address)
    expect(panel).not_to_contain_text(first.address)

    context.set_offline(False)
    eventually(page, lambda: len(rows(TaskLog)) == 1)
    wait_outbox_empty(page)
    [log] = rows(TaskLog)
    assert log.household_id == first.id
    page.goto(f"{live_server.url}/")
    expect(panel).to_contain_text("本月计划 1/2")  # the server agrees
    expect(panel.locator("li.rounds-household")).to_have_count(1)
    expect(panel).not_to_contain_text(first.address)


def test_offline_a_check_in_at_a_household_of_her_plan_ticks_it_off(context, page, live_server, login, world):
    first, second = _plan(world)
    login("grid")
    wait_for_worker(page)
    wait_for_cached_pages(page, ["/", "/checkin"])
    poll(page, "() => FuxinOutbox.store.getMeta('me').then(m => !!m && m.body.plan.owed.length === 2)")

    context.set_offline(True)
    assert page.goto(f"{live_server.url}/").from_service_worker
    panel = page.locator("#home-rounds")
    panel.locator("li", has_text=second.address).get_by_role("link", name="入户签到").click()
    page.wait_for_url(f"**/checkin?household_id={second.id}**")
    expect(page.locator("#household_id")).to_be_visible()
    expect(page.locator("#household_id")).to_have_value(str(second.id))
    page.fill("#note", "入户看望")
    save(page, "保存签到")

    assert page.goto(f"{live_server.url}/").from_service_worker
    expect(panel).to_contain_text("本月计划 1/2")
    expect(panel).to_contain_text(first.address)
    expect(panel).not_to_contain_text(second.address)

    context.set_offline(False)
    eventually(page, lambda: len(rows(CheckIn)) == 1)
    wait_outbox_empty(page)
    assert rows(CheckIn)[0].household_id == second.id
    page.goto(f"{live_server.url}/")
    expect(panel).to_contain_text("本月计划 1/2")
    expect(panel).not_to_contain_text(second.address)
