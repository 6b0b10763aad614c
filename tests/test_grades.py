"""三岗十八级: the grade is reckoned by the locality's rule with every step shown, checked here
against worked examples written out as arithmetic; the ledger (by community and name), a
leader's confirmation of a change with its reason, the payroll office's export in the access
log, and the person's own grade on their profile — never a peer's."""
import io
from datetime import date, timedelta

import pytest
import sqlalchemy as sa
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from openpyxl import load_workbook
from werkzeug.datastructures import MultiDict

from fuxin_pwa.audit.models import AuditEntry
from fuxin_pwa.evaluations.scoring import DEFAULT_WEIGHTS
from fuxin_pwa.evaluations.services import create_round, incompetent_years, save_marks
from fuxin_pwa.extensions import db
from fuxin_pwa.grades.ladder import LadderRule, grade_of
from fuxin_pwa.grades.models import GradeChange, GradePost
from fuxin_pwa.grades.queries import row_of
from fuxin_pwa.grades.services import set_post
from fuxin_pwa.privacy.models import AccessLogEntry
from fuxin_pwa.timeutil import local_today
from fuxin_pwa.training.services import add_credential
from tests.factories import make_user

RULE = LadderRule()


# --- worked examples -----------------------------------------------------------------------

def test_a_chief_with_a_degree_and_a_certificate():
    # 正职 from 7. Service 2014-09-01 → 2024-09-01: 10 full years; 本科 counts 3 years.
    # Counted 10 + 3 = 13 years; 13 // 3 = 4 steps; 社会工作师 +2: 7 + 4 + 2 = 13.
    # Next step at 15 counted years: 2 more years of service, on 2026-09-01, to 14.
    calc = grade_of(RULE, "chief", date(2014, 9, 1), date(2024, 9, 1), "bachelor", "social_worker",
                    education_label="本科", certificate_label="社会工作师")
    assert calc.grade == 13 and (calc.next_grade, calc.next_on) == (14, date(2026, 9, 1))
    assert calc.steps == ("岗位起点 7级（本岗 7–18级）", "工龄 10年（2014-09-01 起）", "学历 本科 计 3年",
                          "计档年限 13年，每 3 年一档 → +4级", "证书 社会工作师 +2级", "7 + 4 + 2 = 13级")


def test_a_year_counts_only_on_its_anniversary():
    # 副职 from 4. Service 2020-03-15 → 2024-03-14: 3 full years (the 4th is one day short).
    # No degree counted, no certificate: 3 // 3 = 1 step: 4 + 1 + 0 = 5.
    # Next at 6 counted years: 3 more, on 2026-03-15... counted from the start: 2020 + 6 = 2026.
    calc = grade_of(RULE, "deputy", date(2020, 3, 15), date(2024, 3, 14), None, None)
    assert calc.grade == 5 and (calc.next_grade, calc.next_on) == (6, date(2026, 3, 15))


def test_a_year_graded_incompetent_holds_the_next_step_back_a_year():
    # 其他 from 1. Service 2010-01-01 → 2024-06-30: 14 full years; 硕士 counts 5: 19.
    # 2022 不称职: 19 − 1 = 18 counted; 18 // 3 = 6 steps; 助理社会工作师 +1: 1 + 6 + 1 = 8.
    # Next at 21 counted: 3 more years of service (17), on 2027-01-01, to 9.
    # Without the 不称职 year: 19 counted, still 6 steps (8), but the next step on 2026-01-01.
    held = grade_of(RULE, "other", date(2010, 1, 1), date(2024, 6, 30), "master", "assistant_social_worker", [2022])
    assert held.grade == 8 and (held.next_grade, held.next_on) == (9, date(2027, 1, 1))
    assert "2022年度不称职 下一档推迟一年（−1年）" in held.steps
    free = grade_of(RULE, "other", date(2010, 1, 1), date(2024, 6, 30), "master", "assistant_social_worker", [])
    assert free.grade == 8 and free.next_on == date(2026, 1, 1)
    # A 不称职 year after the day asked about does not count yet.
    assert grade_of(RULE, "other", date(2010, 1, 1), date(2021, 6, 30), "master", None, [2022]).grade == \
        grade_of(RULE, "other", date(2010, 1, 1), date(2021, 6, 30), "master", None, []).grade


def test_the_top_of_the_post_caps_the_grade():
    # 正职 7–18. Service 1990-05-01 → 2024-05-01: 34 years; 博士 7: 41; 41 // 3 = 13 steps;
    # 高级社会工作师 +3: 7 + 13 + 3 = 23 → 封顶 18; no next step.
    calc = grade_of(RULE, "chief", date(1990, 5, 1), date(2024, 5, 1), "doctor", "senior_social_worker")
    assert calc.grade == 18 and calc.next_grade is None and calc.next_on is None
    assert calc.steps[-2:] == ("7 + 13 + 3 = 23级", "封顶 18级")


