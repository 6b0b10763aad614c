"""Planned rounds (定向常态服务): care tags on households, the teams' monthly visit rules, the
plan on each person's home, and completion per place and team for the leaders."""
from datetime import date, timedelta

import sqlalchemy as sa

from fuxin_pwa.extensions import db
from fuxin_pwa.places.models import Household
from fuxin_pwa.rounds.models import CareTag, VisitRule
from fuxin_pwa.rounds.services import next_due, set_care_tags
from fuxin_pwa.timeutil import utcnow
from tests.factories import make_task_log, make_user


def _tag(household, *tags):
    set_care_tags(household, tags)


def _rule(world, team="grid_worker", tag="lives_alone", visits=2, since=None):
    rule = VisitRule(team=team, care_tag=tag, visits_per_month=visits, created_by_id=world.leader.id,
                     created_at=since or utcnow())
    db.session.add(rule)
    db.session.commit()
    return rule


def _two_living_alone(world):
    """Two 独居老人 households in the grid worker's grid, two visits a month each."""
    second = Household(place_id=world.grid_c.id, address="万科第1网格5号", head_name="赵六", phone="13600001111")
    db.session.add(second)
    db.session.commit()
    _tag(world.household_c, "lives_alone")
    _tag(second, "lives_alone")
    _rule(world)
    return world.household_c, second


def _home(client) -> str:
    r = client.get("/")
    assert r.status_code == 200
    return r.get_data(as_text=True)


# --- The plan on the home ------------------------------------------------------------------

def test_the_grid_worker_logs_a_visit_and_her_plan_moves_on(client, auth, world):
    first, second = _two_living_alone(world)
    auth.login("grid")
    page = _home(client)
    assert "本月计划 0/4" in page and first.address in page and second.address in page

    r = client.post("/log", data={"kind": "resident_visit", "place_id": first.place_id,
                                  "household_id": first.id, "summary": "走访独居老人"})
    assert r.status_code == 302
    page = _home(client)
    assert "本月计划 1/4" in page
    # The household still owed both visits is due sooner than the one visited once: first.
    assert page.index(second.address) < page.index(first.address)
    assert "本月已走访 1/2 次" in page


def test_a_visit_by_a_colleague_of_her_team_ticks_her_plan_too(client, auth, world):
    first, _second = _two_living_alone(world)
    colleague = make_user("grid2", "grid_worker", name="郑网格", places=[world.grid_c])
    auth.login("grid")
    assert "本月计划 0/4" in _home(client)  # drawn and kept
    make_task_log(colleague, world.grid_c, household_id=first.id)
    assert "本月计划 1/4" in _home(client)


def test_a_visit_by_another_team_does_not_count_for_the_grid_team(client, auth, world):
    _two_living_alone(world)
    make_task_log(world.community_worker, world.grid_c, household_id=world.household_c.id)
    auth.login("grid")
    assert "本月计划 0/4" in _home(client)


def test_a_check_in_ticks_no_household(client, auth, world):
    from tests.factories import make_checkin

    _two_living_alone(world)
    make_checkin(world.grid, world.grid_c)
    auth.login("grid")
    assert "本月计划 0/4" in _home(client)


def test_no_panel_for_a_team_without_a_rule_or_a_household_without_a_tag(client, auth, world):
    _rule(world, team="village_liaison", tag="disabled")
    auth.login("liaison")
    assert "本月计划" not in _home(client)
    _tag(world.household_a, "disabled")
    assert "本月计划 0/2" in _home(client)


def test_two_tags_under_one_team_ask_the_larger_number_once(client, auth, world):
    _tag(world.household_c, "lives_alone", "disabled")
    _rule(world, tag="lives_alone", visits=2)
    _rule(world, tag="disabled", visits=1)
    auth.login("grid")
    assert "本月计划 0/2" in _home(client)


def test_the_home_costs_the_same_queries_for_two_households_and_for_thirty(client, auth, world, queries_of):
    _two_living_alone(world)
    auth.login("grid")
    client.get("/")
    before = queries_of(lambda: client.get("/"))
    for n in range(28):
        household = Household(place_id=world.grid_c.id, address=f"万科第1网格{100 + n}号", head_name="居民")
        db.session.add(household)
        db.session.flush()
        db.session.add(CareTag(household_id=household.id, tag="lives_alone"))
    db.session.commit()
    make_task_log(world.grid, world.grid_c, household_id=world.household_c.id)
    assert "本月计划 1/60" in _home(client)
    assert queries_of(lambda: client.get("/")) == before


