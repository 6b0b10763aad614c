"""Relaying a directive from the phone: the card on the home leads to the task log form,
and what the outbox sends names the directive and the people reached, online or offline,
also when the phone has had no signal since it was last opened, and also without the card,
from the place picked on the form."""
from datetime import timedelta

import sqlalchemy as sa
from playwright.sync_api import expect

from fuxin_pwa.directives.services import publish_directive
from fuxin_pwa.extensions import db
from fuxin_pwa.field.models import TaskLog
from fuxin_pwa.places.models import Assignment
from fuxin_pwa.timeutil import local_today
from tests.browser.conftest import OWN_CHECKS
from tests.browser.test_outbox import eventually, log_in, rows, save, wait_outbox_empty
from tests.browser.test_pwa_shell import poll, wait_for_cached_pages, wait_for_worker

FLOOD = "防汛安全隐患排查部署"


def test_a_liaison_relays_a_directive_offline_from_the_card_on_her_home(context, page, live_server, login, world):
    directive = publish_directive(world.leader, "防汛安全告知", "逐户告知转移路线", local_today() + timedelta(days=5),
                                  [world.village_a.id], False)
    login("liaison")
    card = page.get_by_role("link", name="待传达", exact=False).first
    assert "东村" in page.inner_text("main")
    card.click()
    page.wait_for_url(f"**/log?directive_id={directive.id}**")
    context.set_offline(True)
    page.fill("#summary", "村委会议室传达防汛安全告知")
    page.fill("#people_reached", "35")
    save(page, "保存")
    context.set_offline(False)

    eventually(page, lambda: len(rows(TaskLog)) == 1)
    [log] = rows(TaskLog)
    assert (log.directive_id, log.people_reached, log.place_id) == (directive.id, 35, world.village_a.id)


def _liaison_of_both_villages(world):
    """赵包村 covers 西村 too: with two places, her forms open with none picked."""
    db.session.add(Assignment(user_id=world.liaison.id, place_id=world.village_b.id))
    db.session.commit()


def _open_once_online(page, login, directives):
    """The one online visit: logged in, the worker keeps the pages, and the phone has the
    directives she has to relay from /api/v1/me."""
    login("liaison")
    wait_for_worker(page)
    wait_for_cached_pages(page, ["/", "/checkin", "/log"])
    poll(page, "(n) => FuxinOutbox.store.getMeta('me').then(m => !!m && m.body.directives.length === n)", directives)


def test_with_no_signal_since_she_last_opened_the_app_a_liaison_relays_from_the_card(
        browser, context, page, live_server, login, world):
    _liaison_of_both_villages(world)
    directive = publish_directive(world.leader, FLOOD, "逐户排查危旧房屋，明确转移路线",
                                  local_today() + timedelta(days=4), [world.village_a.id, world.village_b.id], False)
    _open_once_online(page, login, 1)
    context.set_offline(True)
    page.close()  # the app closed; later, still with no signal, she opens it again

    phone = context.new_page()
    response = phone.goto(f"{live_server.url}/")
    assert response.from_service_worker
    # 西村, not the place her forms open on: the card's place must be picked.
    phone.get_by_role("link", name="待传达 · 西村", exact=False).click()
    phone.wait_for_url(f"{live_server.url}/log?directive_id={directive.id}&place_id={world.village_b.id}")
    # The form the worker kept, opened for this relay as the server would have drawn it.
    expect(phone.locator("#place_id")).to_have_value(str(world.village_b.id))
    expect(phone.get_by_label(f"传达部署：{FLOOD}")).to_be_checked()
    expect(phone.locator("#kind")).to_have_value("briefing")
    expect(phone.locator("[data-relay-heading]")).to_contain_text(FLOOD)
    phone.fill("#summary", "西村村委会议室召开两委会议，传达防汛安全隐患排查部署")
    phone.fill("#people_reached", "35")
    save(phone, "保存")
    assert rows(TaskLog) == []

    phone.context.set_offline(False)
    eventually(phone, lambda: len(rows(TaskLog)) == 1)
    wait_outbox_empty(phone)

    leader = browser.new_context(**OWN_CHECKS, viewport={"width": 1024, "height": 768}, locale="zh-CN")
    try:
        desk = leader.new_page()
        log_in(desk, live_server.url, "leader")
        desk.goto(f"{live_server.url}/directives/{directive.id}")
        relayed = desk.locator("tr.is-relayed")
        expect(relayed).to_have_count(1)  # once, however the phone got it there
        for text in ("西村", world.liaison.name, "35"):
            expect(relayed).to_contain_text(text)
        expect(desk.locator("tr", has_text="东村")).to_contain_text("未传达")
        expect(desk.locator("main")).to_contain_text("1/2 村已传达")
    finally:
        leader.close()
    assert db.session.scalar(sa.select(sa.func.count(TaskLog.id)).where(TaskLog.directive_id == directive.id)) == 1


def test_offline_the_form_offers_the_directive_waiting_at_the_place_picked_by_hand(
        context, page, live_server, login, world):
    _liaison_of_both_villages(world)
    directive = publish_directive(world.leader, FLOOD, "逐户排查危旧房屋，明确转移路线",
                                  local_today() + timedelta(days=4), [world.village_b.id], False)
    _open_once_online(page, login, 1)
    context.set_offline(True)
    response = page.goto(f"{live_server.url}/log")
    assert response.from_service_worker

    choice = page.get_by_label(f"传达部署：{FLOOD}")
    people = page.locator("#people_reached")
    expect(page.locator("#place_id")).to_have_value(str(world.village_a.id))  # the form opens on 东村
    expect(page.locator("[data-relay-choice]")).to_be_hidden()  # where nothing waits to be relayed
    page.select_option("#place_id", str(world.village_b.id))
    expect(choice).to_be_visible()
    expect(choice).not_to_be_checked()
    expect(people).to_be_hidden()
    assert page.locator("label.check", has=choice).bounding_box()["height"] >= 44
    choice.check()
    expect(people).to_be_visible()
    expect(page.locator("#kind")).to_have_value("briefing")  # a relay is a briefing unless she chose
    page.select_option("#place_id", str(world.village_a.id))  # not there after all
    expect(page.locator("[data-relay-choice]")).to_be_hidden()
    page.select_option("#place_id", str(world.village_b.id))
    expect(choice).not_to_be_checked()
    choice.check()
    page.fill("#summary", "在西村党员群众代表会上传达防汛安全隐患排查部署")
    people.fill("12")
    save(page, "保存")
    # The fresh form for the next record is no relay.
    expect(page.locator("#summary")).to_have_value("")
    expect(people).to_be_hidden()

    context.set_offline(False)
    eventually(page, lambda: len(rows(TaskLog)) == 1)
    [log] = rows(TaskLog)
    assert (log.directive_id, log.people_reached, log.place_id) == (directive.id, 12, world.village_b.id)
    assert log.kind.code == "briefing"


def test_offline_a_link_with_arguments_the_page_cannot_show_gets_the_offline_page(page, live_server, login, world):
    _liaison_of_both_villages(world)
    _open_once_online(page, login, 0)
    page.context.set_offline(True)
    response = page.goto(f"{live_server.url}/log?case_id=1")
    assert response.from_service_worker and "当前无网络" in page.inner_text("main")
    # The home's 签到 for a place: the kept form, that place picked.
    response = page.goto(f"{live_server.url}/checkin?place_id={world.village_a.id}")
    assert response.from_service_worker
    expect(page.locator("#place_id")).to_have_value(str(world.village_a.id))
