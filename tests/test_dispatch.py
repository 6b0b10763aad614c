"""Emergency dispatch (一体化调度): leaders open an incident, set posts, split people into
groups and send them; each person acknowledges 收到 → 出发 → 到岗 → 撤离 from their home
(online or through the outbox and sync), and the board shows who is where, since when, and
who has not answered after ten minutes."""
import re
import uuid
from datetime import datetime, timedelta, timezone

import pytest
import sqlalchemy as sa

from fuxin_pwa.dispatch.models import (ASSIGNED, CLOSED, EN_ROUTE, ON_SITE, RECEIVED, STOOD_DOWN, Deployment,
                                       Incident, IncidentAck, IncidentGroup, Post)
from fuxin_pwa.extensions import db
from fuxin_pwa.timeutil import utcnow
from tests.factories import make_task_log, make_user

SHANGHAI = timezone(timedelta(hours=8))
HTMX = {"HX-Request": "true"}


# --- helpers --------------------------------------------------------------------------------

def make_incident(world, title="8·5 暴雨防汛", **kw):
    incident = Incident(kind=kw.pop("kind", "flood"), title=title, area=kw.pop("area", "东村低洼路段"),
                        created_by_id=world.leader.id, started_at=kw.pop("started_at", utcnow()), **kw)
    db.session.add(incident)
    db.session.commit()
    return incident


def make_post(incident, name="解放路口", **kw):
    post = Post(incident_id=incident.id, name=name, **kw)
    db.session.add(post)
    db.session.commit()
    return post


def deploy(incident, user, post=None, minutes_ago=0, state=ASSIGNED, group=None):
    at = utcnow() - timedelta(minutes=minutes_ago)
    deployment = Deployment(incident_id=incident.id, user_id=user.id, post_id=post.id if post else None,
                            group_id=group.id if group else None, state=state, state_at=at, assigned_at=at)
    db.session.add(deployment)
    db.session.commit()
    return deployment


def reload(obj):
    db.session.expire_all()
    return db.session.get(type(obj), obj.id)


def count(model, **where):
    db.session.expire_all()
    return db.session.scalar(sa.select(sa.func.count()).select_from(model).filter_by(**where))


def iso(delta=timedelta(0)):
    return (datetime.now(SHANGHAI) + delta).isoformat(timespec="seconds")


def ack_record(incident, state, delta=timedelta(0), **data):
    return {"id": str(uuid.uuid4()), "type": "incident_ack", "occurred_at": iso(delta),
            "data": {"incident_id": incident.id, "state": state, **data}}


def sync(client, records):
    r = client.post("/api/v1/sync", json={"device_id": "phone-1", "sent_at": iso(), "records": records})
    assert r.status_code == 200
    return r.get_json()["results"]


def person_row(html, username):
    """The board's row of one person (from its <li> to the next)."""
    match = re.search(r'<li class="person-row[^"]*" data-person="%s">(.*?)</li>' % username, html, re.S)
    assert match, f"{username} is not on the board"
    return match.group(0)


# --- Only leaders dispatch ----------------------------------------------------------------------

MANAGEMENT = [
    ("GET", "/dispatch/"), ("GET", "/dispatch/new"), ("POST", "/dispatch/new"),
    ("GET", "/dispatch/{i}"), ("GET", "/dispatch/{i}/live"), ("POST", "/dispatch/{i}/posts"),
    ("POST", "/dispatch/{i}/groups"), ("POST", "/dispatch/{i}/assign"),
    ("POST", "/dispatch/{i}/people/{d}/remove"), ("POST", "/dispatch/{i}/close"),
]


@pytest.mark.parametrize("username", ["liaison", "cadre", "grid", "community"])
def test_field_roles_get_403_on_every_dispatch_management_route(client, auth, world, username):
    incident = make_incident(world)
    deployment = deploy(incident, world.liaison)
    auth.login(username)
    for method, url in MANAGEMENT:
        url = url.format(i=incident.id, d=deployment.id)
        r = client.get(url) if method == "GET" else client.post(url, data={})
        assert r.status_code == 403, f"{username} reached {method} {url}"
    assert reload(incident).status == "open" and count(Deployment) == 1  # nothing changed