def test_a_locality_with_four_posts_and_two_years_a_step():
    # 四岗二十四级, 2 years a step: a fourth post 1–12, 其他 from 4.
    # Service 2018-07-01 → 2024-07-01: 6 years; 本科 3: 9; 9 // 2 = 4 steps: 4 + 4 = 8.
    # Next at 10 counted: 1 more year, on 2025-07-01, to 9.
    rule = LadderRule.from_config({"ranges": {"chief": (13, 24), "deputy": (9, 20), "other": (4, 15),
                                              "assistant": (1, 12)}, "years_per_step": 2,
                                   "post_labels": {"assistant": "社区专职网格员"}})
    calc = grade_of(rule, "other", date(2018, 7, 1), date(2024, 7, 1), "bachelor", None)
    assert calc.grade == 8 and (calc.next_grade, calc.next_on) == (9, date(2025, 7, 1))
    assert grade_of(rule, "assistant", date(2024, 7, 1), date(2024, 7, 1), None, None).grade == 1
    with pytest.raises(ValueError):
        LadderRule.from_config({"years_per_step": 0})
    with pytest.raises(ValueError):
        LadderRule.from_config({"ranges": {"chief": (10, 5)}})


def test_a_first_day_and_a_leap_day_start():
    # 其他 from 1, first day: 0 years, 0 steps: 1; next at 3 years, 2027-01-01.
    calc = grade_of(RULE, "other", date(2024, 1, 1), date(2024, 1, 1), None, None)
    assert calc.grade == 1 and calc.next_on == date(2027, 1, 1)
    # Started on 29 February 2020: the third anniversary falls on 1 March 2023.
    assert grade_of(RULE, "other", date(2020, 2, 29), date(2023, 2, 28), None, None).grade == 1
    assert grade_of(RULE, "other", date(2020, 2, 29), date(2023, 3, 1), None, None).grade == 2
    assert grade_of(RULE, "other", date(2020, 2, 29), date(2020, 3, 1), None, None).next_on == date(2023, 3, 1)


EDUCATION = st.sampled_from([None, "junior_college", "bachelor", "master", "doctor"])
CERTIFICATE = st.sampled_from([None, "assistant_social_worker", "social_worker", "senior_social_worker"])


@settings(max_examples=300, deadline=None)
@given(post=st.sampled_from(["chief", "deputy", "other"]), start=st.dates(date(1970, 1, 1), date(2030, 12, 31)),
       on=st.dates(date(1970, 1, 1), date(2060, 12, 31)), later=st.integers(0, 20000), education=EDUCATION,
       certificate=CERTIFICATE, years_per_step=st.integers(1, 4), data=st.data())
def test_the_grade_stays_in_the_post_never_falls_with_time_and_the_next_step_comes_on_its_day(
        post, start, on, later, education, certificate, years_per_step, data):
    rule = LadderRule(years_per_step=years_per_step)
    held_back = data.draw(st.sets(st.integers(1970, on.year), max_size=6))
    bottom, top = rule.ranges[post]
    now = grade_of(rule, post, start, on, education, certificate, held_back)
    assert bottom <= now.grade <= top
    then = grade_of(rule, post, start, on + timedelta(days=later), education, certificate, held_back)
    assert now.grade <= then.grade <= top
    if now.next_grade is None:
        assert now.grade == top
    else:
        assert now.next_on > on
        assert grade_of(rule, post, start, now.next_on, education, certificate, held_back).grade == now.next_grade
        assert grade_of(rule, post, start, now.next_on - timedelta(days=1), education, certificate,
                        held_back).grade == now.grade


# --- the ledger ------------------------------------------------------------------------------

def _incompetent_last_year(world, person):
    year = local_today().year - 1
    rnd = create_round(world.leader, f"{year}年度社区工作者考核", "community_worker", date(year, 1, 1),
                       date(year, 12, 31), ["德", "能"], dict(DEFAULT_WEIGHTS), 50, 20, 5)
    marks = {side: {"德": 50, "能": 50} for side in ("self", "subdistrict", "panel")}
    save_marks(rnd, person, world.leader, marks, None, None, None)
    return year


