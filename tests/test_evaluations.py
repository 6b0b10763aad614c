"""Four-sided evaluations: the arithmetic worked through by hand; a leader sets up the 2026
round for the community workers, marks 吴社工 from three sides beside the evidence the app
already holds, and reads the result and the 考核结果表; 吴社工 sees her own result with each
side's part; a peer is told it is not found."""
import io
from datetime import date

import sqlalchemy as sa
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from openpyxl import load_workbook
from werkzeug.datastructures import MultiDict

from fuxin_pwa.evaluations import scoring
from fuxin_pwa.evaluations.models import EvaluationMark, EvaluationRound
from fuxin_pwa.evaluations.scoring import (COMPETENT, EXCELLENT, INCOMPETENT, BASIC, DEFAULT_WEIGHTS, combine,
                                           grades, residents_part, side_part)
from fuxin_pwa.evaluations.services import create_round, results, save_marks
from fuxin_pwa.extensions import db
from fuxin_pwa.honours.services import add_entry, create_contest, record_result
from fuxin_pwa.privacy.models import AccessLogEntry
from tests.factories import make_user

ITEMS = ["德", "能", "勤", "绩", "廉"]


# --- the arithmetic, by hand ------------------------------------------------------------

def test_a_side_is_the_mean_of_its_items_once_every_item_is_marked():
    # (90 + 80 + 85 + 95 + 100) / 5 = 450 / 5 = 90
    assert side_part({"德": 90, "能": 80, "勤": 85, "绩": 95, "廉": 100}, ITEMS) == 90
    assert side_part({"德": 90, "能": 80}, ITEMS) is None  # half marked: no part yet


def test_residents_ratings_are_worth_100_60_and_0():
    # 满意, 满意, 基本满意, 不满意: (100 + 100 + 60 + 0) / 4 = 65
    assert residents_part(["satisfied", "satisfied", "fair", "unsatisfied"]) == 65
    assert residents_part([]) is None


def test_four_sides_weighted_40_10_30_20():
    # residents 65 × 0.4 = 26; self 90 × 0.1 = 9; subdistrict 80 × 0.3 = 24; panel 85 × 0.2 = 17
    # 26 + 9 + 24 + 17 = 76
    parts = {"residents": 65, "self": 90, "subdistrict": 80, "panel": 85}
    result = combine(parts, DEFAULT_WEIGHTS)
    assert result.total == 76 and not result.rescaled


def test_without_enough_votes_the_other_sides_weights_are_rescaled_to_100():
    # Residents left out: 10 + 30 + 20 = 60 points of weight, rescaled to 100:
    # self 10/60 = 16.67 %, subdistrict 50 %, panel 33.33 %.
    # 90 × 1/6 + 80 × 1/2 + 85 × 1/3 = 15 + 40 + 28.33 = 83.33 → 83.3
    parts = {"residents": None, "self": 90, "subdistrict": 80, "panel": 85}
    result = combine(parts, DEFAULT_WEIGHTS)
    assert result.total == 83.3 and result.rescaled
    assert round(result.weights_used["subdistrict"], 2) == 50


def test_extra_merit_adds_up_to_its_cap_and_the_total_stops_at_100():
    parts = {"residents": 98, "self": 100, "subdistrict": 97, "panel": 99}
    # 39.2 + 10 + 29.1 + 19.8 = 98.1; + 8 capped at 5 = 103.1 → 100
    assert combine(parts, DEFAULT_WEIGHTS, bonus=8, bonus_cap=5).total == 100
    # 76 + 3 = 79
    assert combine({"residents": 65, "self": 90, "subdistrict": 80, "panel": 85}, DEFAULT_WEIGHTS, 3).total == 79
    assert combine({}, DEFAULT_WEIGHTS).total is None


def test_grades_from_the_thresholds():
    assert [scoring.grade_for(t) for t in (95, 90, 89.9, 70, 65, 59.9, None)] == [
        EXCELLENT, EXCELLENT, COMPETENT, COMPETENT, BASIC, INCOMPETENT, None]