@pytest.mark.parametrize("username", ["leader", "admin"])
def test_leaders_and_admins_open_the_dispatch_pages(client, auth, world, username):
    incident = make_incident(world)
    auth.login(username)
    for url in ("/dispatch/", "/dispatch/new", f"/dispatch/{incident.id}"):
        assert client.get(url).status_code == 200


# --- Opening an incident and building it ---------------------------------------------------------

def test_the_incident_list_is_empty_at_first_then_open_ones_come_before_closed_ones(client, auth, world):
    auth.login("leader")
    assert "还没有突发事件" in client.get("/dispatch/").get_data(as_text=True)
    make_incident(world, title="台风过境", status=CLOSED, ended_at=utcnow(), started_at=utcnow() - timedelta(hours=1))
    make_incident(world, title="夜间暴雨", started_at=utcnow() - timedelta(days=3))
    html = client.get("/dispatch/").get_data(as_text=True)
    assert html.index("夜间暴雨") < html.index("台风过境")  # open first, though older
    assert "已结束" in html and "进行中" in html


def test_a_leader_opens_an_incident_starting_now_by_default(client, auth, world):
    auth.login("leader")
    form = client.get("/dispatch/new").get_data(as_text=True)
    now_local = datetime.now(SHANGHAI).strftime("%Y-%m-%dT%H:")
    assert re.search(r'type="datetime-local"[^>]*value="%s' % now_local, form)
    r = client.post("/dispatch/new", data={"kind": "flood", "title": "8·5 夜间暴雨", "area": "东村、西村",
                                           "place_id": str(world.village_a.id),
                                           "started_at": "2026-08-05T23:00", "note": "六个组上岗"})
    incident = db.session.scalar(sa.select(Incident))
    assert r.status_code == 302 and r.headers["Location"].endswith(f"/dispatch/{incident.id}")
    assert incident.started_at == datetime(2026, 8, 5, 15, 0)  # 23:00 in Shanghai, stored as UTC
    assert (incident.title, incident.area, incident.place_id, incident.created_by_id) == (
        "8·5 夜间暴雨", "东村、西村", world.village_a.id, world.leader.id)


def test_an_incident_without_a_title_comes_back_filled_with_the_error(client, auth, world):
    auth.login("leader")
    r = client.post("/dispatch/new", data={"kind": "flood", "title": "", "area": "东村",
                                           "started_at": "2026-08-05T23:00"})
    html = r.get_data(as_text=True)
    assert r.status_code == 422 and "请填写事件名称" in html and 'value="东村"' in html
    assert count(Incident) == 0


def test_a_post_is_added_in_place_for_htmx_and_with_a_redirect_without_js(client, auth, world):
    incident = make_incident(world)
    auth.login("leader")
    r = client.post(f"/dispatch/{incident.id}/posts", headers=HTMX,
                    data={"post-name": "解放路口", "post-place_id": str(world.village_a.id),
                          "post-lat": "37.5", "post-lon": "121.25", "post-note": "封路"})
    html = r.get_data(as_text=True)
    assert r.status_code == 200 and "<html" not in html and "已添加岗位「解放路口」" in html
    assert 'id="board-live"' in html
    r = client.post(f"/dispatch/{incident.id}/posts", data={"post-name": "泵站"})
    assert r.status_code == 302
    assert [p.name for p in db.session.scalars(sa.select(Post).order_by(Post.id))] == ["解放路口", "泵站"]
    r = client.post(f"/dispatch/{incident.id}/posts", data={"post-name": "河堤", "post-lat": "37.5"})
    assert r.status_code == 422 and "经纬度需同时提供" in r.get_data(as_text=True)


