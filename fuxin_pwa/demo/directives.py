"""Two directives (传达部署) from the demo leader, so the list, a directive's page and the
field home have something to show from the first login.

One current: flood-safety checks sent to every village three days ago, due in a few days,
relayed in a few villages so far, among them the demo liaison's village visited this week;
her other village still owes it, so her home shows the 待传达 card. One past its date: forest
fire prevention sent to every village and community, relayed almost everywhere, but not in
the demo liaison's unvisited village nor in two other places, which the list marks overdue.

Relays are briefing task logs naming the directive, made by a person who covers the place,
with the people reached, as the phone would send them. As in history.py, every random draw
happens whatever the time now is, and each relay's time is in the past by construction."""
from datetime import datetime, timedelta

from ..auth.models import COMMUNITY_WORKER, VILLAGE_LIAISON
from ..directives.models import Directive, DirectiveTarget
from ..extensions import db
from . import names

CURRENT = {
    "title": "防汛安全隐患排查部署",
    "body": ("近期将有强降雨过程，请各村传达到村两委成员、网格员和党员群众代表：\n"
             "一、逐户排查危旧房屋、低洼院落和临河住户，建立需转移人员名单；\n"
             "二、明确每户的转移路线和安置点，告知到人；\n"
             "三、检查排水沟渠、涵洞是否畅通，发现隐患当日报街道防汛办。"),
    "published_days_ago": 2, "due_in_days": 4, "relayed_elsewhere": 3,
}
PAST = {
    "title": "森林防火宣传部署",
    "body": ("森林防火期已到，请各村居向群众传达：\n"
             "一、严禁野外用火、上坟烧纸和焚烧秸秆；\n"
             "二、进山入林人员一律登记，不带火种；\n"
             "三、发现火情立即拨打119并报告街道应急办。"),
    "published_days_ago": 24, "due_days_ago": 10,
}
SUMMARIES = [
    "召开{place}两委和网格员会议，传达{title}，逐项明确责任人",
    "{place}党员群众代表会上传达{title}，发放明白纸",
    "通过{place}大喇叭和微信群传达{title}，重点户逐户上门告知",
]
OUTCOMES = ["已传达到位", "已传达，重点户名单已建立", "已传达，明白纸已发放到户"]


class DemoDirectives:
    def __init__(self, history):
        self.h, self.rng, self.w = history, history.rng, history.w
        self.leader = self.w.logins["leader"]
        self.liaison = self.w.logins["liaison"]
        self.relays = 0

    def build(self) -> dict:
        p = self.w.places
        villages = [p[n] for n in names.VILLAGES]
        communities = [p[n] for n in names.COMMUNITIES]
        visited, unvisited = self.w.assigned[self.liaison.id][:2]  # history.liaison_weeks: the first is visited
        self.current(villages, visited, unvisited)
        self.past(villages, communities, visited, unvisited)
        return {"directives": 2, "directive_relays": self.relays}

    # --- helpers ---------------------------------------------------------------------------

    def publish(self, spec: dict, targets: list, due_on, published: datetime, all_places: bool) -> Directive:
        directive = Directive(title=spec["title"], body=spec["body"], due_on=due_on, all_places=all_places,
                              created_by_id=self.leader.id, created_at=published,
                              targets=[DirectiveTarget(place_id=place.id) for place in targets])
        db.session.add(directive)
        db.session.flush()
        return directive

    def coverers(self, place) -> list:
        """The people (other than the demo logins) whose own places hold this one."""
        logins = set(self.w.logins.values())
        return [u for role in (VILLAGE_LIAISON, COMMUNITY_WORKER) for u in self.w.people[role]
                if u not in logins and place in self.w.assigned[u.id]]

    def relay(self, directive: Directive, user, place, when: datetime) -> None:
        summary = self.rng.choice(SUMMARIES).format(place=place.name, title=f"《{directive.title}》")
        row = self.h.log(user, "briefing", place, when, summary, outcome=self.rng.choice(OUTCOMES),
                         duration=self.rng.choice((30, 45, 60)), directive_id=directive.id,
                         people_reached=self.rng.randint(18, 85))
        self.relays += row is not None

    # --- the two directives ------------------------------------------------------------------

    def current(self, villages, visited, unvisited) -> None:
        h = self.h
        published = h.at(h.today - timedelta(days=CURRENT["published_days_ago"]), 9)
        directive = self.publish(CURRENT, villages, h.today + timedelta(days=CURRENT["due_in_days"]), published,
                                 all_places=False)
        # The demo liaison relayed it on this week's visit, before now whatever the hour.
        visit = h.this_week_visit()
        self.relay(directive, self.liaison, visited, min(visit + timedelta(minutes=40), visit + (h.now - visit) / 2))
        others = [v for v in villages if v not in (visited, unvisited) and self.coverers(v)]
        for village in self.rng.sample(others, CURRENT["relayed_elsewhere"]):
            when = h.at(h.today - timedelta(days=1), self.rng.uniform(9, 17.5))  # after publishing, before today
            self.relay(directive, self.rng.choice(self.coverers(village)), village, when)

    def past(self, villages, communities, visited, unvisited) -> None:
        h = self.h
        published = h.at(h.today - timedelta(days=PAST["published_days_ago"]), 9)
        due = h.today - timedelta(days=PAST["due_days_ago"])
        directive = self.publish(PAST, communities + villages, due, published, all_places=True)
        # Left unrelayed: the demo liaison's unvisited village, one other village and one
        # community other than the demo community worker's (whose /log opens on their one
        # place, so it would be offered the directive as the page loads).
        mine = set(self.w.assigned[self.w.logins["community"].id])
        late_village = self.rng.choice([v for v in villages if v not in (visited, unvisited)])
        late_community = self.rng.choice([c for c in communities if c not in mine])
        first_day, last_day = PAST["published_days_ago"] - 1, PAST["due_days_ago"] + 1
        for place in communities + villages:
            day = h.today - timedelta(days=self.rng.randint(last_day, first_day))
            when = h.at(day, self.rng.uniform(9, 17.5))
            if place in (unvisited, late_village, late_community):
                continue
            user = self.liaison if place is visited else self.rng.choice(self.coverers(place))
            self.relay(directive, user, place, when)