def test_the_ledger_shows_every_worker_by_community_and_a_leader_confirms_a_change(client, auth, world):
    other = make_user("community2", "community_worker", name="郑社工")  # no community yet
    set_post(world.community_worker, "deputy", date(2015, 3, 1))
    add_credential(world.admin, world.community_worker, "bachelor", date(2012, 7, 1))
    auth.login("leader")
    page = client.get("/grades/").get_data(as_text=True)
    assert "万科社区" in page and "吴社工" in page and "郑社工" in page and "未定岗" in page
    assert page.index("万科社区") < page.index("未分配社区")
    assert "待确认" in page
    show = client.get(f"/grades/{world.community_worker.id}").get_data(as_text=True)
    assert "岗位起点 4级" in show and "学历 本科 计 3年" in show and "确认定级" in show
    # A reason is needed: the form comes back with the error in Chinese.
    r = client.post(f"/grades/{world.community_worker.id}/confirm", data={"reason": " "})
    assert r.status_code == 422 and "请填写调整原因" in r.get_data(as_text=True)
    r = client.post(f"/grades/{world.community_worker.id}/confirm", data={"reason": "首次定级"})
    assert r.status_code == 302
    change = db.session.scalar(sa.select(GradeChange))
    expected = client.get(f"/grades/{world.community_worker.id}").get_data(as_text=True)
    assert change.from_grade is None and change.reason == "首次定级" and change.by_id == world.leader.id
    assert "首次定级" in expected and "确认定级" not in expected
    # A 不称职 year in an ended round now holds the step back; a certificate adds grades: the
    # rule gives another grade, and the leader confirms the change from the recorded one.
    year = _incompetent_last_year(world, world.community_worker)
    assert incompetent_years([world.community_worker.id, other.id], local_today()) == {
        world.community_worker.id: {year}, other.id: set()}
    add_credential(world.admin, world.community_worker, "social_worker", date(2020, 10, 1))
    show = client.get(f"/grades/{world.community_worker.id}").get_data(as_text=True)
    assert f"{year}年度不称职" in show and "证书 社会工作师 +2级" in show and "确认调整" in show
    client.post(f"/grades/{world.community_worker.id}/confirm", data={"reason": "取得社会工作师证书"})
    latest = db.session.scalars(sa.select(GradeChange).order_by(GradeChange.id.desc())).first()
    assert latest.from_grade == change.to_grade and latest.reason == "取得社会工作师证书"
    assert latest.to_grade == row_of(world.community_worker, local_today()).calculation.grade != change.to_grade
    # Nothing to confirm any more: a second post records nothing.
    client.post(f"/grades/{world.community_worker.id}/confirm", data={"reason": "重复"})
    assert db.session.scalar(sa.select(sa.func.count()).select_from(GradeChange)) == 2


def test_a_leader_sets_the_post_and_bad_input_comes_back_with_chinese_errors(client, auth, world):
    auth.login("admin")
    url = f"/grades/{world.community_worker.id}/post"
    r = client.post(url, data={"post": "boss", "service_start": "2099-01-01"})
    page = r.get_data(as_text=True)
    assert r.status_code == 422 and "请选择岗位" in page and "不能晚于今天" in page
    r = client.post(url, data={"post": "chief", "service_start": "2012-05-04"})
    assert r.status_code == 302
    post = db.session.scalar(sa.select(GradePost))
    assert (post.post, post.service_start) == ("chief", date(2012, 5, 4))
    logged = db.session.scalars(sa.select(AuditEntry).where(AuditEntry.object_type == "grade_post")).all()
    assert [e.actor_id for e in logged] == [world.admin.id]
    assert 'value="2012-05-04"' in client.get(url).get_data(as_text=True)
    # Only community workers have a grade: anyone else is not found.
    assert client.get(f"/grades/{world.grid.id}").status_code == 404
    assert client.get(f"/grades/{world.grid.id}/post").status_code == 404


def test_the_export_for_the_payroll_office_is_in_the_access_log(client, auth, world):
    set_post(world.community_worker, "other", date(2018, 9, 1))
    auth.login("leader")
    r = client.get("/grades/export.xlsx")
    assert r.status_code == 200
    sheet = load_workbook(io.BytesIO(r.data)).active
    rows = [[c.value for c in row] for row in sheet.iter_rows()]
    header = next(i for i, row in enumerate(rows) if "姓名" in row)
    assert rows[header][:9] == ["姓名", "社区/村", "岗位", "参加社区工作时间", "学历", "社工证", "薪级", "下一档",
                                "下一档日期"]
    mine = next(row for row in rows if row[0] == "吴社工")
    assert mine[1] == "万科社区" and mine[3] == "2018-09-01"
    entry = db.session.scalar(sa.select(AccessLogEntry).where(AccessLogEntry.subject_type == "grades"))
    assert entry.actor_id == world.leader.id and entry.rows == 1


