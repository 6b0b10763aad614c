"""Emergency dispatch in Chromium, CSRF on: the leader's board (a 1024×768 tablet) and the
dispatched liaison's phone, side by side. The board polls every second here
(DISPATCH_POLL_SECONDS), so the test waits seconds, not the 15 s of production."""
import pytest
import sqlalchemy as sa
from playwright.sync_api import expect

from fuxin_pwa.dispatch.models import ASSIGNED, Deployment, Incident, IncidentAck, Post
from fuxin_pwa.extensions import db
from fuxin_pwa.timeutil import utcnow
from tests.browser.conftest import FUXIN_CENTRE, OWN_CHECKS
from tests.browser.test_outbox import wait_outbox_empty

TABLET = {"width": 1024, "height": 768}


def open_incident(world):
    incident = Incident(kind="flood", title="8·5 夜间暴雨", area="东村低洼路段", created_by_id=world.leader.id,
                        started_at=utcnow())
    db.session.add(incident)
    db.session.flush()
    post = Post(incident_id=incident.id, name="解放路口", place_id=world.village_a.id,
                lat=FUXIN_CENTRE["latitude"], lon=FUXIN_CENTRE["longitude"])
    db.session.add(post)
    db.session.flush()
    db.session.add(Deployment(incident_id=incident.id, user_id=world.liaison.id, post_id=post.id, state=ASSIGNED,
                              state_at=utcnow(), assigned_at=utcnow()))
    db.session.commit()
    return incident


def acks():
    db.session.expire_all()
    return [a.state for a in db.session.scalars(sa.select(IncidentAck).order_by(IncidentAck.occurred_at))]


def leader_board(browser, live_server, incident):
    context = browser.new_context(**OWN_CHECKS, viewport=TABLET, locale="zh-CN")
    board = context.new_page()
    board.goto(f"{live_server.url}/login")
    board.fill("#username", "leader")
    board.fill("#password", "fuxin2024")
    board.click("button[type=submit]")
    board.wait_for_url(lambda url: "/login" not in url)
    board.goto(f"{live_server.url}/dispatch/{incident.id}")
    board.evaluate("window.__samePage = true")  # gone if the board reloads or navigates
    return context, board


@pytest.mark.app_config(WTF_CSRF_ENABLED=True, DISPATCH_POLL_SECONDS=1)
def test_a_dispatched_persons_acknowledgements_appear_on_the_board_without_a_reload(
        browser, page, live_server, login, world):
    incident = open_incident(world)
    context, board = leader_board(browser, live_server, incident)
    row = board.locator('[data-person="liaison"] .person-state')
    expect(row).to_contain_text("待确认")

    login("liaison")  # her phone's home, with the incident's card on top
    card = page.locator(f'[data-dispatch-card="{incident.id}"]')
    expect(card).to_contain_text("解放路口")
    expect(card.locator("[data-dispatch-state]")).to_contain_text("待确认")

    card.get_by_role("button", name="收到", exact=True).click()
    expect(row).to_contain_text("收到", timeout=8000)
    expect(card.locator("[data-dispatch-state]")).to_contain_text("收到")  # her card follows the server
    card.get_by_role("button", name="出发", exact=True).click()
    expect(row).to_contain_text("出发", timeout=8000)

    assert board.evaluate("window.__samePage") is True
    assert acks() == ["received", "en_route"]
    expect(board.locator('[data-count="en_route"] strong')).to_have_text("1")
    context.close()