def test_the_excellent_cap_keeps_the_highest_and_treats_ties_alike():
    # Ten people graded, cap 20 %: at most 2 优秀. Four reach 90: 96 and 93 keep it.
    totals = {1: 96, 2: 93, 3: 91, 4: 90, 5: 85, 6: 80, 7: 75, 8: 72, 9: 65, 10: 50}
    got = grades(totals, 20)
    assert [p for p, g in got.items() if g == EXCELLENT] == [1, 2]
    assert got[3] == got[4] == COMPETENT and got[9] == BASIC and got[10] == INCOMPETENT
    # 96 and two at 93: three would pass the cap of 2, so the tied pair both stay 称职.
    tied = grades({**totals, 3: 93}, 20)
    assert [p for p, g in tied.items() if g == EXCELLENT] == [1]
    # Nobody marked yet does not count towards the cap: 5 graded × 20 % = 1.
    few = grades({1: 95, 2: 94, 3: 80, 4: 70, 5: 60, 6: None}, 20)
    assert [p for p, g in few.items() if g == EXCELLENT] == [1] and few[6] is None


# --- the round, as the leader and the worker use it ----------------------------------

def round_form(**overrides):
    form = {"title": "2026年度社区工作者考核", "team": "community_worker", "starts_on": "2026-01-01",
            "ends_on": "2026-12-31", "items": "德、能、勤、绩、廉", "weight_residents": "40", "weight_self": "10",
            "weight_subdistrict": "30", "weight_panel": "20", "vote_minimum": "50", "excellent_share": "20",
            "bonus_cap": "5"}
    form.update(overrides)
    return form


def marks(**sides):
    form = {}
    for s_index, side in enumerate(("self", "subdistrict", "panel")):
        for i in range(5):
            form[f"{side}_{i}"] = str(sides.get(side, [""] * 5)[i])
    return form


def make_round(world, **kw):
    return create_round(world.leader, kw.get("title", "2026年度社区工作者考核"), "community_worker",
                        date(2026, 1, 1), date(2026, 12, 31), ITEMS, dict(DEFAULT_WEIGHTS), kw.get("minimum", 50),
                        20, 5)


def test_a_leader_sets_up_a_round_and_each_community_gets_its_vote_page(client, auth, world):
    auth.login("leader")
    r = client.post("/evaluations/new", data=round_form())
    assert r.status_code == 302
    rnd = db.session.scalar(sa.select(EvaluationRound))
    assert rnd.items == ITEMS and rnd.weights == DEFAULT_WEIGHTS
    page = client.get(r.headers["Location"]).get_data(as_text=True)
    assert "万科社区" in page and "已投 0 票" in page and "还差 50 票" in page
    token = rnd.links[0].token
    assert len(token) >= 32 and f"/vote/{token}" in page
    qr = client.get(f"/evaluations/{rnd.id}/votes/{rnd.links[0].id}/qr.svg")
    assert qr.status_code == 200 and qr.mimetype == "image/svg+xml" and b"<svg" in qr.data
    poster = client.get(f"/evaluations/{rnd.id}/votes/{rnd.links[0].id}/poster").get_data(as_text=True)
    assert "万科社区 群众评议" in poster and "qr.svg" in poster


def test_weights_that_do_not_make_100_come_back_with_a_chinese_error(client, auth, world):
    auth.login("leader")
    r = client.post("/evaluations/new", data=round_form(weight_panel="30", title="我的考核"))
    page = r.get_data(as_text=True)
    assert r.status_code == 422 and "四方权重合计应为 100（现为 110）" in page and 'value="我的考核"' in page
    r = client.post("/evaluations/new", data=round_form(ends_on="2025-12-31"))
    assert r.status_code == 422 and "结束日期不能早于开始日期" in r.get_data(as_text=True)


