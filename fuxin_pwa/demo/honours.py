"""Contests, interest teams and evaluations in the demo: eight 网格家园, eleven interest teams
with members and events there; the district's first grid workers' choir contest, where the
街道合唱团 won 一等奖, and a 擂台比武 of community workers; the community workers' evaluation
of last year, finished (every side marked, every community past its vote minimum, the votes
closed), and this year's with residents' votes under way (万科社区 past the minimum, the others
not yet) and only the self side marked so far.

No random draw: everything follows the people's order, so the same seed gives the same demo."""
import hashlib
from datetime import date, timedelta

from ..auth.models import COMMUNITY_WORKER, GRID_WORKER
from ..evaluations.models import Ballot, BallotRating, EvaluationMark, EvaluationNote
from ..evaluations.scoring import DEFAULT_ITEMS, DEFAULT_WEIGHTS
from ..evaluations.services import community_of, new_round, round_people
from ..extensions import db
from ..honours.models import Contest, ContestEntry, Honour, InterestTeam, InterestTeamMember, TeamEvent
from ..places.models import GRID_HOME, Place
from ..timeutil import utcnow

TEAMS = ["合唱团", "舞蹈队", "太极拳队", "书法社", "摄影队", "志愿宣讲团", "乒乓球队", "葫芦丝队", "读书会",
         "模特队", "健步走队"]
EVENTS = ["每周排练", "社区文艺汇演", "重阳节慰问演出"]
GRID_HOMES = 8
RATINGS = ("satisfied",) * 7 + ("fair",) * 2 + ("unsatisfied",)
COMMENTS = {0: "办事热心，随叫随到", 3: "解决了楼道照明问题", 9: "回复有点慢"}
# This year's votes so far, per community in order: the first past the minimum of 50.
VOTES_SO_FAR = (56, 31, 12)


def _hash(*parts) -> str:
    return hashlib.sha256("/".join(map(str, parts)).encode()).hexdigest()


class DemoHonours:
    def __init__(self, history):
        self.h, self.w = history, history.w
        self.leader = self.w.logins["leader"]
        self.today = history.today

    def build(self) -> dict:
        homes = self.grid_homes()
        teams = self.teams(homes)
        self.contests(teams)
        rounds = self.evaluations()
        db.session.flush()
        return {"grid_homes": len(homes), "interest_teams": len(teams), "evaluation_rounds": rounds}

    def grid_homes(self) -> list[Place]:
        grids = [g for grids in self.w.grids.values() for g in grids][:GRID_HOMES]
        homes = [Place(name=f"{g.name.removesuffix('网格')}网格家园", kind=GRID_HOME, parent_id=g.id, code=f"{g.code}-H")
                 for g in grids]
        db.session.add_all(homes)
        db.session.flush()
        return homes

    def teams(self, homes) -> list[InterestTeam]:
        people = self.w.people[GRID_WORKER] + self.w.people[COMMUNITY_WORKER]
        teams = []
        for i, name in enumerate(TEAMS):
            team = InterestTeam(name=f"福新街道{name}", note=None)
            team.members = [InterestTeamMember(user_id=p.id) for n, p in enumerate(people) if n % len(TEAMS) == i
                            or (i == 0 and n % 3 == 0)]  # the choir is the biggest
            for k, title in enumerate(EVENTS[: 1 + i % len(EVENTS)]):
                team.events.append(TeamEvent(title=title, held_on=self.today - timedelta(days=7 + 30 * k + i),
                                             place_id=homes[(i + k) % len(homes)].id))
            teams.append(team)
        db.session.add_all(teams)
        db.session.flush()
        return teams

    def contests(self, teams) -> None:
        choir = teams[0]
        held = self.today - timedelta(days=60)
        chorus = Contest(kind="chorus", title="福山区首届网格员合唱比赛", held_on=held, created_by_id=self.leader.id)
        entry = ContestEntry(team_id=choir.id, result="一等奖")
        chorus.entries = [entry]
        arena = Contest(kind="arena", title="社区工作者擂台比武", held_on=self.today - timedelta(days=120),
                        created_by_id=self.leader.id)
        community = self.w.people[COMMUNITY_WORKER]
        arena.entries = [ContestEntry(user_id=p.id, result=r)
                         for p, r in zip(community[:6], ("一等奖", "二等奖", "二等奖", "三等奖", None, None))]
        db.session.add_all([chorus, arena])
        db.session.flush()
        honours = [Honour(title="福山区首届网格员合唱比赛一等奖", awarded_on=held, team_id=choir.id, entry_id=entry.id,
                          recorded_by_id=self.leader.id)]
        honours += [Honour(title=f"{arena.title}{e.result}", awarded_on=arena.held_on, user_id=e.user_id,
                           entry_id=e.id, recorded_by_id=self.leader.id) for e in arena.entries if e.result]
        db.session.add_all(honours)

    def evaluations(self) -> int:
        year = self.today.year
        last = new_round(self.leader, f"{year - 1}年度社区工作者考核", COMMUNITY_WORKER, date(year - 1, 1, 1),
                            date(year - 1, 12, 31), list(DEFAULT_ITEMS), dict(DEFAULT_WEIGHTS), 50, 20, 5)
        this = new_round(self.leader, f"{year}年度社区工作者考核", COMMUNITY_WORKER, date(year, 1, 1),
                            date(year, 12, 31), list(DEFAULT_ITEMS), dict(DEFAULT_WEIGHTS), 50, 20, 5)
        people = round_people(last)
        for n, person in enumerate(people):
            for s, side in enumerate(("self", "subdistrict", "panel")):
                scores = {item: 78 + (n * 7 + s * 3 + k * 5) % 20 for k, item in enumerate(DEFAULT_ITEMS)}
                db.session.add(EvaluationMark(round_id=last.id, person_id=person.id, side=side, scores=scores,
                                              marked_by_id=self.leader.id))
            db.session.add(EvaluationNote(round_id=last.id, person_id=person.id, daily="各月工作按时完成，台账齐全",
                                          extra="参加社区工作者擂台比武" if n < 6 else None, bonus=1 if n < 4 else 0))
            db.session.add(EvaluationMark(round_id=this.id, person_id=person.id, side="self",
                                          scores={item: 85 + (n + k) % 10 for k, item in enumerate(DEFAULT_ITEMS)},
                                          marked_by_id=self.leader.id))
        where = community_of(p.id for p in people)
        for link in last.links:
            link.closed_at = utcnow() - timedelta(days=300)
            self.ballots(last, link, 50 + link.id % 20, [p for p in people if where[p.id] == link.place_id])
        for link, votes in zip(this.links, VOTES_SO_FAR):
            self.ballots(this, link, votes, [p for p in people if where[p.id] == link.place_id])
        return 2

    def ballots(self, rnd, link, count, workers) -> None:
        for v in range(count):
            ballot = Ballot(round_id=rnd.id, link_id=link.id, voter_hash=_hash("demo", rnd.id, link.id, v))
            ballot.ratings = [BallotRating(person_id=p.id, rating=RATINGS[(v + 3 * k) % len(RATINGS)],
                                           comment=COMMENTS.get(v) if k == 0 else None)
                              for k, p in enumerate(workers) if (v + k) % 5 != 4]  # not everyone knows everyone
            db.session.add(ballot)