def test_the_person_sees_their_own_grade_on_the_profile_and_a_peer_never(client, auth, world):
    peer = make_user("community2", "community_worker", name="郑社工", places=[world.community])
    set_post(world.community_worker, "deputy", date(2015, 3, 1))
    auth.login("community")
    mine = client.get(f"/people/{world.community_worker.id}").get_data(as_text=True)
    assert "岗位薪级" in mine and "岗位起点 4级" in mine and "薪级详情" not in mine
    assert client.get("/grades/").status_code == 403
    assert client.get(f"/grades/{world.community_worker.id}").status_code == 403
    auth.logout()
    auth.login("community2")
    assert client.get(f"/people/{world.community_worker.id}").status_code == 404
    assert client.get("/grades/export.xlsx").status_code == 403
    own = client.get(f"/people/{peer.id}").get_data(as_text=True)
    assert "岗位薪级" not in own  # no post set: no section


def test_a_locality_at_two_years_a_step_sees_its_own_rule_on_the_pages(app, client, auth, world):
    app.config["GRADE_RULE"] = {"years_per_step": 2, "ranges": {"chief": (13, 24), "deputy": (9, 20),
                                                                "other": (4, 15), "assistant": (1, 12)},
                                "post_labels": {"assistant": "社区专职网格员"}}
    auth.login("leader")
    form = client.get(f"/grades/{world.community_worker.id}/post").get_data(as_text=True)
    assert "社区专职网格员" in form
    client.post(f"/grades/{world.community_worker.id}/post", data={"post": "assistant", "service_start": "2020-01-01"})
    show = client.get(f"/grades/{world.community_worker.id}").get_data(as_text=True)
    assert "岗位起点 1级（本岗 1–12级）" in show and "每 2 年一档" in show
    assert "社区专职网格员" in client.get("/grades/").get_data(as_text=True)


def test_the_ledger_takes_as_many_queries_for_two_workers_as_for_ten(client, auth, world, queries_of):
    def worker(i):
        person = make_user(f"cw{i}", "community_worker", name=f"社工{i:02d}", places=[world.community])
        set_post(person, ("chief", "deputy", "other")[i % 3], date(2010 + i, 1 + i, 1))
        add_credential(world.admin, person, ("bachelor", "master")[i % 2], date(2008, 7, 1))
        add_credential(world.admin, person, "social_worker", date(2019, 10, 1))
        db.session.add(GradeChange(user_id=person.id, changed_on=date(2024, 1, 1), from_grade=None, to_grade=3,
                                   reason="首次定级", by_id=world.leader.id))
        db.session.commit()

    _incompetent_last_year(world, world.community_worker)
    worker(0)
    auth.login("leader")
    few = (queries_of(lambda: client.get("/grades/")), queries_of(lambda: client.get("/grades/export.xlsx")))
    for i in range(1, 9):
        worker(i)
    many = (queries_of(lambda: client.get("/grades/")), queries_of(lambda: client.get("/grades/export.xlsx")))
    assert few == many


JUNK = st.one_of(st.text(max_size=30), st.sampled_from(["", "0", "-1", "9999-99-99", "1-01-01", "chief", "∞", "x" * 300]))


@settings(max_examples=15, deadline=None, suppress_health_check=list(HealthCheck))
@given(data=st.data())
def test_junk_in_the_grade_forms_is_a_field_error_never_a_server_error(app, client, auth, world, data):
    auth.login("leader")
    for url in (f"/grades/{world.community_worker.id}/post", f"/grades/{world.community_worker.id}/confirm"):
        form = MultiDict(data.draw(st.lists(st.tuples(st.sampled_from(["post", "service_start", "reason"]), JUNK),
                                            max_size=6)))
        r = client.post(url, data=form)
        assert r.status_code < 500, (url, form)
        if r.status_code == 422:
            assert 'class="error' in r.get_data(as_text=True), (url, form)
    auth.logout()


def test_the_demo_gives_every_community_worker_a_post_and_the_demo_worker_a_confirmed_step(client, auth, demo):
    from fuxin_pwa.auth.models import User

    workers = db.session.scalars(sa.select(User.id).where(User.role == "community_worker")).all()
    posts = db.session.scalars(sa.select(GradePost)).all()
    assert {p.user_id for p in posts} == set(workers)
    assert {p.post for p in posts} == {"chief", "deputy", "other"}
    change = db.session.scalar(sa.select(GradeChange))
    assert db.session.scalar(sa.select(sa.func.count()).select_from(GradeChange)) == 1
    assert change.user.username == "community"
    assert change.to_grade == row_of(change.user, local_today()).calculation.grade
    auth.login("community")
    profile = client.get("/people/me", follow_redirects=True).get_data(as_text=True)
    assert "岗位薪级" in profile and change.reason in profile
    auth.logout()
    auth.login("leader")
    assert client.get("/grades/").status_code == 200
    assert client.get("/grades/export.xlsx").status_code == 200
