"""Emergency dispatch from the dispatched person's side: the card on their home, the
acknowledgements (收到 → 出发 → 到岗 → 撤离) with and without JS and through the sync, and
reports from the post."""
import re
import uuid
from datetime import timedelta

import sqlalchemy as sa

from fuxin_pwa.dispatch.models import ASSIGNED, CLOSED, EN_ROUTE, ON_SITE, RECEIVED, STOOD_DOWN, IncidentAck
from fuxin_pwa.extensions import db
from fuxin_pwa.field.models import TaskLog
from fuxin_pwa.timeutil import utcnow
from tests.test_dispatch import (HTMX, ack_record, count, deploy, iso, make_incident, make_post, person_row,
                                 reload, sync)


# --- The dispatched person's side -----------------------------------------------------------------

def test_the_home_draws_my_deployment_on_top_and_polls_for_news(client, auth, world):
    incident = make_incident(world)
    post = make_post(incident, "解放路口")
    deploy(incident, world.liaison, post)
    auth.login("liaison")
    html = client.get("/").get_data(as_text=True)
    # The card is in the page as served (no request after paint), above the two big buttons.
    assert html.index(f'data-dispatch-card="{incident.id}"') < html.index('class="actions"')
    assert "解放路口" in html and re.findall(r'<button type="submit" class="btn[^>]*>(.*?)</button>', html) == [
        "收到", "出发", "到岗", "撤离"]
    # Then refreshed by polling only: no "load" trigger that would fetch it again at once.
    assert 'hx-get="/dispatch/mine"' in html and 'hx-trigger="every 15s, dispatch-refresh"' in html
    assert f'data-dispatch-key="{incident.id}:{post.id}"' in html  # what a poll is compared by


def test_a_home_with_no_deployment_keeps_an_empty_box_for_the_poll(client, auth, world):
    auth.login("liaison")
    html = client.get("/").get_data(as_text=True)
    assert 'id="dispatch-mine"' in html and 'data-dispatch-key=""' in html and "data-dispatch-card" not in html


def test_a_person_sees_their_own_deployment_and_not_others(client, auth, world):
    incident = make_incident(world)
    post = make_post(incident, "解放路口", place_id=world.village_b.id, note="封路，引导车辆绕行")
    deploy(incident, world.liaison, post)
    other = make_incident(world, title="西村泵站值守")
    deploy(other, world.liaison_b)
    auth.login("liaison")
    html = client.get("/dispatch/mine", headers=HTMX).get_data(as_text=True)
    assert "8·5 暴雨防汛" in html and "解放路口 · 西村" in html and "封路，引导车辆绕行" in html
    assert "西村泵站值守" not in html and "<html" not in html
    buttons = re.findall(r'<button type="submit"[^>]*>(.*?)</button>', html)
    assert buttons == ["收到", "出发", "到岗", "撤离"]
    assert 'data-outbox="incident_ack"' in html
    auth.logout()
    auth.login("grid")
    assert "data-dispatch-card" not in client.get("/dispatch/mine", headers=HTMX).get_data(as_text=True)
    assert "目前没有派给您的突发事件任务" in client.get("/dispatch/mine").get_data(as_text=True)


def test_a_closed_incident_leaves_the_home(client, auth, world):
    incident = make_incident(world, status=CLOSED, ended_at=utcnow())
    deploy(incident, world.liaison)
    auth.login("liaison")
    assert "data-dispatch-card" not in client.get("/dispatch/mine", headers=HTMX).get_data(as_text=True)


def test_acknowledging_without_js_moves_my_state_and_offers_the_next_step(client, auth, world):
    incident = make_incident(world)
    deployment = deploy(incident, world.liaison, make_post(incident))
    auth.login("liaison")
    record_id = str(uuid.uuid4())
    r = client.post(f"/dispatch/{incident.id}/ack", data={"record_id": record_id, "state": "received"})
    assert r.status_code == 302 and r.headers["Location"].endswith("/dispatch/mine")
    client.post(f"/dispatch/{incident.id}/ack", data={"record_id": record_id, "state": "received"})  # double tap
    assert reload(deployment).state == RECEIVED and count(IncidentAck) == 1
    page = client.get("/dispatch/mine").get_data(as_text=True)
    assert "已确认：收到" in page
    assert re.findall(r'<button type="submit" class="btn[^>]*>(.*?)</button>', page) == ["出发", "到岗", "撤离"]
    r = client.post(f"/dispatch/{incident.id}/ack", data={"state": "on_site", "lat": "37.5", "lon": "121.25",
                                                          "accuracy_m": "15"})
    arrived = db.session.scalar(sa.select(IncidentAck).where(IncidentAck.state == ON_SITE))
    assert reload(deployment).state == ON_SITE and (arrived.lat, arrived.accuracy_m) == (37.5, 15)
    r = client.post(f"/dispatch/{incident.id}/ack", data={"state": "asleep"})
    assert r.status_code == 422 and "确认状态无效" in r.get_data(as_text=True)


