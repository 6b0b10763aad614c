"""The grade ladder in the demo: a post and a service start for every community worker (one
正职 and two 副职 in each ten, service of 2 to 23 years), and one change a leader confirmed —
the demo community worker's latest step, dated on the anniversary that brought it, so her
profile shows her grade with its history. Everyone else's grade awaits its first
confirmation on the ledger, as after the ladder is first set up.

No random draw: posts and dates follow the people's order, so the same seed gives the same
demo, dated from today as the rest of it is. Runs last: the grade reads the degrees and
certificates (people.py) and last year's evaluation (honours.py)."""
from datetime import date

from ..auth.models import COMMUNITY_WORKER
from ..extensions import db
from ..grades.ladder import anniversary
from ..grades.models import CHIEF, DEPUTY, OTHER, GradeChange, GradePost
from ..grades.queries import current_rule, row_of


def _post(i: int) -> str:
    return CHIEF if i % 10 == 0 else DEPUTY if i % 10 in (1, 2) else OTHER


class DemoGrades:
    def __init__(self, history):
        self.h, self.w = history, history.w
        self.leader = self.w.logins["leader"]
        self.today = history.today

    def build(self) -> dict:
        people = self.w.people[COMMUNITY_WORKER]
        posts = []
        for i, person in enumerate(people):
            years = 2 + (i * 7) % 22
            start = date(self.today.year - years, 1 + i % 12, 1 + (i * 11) % 28)
            posts.append(GradePost(user_id=person.id, post=_post(i), service_start=start))
        db.session.add_all(posts)
        db.session.flush()
        changes = self.confirmed(self.w.logins["community"])
        db.session.flush()
        return {"grade_posts": len(posts), "grade_changes": changes}

    def confirmed(self, person) -> int:
        """Her latest step up, confirmed on the day it came: a step's worth of years before
        the next step's day (or today, at the top of her post)."""
        row = row_of(person, self.today)
        calc = row.calculation
        if calc is None:
            return 0
        per = current_rule().years_per_step
        on = self.today if calc.next_on is None else anniversary(calc.next_on, -per)
        first = calc.grade == current_rule().ranges[row.post.post][0]  # at the bottom: her first grade
        db.session.add(GradeChange(user_id=person.id, changed_on=min(on, self.today),
                                   from_grade=None if first else calc.grade - 1, to_grade=calc.grade,
                                   reason="首次定级" if first else f"工龄满{per}年晋档", by_id=self.leader.id))
        return 1