def test_a_group_sends_its_members_to_its_post(client, auth, world):
    incident = make_incident(world)
    post = make_post(incident)
    auth.login("leader")
    board = client.get(f"/dispatch/{incident.id}").get_data(as_text=True)
    assert "data-member-filter" in board and "包村包片干部" in board  # checkboxes grouped by team
    r = client.post(f"/dispatch/{incident.id}/groups", headers=HTMX, data={
        "group-name": "第一组", "group-post_id": str(post.id),
        "group-members": [str(world.liaison.id), str(world.cadre.id)]})
    assert r.status_code == 200 and "已建立小组「第一组」" in r.get_data(as_text=True)
    group = db.session.scalar(sa.select(IncidentGroup))
    deployments = db.session.scalars(sa.select(Deployment).order_by(Deployment.user_id)).all()
    assert {(d.user_id, d.post_id, d.group_id, d.state) for d in deployments} == {
        (world.liaison.id, post.id, group.id, ASSIGNED), (world.cadre.id, post.id, group.id, ASSIGNED)}


def test_a_group_needs_members_from_the_active_field_staff(client, auth, world):
    incident = make_incident(world)
    auth.login("leader")
    r = client.post(f"/dispatch/{incident.id}/groups", data={"group-name": "空组"})
    assert r.status_code == 422 and "请至少选择一名组员" in r.get_data(as_text=True)
    r = client.post(f"/dispatch/{incident.id}/groups", data={"group-name": "第二组",
                                                             "group-members": [str(world.leader.id)]})
    assert r.status_code == 422 and "组员须是在岗的外勤人员" in r.get_data(as_text=True)
    assert count(Deployment) == 0 and count(IncidentGroup) == 0


def test_assigning_a_whole_group_moves_all_its_members(client, auth, world):
    incident = make_incident(world)
    junction, pump = make_post(incident, "解放路口"), make_post(incident, "泵站")
    group = IncidentGroup(incident_id=incident.id, name="第一组", post_id=junction.id)
    db.session.add(group)
    db.session.commit()
    a = deploy(incident, world.liaison, junction, group=group, state=ON_SITE)
    b = deploy(incident, world.cadre, junction, group=group)
    other = deploy(incident, world.liaison_b, junction)
    auth.login("leader")
    r = client.post(f"/dispatch/{incident.id}/assign", data={"assign-group_id": str(group.id),
                                                             "assign-post_id": str(pump.id)})
    assert r.status_code == 302
    assert {reload(a).post_id, reload(b).post_id, reload(group).post_id} == {pump.id}
    assert reload(other).post_id == junction.id  # not in the group


def test_a_new_post_is_a_new_order_but_the_acknowledgements_stay(client, auth, world):
    incident = make_incident(world)
    junction, pump = make_post(incident, "解放路口"), make_post(incident, "泵站")
    deployment = deploy(incident, world.liaison, junction, minutes_ago=30)
    auth.login("liaison")
    sync(client, [ack_record(incident, RECEIVED)])
    assert reload(deployment).state == RECEIVED
    auth.logout()
    auth.login("leader")
    client.post(f"/dispatch/{incident.id}/assign", data={"assign-user_id": str(world.liaison.id),
                                                         "assign-post_id": str(junction.id)})
    assert reload(deployment).state == RECEIVED  # the same post again changes nothing
    client.post(f"/dispatch/{incident.id}/assign", data={"assign-user_id": str(world.liaison.id),
                                                         "assign-post_id": str(pump.id)})
    moved = reload(deployment)
    assert (moved.post_id, moved.state) == (pump.id, ASSIGNED)
    assert utcnow() - moved.assigned_at < timedelta(minutes=1)  # the ten minutes start again
    assert count(IncidentAck) == 1 and count(Deployment) == 1


def test_assigning_someone_not_yet_sent_deploys_them_and_one_person_is_one_deployment(client, auth, world):
    incident = make_incident(world)
    post = make_post(incident)
    auth.login("leader")
    for _ in range(2):
        client.post(f"/dispatch/{incident.id}/assign", data={"assign-user_id": str(world.grid.id),
                                                             "assign-post_id": str(post.id)})
    assert count(Deployment, user_id=world.grid.id) == 1
    r = client.post(f"/dispatch/{incident.id}/assign", data={"assign-post_id": str(post.id)})
    assert r.status_code == 422 and "请选择一名人员或一个小组" in r.get_data(as_text=True)


