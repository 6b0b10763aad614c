"""Training: a leader sets up a 街道党校 class for the community workers and one cadre, marks
who came at the tablet one tap each; each person's hours are on their profile, a team's hours
and who has had none this year on the leader's page. Certificates and degrees with a photo on
the profile; the reports count certificates held and degrees raised this year."""
import io
from datetime import date

import sqlalchemy as sa
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from PIL import Image
from werkzeug.datastructures import MultiDict

from fuxin_pwa.extensions import db
from fuxin_pwa.timeutil import local_today
from fuxin_pwa.training.models import Credential, TrainingAttendance, TrainingSession
from fuxin_pwa.training.queries import education_of, education_raised, hours_for, qualification_of
from fuxin_pwa.training.services import add_credential, create_session
from tests.factories import make_user


def jpeg() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (32, 24), "red").save(out, "JPEG")
    return out.getvalue()


def session_form(world, **changes):
    data = {"kind": "party_school", "title": "街道党校：基层治理专题", "held_on": f"{local_today():%Y-%m-%d}",
            "hours": "3", "place": "福新街道党群服务中心", "trainer": "区委党校王老师",
            "teams": ["community_worker"], "person_ids": [world.cadre.id]}
    data.update(changes)
    return data


def test_a_class_is_set_up_attendance_marked_one_tap_each_and_the_hours_land_on_the_profile(client, auth, world):
    other = make_user("community2", "community_worker", name="郑社工", places=[world.community])
    auth.login("leader")
    r = client.post("/training/new", data=session_form(world))
    assert r.status_code == 302
    session = db.session.scalar(sa.select(TrainingSession))
    expected = {row.user_id for row in session.expected}
    assert expected == {world.community_worker.id, other.id, world.cadre.id}
    page = client.get(f"/training/{session.id}").get_data(as_text=True)
    assert "吴社工" in page and "郑社工" in page and "孙干部" in page
    # One tap each: the row comes back as 已到 (htmx swaps it in place).
    r = client.post(f"/training/{session.id}/attendance/{world.community_worker.id}", data={"attended": "1"},
                    headers={"HX-Request": "true"})
    assert r.status_code == 200 and "已到" in r.get_data(as_text=True) and "<html" not in r.get_data(as_text=True)
    client.post(f"/training/{session.id}/attendance/{world.cadre.id}", data={"attended": "1"})
    client.post(f"/training/{session.id}/attendance/{world.cadre.id}", data={"attended": "0"})  # a slip, taken back
    year = local_today().year
    assert hours_for([world.community_worker.id, other.id, world.cadre.id], date(year, 1, 1), date(year, 12, 31)) == {
        world.community_worker.id: 3.0, other.id: 0.0, world.cadre.id: 0.0}
    team = client.get("/training/teams?team=community_worker").get_data(as_text=True)
    none_yet = team.split('class="training-none">')[1].split("</p>")[0]
    assert "郑社工" in none_yet and "吴社工" not in none_yet
    auth.logout()
    auth.login("community")
    profile = client.get("/people/me", follow_redirects=True).get_data(as_text=True)
    assert f"{year} 年培训学时：3 小时" in profile and "基层治理专题" in profile


def test_training_pages_are_the_organisers_only(client, auth, world):
    session = create_session(world.leader, "drill", "岗位练兵", local_today(), 2, None, None, [], [world.grid.id])
    auth.login("grid")
    assert client.get("/training/").status_code == 403
    assert client.post(f"/training/{session.id}/attendance/{world.grid.id}", data={"attended": "1"}).status_code == 403
    assert db.session.scalar(sa.select(TrainingAttendance.attended)) is False


def test_a_degree_with_its_photo_is_on_her_profile_and_only_hers_leaders_and_admins_see_it(client, auth, world):
    auth.login("community")
    r = client.post(f"/training/people/{world.community_worker.id}/credentials",
                    data={"level": "bachelor", "obtained_on": f"{local_today():%Y-%m-%d}",
                          "photo": (io.BytesIO(jpeg()), "毕业证.jpg")}, content_type="multipart/form-data")
    assert r.status_code == 302
    credential = db.session.scalar(sa.select(Credential))
    assert (credential.kind, credential.level, credential.photo_type) == ("education", "bachelor", "image/jpeg")
    assert "本科" in client.get("/people/me", follow_redirects=True).get_data(as_text=True)
    assert client.get(f"/training/credentials/{credential.id}/photo").data[:3] == b"\xff\xd8\xff"
    auth.logout()
    auth.login("grid")  # a peer
    assert client.get(f"/training/credentials/{credential.id}/photo").status_code == 404
    assert client.get(f"/training/people/{world.community_worker.id}/credentials").status_code == 404
    auth.logout()
    auth.login("leader")
    assert client.get(f"/training/credentials/{credential.id}/photo").status_code == 200


