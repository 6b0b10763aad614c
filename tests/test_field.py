"""A field person's day on the phone: home, check-in, task log, my record."""
import re

import sqlalchemy as sa

from fuxin_pwa.extensions import db
from fuxin_pwa.field.models import CheckIn, TaskLog


def test_liaison_checks_in_at_own_village_and_home_shows_visited(client, auth, world):
    auth.login("liaison")
    home = client.get("/").get_data(as_text=True)
    assert "东村" in home and "本周未入村" in home
    form = client.get("/checkin").get_data(as_text=True)
    record_id = re.search(r'name="record_id" type="hidden" value="([0-9a-f-]{36})"', form).group(1)
    r = client.post("/checkin", data={"record_id": record_id, "place_id": world.village_a.id,
                                      "lat": "37.49", "lon": "121.25", "accuracy_m": "18", "note": "入村走访"})
    assert r.status_code == 302
    stored = db.session.scalars(sa.select(CheckIn)).all()
    assert len(stored) == 1 and stored[0].uuid == record_id and stored[0].source == "web"
    assert "本周已入村" in client.get("/").get_data(as_text=True)


def record_id_of(page: str) -> str:
    return re.search(r'name="record_id" type="hidden" value="([0-9a-f-]{36})"', page).group(1)


def test_checkin_form_preselects_my_only_place_and_offers_only_my_places(client, auth, world):
    auth.login("grid")  # a grid worker covers one grid (and the estate under it)
    page = client.get("/checkin").get_data(as_text=True)
    assert "万科第1网格" in page and "万科假日风景小区" in page
    assert "东村" not in page and "西村" not in page
    auth.logout()
    auth.login("community")  # one community: preselected only when it is the only choice
    page = client.get(f"/checkin?place_id={world.community.id}").get_data(as_text=True)
    assert re.search(rf'<option selected value="{world.community.id}">', page)


def test_checkin_without_location_still_saves_as_no_location(client, auth, world):
    auth.login("liaison")
    rid = record_id_of(client.get("/checkin").get_data(as_text=True))
    r = client.post("/checkin", data={"record_id": rid, "place_id": world.village_a.id})
    assert r.status_code == 302
    stored = db.session.scalar(sa.select(CheckIn))
    assert not stored.has_location
    assert "无定位" in client.get("/my/record").get_data(as_text=True)


def test_low_accuracy_is_marked_in_my_record(client, auth, world):
    auth.login("liaison")
    client.post("/checkin", data={"place_id": world.village_a.id, "lat": "37.5", "lon": "121.2",
                                  "accuracy_m": "850"})
    assert "定位精度低" in client.get("/my/record").get_data(as_text=True)


def test_a_double_submitted_checkin_is_stored_once(client, auth, world):
    auth.login("liaison")
    rid = record_id_of(client.get("/checkin").get_data(as_text=True))
    data = {"record_id": rid, "place_id": world.village_a.id, "note": "入村"}
    assert client.post("/checkin", data=data).status_code == 302
    assert client.post("/checkin", data=data).status_code == 302
    assert db.session.scalar(sa.select(sa.func.count()).select_from(CheckIn)) == 1


def test_checkin_at_a_place_not_mine_comes_back_with_the_error_and_my_note(client, auth, world):
    auth.login("liaison")
    r = client.post("/checkin", data={"place_id": world.village_b.id, "note": "我的备注",
                                      "lat": "95", "lon": "121.2"})
    page = r.get_data(as_text=True)
    assert r.status_code == 422
    assert "不在您的包片范围内" in page and "纬度应在 -90 到 90 之间" in page
    assert "我的备注" in page  # nothing typed is lost
    assert db.session.scalar(sa.select(sa.func.count()).select_from(CheckIn)) == 0


def test_task_log_is_saved_with_kind_and_shows_in_my_record(client, auth, world):
    auth.login("liaison")
    page = client.get("/log").get_data(as_text=True)
    for label in ("违建约谈", "安置回访", "征迁值守", "防汛值守", "走访群众", "志愿服务", "政策宣传", "诉求办理"):
        assert label in page
    r = client.post("/log", data={"record_id": record_id_of(page), "kind": "demolition_talk",
                                  "place_id": world.grid_a.id, "household_id": world.household_a.id,
                                  "summary": "约谈户主，讲解违建拆除政策", "outcome": "同意自拆",
                                  "duration_min": "45"})
    assert r.status_code == 302
    log = db.session.scalar(sa.select(TaskLog))
    assert log.kind.code == "demolition_talk" and log.household_id == world.household_a.id and log.uuid
    assert "约谈户主" in client.get("/my/record").get_data(as_text=True)


def test_task_log_refuses_a_next_step_before_the_visit_and_keeps_the_text(client, auth, world):
    auth.login("liaison")
    r = client.post("/log", data={"kind": "resident_visit", "place_id": world.village_a.id,
                                  "summary": "走访", "next_step_on": "2001-01-01"})
    page = r.get_data(as_text=True)
    assert r.status_code == 422 and "下一步日期不能早于本次走访日期" in page and "走访" in page


def test_task_log_for_a_household_opened_from_its_link_is_prefilled(client, auth, world):
    auth.login("liaison")
    page = client.get(f"/log?household_id={world.household_a.id}").get_data(as_text=True)
    assert re.search(rf'<option selected value="{world.household_a.id}">东村1号', page)
    assert client.get(f"/log?household_id={world.household_b.id}").status_code == 404


def test_my_record_active_search_answers_a_fragment_to_htmx_and_a_page_without(client, auth, world):
    from tests.factories import make_checkin, make_task_log
    make_checkin(world.liaison, world.village_a, note="修路协调")
    make_task_log(world.liaison, world.grid_a, summary="安置政策宣讲", kind_code="briefing")
    make_checkin(world.cadre, world.village_a, note="修路协调（别人的）")
    auth.login("liaison")
    full = client.get("/my/record?q=修路")
    assert "<html" in full.get_data(as_text=True) and "HX-Request" in full.headers["Vary"]
    fragment = client.get("/my/record?q=修路", headers={"HX-Request": "true"}).get_data(as_text=True)
    assert "<html" not in fragment and "修路协调" in fragment
    assert "别人的" not in fragment and "安置政策宣讲" not in fragment
    by_kind = client.get("/my/record?q=政策宣传", headers={"HX-Request": "true"}).get_data(as_text=True)
    assert "安置政策宣讲" in by_kind
    none = client.get("/my/record?q=不存在的词", headers={"HX-Request": "true"}).get_data(as_text=True)
    assert "没有找到" in none


def test_my_record_query_count_does_not_grow_with_rows(client, auth, world, count_queries):
    from tests.factories import make_checkin, make_task_log
    auth.login("liaison")

    def queries_for_record_page():
        with count_queries() as q:
            assert client.get("/my/record").status_code == 200
        return q.count

    make_checkin(world.liaison, world.village_a)
    make_task_log(world.liaison, world.village_a)
    few = queries_for_record_page()
    for _ in range(20):
        make_checkin(world.liaison, world.village_a)
        make_task_log(world.liaison, world.grid_a, household_id=world.household_a.id)
    assert queries_for_record_page() == few


def test_my_record_is_paginated(client, auth, world):
    from tests.factories import make_checkin
    for _ in range(35):
        make_checkin(world.liaison, world.village_a)
    auth.login("liaison")
    first = client.get("/my/record").get_data(as_text=True)
    assert first.count('class="entry entry-checkin"') == 30 and "第 1 / 2 页" in first
    second = client.get("/my/record?page=2").get_data(as_text=True)
    assert second.count('class="entry entry-checkin"') == 5