def test_removing_a_person_who_never_answered_deletes_and_one_who_did_stands_down(client, auth, world):
    incident = make_incident(world)
    post = make_post(incident)
    silent = deploy(incident, world.cadre, post)
    answered = deploy(incident, world.liaison, post)
    auth.login("liaison")
    sync(client, [ack_record(incident, EN_ROUTE)])
    auth.logout()
    auth.login("leader")
    r = client.post(f"/dispatch/{incident.id}/people/{silent.id}/remove", headers=HTMX)
    assert r.status_code == 200 and "已移出 孙干部" in r.get_data(as_text=True)
    client.post(f"/dispatch/{incident.id}/people/{answered.id}/remove")
    assert db.session.get(Deployment, silent.id) is None
    assert reload(answered).state == STOOD_DOWN and count(IncidentAck) == 1


def test_closing_stands_everyone_down_on_the_board_and_stops_polling(client, auth, world):
    incident = make_incident(world)
    post = make_post(incident)
    deployment = deploy(incident, world.liaison, post, state=ON_SITE)
    auth.login("leader")
    board = client.get(f"/dispatch/{incident.id}").get_data(as_text=True)
    assert 'hx-trigger="every 15s"' in board
    r = client.post(f"/dispatch/{incident.id}/close", headers=HTMX)
    html = r.get_data(as_text=True)
    closed = reload(incident)
    assert closed.status == CLOSED and closed.ended_at is not None
    assert "hx-trigger" not in html and "全部人员已撤离" in html
    assert "撤离" in person_row(html, "liaison") and "到岗" not in person_row(html, "liaison")
    assert reload(deployment).state == ON_SITE  # the log keeps how far she got
    r = client.post(f"/dispatch/{incident.id}/posts", data={"post-name": "迟到的岗位"}, headers=HTMX)
    assert "该事件已结束，不能再调整" in r.get_data(as_text=True) and count(Post) == 1


# --- The board ------------------------------------------------------------------------------------

def test_the_board_shows_each_post_its_people_their_state_and_since_when(client, auth, world):
    incident = make_incident(world)
    junction = make_post(incident, "解放路口", place_id=world.village_a.id, lat=37.5, lon=121.25)
    deploy(incident, world.liaison, junction, minutes_ago=3)
    deploy(incident, world.cadre, None, minutes_ago=1)
    auth.login("liaison")
    sync(client, [ack_record(incident, ON_SITE, lat=37.5009, lon=121.25, accuracy_m=12)])
    auth.logout()
    auth.login("leader")
    html = client.get(f"/dispatch/{incident.id}").get_data(as_text=True)
    row = person_row(html, "liaison")
    assert "赵包村" in row and "包村包片干部" in row and "13800001111" in row  # phone, for leaders
    assert "到岗" in row and "刚刚" in row and "±12 米" in row and "距岗位 100 米" in row
    assert html.index("解放路口") < html.index("赵包村") < html.index("未分岗") < html.index("孙干部")
    assert "待确认" in person_row(html, "cadre")
    assert re.search(r'data-count="on_site"><strong>1</strong>', html)
    assert re.search(r'data-count="assigned"><strong>1</strong>', html)


def test_no_acknowledgement_after_ten_minutes_stands_out_in_words(client, auth, world):
    incident = make_incident(world)
    post = make_post(incident)
    deploy(incident, world.liaison, post, minutes_ago=11)
    deploy(incident, world.cadre, post, minutes_ago=5)
    auth.login("leader")
    html = client.get(f"/dispatch/{incident.id}/live", headers=HTMX).get_data(as_text=True)
    late = person_row(html, "liaison")
    assert "超过10分钟未确认" in late and "is-unacked" in late and "11 分钟前" in late
    assert "超过10分钟未确认" not in person_row(html, "cadre")
    assert re.search(r'data-count="unacked"><strong>1</strong>', html)