def test_the_home_shows_no_resident_number(client, auth, world):
    _two_living_alone(world)
    auth.login("grid")
    page = _home(client)
    assert "13700001234" not in page and "13600001111" not in page


# --- When a visit is due -------------------------------------------------------------------

def test_visits_are_spread_over_the_month():
    first, last = date(2026, 12, 1), date(2026, 12, 31)
    assert next_due(first, last, 0, 2) == date(2026, 12, 16)
    assert next_due(first, last, 1, 2) == date(2026, 12, 31)
    assert next_due(first, last, 2, 2) is None
    assert next_due(date(2026, 2, 1), date(2026, 2, 28), 0, 4) == date(2026, 2, 7)


def test_a_household_short_last_month_is_overdue_and_shows_on_the_coverage_pages(client, auth, world):
    _tag(world.household_c, "lives_alone")
    _rule(world, since=utcnow() - timedelta(days=70))
    auth.login("grid")
    assert "已逾期" in _home(client)
    auth.logout()
    auth.login("leader")
    page = client.get("/rounds/").get_data(as_text=True)
    assert "逾期未走访" in page and world.household_c.address in page and "万科社区" in page
    assert "周网格" not in page  # completion per place and team, never per person
    coverage = client.get("/coverage/").get_data(as_text=True)
    assert world.household_c.address in coverage


def test_a_rule_made_this_month_asks_nothing_of_last_month(client, auth, world):
    _tag(world.household_c, "lives_alone")
    _rule(world, visits=1)
    auth.login("grid")
    page = _home(client)
    if date.today().day < 28:  # its one visit is due by the month's end
        assert "已逾期" not in page


# --- Rules ---------------------------------------------------------------------------------

def test_the_leader_sets_a_rule_and_changes_its_number(client, auth, world):
    auth.login("leader")
    r = client.post("/rounds/rules", data={"team": "grid_worker", "care_tag": "empty_nest",
                                           "visits_per_month": "2"})
    assert r.status_code == 302
    client.post("/rounds/rules", data={"team": "grid_worker", "care_tag": "empty_nest", "visits_per_month": "3"})
    rules = db.session.scalars(sa.select(VisitRule)).all()
    assert [(r.team, r.care_tag, r.visits_per_month) for r in rules] == [("grid_worker", "empty_nest", 3)]
    page = client.get("/rounds/").get_data(as_text=True)
    assert "空巢老人" in page and "网格员" in page


def test_a_bad_rule_is_refused_in_chinese_with_the_form_filled(client, auth, world):
    auth.login("leader")
    for visits, message in (("0", "每月走访次数应在 1 到 31 之间"), ("99", "每月走访次数应在 1 到 31 之间"),
                            ("", "请填写每月走访次数")):
        r = client.post("/rounds/rules", data={"team": "grid_worker", "care_tag": "disabled",
                                               "visits_per_month": visits})
        page = r.get_data(as_text=True)
        assert r.status_code == 422 and message in page
        assert 'selected value="disabled"' in page
    r = client.post("/rounds/rules", data={"team": "boss", "care_tag": "nobody", "visits_per_month": "abc"})
    page = r.get_data(as_text=True)
    assert r.status_code == 422 and "请选择队伍" in page and "请选择重点人群" in page
    assert db.session.scalar(sa.select(sa.func.count()).select_from(VisitRule)) == 0


def test_the_leader_deletes_a_rule_and_the_plan_goes(client, auth, world):
    _tag(world.household_c, "lives_alone")
    rule = _rule(world)
    auth.login("leader")
    assert client.post(f"/rounds/rules/{rule.id}/delete").status_code == 302
    assert client.post(f"/rounds/rules/{rule.id}/delete").status_code == 302  # gone already: no error
    auth.logout()
    auth.login("grid")
    assert "本月计划" not in _home(client)


def test_field_staff_see_their_plan_not_the_rules(client, auth, world):
    _two_living_alone(world)
    auth.login("grid")
    page = client.get("/rounds/").get_data(as_text=True)
    assert "本月计划 0/4" in page and "设定规则" not in page
    assert client.post("/rounds/rules", data={"team": "grid_worker", "care_tag": "disabled",
                                              "visits_per_month": "2"}).status_code == 403


# --- Care tags -----------------------------------------------------------------------------