def test_the_panel_marks_her_beside_the_evidence_and_she_sees_her_own_result(client, auth, world):
    rnd = make_round(world)
    contest = create_contest(world.leader, "chorus", "福山区首届网格员合唱比赛", date(2026, 6, 1))
    record_result(world.leader, add_entry(contest, world.community_worker.id, None), "一等奖")
    auth.login("leader")
    url = f"/evaluations/{rnd.id}/people/{world.community_worker.id}"
    page = client.get(url).get_data(as_text=True)
    assert "工作记录中的依据" in page and "福山区首届网格员合唱比赛一等奖" in page and "培训学时" in page
    r = client.post(url, data={**marks(self=[90] * 5, subdistrict=[80] * 5, panel=[85, 85, 85, 85, 85]),
                               "daily": "1–11月均按时完成", "extra": "合唱比赛一等奖", "bonus": "2"})
    assert r.status_code == 302
    page = client.get(url).get_data(as_text=True)
    # No residents' side yet (0 of 50 votes): 83.33 + 2 = 85.3, and the page says why.
    assert "85.3" in page and "未达 50 票" in page and "称职" in page
    auth.logout()
    auth.login("community")
    own = client.get(url)
    text = own.get_data(as_text=True)
    assert own.status_code == 200 and "85.3" in text and "街道通评" in text and "80.0" in text
    assert "保存评分" not in text  # her result to read, not to mark
    assert client.post(url, data=marks(self=[100] * 5)).status_code == 404
    profile = client.get(f"/people/{world.community_worker.id}").get_data(as_text=True)
    assert "2026年度社区工作者考核" in profile and "考核组综评 85.0" in profile


def test_a_peer_cannot_see_another_workers_evaluation(client, auth, world):
    rnd = make_round(world)
    peer = make_user("community2", "community_worker", name="郑社工", places=[world.community])
    save_marks(rnd, world.community_worker, world.leader, {"self": dict.fromkeys(ITEMS, 90)}, None, None, 0)
    auth.login("community2")
    assert client.get(f"/evaluations/{rnd.id}/people/{world.community_worker.id}").status_code == 404
    assert client.get(f"/people/{world.community_worker.id}").status_code == 404
    assert client.get(f"/evaluations/{rnd.id}").status_code == 403
    assert client.get(f"/evaluations/{rnd.id}/results.xlsx").status_code == 403
    assert client.get(f"/evaluations/{rnd.id}/people/{peer.id}").status_code == 200  # her own


def test_marks_out_of_range_come_back_filled_with_the_error(client, auth, world):
    rnd = make_round(world)
    auth.login("leader")
    form = marks(self=[90, 90, 90, 90, 120])
    r = client.post(f"/evaluations/{rnd.id}/people/{world.community_worker.id}", data=form)
    page = r.get_data(as_text=True)
    assert r.status_code == 422 and "分数应在 0 到 100 之间" in page and 'value="120"' in page
    assert db.session.scalar(sa.select(sa.func.count(EvaluationMark.id))) == 0


def test_the_results_export_to_excel_and_are_logged(client, auth, world):
    rnd = make_round(world)
    save_marks(rnd, world.community_worker, world.leader, {"self": dict.fromkeys(ITEMS, 90),
               "subdistrict": dict.fromkeys(ITEMS, 92), "panel": dict.fromkeys(ITEMS, 94)}, None, None, 0)
    auth.login("leader")
    r = client.get(f"/evaluations/{rnd.id}/results.xlsx")
    assert r.status_code == 200
    ws = load_workbook(io.BytesIO(r.data)).active
    rows = list(ws.iter_rows(values_only=True))
    assert rows[0][:3] == ("姓名", "社区/村", "群众评议")
    # 90/6 + 92/2 + 94/3 = 15 + 46 + 31.33 = 92.3; one person of one: the cap (20 %) allows none.
    assert rows[1][0] == "吴社工" and rows[1][7] == 92.3 and rows[1][8] == "称职" and "未达 50" in rows[1][9]
    assert db.session.scalar(sa.select(AccessLogEntry).where(AccessLogEntry.subject_type == "evaluation"))


