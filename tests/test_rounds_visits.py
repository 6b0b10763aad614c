"""Planned rounds: a check-in naming a household is a visit of its plan, as a task log
naming it is; which kept pages a visit makes stale."""
import sqlalchemy as sa
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from fuxin_pwa.extensions import db
from fuxin_pwa.field.models import CheckIn
from tests.test_rounds import _home, _me, _two_living_alone
from tests.test_sync import checkin, sync


def _statuses(response):
    return [(r["status"], r.get("errors")) for r in response.get_json()["results"]]


# --- A check-in naming a household ---------------------------------------------------------

def test_a_check_in_naming_a_household_ticks_it_off(client, auth, world):
    first, _second = _two_living_alone(world)
    auth.login("grid")
    r = client.post("/checkin", data={"place_id": first.place_id, "household_id": first.id, "note": "入户走访"})
    assert r.status_code == 302
    assert db.session.scalar(sa.select(CheckIn.household_id)) == first.id
    assert "本月计划 1/4" in _home(client)
    assert _me(client)["plan"]["done"] == 1


def test_a_check_in_from_the_phone_naming_a_household_ticks_it_off(client, auth, world):
    first, second = _two_living_alone(world)
    auth.login("grid")
    r = sync(client, [checkin(first.place_id, household_id=first.id), checkin(second.place_id, household_id=second.id),
                      checkin(second.place_id)])
    assert [s for s, _e in _statuses(r)] == ["created"] * 3
    plan = _me(client)["plan"]
    assert plan["done"] == 2 and {o["household_id"]: o["due"] for o in plan["owed"]} == {first.id: 1, second.id: 1}


def test_a_check_in_at_a_household_outside_her_places_is_refused(client, auth, world):
    _two_living_alone(world)
    auth.login("grid")
    r = sync(client, [checkin(world.grid_c.id, household_id=world.household_a.id),
                      checkin(world.grid_c.id, household_id=999999)])
    for status, errors in _statuses(r):
        assert status == "rejected" and errors["household_id"] == ["户不存在或不在您的范围内"]
    r = client.post("/checkin", data={"place_id": world.grid_c.id, "household_id": world.household_a.id})
    assert r.status_code == 422 and "户不存在或不在您的范围内" in r.get_data(as_text=True)
    assert db.session.scalar(sa.select(sa.func.count()).select_from(CheckIn)) == 0


def test_the_home_offers_a_check_in_at_each_household_owed(client, auth, world):
    first, second = _two_living_alone(world)
    auth.login("grid")
    page = _home(client)
    for h in (first, second):
        assert f"/checkin?household_id={h.id}&amp;place_id={h.place_id}" in page
    assert page.count("入户签到") == 2


def test_the_check_in_form_opened_for_a_household_offers_it_and_only_hers(client, auth, world):
    first, _second = _two_living_alone(world)
    auth.login("grid")
    page = client.get(f"/checkin?household_id={first.id}").get_data(as_text=True)
    assert f'<option selected value="{first.id}">{first.address}</option>' in page
    assert "data-household-choice hidden" not in page
    assert "data-household-choice hidden" in client.get("/checkin").get_data(as_text=True)
    assert client.get(f"/checkin?household_id={world.household_a.id}").status_code == 404


def test_the_contract_names_the_check_ins_household(client):
    doc = client.get("/api/v1/openapi.json").get_json()
    [record] = [r for r in doc["components"]["schemas"]["Record"]["anyOf"] if r.get("title") == "checkin"]
    assert record["properties"]["data"]["properties"]["household_id"] == {"type": "integer"}
    assert "plan" in doc["paths"]["/me"]["get"]["responses"]["200"]["content"]["application/json"]["schema"][
        "properties"]


JUNK = st.one_of(st.none(), st.booleans(), st.integers(-2**70, 2**70), st.floats(allow_nan=True),
                 st.text(max_size=20), st.lists(st.integers(), max_size=2), st.dictionaries(st.text(max_size=3),
                                                                                            st.integers(), max_size=2))


@settings(max_examples=40, deadline=None, suppress_health_check=list(HealthCheck))
@given(household=JUNK)
def test_junk_for_the_household_is_a_field_error_never_a_server_error(app, client, auth, world, household):
    if not db.session.scalar(sa.select(sa.func.count()).select_from(db.metadata.tables["care_tags"])):
        _two_living_alone(world)
    auth.login("grid")
    record = checkin(world.grid_c.id, household_id=household)
    [(status, errors)] = _statuses(sync(client, [record]))
    if status == "created":  # stored naming none of the households, or one of her places'
        stored = db.session.scalar(sa.select(CheckIn.household_id).where(CheckIn.uuid == record["id"]))
        assert stored in (None, world.household_c.id)
    else:
        assert status == "rejected" and "household_id" in errors, errors
    r = client.post("/checkin", data={"place_id": world.grid_c.id, "household_id": str(household)})
    assert r.status_code in (302, 422) or (r.status_code == 400 and "\x00" in str(household))  # NUL: refused whole


# --- Which kept pages a visit makes stale ----------------------------------------------------

def _versions(world):
    from fuxin_pwa import versions

    return {name: versions.store().read((versions.person(u.id),))[0]
            for name, u in (("grid", world.grid), ("community", world.community_worker),
                            ("liaison", world.liaison), ("leader", world.leader))} | {
        "all": versions.store().read((versions.ALL,))[0]}


def _moved(before, after):
    return {name for name in before if before[name] != after[name]}


def test_a_visit_to_a_household_bumps_only_those_who_cover_its_place(client, auth, world):
    from tests.factories import make_task_log

    before = _versions(world)
    make_task_log(world.grid, world.grid_c, household_id=world.household_c.id)
    # The grid worker (her grid holds the estate) and the community worker (the community
    # holds the grid) have it in their plan; the liaison of 东村 and the shared version not.
    assert _moved(before, _versions(world)) == {"grid", "community"}

    before = _versions(world)
    auth.login("grid")
    r = sync(client, [checkin(world.grid_c.id, household_id=world.household_c.id), checkin(world.grid_c.id)])
    assert [s for s, _e in _statuses(r)] == ["created", "created"]
    assert _moved(before, _versions(world)) == {"grid", "community"}

    before = _versions(world)
    make_task_log(world.liaison, world.village_a)  # no household: her own pages only
    assert _moved(before, _versions(world)) == {"liaison"}


def test_a_visit_elsewhere_leaves_her_kept_home_as_it_was(client, auth, world, count_queries):
    from tests.factories import make_task_log

    first, _second = _two_living_alone(world)
    auth.login("liaison")
    _home(client)
    make_task_log(world.community_worker, world.grid_c)  # another person's own record: kept, as test_kept shows
    with count_queries() as kept:
        _home(client)
    make_task_log(world.community_worker, world.grid_c, household_id=first.id)  # a household she does not cover
    with count_queries() as again:
        _home(client)
    assert again.count == kept.count
    make_task_log(world.leader, world.village_a, household_id=world.household_a.id)  # one of 东村's: drawn again
    with count_queries() as drawn:
        _home(client)
    assert drawn.count > kept.count