def test_the_grid_worker_tags_a_household_of_her_grid(client, auth, world):
    auth.login("grid")
    url = f"/rounds/households/{world.household_c.id}/tags"
    assert "独居老人" in client.get(url).get_data(as_text=True)
    r = client.post(url, data={"tags": ["lives_alone", "disabled"]})
    assert r.status_code == 302
    tags = set(db.session.scalars(sa.select(CareTag.tag).where(CareTag.household_id == world.household_c.id)))
    assert tags == {"lives_alone", "disabled"}
    client.post(url, data={"tags": ["disabled"]})
    tags = set(db.session.scalars(sa.select(CareTag.tag).where(CareTag.household_id == world.household_c.id)))
    assert tags == {"disabled"}
    assert "13700001234" not in client.get(url).get_data(as_text=True)


def test_an_unknown_tag_is_refused_and_nothing_changes(client, auth, world):
    auth.login("grid")
    r = client.post(f"/rounds/households/{world.household_c.id}/tags", data={"tags": ["lives_alone", "vip"]})
    assert r.status_code == 422 and "所选重点人群无效" in r.get_data(as_text=True)
    assert db.session.scalar(sa.select(sa.func.count()).select_from(CareTag)) == 0


def test_a_household_outside_her_grid_is_not_found_and_other_teams_may_not_tag(client, auth, world):
    auth.login("grid")
    assert client.get(f"/rounds/households/{world.household_a.id}/tags").status_code == 404
    auth.logout()
    auth.login("liaison")
    assert client.get(f"/rounds/households/{world.household_a.id}/tags").status_code == 403
    auth.logout()
    auth.login("admin")
    assert client.post(f"/rounds/households/{world.household_a.id}/tags",
                       data={"tags": ["entitled"]}).status_code == 302


def test_tags_and_rules_are_in_the_audit_trail(client, auth, world):
    from fuxin_pwa.audit.models import AuditEntry

    auth.login("admin")
    client.post(f"/rounds/households/{world.household_a.id}/tags", data={"tags": ["entitled"]})
    client.post("/rounds/rules", data={"team": "grid_worker", "care_tag": "entitled", "visits_per_month": "1"})
    types = set(db.session.scalars(sa.select(AuditEntry.object_type)))
    assert {"care_tag", "visit_rule"} <= types



# --- The households' import ----------------------------------------------------------------

def test_an_admin_imports_households_with_their_care_tags(client, auth, world):
    from tests.test_import import csv_bytes, errors_in, upload

    _tag(world.household_a, "disabled")
    auth.login("admin")
    text = """
地点编码,地址,户主,电话,身份证号,人口,备注,重点人群
G-A1,东村1号,张三,13812345678,370611196001011234,,,独居老人；优抚对象
G-A1,东村2号,赵六,,,1,,独居老人
E-WK,万科假日风景3-2-101,王五,13700001234,,,,
"""
    preview, confirm = upload(client, "households", csv_bytes(text))
    assert errors_in(preview) == []
    assert "重点人群：残疾人 → 独居老人、优抚对象" in preview.get_data(as_text=True)
    assert client.post(confirm).status_code == 302
    tags = {(h, t) for h, t in db.session.execute(sa.select(CareTag.household_id, CareTag.tag))}
    second = db.session.scalar(sa.select(Household).where(Household.address == "东村2号"))
    assert tags == {(world.household_a.id, "lives_alone"), (world.household_a.id, "entitled"),
                    (second.id, "lives_alone")}  # the empty cell left 王五's (none) as it was


def test_an_import_with_an_unknown_care_tag_is_refused_whole(client, auth, world):
    from tests.test_import import csv_bytes, errors_in, upload

    auth.login("admin")
    preview, _confirm = upload(client, "households", csv_bytes("""
地点编码,地址,户主,重点人群
G-A1,东村3号,钱七,独居老人、贵宾
"""))
    errors = errors_in(preview)
    assert len(errors) == 1 and "第2行" in errors[0] and "贵宾" in errors[0] and "独居老人" in errors[0]
    assert db.session.scalar(sa.select(sa.func.count()).select_from(CareTag)) == 0


def test_the_household_page_offers_its_care_groups_to_the_grid_worker_only(client, auth, world):
    url = f"/rounds/households/{world.household_c.id}/tags"
    auth.login("grid")
    assert url in client.get(f"/cases/households/{world.household_c.id}").get_data(as_text=True)
    auth.logout()
    auth.login("community")
    assert url not in client.get(f"/cases/households/{world.household_c.id}").get_data(as_text=True)


