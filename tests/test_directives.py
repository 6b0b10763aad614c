"""Directives relayed (传达部署): a leader publishes, the people who cover each target place
see it on their home and in /api/v1/me, and a briefing task log at the place relays it."""
import io
import uuid
from datetime import datetime, timedelta, timezone
from urllib.parse import quote

import pytest
import sqlalchemy as sa
from openpyxl import load_workbook

from fuxin_pwa.directives.models import Directive
from fuxin_pwa.extensions import db
from fuxin_pwa.field.models import TaskLog
from fuxin_pwa.places.models import Place
from fuxin_pwa.privacy.models import EXPORT, AccessLogEntry
from fuxin_pwa.timeutil import local_today, to_local
from tests.test_sync import sync, task_log


def _publish(client, auth, place_ids, due_on=None, **extra):
    auth.login("leader")
    due_on = due_on or local_today() + timedelta(days=6)
    r = client.post("/directives/new", data={"title": "冬季防火安全部署", "body": "逐村传达冬季防火要求",
                                             "due_on": due_on.isoformat(), "place_ids": place_ids, **extra},
                    follow_redirects=True)
    auth.logout()
    return r


def _south_village(world):
    village = Place(name="南村", kind="village", parent_id=world.subdistrict.id, code="V-S")
    db.session.add(village)
    db.session.commit()
    return village


def relay(directive_id, place_id, **data):
    record = task_log(place_id, kind="briefing", summary="村两委会上传达冬季防火要求", directive_id=directive_id, **data)
    return record


def test_a_leader_publishes_to_two_villages_and_hears_which_one_nobody_covers(client, auth, world):
    south = _south_village(world)
    r = _publish(client, auth, [world.village_a.id, south.id])
    page = r.get_data(as_text=True)
    assert r.status_code == 200 and "冬季防火安全部署" in page
    assert "以下地点无人包片：南村" in page and "东村、" not in page
    directive = db.session.scalar(sa.select(Directive))
    assert sorted(t.place_id for t in directive.targets) == sorted([world.village_a.id, south.id])


def test_all_places_targets_every_village_and_community(client, auth, world):
    _publish(client, auth, [], all_places="y")
    directive = db.session.scalar(sa.select(Directive))
    assert directive.all_places
    assert {t.place_id for t in directive.targets} == {world.village_a.id, world.village_b.id, world.community.id}


def test_the_liaison_sees_it_relays_it_offline_and_the_leader_sees_who_and_how_many(client, auth, world):
    south = _south_village(world)
    due = local_today() + timedelta(days=6)
    _publish(client, auth, [world.village_a.id, south.id], due_on=due)
    directive = db.session.scalar(sa.select(Directive))

    auth.login("liaison")
    home = client.get("/").get_data(as_text=True)
    assert f"待传达 · 东村 · {due.month}月{due.day}日前" in home
    assert f"/log?directive_id={directive.id}&amp;place_id={world.village_a.id}" in home
    me = client.get("/api/v1/me")
    assert me.get_json()["directives"] == [{"id": directive.id, "title": "冬季防火安全部署",
                                            "due_on": due.isoformat(), "place_ids": [world.village_a.id]}]
    etag = me.headers["ETag"]

    # The task-log form opened from the card is the relay's: a briefing carrying the directive.
    form = client.get(f"/log?directive_id={directive.id}&place_id={world.village_a.id}").get_data(as_text=True)
    assert f'type="radio" name="directive_id" value="{directive.id}" data-title="冬季防火安全部署" checked>' in form
    assert 'name="people_reached"' in form and '<option selected value="briefing">' in form

    r = sync(client, [relay(directive.id, world.village_a.id, people_reached=35)])
    assert r.get_json()["results"][0]["status"] == "created"
    log = db.session.scalar(sa.select(TaskLog))
    assert (log.directive_id, log.people_reached, log.place_id) == (directive.id, 35, world.village_a.id)

    again = client.get("/api/v1/me", headers={"If-None-Match": etag})
    assert again.status_code == 200 and again.get_json()["directives"] == []
    assert "待传达" not in client.get("/").get_data(as_text=True)
    auth.logout()

    auth.login("leader")
    page = client.get(f"/directives/{directive.id}").get_data(as_text=True)
    assert "赵包村" in page and "<td>35</td>" in page and "南村" in page
    listing = client.get("/directives/").get_data(as_text=True)
    assert "1/2 村已传达" in listing


