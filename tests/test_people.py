"""The personnel profile: leaders find everyone's from /people/, each person opens their own
from /people/me, and a peer never opens another's (404, as for anything not theirs). The
profile is the sections other areas register (people/sections.py)."""
from markupsafe import Markup

from fuxin_pwa.people import sections
from fuxin_pwa.people.sections import profile_section, sections_for


def test_a_leader_finds_everyone_by_team_and_opens_a_profile(client, auth, world):
    auth.login("leader")
    page = client.get("/people/").get_data(as_text=True)
    assert "社区工作者" in page and f'href="/people/{world.community_worker.id}"' in page and "赵包村" in page
    profile = client.get(f"/people/{world.community_worker.id}").get_data(as_text=True)
    assert "吴社工" in profile and "培训与学历" in profile and "关爱走访" in profile


def test_my_profile_is_one_tap_away_and_a_peers_is_not_found(client, auth, world):
    auth.login("liaison")
    r = client.get("/people/me")
    assert r.status_code == 302 and r.headers["Location"].endswith(f"/people/{world.liaison.id}")
    assert "赵包村" in client.get(r.headers["Location"]).get_data(as_text=True)
    assert client.get(f"/people/{world.liaison_b.id}").status_code == 404
    assert client.get("/people/999999").status_code == 404
    assert client.get("/people/").status_code == 403
    auth.logout()
    auth.login("admin")
    assert client.get("/people/999999").status_code == 404  # no such person, even for an admin


def test_a_section_registered_by_another_area_is_drawn_in_its_order_or_left_out(app, world):
    calls = []

    @profile_section("zz_test_honours", order=1)
    def _honours(viewer, person):
        calls.append((viewer.id, person.id))
        return Markup("<section>荣誉：合唱比赛一等奖</section>") if person.id == world.grid.id else None

    try:
        with app.test_request_context("/people/"):
            drawn = sections_for(world.leader, world.grid)
            assert drawn[0] == Markup("<section>荣誉：合唱比赛一等奖</section>")
            assert all("合唱" not in str(s) for s in sections_for(world.leader, world.liaison))
        assert calls == [(world.leader.id, world.grid.id), (world.leader.id, world.liaison.id)]
    finally:
        sections._SECTIONS.pop("zz_test_honours")


def test_the_demo_holds_a_care_visit_owed_one_made_eight_sessions_and_21_new_degrees(demo, client, auth):
    import sqlalchemy as sa

    from fuxin_pwa.care.models import CareTrigger, CareVisit
    from fuxin_pwa.extensions import db
    from fuxin_pwa.timeutil import local_today
    from fuxin_pwa.training.models import TrainingSession
    from fuxin_pwa.training.queries import certificate_counts, education_raised

    assert db.session.scalar(sa.select(sa.func.count(CareTrigger.id))) == 2
    assert db.session.scalar(sa.select(sa.func.count(CareVisit.id))) == 1
    assert db.session.scalar(sa.select(sa.func.count(TrainingSession.id))) == 8
    assert education_raised(local_today().year)["bachelor"] == 21
    assert all(certificate_counts().values())
    auth.login("leader")
    assert "三必访 待走访" in client.get("/?field=1").get_data(as_text=True)
    none_yet = client.get("/training/teams?team=community_worker").get_data(as_text=True)
    assert 'class="training-none"' in none_yet


def test_her_name_in_the_top_bar_leads_to_her_profile_where_she_changes_her_password(client, auth, world):
    auth.login("liaison")
    home = client.get("/").get_data(as_text=True)
    assert 'class="who" href="/people/me"' in home
    profile = client.get("/people/me", follow_redirects=True).get_data(as_text=True)
    assert 'href="/password"' in profile