def test_an_ack_syncs_exactly_once_and_moves_the_state(client, auth, world):
    incident = make_incident(world)
    deployment = deploy(incident, world.liaison, make_post(incident), minutes_ago=2)
    auth.login("liaison")
    record = ack_record(incident, EN_ROUTE)
    assert [r["status"] for r in sync(client, [record])] == ["created"]
    assert [r["status"] for r in sync(client, [record, record])] == ["duplicate", "duplicate"]
    assert count(IncidentAck) == 1
    moved = reload(deployment)
    assert moved.state == EN_ROUTE and abs(moved.state_at - utcnow()) < timedelta(minutes=1)
    assert "incident_ack" in client.get("/api/v1/me").get_json()["types"]


def test_a_late_ack_made_earlier_is_kept_but_does_not_move_the_state_back(client, auth, world):
    incident = make_incident(world)
    deployment = deploy(incident, world.liaison, make_post(incident), minutes_ago=30)
    auth.login("liaison")
    sync(client, [ack_record(incident, ON_SITE, delta=timedelta(minutes=-2))])
    late = ack_record(incident, RECEIVED, delta=timedelta(minutes=-20))  # saved offline, sent late
    assert [r["status"] for r in sync(client, [late])] == ["created"]
    assert count(IncidentAck) == 2 and reload(deployment).state == ON_SITE


def test_a_phone_a_little_behind_still_answers_a_fresh_assignment(client, auth, world):
    """Sent a moment ago by the server's clock; her phone runs 30 s slow (too little to be
    corrected), so her 收到 is dated before the assignment. It still counts."""
    incident = make_incident(world)
    deployment = deploy(incident, world.liaison, make_post(incident), minutes_ago=0)
    auth.login("liaison")
    slow = timedelta(seconds=-30)
    r = client.post("/api/v1/sync", json={"device_id": "phone-1", "sent_at": iso(slow),
                                          "records": [ack_record(incident, RECEIVED, delta=slow)]})
    assert [x["status"] for x in r.get_json()["results"]] == ["created"]
    assert reload(deployment).state == RECEIVED


def test_an_ack_made_before_a_new_post_was_given_does_not_answer_it(client, auth, world):
    incident = make_incident(world)
    deployment = deploy(incident, world.liaison, make_post(incident), minutes_ago=0)
    auth.login("liaison")
    old = ack_record(incident, RECEIVED, delta=timedelta(minutes=-10))  # about the old post, sent late
    assert [r["status"] for r in sync(client, [old])] == ["created"]
    assert reload(deployment).state == ASSIGNED


def test_an_ack_for_an_incident_i_am_not_in_or_that_has_ended_is_rejected(client, auth, world):
    mine = make_incident(world)
    deploy(mine, world.liaison)
    theirs = make_incident(world, title="西村")
    deploy(theirs, world.liaison_b)
    auth.login("liaison")
    results = sync(client, [ack_record(theirs, RECEIVED), ack_record(mine, "asleep"),
                            {**ack_record(mine, RECEIVED), "data": {"incident_id": 999999, "state": "received"}}])
    assert [r["status"] for r in results] == ["rejected"] * 3
    assert results[0]["errors"] == {"incident_id": ["您未被派往该突发事件"]}
    assert results[1]["errors"] == {"state": ["确认状态无效"]}
    kept = ack_record(mine, RECEIVED, delta=timedelta(minutes=-30))
    sync(client, [kept])
    mine.status, mine.ended_at = CLOSED, utcnow() - timedelta(minutes=5)
    db.session.commit()
    results = sync(client, [ack_record(mine, EN_ROUTE), kept])  # tapped after the end; a replay
    assert [r["status"] for r in results] == ["rejected", "duplicate"]  # a replay still lets go
    assert results[0]["errors"] == {"incident_id": ["该突发事件已结束，无需再确认"]}
    assert count(IncidentAck) == 1


