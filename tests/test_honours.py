"""Contests, honours and interest teams: a leader sets up the district's first grid workers'
choir contest, enters the 合唱团, records its 一等奖, and every singer's profile shows the
prize; a person's own honour shows on her profile, never on a peer's screen; the choir's
events happen at a 网格家园."""
from datetime import date

import sqlalchemy as sa
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from werkzeug.datastructures import MultiDict

from fuxin_pwa.extensions import db
from fuxin_pwa.honours.models import Contest, Honour, InterestTeam, TeamEvent
from fuxin_pwa.honours.queries import honours_between
from fuxin_pwa.honours.services import add_entry, add_members, create_contest, create_team, record_result
from fuxin_pwa.places.models import GRID_HOME, Place


def test_the_choir_enters_a_contest_and_its_prize_shows_on_each_singers_profile(client, auth, world):
    choir = create_team("福新街道网格员合唱团", None)
    add_members(choir, [world.grid.id, world.community_worker.id])
    auth.login("leader")
    r = client.post("/honours/contests/new", data={"kind": "chorus", "title": "福山区首届网格员合唱比赛",
                                                   "held_on": "2026-06-01"})
    assert r.status_code == 302
    contest = db.session.scalar(sa.select(Contest))
    assert client.post(f"/honours/contests/{contest.id}/entries", data={"team_id": choir.id}).status_code == 302
    entry = contest.entries[0]
    r = client.post(f"/honours/contests/{contest.id}/entries/{entry.id}/result", data={"result": "一等奖"},
                    follow_redirects=True)
    assert "荣誉“福山区首届网格员合唱比赛一等奖”已记入福新街道网格员合唱团的档案" in r.get_data(as_text=True)
    team_page = client.get(f"/honours/teams/{choir.id}").get_data(as_text=True)
    assert "福山区首届网格员合唱比赛一等奖" in team_page and "周网格" in team_page
    # A corrected result corrects the honour, never adds a second.
    client.post(f"/honours/contests/{contest.id}/entries/{entry.id}/result", data={"result": "特等奖"})
    assert db.session.scalars(sa.select(Honour.title)).all() == ["福山区首届网格员合唱比赛特等奖"]
    # A singer's evidence for the year counts the team's prize as hers too.
    assert [h.title for h in honours_between([world.grid.id], date(2026, 1, 1), date(2026, 12, 31))[world.grid.id]] \
        == ["福山区首届网格员合唱比赛特等奖"]


def test_her_own_honour_is_on_her_profile_and_hidden_from_a_peer(client, auth, world):
    contest = create_contest(world.leader, "arena", "社区工作者擂台比武", date(2026, 5, 20))
    record_result(world.leader, add_entry(contest, world.community_worker.id, None), "二等奖")
    auth.login("community")
    assert "社区工作者擂台比武二等奖" in client.get("/people/me", follow_redirects=True).get_data(as_text=True)
    auth.logout()
    auth.login("grid")
    assert client.get(f"/people/{world.community_worker.id}").status_code == 404
    assert client.get("/honours/").status_code == 403
    assert client.get(f"/honours/contests/{contest.id}").status_code == 403


def test_an_honour_won_elsewhere_is_recorded_from_her_profile(client, auth, world):
    auth.login("leader")
    profile = client.get(f"/people/{world.grid.id}").get_data(as_text=True)
    assert f"/honours/new?person_id={world.grid.id}" in profile
    r = client.post("/honours/new", data={"title": "福山区优秀网格员", "awarded_on": "2026-01-10",
                                          "user_id": world.grid.id})
    assert r.status_code == 302 and r.headers["Location"].endswith(f"/people/{world.grid.id}")
    assert "福山区优秀网格员" in client.get(f"/people/{world.grid.id}").get_data(as_text=True)
    r = client.post("/honours/new", data={"title": "", "awarded_on": "2026-01-10", "user_id": world.grid.id})
    assert r.status_code == 422 and "请填写荣誉名称" in r.get_data(as_text=True)