def test_a_degree_entered_by_mistake_is_taken_off_after_a_confirmation_with_its_photo(app, client, auth, world):
    import os

    auth.login("community")
    client.post(f"/training/people/{world.community_worker.id}/credentials",
                data={"level": "master", "obtained_on": "2024-07-01", "photo": (io.BytesIO(jpeg()), "硕士.jpg")},
                content_type="multipart/form-data")
    credential = db.session.scalar(sa.select(Credential))
    photo = os.path.join(app.config["PHOTO_DIR"], credential.photo_path)
    assert os.path.isfile(photo)
    auth.logout()
    auth.login("grid")  # a peer can neither see nor take it off
    assert client.post(f"/training/credentials/{credential.id}/delete").status_code == 404
    auth.logout()

    auth.login("community")
    profile = client.get("/people/me", follow_redirects=True).get_data(as_text=True)
    assert f'href="/training/credentials/{credential.id}/delete"' in profile
    asked = client.get(f"/training/credentials/{credential.id}/delete").get_data(as_text=True)
    assert "确定删除" in asked and "硕士" in asked
    assert db.session.get(Credential, credential.id) is not None  # asking deletes nothing
    r = client.post(f"/training/credentials/{credential.id}/delete")
    assert r.status_code == 302
    db.session.expire_all()
    assert db.session.scalar(sa.select(sa.func.count(Credential.id))) == 0
    assert not os.path.exists(photo)
    assert "硕士" not in client.get("/people/me", follow_redirects=True).get_data(as_text=True)


def test_a_file_that_is_no_photo_is_refused_and_the_form_comes_back_filled(client, auth, world):
    auth.login("community")
    r = client.post(f"/training/people/{world.community_worker.id}/credentials",
                    data={"level": "social_worker", "obtained_on": "2025-06-01",
                          "photo": (io.BytesIO(b"<html>hi</html>"), "证书.jpg")}, content_type="multipart/form-data")
    said = r.get_data(as_text=True)
    assert r.status_code == 422 and "JPEG、PNG 或 WebP" in said and 'value="2025-06-01"' in said
    assert db.session.scalar(sa.select(sa.func.count(Credential.id))) == 0
    r = client.post("/training/new", data=session_form(world))  # not an organiser
    assert r.status_code == 403


def test_the_highest_degree_and_certificate_held_with_their_dates(world):
    add_credential(world.admin, world.grid, "junior_college", date(2015, 7, 1))
    add_credential(world.admin, world.grid, "bachelor", date(2022, 7, 1))
    add_credential(world.admin, world.grid, "assistant_social_worker", date(2019, 10, 1))
    add_credential(world.admin, world.grid, "social_worker", date(2023, 10, 1))
    held = education_of(world.grid.id)
    assert (held.level, held.label, held.obtained_on, held.rank) == ("bachelor", "本科", date(2022, 7, 1), 2)
    assert qualification_of(world.grid.id).level == "social_worker"
    assert education_of(world.liaison.id) is None and qualification_of(world.liaison.id) is None


def test_the_reports_count_certificates_held_and_degrees_raised_this_year(client, auth, world):
    year = local_today().year
    this_year = date(year, 1, 2)
    add_credential(world.admin, world.grid, "junior_college", date(2015, 7, 1))
    add_credential(world.admin, world.grid, "bachelor", this_year)          # raised: 专科 → 本科
    add_credential(world.admin, world.liaison, "bachelor", date(2010, 7, 1))
    add_credential(world.admin, world.liaison, "bachelor", this_year)       # the same again: not raised
    add_credential(world.admin, world.cadre, "master", this_year)           # raised
    add_credential(world.admin, world.community_worker, "assistant_social_worker", date(2020, 1, 1))
    add_credential(world.admin, world.community_worker, "social_worker", date(2024, 1, 1))
    add_credential(world.admin, world.grid, "assistant_social_worker", date(2021, 1, 1))
    assert education_raised(year) == {"junior_college": 0, "bachelor": 1, "master": 1, "doctor": 0}
    auth.login("leader")
    page = client.get(f"/training/reports?year={year}").get_data(as_text=True)
    certificates = page.split('id="certificate-counts"')[1].split("</table>")[0]
    assert "助理社会工作师</th><td>1 人" in certificates and "社会工作师</th><td>1 人" in certificates
    assert "取得本科学历</th><td>1 人" in page and "取得硕士学历</th><td>1 人" in page


JUNK = st.one_of(st.text(max_size=30), st.integers(-(2 ** 70), 2 ** 70).map(str),
                 st.sampled_from(["", "0", "-1", "2147483648", "99999999999999999999", "0001-01-01", "9999-12-31",
                                  "2026-02-30", "１２", "nan", "inf", "None", "a" * 300]))
FIELDS = ["kind", "title", "held_on", "hours", "place", "trainer", "teams", "person_ids", "level", "obtained_on",
          "attended"]


@settings(max_examples=15, deadline=None, suppress_health_check=list(HealthCheck))
@given(data=st.data())
def test_junk_in_any_training_form_is_a_field_error_never_a_server_error(app, client, auth, world, data):
    session = db.session.scalar(sa.select(TrainingSession)) or create_session(
        world.leader, "drill", "岗位练兵", local_today(), 2, None, None, [], [world.grid.id])
    auth.login("leader")
    good = session_form(world)
    good[data.draw(st.sampled_from(FIELDS[:8]))] = data.draw(JUNK)
    posts = [("/training/new", good)]
    for url in (f"/training/people/{world.grid.id}/credentials", f"/training/{session.id}/attendance/{world.grid.id}"):
        posts.append((url, MultiDict(data.draw(st.lists(st.tuples(st.sampled_from(FIELDS), JUNK), max_size=8)))))
    for url, form in posts:
        r = client.post(url, data=form)
        assert r.status_code < 500, (url, form)
        if r.status_code == 422:
            assert 'class="error' in r.get_data(as_text=True), (url, form)
    auth.logout()
