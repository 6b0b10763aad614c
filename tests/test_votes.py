"""Residents' votes: a resident scans 万科社区's poster, opens /vote/<token> on her phone without
logging in, sees the community's workers (name, initial, duties, nothing more) and rates them;
the same phone is refused a second time; the leader sees the count, and once the minimum is
reached the residents' side counts; closing the vote stops it."""
from datetime import date

import pytest
import sqlalchemy as sa
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from werkzeug.datastructures import MultiDict

from fuxin_pwa.evaluations.models import Ballot, BallotRating, EvaluationRound
from fuxin_pwa.evaluations.scoring import DEFAULT_WEIGHTS
from fuxin_pwa.evaluations.services import create_round, results, save_marks
from fuxin_pwa.extensions import db
from tests.factories import make_user

ITEMS = ["德", "能", "勤", "绩", "廉"]


@pytest.fixture
def rnd(world):
    return create_round(world.leader, "2026年度社区工作者考核", "community_worker", date(2026, 1, 1),
                        date(2026, 12, 31), ITEMS, dict(DEFAULT_WEIGHTS), 2, 20, 5)


def test_a_resident_rates_the_workers_without_logging_in(app, world, rnd):
    phone = app.test_client()
    link = rnd.links[0]
    page = phone.get(f"/vote/{link.token}")
    text = page.get_data(as_text=True)
    assert page.status_code == 200 and "吴社工" in text and "社区工作者 · 万科社区" in text
    assert "13800001111" not in text and "138****" not in text  # no phone number, masked or not
    assert len(page.data) <= 30 * 1024 and "<script" not in text
    assert "fx_vote_" in page.headers["Set-Cookie"]
    r = phone.post(f"/vote/{link.token}", data={f"rating_{world.community_worker.id}": "satisfied",
                                                f"comment_{world.community_worker.id}": "很热心"})
    assert r.status_code == 200 and "投票成功" in r.get_data(as_text=True)
    rating = db.session.scalar(sa.select(BallotRating))
    assert rating.rating == "satisfied" and rating.comment == "很热心"


def test_the_same_phone_is_refused_a_second_vote(app, world, rnd):
    phone = app.test_client()
    url = f"/vote/{rnd.links[0].token}"
    phone.get(url)
    phone.post(url, data={f"rating_{world.community_worker.id}": "satisfied"})
    again = phone.post(url, data={f"rating_{world.community_worker.id}": "unsatisfied"})
    assert again.status_code == 409 and "这部手机已经投过票了" in again.get_data(as_text=True)
    assert "这部手机已经投过票了" in phone.get(url).get_data(as_text=True)
    assert db.session.scalar(sa.select(sa.func.count(Ballot.id))) == 1


def test_a_phone_that_keeps_no_cookie_is_asked_to_allow_one(app, world, rnd):
    r = app.test_client(use_cookies=False).post(f"/vote/{rnd.links[0].token}",
                                                data={f"rating_{world.community_worker.id}": "satisfied"})
    assert r.status_code == 422 and "Cookie" in r.get_data(as_text=True)
    assert db.session.scalar(sa.select(sa.func.count(Ballot.id))) == 0


def test_an_empty_or_wrong_ballot_comes_back_with_a_chinese_message(app, world, rnd):
    phone = app.test_client()
    url = f"/vote/{rnd.links[0].token}"
    phone.get(url)
    r = phone.post(url, data={})
    assert r.status_code == 422 and "请至少评价一位工作人员" in r.get_data(as_text=True)
    r = phone.post(url, data={f"rating_{world.community_worker.id}": "great",
                              f"comment_{world.community_worker.id}": "x" * 300})
    text = r.get_data(as_text=True)
    assert r.status_code == 422 and "请选择满意、基本满意或不满意" in text and "不能超过200字" in text


def test_an_unknown_token_is_not_found(client, rnd):
    assert client.get("/vote/" + "x" * 32).status_code == 404


