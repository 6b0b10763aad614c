"""Service days in the demo: last Saturday's morning at 盐场社区党群服务中心 with all five
services, two of the community's workers and the demo community worker on it, and its
tallies (a tap per resident, from the centre's tablet, as the app records them); and next
Saturday's at the demo liaison's first village square, not yet held, so her tally page and
her phone's /me show a day to come.

No random draw: the counts are fixed and the taps spread evenly over the morning, so the
same seed gives the same demo, dated from today as the rest of it is."""
import uuid
from datetime import date, time, timedelta

import sqlalchemy as sa

from ..auth.models import COMMUNITY_WORKER
from ..extensions import db
from ..records import SOURCE_SYNC
from ..service_days.models import ServiceDay, ServiceKind, ServiceTally, day_staff

# Residents served per service last Saturday.
SERVED = {"haircut": 23, "clinic": 41, "legal": 9, "policy": 17, "errands": 12}
MORNING = (time(8, 30), time(11, 30))


def last_saturday(today: date) -> date:
    return today - timedelta(days=(today.weekday() - 5) % 7 or 7)


class DemoServiceDays:
    def __init__(self, history):
        self.h, self.w = history, history.w
        self.today = history.today
        self.leader = self.w.logins["leader"]

    def build(self) -> dict:
        kinds = {k.code: k for k in db.session.scalars(sa.select(ServiceKind))}
        salt = self.w.places["盐场社区"]
        community = self.w.logins["community"]
        workers = [u for u in self.w.people[COMMUNITY_WORKER] if u is not community
                   and any(salt in self.w.below[a.id] for a in self.w.assigned[u.id])][:2]
        held = last_saturday(self.today)
        centre = ServiceDay(title="盐场社区党群服务中心便民服务日", place_id=salt.id, held_on=held,
                            starts_at=MORNING[0], ends_at=MORNING[1], volunteers="福山区人民医院志愿服务队、福新律师事务所",
                            note="每月第一个周六上午", created_by_id=self.leader.id, created_at=self.h.at(held - timedelta(days=10), 9),
                            services=[kinds[c] for c in SERVED])
        liaison = self.w.logins["liaison"]
        village = self.w.assigned[liaison.id][0]
        coming = self.today + timedelta(days=(5 - self.today.weekday()) % 7 or 7)  # the next Saturday
        square = ServiceDay(title=f"{village.name}文化广场便民服务日", place_id=village.id, held_on=coming,
                            starts_at=MORNING[0], ends_at=MORNING[1], volunteers="区中医院义诊队",
                            created_by_id=self.leader.id, created_at=self.h.now,
                            services=[kinds["haircut"], kinds["clinic"], kinds["policy"]])
        db.session.add_all([centre, square])
        db.session.flush()
        # The people were inserted in bulk (loader.py), not as session objects: their ids go in.
        db.session.execute(sa.insert(day_staff), [{"day_id": centre.id, "user_id": u.id} for u in workers + [community]]
                           + [{"day_id": square.id, "user_id": liaison.id}])
        tablets = workers or [community]
        tallies = []
        for code, n in SERVED.items():
            for i in range(n):
                # The morning's three hours, each service's residents spread evenly over them.
                hour = 8.5 + 3 * (i + 0.5) / n
                tallies.append(ServiceTally(
                    uuid=str(uuid.uuid4()), day_id=centre.id, kind_id=kinds[code].id, count=1,
                    user_id=tablets[i % len(tablets)].id, occurred_at=self.h.at(held, hour),
                    received_at=self.h.at(held, hour), source=SOURCE_SYNC, device_id="demo-tablet",
                    content_hash="demo"))
        db.session.add_all(tallies)
        db.session.flush()
        return {"service_days": 2, "service_tallies": len(tallies)}
