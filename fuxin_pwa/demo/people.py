"""Care and training in the demo: a 三必访 visit owed by the demo leader (a community worker
in hospital two days ago) and one made (a grid worker's father died three weeks ago); eight
training sessions this year (街道党校 classes for the community workers, 岗位练兵 drills for
the grid workers) with who came; social-work certificates; degrees, 21 of them bachelor's
degrees obtained this year on top of a college diploma (the report's figure).

No random draw: who came and who holds what follow the people's order, so the same seed
gives the same demo, dated from today as the rest of it is. One community worker came to
no session this year, so the team's page has someone under 今年尚未参加培训."""
import uuid
from datetime import date, timedelta

from ..auth.models import COMMUNITY_WORKER, GRID_WORKER
from ..care.models import CareTrigger, CareVisit
from ..extensions import db
from ..timeutil import local_day_bounds_utc
from ..training.models import Credential, TrainingAttendance, TrainingSession

SESSIONS = [("party_school", "街道党校：学习贯彻党的二十届三中全会精神", 3), ("drill", "岗位练兵：网格信息采集与上报", 2),
            ("party_school", "街道党校：基层治理与群众工作方法", 3), ("drill", "擂台比武赛前集训：政策知识", 2),
            ("party_school", "街道党校：社会工作实务", 4), ("drill", "岗位练兵：矛盾纠纷排查化解", 2),
            ("party_school", "街道党校：防汛应急处置", 2), ("drill", "岗位练兵：入户走访与台账记录", 1.5)]
RAISED_TO_BACHELOR = 21
CERTIFICATES = ("assistant_social_worker", "social_worker", None, "assistant_social_worker", None)


def _demo_uuid(name: str) -> str:
    return str(uuid.uuid5(uuid.NAMESPACE_URL, f"fuxin-demo/{name}"))


class DemoPeople:
    def __init__(self, history):
        self.h, self.w = history, history.w
        self.leader = self.w.logins["leader"]
        self.today = history.today

    def build(self) -> dict:
        community = self.w.people[COMMUNITY_WORKER]
        grid = self.w.people[GRID_WORKER]
        triggers = self.care(community, grid)
        sessions = self.sessions(community, grid)
        credentials = self.credentials(community, grid)
        db.session.flush()
        return {"care_triggers": triggers, "training_sessions": sessions, "credentials": credentials}

    def care(self, community, grid) -> int:
        owed = CareTrigger(person_id=community[1].id, reason="hospitalised", happened_on=self.today - timedelta(days=2),
                           note="急性胰腺炎住院治疗", due_on=self.today + timedelta(days=5), responsible_id=self.leader.id,
                           recorded_by_id=community[1].id)
        done = CareTrigger(person_id=grid[1].id, reason="bereavement", happened_on=self.today - timedelta(days=21),
                           note="父亲病故", due_on=self.today - timedelta(days=14), responsible_id=self.leader.id,
                           recorded_by_id=self.leader.id)
        db.session.add_all([owed, done])
        db.session.flush()
        visited_on = self.today - timedelta(days=18)
        at = local_day_bounds_utc(visited_on, visited_on)[0] + timedelta(hours=10)
        db.session.add(CareVisit(uuid=_demo_uuid("care-visit-1"), user_id=self.leader.id, trigger_id=done.id,
                                 visited_on=visited_on, visitors=f"{self.leader.name}、{community[0].name}",
                                 brought="上门吊唁，送去慰问金，帮助联系办理丧葬补助", follow_up="春节前再上门看望其母亲",
                                 occurred_at=at, received_at=at, content_hash="demo"))
        return 2

    def sessions(self, community, grid) -> int:
        start = date(self.today.year, 1, 1)
        span = max((self.today - start).days, 0)
        skipper = community[-1]  # came to none this year
        for i, (kind, title, hours) in enumerate(SESSIONS):
            held_on = start + timedelta(days=span * (i + 1) // (len(SESSIONS) + 1))
            people = community if kind == "party_school" else grid
            session = TrainingSession(kind=kind, title=title, held_on=held_on, hours=hours,
                                      place="福新街道党群服务中心" if kind == "party_school" else "万科社区党群服务中心",
                                      trainer="区委党校讲师" if kind == "party_school" else "街道网格办",
                                      organiser_id=self.leader.id)
            session.expected = [TrainingAttendance(user_id=p.id, attended=p is not skipper and (n + i) % 6 != 0,
                                                   marked_at=None) for n, p in enumerate(people)]
            db.session.add(session)
        return len(SESSIONS)

    def credentials(self, community, grid) -> int:
        rows = []
        year_start = date(self.today.year, 1, 1)
        span = max((self.today - year_start).days, 0)
        for n, person in enumerate(community):
            level = CERTIFICATES[n % len(CERTIFICATES)]
            if n == 2:
                level = "senior_social_worker"
            if level:
                rows.append(Credential(user_id=person.id, kind="qualification", level=level,
                                       obtained_on=date(2016 + n % 8, 10, 15), recorded_by_id=person.id))
        people = community + grid
        for n, person in enumerate(people):
            rows.append(Credential(user_id=person.id, kind="education", level="junior_college",
                                   obtained_on=date(2008 + n % 10, 7, 1), recorded_by_id=person.id))
            if n < RAISED_TO_BACHELOR:  # 自考 or 函授 finished this year
                rows.append(Credential(user_id=person.id, kind="education", level="bachelor",
                                       obtained_on=year_start + timedelta(days=span * n // RAISED_TO_BACHELOR),
                                       recorded_by_id=person.id))
        db.session.add_all(rows)
        return len(rows)