def test_the_residents_side_counts_once_the_minimum_is_reached(app, client, auth, world, rnd):
    save_marks(rnd, world.community_worker, world.leader, {"self": dict.fromkeys(ITEMS, 90),
               "subdistrict": dict.fromkeys(ITEMS, 80), "panel": dict.fromkeys(ITEMS, 85)}, None, None, 0)
    url = f"/vote/{rnd.links[0].token}"
    for rating in ("satisfied", "fair"):  # two phones: the round's minimum is 2
        phone = app.test_client()
        phone.get(url)
        phone.post(url, data={f"rating_{world.community_worker.id}": rating})
    result = results(rnd, only=world.community_worker.id)[0]
    # residents (100 + 60) / 2 = 80; 80 × .4 + 90 × .1 + 80 × .3 + 85 × .2 = 32 + 9 + 24 + 17 = 82
    assert result.residents_counted and result.combined.total == 82
    auth.login("leader")
    assert "已投 2 票" in client.get(f"/evaluations/{rnd.id}").get_data(as_text=True)


def test_the_leader_closes_the_vote(app, client, auth, world, rnd):
    auth.login("leader")
    assert client.post(f"/evaluations/{rnd.id}/votes/{rnd.links[0].id}/close").status_code == 302
    phone = app.test_client()
    url = f"/vote/{rnd.links[0].token}"
    assert "投票已经结束" in phone.get(url).get_data(as_text=True)
    r = phone.post(url, data={f"rating_{world.community_worker.id}": "satisfied"})
    assert r.status_code == 409 and db.session.scalar(sa.select(sa.func.count(Ballot.id))) == 0


def test_the_page_shows_only_the_communitys_workers(app, world, rnd):
    make_user("community_b", "community_worker", name="冯社工", places=[world.village_a])
    other = create_round(world.leader, "2027年度考核", "community_worker", date(2027, 1, 1), date(2027, 12, 31),
                         ITEMS, dict(DEFAULT_WEIGHTS), 50, 20, 5)
    wanke = next(link for link in other.links if link.place.name == "万科社区")
    text = app.test_client().get(f"/vote/{wanke.token}").get_data(as_text=True)
    assert "吴社工" in text and "冯社工" not in text


@pytest.mark.app_config(RATELIMIT_ENABLED=True, VOTE_RATE_LIMIT="3 per hour")
def test_votes_from_one_address_are_rate_limited(app, world, rnd):
    url = f"/vote/{rnd.links[0].token}"
    codes = []
    for _ in range(4):
        phone = app.test_client()
        phone.get(url)
        codes.append(phone.post(url, data={f"rating_{world.community_worker.id}": "satisfied"}).status_code)
    assert codes[:3] == [200, 200, 200] and codes[3] == 429


@pytest.mark.app_config(WTF_CSRF_ENABLED=True)
def test_the_vote_form_carries_csrf(app, world, rnd):
    phone = app.test_client()
    url = f"/vote/{rnd.links[0].token}"
    assert 'name="csrf_token"' in phone.get(url).get_data(as_text=True)
    r = phone.post(url, data={f"rating_{world.community_worker.id}": "satisfied"})
    assert r.status_code in (400, 422) and db.session.scalar(sa.select(sa.func.count(Ballot.id))) == 0


JUNK = st.one_of(st.text(max_size=20), st.sampled_from(["", "satisfied", "fair", "unsatisfied", "None", "1",
                                                        "x" * 300, "\x00", "满意"]))


@settings(max_examples=20, deadline=None, suppress_health_check=list(HealthCheck))
@given(data=st.data())
def test_junk_in_a_ballot_is_a_chinese_message_never_a_server_error(app, world, data):
    rnd = db.session.scalar(sa.select(EvaluationRound)) or create_round(
        world.leader, "2026年度社区工作者考核", "community_worker", date(2026, 1, 1), date(2026, 12, 31), ITEMS,
        dict(DEFAULT_WEIGHTS), 2, 20, 5)
    pid = world.community_worker.id
    names = [f"rating_{pid}", f"comment_{pid}", "rating_999", "comment_abc", "csrf_token"]
    pairs = data.draw(st.lists(st.tuples(st.sampled_from(names), JUNK), max_size=6))
    phone = app.test_client()
    url = f"/vote/{rnd.links[0].token}"
    phone.get(url)
    r = phone.post(url, data=MultiDict(pairs))
    assert r.status_code in (200, 400, 409, 422), pairs  # 400: a NUL, refused for every form
    if r.status_code == 422:
        assert "vote-error" in r.get_data(as_text=True), pairs