def test_an_entrant_is_a_person_or_a_team_never_both_or_neither(client, auth, world):
    choir = create_team("合唱团", None)
    contest = create_contest(world.leader, "chorus", "合唱比赛", date(2026, 6, 1))
    auth.login("leader")
    r = client.post(f"/honours/contests/{contest.id}/entries", data={})
    assert r.status_code == 422 and "请选择参赛人员或参赛队伍" in r.get_data(as_text=True)
    r = client.post(f"/honours/contests/{contest.id}/entries", data={"user_id": world.grid.id, "team_id": choir.id})
    assert r.status_code == 422 and "参赛人员和参赛队伍只能选一个" in r.get_data(as_text=True)
    client.post(f"/honours/contests/{contest.id}/entries", data={"user_id": world.grid.id})
    client.post(f"/honours/contests/{contest.id}/entries", data={"user_id": world.grid.id})
    assert len(contest.entries) == 1  # entered once


def test_an_interest_team_holds_its_events_at_a_grid_home(client, auth, world):
    home = Place(name="万科网格家园", kind=GRID_HOME, parent_id=world.grid_c.id, code="GH-1")
    db.session.add(home)
    db.session.commit()
    auth.login("leader")
    r = client.post("/honours/teams/new", data={"name": "舞蹈队", "note": "每周二晚排练"})
    team = db.session.scalar(sa.select(InterestTeam))
    assert r.status_code == 302 and team.name == "舞蹈队"
    r = client.post("/honours/teams/new", data={"name": "舞蹈队"})
    assert r.status_code == 422 and "已有同名的队伍" in r.get_data(as_text=True)
    assert "万科网格家园" in client.get(f"/honours/teams/{team.id}").get_data(as_text=True)
    r = client.post(f"/honours/teams/{team.id}/events", data={"e-title": "广场舞展演", "e-held_on": "2026-07-01",
                                                              "e-place_id": home.id})
    assert r.status_code == 302
    event = db.session.scalar(sa.select(TeamEvent))
    assert event.place.kind_label == "网格家园"
    r = client.post(f"/honours/teams/{team.id}/members", data={"m-user_ids": [world.grid.id, world.cadre.id]})
    assert r.status_code == 302 and len(team.members) == 2


JUNK = st.one_of(st.text(max_size=20), st.sampled_from(["", "0", "-1", "99999999999999999999", "2026-02-30",
                                                        "0001-01-01", "a" * 300, "None", "nan"]))
FIELDS = ["kind", "title", "held_on", "awarded_on", "user_id", "team_id", "result", "name", "note", "m-user_ids",
          "e-title", "e-held_on", "e-place_id"]


@settings(max_examples=15, deadline=None, suppress_health_check=list(HealthCheck))
@given(data=st.data())
def test_junk_in_any_honours_form_is_a_field_error_never_a_server_error(app, client, auth, world, data):
    contest = db.session.scalar(sa.select(Contest)) or create_contest(world.leader, "chorus", "合唱", date(2026, 6, 1))
    entry = contest.entries[0] if contest.entries else add_entry(contest, world.grid.id, None)
    team = db.session.scalar(sa.select(InterestTeam)) or create_team("合唱团", None)
    auth.login("leader")
    for url in ("/honours/new", "/honours/contests/new", f"/honours/contests/{contest.id}/entries",
                f"/honours/contests/{contest.id}/entries/{entry.id}/result", "/honours/teams/new",
                f"/honours/teams/{team.id}/members", f"/honours/teams/{team.id}/events"):
        form = MultiDict(data.draw(st.lists(st.tuples(st.sampled_from(FIELDS), JUNK), max_size=8)))
        r = client.post(url, data=form)
        assert r.status_code < 500, (url, form)
        if r.status_code == 422 and "/result" not in url:
            assert 'class="error' in r.get_data(as_text=True), (url, form)
    auth.logout()