@pytest.mark.app_config(WTF_CSRF_ENABLED=True, DISPATCH_POLL_SECONDS=1)
def test_arriving_with_no_signal_is_kept_and_reaches_the_board_with_the_position_once_online(
        browser, page, live_server, login, world):
    incident = open_incident(world)
    login("liaison")
    card = page.locator(f'[data-dispatch-card="{incident.id}"]')
    expect(card).to_contain_text("解放路口")

    page.context.set_offline(True)
    card.get_by_role("button", name="到岗", exact=True).click()
    pending = card.locator("[data-dispatch-pending]")
    expect(pending).to_be_visible()
    expect(pending).to_contain_text("已保存，待同步")
    expect(pending).to_contain_text("到岗")
    expect(card.get_by_role("button", name="到岗", exact=True)).to_be_hidden()
    expect(card.get_by_role("button", name="撤离", exact=True)).to_be_visible()  # still there, offline
    assert acks() == []  # nothing reached the server

    page.context.set_offline(False)
    wait_outbox_empty(page)
    expect(card.locator("[data-dispatch-state]")).to_contain_text("到岗", timeout=8000)
    expect(pending).to_be_hidden()
    db.session.expire_all()
    arrival = db.session.scalar(sa.select(IncidentAck))
    assert (arrival.state, arrival.source, round(arrival.lat, 4), arrival.accuracy_m) == (
        "on_site", "sync", round(FUXIN_CENTRE["latitude"], 4), FUXIN_CENTRE["accuracy"])

    context, board = leader_board(browser, live_server, incident)
    row = board.locator('[data-person="liaison"] .person-state')
    expect(row).to_contain_text("到岗")
    expect(row).to_contain_text("到岗定位 ±18 米")
    expect(row).to_contain_text("距岗位 0 米")
    context.close()


@pytest.mark.app_config(WTF_CSRF_ENABLED=True)
def test_a_leader_sets_up_posts_and_a_group_on_the_tablet_without_a_reload(browser, live_server, world):
    incident = Incident(kind="flood", title="8·5 夜间暴雨", created_by_id=world.leader.id, started_at=utcnow())
    db.session.add(incident)
    db.session.commit()
    context, board = leader_board(browser, live_server, incident)
    expect(board.locator("#board-live")).to_contain_text("还没有岗位和人员")

    board.fill("#post-name", "解放路口")
    board.get_by_role("button", name="添加岗位").click()
    expect(board.locator("#board")).to_contain_text("已添加岗位「解放路口」")

    board.fill("#group-name", "第一组")
    board.select_option("#group-post_id", label="解放路口")
    board.fill("#member-filter", "赵")  # the filter narrows the long list of staff
    expect(board.locator("label[data-member]:visible")).to_have_count(1)
    board.locator("label[data-member]:visible input").check()
    board.get_by_role("button", name="建立小组").click()
    expect(board.locator("#board")).to_contain_text("已建立小组「第一组」")

    post = board.locator("[data-post]", has_text="解放路口")
    expect(post.locator('[data-person="liaison"]')).to_contain_text("待确认")
    assert board.evaluate("window.__samePage") is True
    db.session.expire_all()
    deployment = db.session.scalar(sa.select(Deployment))
    assert (deployment.user_id, deployment.post.name, deployment.group.name) == (world.liaison.id, "解放路口", "第一组")
    context.close()


@pytest.mark.app_config(WTF_CSRF_ENABLED=True)
def test_a_report_from_the_post_goes_through_the_outbox_tied_to_its_incident(page, live_server, login, world):
    from fuxin_pwa.field.models import TaskLog

    incident = open_incident(world)
    login("liaison")
    page.locator(f'[data-dispatch-card="{incident.id}"]').get_by_role("link", name="报告现场情况（可附照片）").click()
    page.wait_for_url(f"**/dispatch/{incident.id}/report")
    page.fill("#summary", "积水约40厘米，已设置警示桩")
    page.get_by_role("button", name="提交报告").click()
    page.wait_for_url(f"{live_server.url}/")  # synced at once: on to the home, as the online form would
    db.session.expire_all()
    log = db.session.scalar(sa.select(TaskLog))
    assert (log.incident_id, log.kind.code, log.place_id, log.source) == (
        incident.id, "flood_duty", world.village_a.id, "sync")