JUNK = st.one_of(st.text(max_size=20), st.sampled_from(["", "-1", "101", "nan", "inf", "1e309", "99999999999999999999",
                                                        "2026-02-30", "0001-01-01", "a" * 300, "None"]))
FIELDS = list(round_form()) + list(marks()) + ["daily", "extra", "bonus"]


@settings(max_examples=15, deadline=None, suppress_health_check=list(HealthCheck))
@given(data=st.data())
def test_junk_in_the_evaluation_forms_is_a_field_error_never_a_server_error(app, client, auth, world, data):
    rnd = db.session.scalar(sa.select(EvaluationRound)) or make_round(world)
    auth.login("leader")
    good = round_form()
    good[data.draw(st.sampled_from(list(good)))] = data.draw(JUNK)
    pairs = data.draw(st.lists(st.tuples(st.sampled_from(FIELDS), JUNK), max_size=8))
    for url, form in (("/evaluations/new", good),
                      (f"/evaluations/{rnd.id}/people/{world.community_worker.id}", MultiDict(pairs))):
        r = client.post(url, data=form)
        assert r.status_code < 500, (url, form)
        if r.status_code == 422:
            assert 'class="error' in r.get_data(as_text=True), (url, form)
    auth.logout()


def test_the_demo_has_last_years_round_finished_and_this_years_votes_under_way(client, auth, demo):
    from fuxin_pwa.evaluations.services import ballot_counts
    from fuxin_pwa.honours.models import Honour
    from fuxin_pwa.places.models import Place
    from fuxin_pwa.timeutil import local_today
    year = local_today().year
    last, this = (db.session.scalar(sa.select(EvaluationRound).where(EvaluationRound.title == f"{y}年度社区工作者考核"))
                  for y in (year - 1, year))
    assert all(link.closed_at for link in last.links)
    assert all(n >= 50 for n in ballot_counts(last.id).values()) and len(last.links) == 3
    finished = results(last)
    assert all(r.residents_counted and r.grade for r in finished)
    excellent = sum(r.grade == EXCELLENT for r in finished)
    assert excellent <= len(finished) * 20 // 100
    this_counts = sorted(ballot_counts(this.id).values(), reverse=True)
    assert this_counts[0] >= 50 > this_counts[-1] and not any(link.closed_at for link in this.links)
    assert db.session.scalar(sa.select(Honour).where(Honour.title == "福山区首届网格员合唱比赛一等奖")).team_id
    assert db.session.scalar(sa.select(sa.func.count(Place.id)).where(Place.kind == "grid_home")) == 8
    auth.login("leader")
    page = client.get(f"/evaluations/{this.id}").get_data(as_text=True)
    assert "已达最少票数" in page and "还差" in page
    auth.logout()
    auth.login("community")
    profile = client.get("/people/me", follow_redirects=True).get_data(as_text=True)
    assert f"{year - 1}年度社区工作者考核" in profile and "群众评议" in profile


def test_the_evidence_panel_counts_her_work_in_the_period_and_nothing_outside_it(client, auth, world):
    from datetime import datetime

    from fuxin_pwa.evaluations.evidence import evidence_for
    from fuxin_pwa.training.services import create_session, set_attended
    from tests.factories import make_task_log
    rnd = make_round(world)
    for when in (datetime(2026, 3, 2, 2), datetime(2026, 11, 20, 14), datetime(2025, 12, 30, 2)):
        make_task_log(world.community_worker, world.community, when=when)
    session = create_session(world.leader, "party_school", "街道党校", date(2026, 4, 1), 3, None, None, [],
                             [world.community_worker.id])
    set_attended(session.expected[0], True)
    evidence = evidence_for(world.community_worker.id, rnd)
    assert evidence.work_entries == 2 and evidence.training_hours == 3 and evidence.cases_resolved == 0
    auth.login("leader")
    page = client.get(f"/evaluations/{rnd.id}/people/{world.community_worker.id}").get_data(as_text=True)
    assert "不折算为分数" in page and "<dd>2</dd>" in page
