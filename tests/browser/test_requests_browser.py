"""A resident request's whole life in Chromium, with CSRF on as in production: raised at the
centre's tablet, assigned, visited twice in the field with no signal, resolved at the tablet.

Two browsers: the leader's tablet (1024×768 landscape) and the liaison's phone. Every step
goes through the pages' own forms and the outbox; what the server stored is read from the
database (expire_all first), not from what a page says."""
import time
from datetime import timedelta

import pytest
import sqlalchemy as sa

from fuxin_pwa.extensions import db
from fuxin_pwa.field.models import TaskLog
from fuxin_pwa.requests.models import ASSIGNED, IN_PROGRESS, RESOLVED, RequestEvent, ResidentRequest
from fuxin_pwa.timeutil import utcnow
from tests.browser.conftest import FUXIN_CENTRE, OWN_CHECKS, PHONE

TABLET = {"width": 1024, "height": 768}


def eventually(page, check, timeout=15.0, what="the server"):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        db.session.expire_all()
        if check():
            return
        page.wait_for_timeout(100)
    raise AssertionError(f"timed out waiting for {what}")


def log_in(page, base, username):
    page.goto(f"{base}/login")
    page.fill("#username", username)
    page.fill("#password", "fuxin2024")
    page.click("button[type=submit]")
    page.wait_for_url(lambda url: "/login" not in url)


def the_request():
    db.session.expire_all()
    return db.session.scalar(sa.select(ResidentRequest))


def saved(page, form):
    """Tap the form's button and wait for its own 已保存 line (the outbox has it on disk)."""
    form.locator("button[type=submit]").click()
    form.locator("[data-outbox-status]").filter(has_text="已保存").wait_for()


@pytest.mark.app_config(WTF_CSRF_ENABLED=True)
def test_a_request_raised_at_the_tablet_assigned_visited_twice_offline_and_resolved_shows_its_whole_timeline(
        browser, live_server, world):
    base = live_server.url
    tablet_context = browser.new_context(**OWN_CHECKS, viewport=TABLET, locale="zh-CN", has_touch=True)
    phone_context = browser.new_context(**OWN_CHECKS, viewport=PHONE, locale="zh-CN", has_touch=True,
                                        geolocation=FUXIN_CENTRE, permissions=["geolocation"])
    tablet, phone = tablet_context.new_page(), phone_context.new_page()

    # A resident walks into the centre: the leader takes the request down at the tablet.
    log_in(tablet, base, "leader")
    tablet.goto(f"{base}/requests/new")
    tablet.fill("#resident_name", "张大妈")
    tablet.fill("#resident_phone", "13812345678")
    tablet.select_option("#place_id", str(world.village_a.id))
    tablet.select_option("#category", "facility_repair")
    tablet.fill("#description", "屋顶漏水，雨天屋里滴水")
    tablet.get_by_role("button", name="登记", exact=True).click()
    tablet.wait_for_url(f"{base}/requests/")  # synced at once, then on to the board
    req = the_request()
    assert (req.resident_name, req.place_id, req.user_id) == ("张大妈", world.village_a.id, world.leader.id)
    assert req.due_at - req.occurred_at == timedelta(days=7)
    assert "138****5678" in tablet.inner_text("#request-list")

    # Seven days went by with nothing done: the request is overdue on the board.
    req.due_at = utcnow() - timedelta(days=2)
    db.session.commit()
    tablet.goto(f"{base}/requests/?status=overdue")
    assert "张大妈" in tablet.inner_text("#request-list") and "已超期 2 天" in tablet.inner_text("#request-list")
    assert "已超期 1 件" in tablet.inner_text("main")

    # The leader assigns it to the village's liaison cadre.
    tablet.goto(f"{base}/requests/{req.id}")
    assign = tablet.locator("form.action-assign")
    assign.locator("select[name=assignee_id]").select_option(str(world.liaison.id))
    assign.locator("textarea[name=note]").fill("请尽快上门查看")
    assign.get_by_role("button", name="派单").click()
    tablet.wait_for_function("document.querySelector('#case-status').textContent.includes('已派单')")
    eventually(tablet, lambda: the_request().status == ASSIGNED, what="the assignment")
    assert the_request().assignee_id == world.liaison.id
    assert tablet.evaluate("document.documentElement.scrollWidth") <= TABLET["width"]

    # In the field: the liaison opens the request, loses the signal, and logs two trips.
    log_in(phone, base, "liaison")
    phone.wait_for_selector("#home-requests >> text=张大妈")  # waiting on her home (loaded by htmx), overdue
    assert "已超期" in phone.locator("#home-requests").inner_text()
    phone.goto(f"{base}/requests/{req.id}")
    assert "138****5678" in phone.inner_text("#case-facts")  # masked until she needs it
    phone.get_by_role("button", name="查看完整号码").click()  # hers to call: one tap, logged
    phone.wait_for_selector("#case-facts a[href='tel:13812345678']")
    phone_context.set_offline(True)
    visit = phone.locator("form.visit-form")
    visit.locator("textarea[name=summary]").fill("第一次上门：屋顶瓦片破损，联系维修队")
    saved(phone, visit)
    visit.locator("[data-outbox-status]").evaluate("el => { el.textContent = ''; }")
    visit.locator("textarea[name=summary]").fill("第二次上门：陪同维修队修好屋顶")
    saved(phone, visit)
    db.session.expire_all()
    assert db.session.scalars(sa.select(TaskLog)).all() == []  # nothing reached the server yet
    assert phone.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]

    phone_context.set_offline(False)  # the outbox sends both
    eventually(phone, lambda: len(db.session.scalars(sa.select(TaskLog)).all()) == 2, what="the two visits")
    visits = db.session.scalars(sa.select(TaskLog).order_by(TaskLog.occurred_at)).all()
    assert all((v.request_id, v.source, v.user_id) == (req.id, "sync", world.liaison.id) for v in visits)
    assert all(v.kind.code == "request_followup" and v.place_id == world.village_a.id for v in visits)
    assert the_request().status == IN_PROGRESS

    # Back at the centre: the roof is fixed, the leader resolves the request.
    tablet.goto(f"{base}/requests/{req.id}")
    close = tablet.locator("form.action-close")
    close.locator("select[name=to_status]").select_option(RESOLVED)
    close.locator("textarea[name=note]").fill("屋顶已修好，群众确认")
    close.get_by_role("button", name="办结").click()
    eventually(tablet, lambda: the_request().status == RESOLVED, what="the resolution")
    tablet.wait_for_function("document.querySelector('#case-status').textContent.includes('已办结')")

    timeline = tablet.inner_text("#visits")
    # The first visit started the work: in progress comes right after it.
    steps = ["登记诉求", "派给 赵包村", "第一次上门：屋顶瓦片破损", "已派单 → 办理中",
             "第二次上门：陪同维修队修好屋顶", "办理中 → 已办结"]
    positions = [timeline.find(step) for step in steps]
    assert -1 not in positions, dict(zip(steps, positions))
    assert positions == sorted(positions)  # in the order it happened
    assert "冲突" not in timeline
    db.session.expire_all()
    assert [(e.action, e.user_id) for e in db.session.scalars(sa.select(RequestEvent).order_by(RequestEvent.id))] == [
        ("assign", world.leader.id), ("start", world.liaison.id), ("close", world.leader.id)]

    # …and it has left the overdue list.
    tablet.goto(f"{base}/requests/?status=overdue")
    assert "张大妈" not in tablet.inner_text("#request-list")
    assert "没有超期的诉求" in tablet.inner_text("main")
    tablet_context.close()
    phone_context.close()