def test_an_overdue_household_comes_first(client, auth, world):
    first, second = _two_living_alone(world)
    db.session.execute(sa.update(VisitRule).values(created_at=utcnow() - timedelta(days=70)))
    db.session.commit()
    # Last month: the first household had its two visits, the second none (overdue now); this
    # month each has had one, so both are next due by the month's end.
    last_month = utcnow().replace(day=1) - timedelta(days=5)
    make_task_log(world.grid, world.grid_c, when=last_month, household_id=first.id)
    make_task_log(world.grid, world.grid_c, when=last_month, household_id=first.id)
    make_task_log(world.grid, world.grid_c, household_id=first.id)
    make_task_log(world.grid, world.grid_c, household_id=second.id)
    auth.login("grid")
    page = _home(client)
    assert "本月计划 2/4" in page and page.index(second.address) < page.index(first.address)
    assert page.count("已逾期") == 1


def test_a_household_short_last_month_is_not_overdue_once_this_months_visits_are_made(client, auth, world):
    _tag(world.household_c, "lives_alone")
    _rule(world, visits=1, since=utcnow() - timedelta(days=70))
    make_task_log(world.grid, world.grid_c, household_id=world.household_c.id)
    auth.login("grid")
    page = _home(client)
    assert "本月计划 1/1" in page and "已逾期" not in page and "本月计划走访已完成" in page
    auth.logout()
    auth.login("leader")
    assert "逾期未走访" not in client.get("/rounds/").get_data(as_text=True)


# --- The plan on the phone (/api/v1/me) ------------------------------------------------------

def _me(client) -> dict:
    r = client.get("/api/v1/me")
    assert r.status_code == 200
    return r.get_json()


def test_the_phone_gets_the_plan_with_the_households_still_owed(client, auth, world):
    first, second = _two_living_alone(world)
    _tag(first, "lives_alone", "disabled")
    make_task_log(world.grid, world.grid_c, household_id=first.id)
    auth.login("grid")
    plan = _me(client)["plan"]
    assert plan["month"] == date.today().strftime("%Y-%m")
    assert (plan["done"], plan["required"]) == (1, 4)
    owed = {o["household_id"]: o for o in plan["owed"]}
    assert set(owed) == {first.id, second.id}
    assert owed[first.id]["tags"] == ["独居老人", "残疾人"] and owed[first.id]["due"] == 1
    assert owed[second.id]["due"] == 2 and owed[second.id]["address"] == second.address
    assert owed[second.id]["place_id"] == world.grid_c.id and owed[second.id]["overdue"] in (True, False)
    # What the home card shows, nothing more: no resident's phone, ID number or name.
    text = client.get("/api/v1/me").get_data(as_text=True)
    assert "13700001234" not in text and "13600001111" not in text and "赵六" not in text


def test_a_visit_made_changes_the_phones_plan_and_its_etag(client, auth, world):
    first, _second = _two_living_alone(world)
    auth.login("grid")
    r = client.get("/api/v1/me")
    etag = r.headers["ETag"]
    make_task_log(world.grid, world.grid_c, household_id=first.id)
    r = client.get("/api/v1/me", headers={"If-None-Match": etag})
    assert r.status_code == 200 and r.get_json()["plan"]["done"] == 1


def test_leaders_and_people_without_a_rule_get_an_empty_plan(client, auth, world):
    _two_living_alone(world)
    for username in ("leader", "liaison", "admin"):
        auth.login(username)
        assert _me(client)["plan"] == {}
        auth.logout()


def test_me_costs_the_same_queries_for_two_households_and_for_thirty(client, auth, world, queries_of):
    from fuxin_pwa.versions import bump_all

    _two_living_alone(world)
    auth.login("grid")

    def drawn_again():
        bump_all()  # nothing kept: the body is drawn from the database
        return client.get("/api/v1/me")

    before = queries_of(drawn_again)
    for n in range(28):
        household = Household(place_id=world.grid_c.id, address=f"万科第1网格{100 + n}号", head_name="居民")
        db.session.add(household)
        db.session.flush()
        db.session.add_all([CareTag(household_id=household.id, tag="lives_alone"),
                            CareTag(household_id=household.id, tag="disabled")])
    db.session.commit()
    make_task_log(world.grid, world.grid_c, household_id=world.household_c.id)
    assert len(_me(client)["plan"]["owed"]) == 30
    assert queries_of(drawn_again) == before