def test_a_relay_at_a_place_the_directive_was_not_sent_to_is_rejected(client, auth, world):
    _publish(client, auth, [world.village_a.id])
    directive = db.session.scalar(sa.select(Directive))
    auth.login("cadre")  # covers 东村 and 西村; the directive went to 东村 only
    r = sync(client, [relay(directive.id, world.village_b.id), relay(999, world.village_a.id),
                      relay(directive.id, world.village_a.id, people_reached=-1),
                      relay(directive.id, world.village_a.id, people_reached="12.5")])
    results = r.get_json()["results"]
    assert [x["status"] for x in results] == ["rejected"] * 4
    assert results[0]["errors"] == {"directive_id": ["该地点不在此传达部署的传达范围内"]}
    assert results[1]["errors"] == {"directive_id": ["传达部署不存在"]}
    assert set(results[2]["errors"]) == {"people_reached"} and set(results[3]["errors"]) == {"people_reached"}
    assert db.session.scalar(sa.select(sa.func.count()).select_from(TaskLog)) == 0


def test_a_batch_mixes_relays_and_plain_task_logs_and_a_second_relay_is_kept(client, auth, world):
    _publish(client, auth, [world.village_a.id, world.village_b.id])
    directive = db.session.scalar(sa.select(Directive))
    auth.login("cadre")
    records = [task_log(world.grid_a.id), relay(directive.id, world.village_a.id, people_reached=0),
               relay(directive.id, world.village_a.id), relay(directive.id, world.village_b.id, people_reached=12)]
    r = sync(client, records)
    assert [x["status"] for x in r.get_json()["results"]] == ["created"] * 4
    assert sync(client, records).get_json()["results"][1]["status"] == "duplicate"
    logs = db.session.scalars(sa.select(TaskLog).order_by(TaskLog.id)).all()
    assert [(t.directive_id, t.people_reached) for t in logs] == [
        (None, None), (directive.id, 0), (directive.id, None), (directive.id, 12)]
    assert client.get("/api/v1/me").get_json()["directives"] == []
    auth.logout()
    auth.login("leader")
    assert "2/2 村已传达" in client.get("/directives/").get_data(as_text=True)


def test_the_online_form_relays_too_and_a_wrong_place_is_a_field_error(client, auth, world):
    _publish(client, auth, [world.village_a.id])
    directive = db.session.scalar(sa.select(Directive))
    auth.login("cadre")
    data = {"record_id": str(uuid.uuid4()), "kind": "briefing", "summary": "传达", "directive_id": directive.id,
            "people_reached": "20"}
    r = client.post("/log", data={**data, "place_id": world.village_b.id})
    assert r.status_code == 422 and "该地点不在此传达部署的传达范围内" in r.get_data(as_text=True)
    r = client.post("/log", data={**data, "place_id": world.village_a.id})
    assert r.status_code == 302
    assert db.session.scalar(sa.select(TaskLog.people_reached)) == 20


def test_overdue_places_stand_out(client, auth, world):
    _publish(client, auth, [world.village_a.id, world.village_b.id], due_on=local_today() - timedelta(days=1))
    directive = db.session.scalar(sa.select(Directive))
    auth.login("leader")
    assert "已逾期" in client.get("/directives/").get_data(as_text=True)
    assert client.get(f"/directives/{directive.id}").get_data(as_text=True).count("逾期未传达") == 2


def test_field_staff_see_their_directives_but_cannot_publish(client, auth, world):
    _publish(client, auth, [world.village_a.id])
    directive = db.session.scalar(sa.select(Directive))
    auth.login("liaison")
    assert client.get("/directives/new").status_code == 403
    assert client.post("/directives/new", data={"title": "x"}).status_code == 403
    assert "冬季防火安全部署" in client.get("/directives/").get_data(as_text=True)
    auth.logout()
    auth.login("grid")  # 万科: not a target, the directive is not theirs to see
    assert "冬季防火安全部署" not in client.get("/directives/").get_data(as_text=True)
    assert client.get(f"/directives/{directive.id}").status_code == 404


def test_the_home_costs_one_query_for_the_outstanding_directives(client, auth, world, queries_of):
    auth.login("liaison")
    before = queries_of(lambda: client.get("/"))
    auth.logout()
    _publish(client, auth, [world.village_a.id])
    auth.login("liaison")
    assert queries_of(lambda: client.get("/")) == before


# --- The Excel of a directive's places -----------------------------------------------------