def test_an_arrival_made_offline_before_the_end_is_kept_when_it_syncs_after(client, auth, world):
    incident = make_incident(world)
    deployment = deploy(incident, world.liaison, make_post(incident), minutes_ago=90)
    incident.status, incident.ended_at = CLOSED, utcnow() - timedelta(minutes=10)
    db.session.commit()
    auth.login("liaison")
    arrived = ack_record(incident, ON_SITE, delta=timedelta(minutes=-60), lat=37.4968, lon=121.2541,
                         accuracy_m=15)
    assert [r["status"] for r in sync(client, [arrived])] == ["created"]
    assert reload(deployment).state == ON_SITE  # the log shows she was there


def test_a_person_stood_down_by_a_leader_is_not_put_back_by_a_later_ack(client, auth, world):
    incident = make_incident(world)
    deployment = deploy(incident, world.liaison, make_post(incident), minutes_ago=30, state=STOOD_DOWN)
    auth.login("liaison")
    assert [r["status"] for r in sync(client, [ack_record(incident, RECEIVED)])] == ["created"]
    assert reload(deployment).state == STOOD_DOWN and count(IncidentAck) == 1


def test_the_board_shows_acks_that_came_through_sync(client, auth, world):
    incident = make_incident(world)
    deploy(incident, world.liaison, make_post(incident), minutes_ago=15)
    auth.login("liaison")
    sync(client, [ack_record(incident, RECEIVED)])
    auth.logout()
    auth.login("leader")
    row = person_row(client.get(f"/dispatch/{incident.id}/live", headers=HTMX).get_data(as_text=True), "liaison")
    assert "收到" in row and "超过10分钟未确认" not in row


# --- Reports from the post --------------------------------------------------------------------------

def test_a_report_from_the_post_is_a_flood_duty_log_at_the_posts_place(client, auth, world):
    incident = make_incident(world)
    post = make_post(incident, "西村泵站", place_id=world.village_b.id)  # outside the liaison's 东村
    deploy(incident, world.liaison, post)
    auth.login("liaison")
    form = client.get(f"/dispatch/{incident.id}/report").get_data(as_text=True)
    assert re.search(r'<option selected value="flood_duty">|<option value="flood_duty" selected', form)
    place = world.village_b.id
    assert re.search(rf'<option selected value="{place}">|<option value="{place}" selected', form)
    assert 'data-outbox="task_log"' in form and f'"incident_id": {incident.id}' in form
    r = client.post(f"/dispatch/{incident.id}/report", data={
        "record_id": str(uuid.uuid4()), "kind": "flood_duty", "place_id": str(world.village_b.id),
        "summary": "泵站运转正常，水位下降"})
    assert r.status_code == 302 and r.headers["Location"].endswith("/")
    log = db.session.scalar(sa.select(TaskLog))
    assert (log.incident_id, log.place_id, log.user_id) == (incident.id, world.village_b.id, world.liaison.id)


def test_only_people_sent_to_the_incident_report_from_it(client, auth, world):
    incident = make_incident(world)
    auth.login("liaison")
    assert client.get(f"/dispatch/{incident.id}/report").status_code == 404
    r = client.post("/api/v1/sync", json={"sent_at": iso(), "records": [{
        "id": str(uuid.uuid4()), "type": "task_log", "occurred_at": iso(),
        "data": {"kind": "flood_duty", "place_id": world.village_b.id, "summary": "冒充", "incident_id": incident.id}}]})
    assert r.get_json()["results"][0]["status"] == "rejected"
    assert count(TaskLog) == 0


def test_an_incident_widens_a_persons_places_only_while_it_is_open_and_a_little_after(client, auth, world):
    """Sent to 西村 (not her village) for the storm: her reports from there count while it
    lasts and for a late one just after; a week later the incident no longer opens 西村."""
    incident = make_incident(world, started_at=utcnow() - timedelta(hours=10))
    deploy(incident, world.liaison, make_post(incident, "西村泵站", place_id=world.village_b.id))
    incident.status, incident.ended_at = CLOSED, utcnow() - timedelta(hours=5)
    db.session.commit()
    auth.login("liaison")

    def report(hours_ago):
        return {"id": str(uuid.uuid4()), "type": "task_log", "occurred_at": iso(timedelta(hours=-hours_ago)),
                "data": {"kind": "flood_duty", "place_id": world.village_b.id, "summary": "泵站值守",
                         "incident_id": incident.id}}
    during, just_after, long_after = report(7), report(4), report(1)  # ended 5 hours ago, 2 hours' grace
    results = client.post("/api/v1/sync", json={"sent_at": iso(), "records": [during, just_after, long_after]}
                          ).get_json()["results"]
    assert [r["status"] for r in results] == ["created", "created", "rejected"]
    assert "place_id" in results[2]["errors"]
    assert count(TaskLog) == 2
