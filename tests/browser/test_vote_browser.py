"""A resident's phone (360 px, WeChat's browser) in Chromium: she scans 万科社区's poster, rates
吴社工 and sends it; the same phone trying again, from a tab opened before, is refused in
Chinese. And the leader's round page and marking form fit a phone and a tablet."""
from datetime import date

import pytest
import sqlalchemy as sa

from fuxin_pwa.evaluations.models import Ballot, BallotRating
from fuxin_pwa.evaluations.scoring import DEFAULT_WEIGHTS
from fuxin_pwa.evaluations.services import create_round
from fuxin_pwa.extensions import db
from fuxin_pwa.honours.services import add_entry, create_contest, create_team

WECHAT = ("Mozilla/5.0 (Linux; Android 13; V2219A) AppleWebKit/537.36 (KHTML, like Gecko) Version/4.0 "
          "Chrome/111.0.5563.116 Mobile Safari/537.36 XWEB/1160065 MMWEBSDK/20231202 MicroMessenger/8.0.47.2560")
TOO_SMALL = """() => [...document.querySelectorAll('button, input:not([type=hidden]):not([type=radio]), .ratings label, .btn')]
  .filter(el => { const b = el.getBoundingClientRect(); return b.height && b.height < 44; }).map(el => el.outerHTML.slice(0, 80))"""


@pytest.fixture
def round_2026(world):
    return create_round(world.leader, "2026年度社区工作者考核", "community_worker", date(2026, 1, 1),
                        date(2026, 12, 31), ["德", "能", "勤", "绩", "廉"], dict(DEFAULT_WEIGHTS), 50, 20, 5)


@pytest.mark.app_config(WTF_CSRF_ENABLED=True)
def test_a_resident_votes_once_from_her_phone(browser, live_server, world, round_2026):
    context = browser.new_context(viewport={"width": 360, "height": 740}, locale="zh-CN", user_agent=WECHAT,
                                  has_touch=True, is_mobile=True)
    url = f"{live_server.url}/vote/{round_2026.links[0].token}"
    page = context.new_page()
    first = page.goto(url)
    assert first.status == 200 and "吴社工" in page.inner_text("main") and "社区工作者 · 万科社区" in page.inner_text("main")
    assert page.evaluate("document.documentElement.scrollWidth") <= 360
    assert page.evaluate(TOO_SMALL) == []
    earlier_tab = context.new_page()  # opened before she votes
    earlier_tab.goto(url)
    page.get_by_label("满意", exact=True).check()
    page.get_by_label("意见建议（可不填）").fill("办事热心")
    page.get_by_role("button", name="提交评价").click()
    page.wait_for_load_state()
    assert "投票成功，感谢您的评议！" in page.inner_text("main")
    earlier_tab.get_by_label("不满意", exact=True).check()
    earlier_tab.get_by_role("button", name="提交评价").click()
    earlier_tab.wait_for_load_state()
    assert "这部手机已经投过票了，每部手机在本轮考核中只能投一次。" in earlier_tab.inner_text("main")
    page.goto(url)
    assert "这部手机已经投过票了" in page.inner_text("main") and page.locator("form").count() == 0
    db.session.expire_all()
    assert db.session.scalar(sa.select(sa.func.count(Ballot.id))) == 1
    rating = db.session.scalar(sa.select(BallotRating))
    assert rating.rating == "satisfied" and rating.comment == "办事热心"
    context.close()


@pytest.mark.parametrize("width", [360, 1024])
def test_the_leaders_round_and_marking_pages_fit(browser, live_server, world, round_2026, width):
    contest = create_contest(world.leader, "chorus", "福山区首届网格员合唱比赛", date(2026, 6, 1))
    add_entry(contest, world.grid.id, None)
    team = create_team("福新街道合唱团", None)
    context = browser.new_context(viewport={"width": width, "height": 800}, locale="zh-CN")
    page = context.new_page()
    page.goto(f"{live_server.url}/login")
    page.fill("#username", "leader")
    page.fill("#password", "fuxin2024")
    page.click("button[type=submit]")
    page.wait_for_url(lambda u: "/login" not in u)
    for path in (f"/evaluations/{round_2026.id}", f"/evaluations/{round_2026.id}/people/{world.community_worker.id}",
                 f"/evaluations/{round_2026.id}/votes/{round_2026.links[0].id}/poster", "/evaluations/new",
                 "/honours/", f"/honours/contests/{contest.id}", f"/honours/teams/{team.id}"):
        assert page.goto(f"{live_server.url}{path}").status == 200, path
        assert page.evaluate("document.documentElement.scrollWidth") <= width, path
        assert page.evaluate(TOO_SMALL) == [], path
    context.close()