def test_the_leader_exports_one_row_per_place_and_the_export_is_in_the_access_log(client, auth, world):
    formula = Place(name="=HYPERLINK(\"http://x\")村", kind="village", parent_id=world.subdistrict.id, code="V-F")
    db.session.add(formula)
    db.session.commit()
    _publish(client, auth, [world.village_a.id, world.village_b.id, formula.id],
             due_on=local_today() - timedelta(days=1))
    directive = db.session.scalar(sa.select(Directive))
    auth.login("cadre")
    when = datetime.now(timezone.utc).replace(microsecond=0) - timedelta(hours=3)
    record = relay(directive.id, world.village_a.id, people_reached=35)
    record["occurred_at"] = when.isoformat().replace("+00:00", "Z")
    second = relay(directive.id, world.village_a.id, people_reached=5)
    assert [x["status"] for x in sync(client, [record, second]).get_json()["results"]] == ["created"] * 2
    assert client.get(f"/directives/{directive.id}.xlsx").status_code == 403  # leaders' only
    auth.logout()

    auth.login("leader")
    page = client.get(f"/directives/{directive.id}").get_data(as_text=True)
    assert f'href="/directives/{directive.id}.xlsx"' in page
    r = client.get(f"/directives/{directive.id}.xlsx")
    assert r.status_code == 200 and r.headers["Cache-Control"] == "private, no-store"
    assert quote(f"传达部署_冬季防火安全部署_{local_today():%Y%m%d}.xlsx") in r.headers["Content-Disposition"]
    sheet = load_workbook(io.BytesIO(r.data))["传达情况"]
    rows = [[c.value for c in row] for row in sheet.iter_rows()]
    assert rows[0] == ["地点", "是否传达", "传达人", "传达时间", "传达次数", "传达人数", "是否逾期"]
    by_place = {row[0]: row for row in rows[1:]}
    assert len(rows) == 4
    assert by_place["东村"] == ["东村", "已传达", "孙干部", to_local(when).strftime("%Y-%m-%d %H:%M"), 2, 40, None]
    assert by_place["西村"] == ["西村", "未传达", None, None, 0, None, "是"]
    cell = sheet.cell(row=[r[0] for r in rows].index(formula.name) + 1, column=1)
    assert cell.data_type == "s" and cell.quotePrefix  # text, never a formula Excel would run
    entry = db.session.scalar(sa.select(AccessLogEntry))
    assert (entry.actor_id, entry.kind, entry.subject_type, entry.subject_id, entry.rows) == (
        world.leader.id, EXPORT, "directive", directive.id, 3)
    auth.logout()
    auth.login("admin")
    log = client.get("/admin/access-log/").get_data(as_text=True)
    assert f"传达部署 #{directive.id}" in log and "传达部署 (xlsx)" in log


# --- The list, a page at a time --------------------------------------------------------------

@pytest.mark.app_config(PAGE_SIZE=2)
def test_the_list_pages_and_costs_the_same_queries_for_one_directive_or_three(client, auth, world, queries_of):
    auth.login("leader")
    empty = client.get("/directives/").get_data(as_text=True)
    assert "还没有传达部署" in empty
    auth.logout()
    _publish(client, auth, [world.village_a.id], due_on=local_today() + timedelta(days=3))
    auth.login("leader")
    one = queries_of(lambda: client.get("/directives/"))
    auth.logout()
    _publish(client, auth, [world.village_a.id], due_on=local_today() + timedelta(days=2))
    _publish(client, auth, [world.village_b.id], due_on=local_today() + timedelta(days=1))
    auth.login("leader")
    assert queries_of(lambda: client.get("/directives/")) == one
    first = client.get("/directives/").get_data(as_text=True)
    assert first.count("directive-row") == 2 and "第 1 / 2 页 · 共 3 条" in first and "?page=2" in first
    second = client.get("/directives/?page=2").get_data(as_text=True)
    assert second.count("directive-row") == 1 and "第 2 / 2 页" in second
    beyond = client.get("/directives/?page=9").get_data(as_text=True)
    assert "这一页没有内容" in beyond and "?page=1" in beyond
    auth.logout()
    auth.login("liaison_b")  # 西村: one of the three
    mine = client.get("/directives/").get_data(as_text=True)
    assert mine.count("directive-row") == 1 and "pager" not in mine
    auth.logout()
    auth.login("grid")  # 万科: none
    assert "您所包的村居目前没有传达部署" in client.get("/directives/").get_data(as_text=True)