def test_the_live_part_is_a_fragment_polled_at_the_configured_interval(app, client, auth, world):
    app.config["DISPATCH_POLL_SECONDS"] = 2
    incident = make_incident(world)
    auth.login("leader")
    r = client.get(f"/dispatch/{incident.id}/live", headers=HTMX)
    html = r.get_data(as_text=True)
    assert r.status_code == 200 and html.lstrip().startswith('<section id="board-live"')
    assert f'hx-get="/dispatch/{incident.id}/live" hx-trigger="every 2s" hx-swap="outerHTML"' in html
    assert client.get(f"/dispatch/{incident.id}/live").status_code == 302  # a browser gets the board


def test_reports_from_the_posts_are_on_the_board_newest_first_with_their_post(client, auth, world):
    incident = make_incident(world)
    post = make_post(incident, "解放路口")
    deploy(incident, world.liaison, post)
    make_task_log(world.liaison, world.village_b, "flood_duty", incident_id=incident.id,
                  summary="积水40厘米，已封路", when=utcnow() - timedelta(minutes=20))
    make_task_log(world.liaison, world.village_b, "flood_duty", incident_id=incident.id, summary="水位回落")
    make_task_log(world.liaison, world.village_a, "resident_visit", summary="与事件无关的走访")
    auth.login("leader")
    html = client.get(f"/dispatch/{incident.id}").get_data(as_text=True)
    assert html.index("水位回落") < html.index("积水40厘米") and "与事件无关" not in html
    assert "岗位：解放路口" in html and "共 2 条" in html


def test_the_export_link_is_there_when_the_statistics_area_offers_it(app, client, auth, world):
    incident = make_incident(world)
    auth.login("leader")
    html = client.get(f"/dispatch/{incident.id}").get_data(as_text=True)
    assert ("导出事件记录 Excel" in html) == ("stats.export" in app.view_functions)


def test_the_board_costs_the_same_queries_for_a_big_incident(client, auth, world, count_queries):
    places = [world.village_a, world.village_b, world.grid_a, world.grid_b, world.community, world.grid_c]

    def grow(incident, n, offset):
        for i in range(n):
            place = places[(offset + i) % len(places)]
            post = make_post(incident, f"岗位{offset + i}", place_id=place.id, lat=37.5, lon=121.2)
            group = IncidentGroup(incident_id=incident.id, name=f"第{offset + i}组", post_id=post.id)
            db.session.add(group)
            for j in range(3):
                person = make_user(f"p{offset + i}_{j}", "young_cadre")
                deployment = deploy(incident, person, post, minutes_ago=20 if j == 0 else 1, group=group)
                if j == 1:
                    for state in (RECEIVED, ON_SITE):
                        db.session.add(IncidentAck(uuid=str(uuid.uuid4()), user_id=person.id, incident_id=incident.id,
                                                   deployment_id=deployment.id, state=state, lat=37.5, lon=121.2,
                                                   accuracy_m=10, occurred_at=utcnow(), content_hash="t"))
                    deployment.state = ON_SITE
                if j == 0:  # reports from one in three: the others' names come from the board's own query
                    make_task_log(person, place, "flood_duty", incident_id=incident.id)
            db.session.commit()

    incident = make_incident(world)
    grow(incident, 1, 0)
    auth.login("leader")

    def measure(url, headers=None):
        db.session.expire_all()  # as in a fresh request: nothing answered from the test's session
        with count_queries() as q:
            assert client.get(url, headers=headers).status_code == 200
        return q.count

    small = (measure(f"/dispatch/{incident.id}"), measure(f"/dispatch/{incident.id}/live", HTMX))
    grow(incident, 6, 1)
    big = (measure(f"/dispatch/{incident.id}"), measure(f"/dispatch/{incident.id}/live", HTMX))
    assert big == small
