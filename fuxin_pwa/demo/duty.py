"""Duty rosters for the demo: the plot awaiting expropriation at 冶头村 guarded day and night
(08:00–20:00, 20:00–08:00), two young cadres a shift, from a week ago to three weeks ahead, the
demo cadre among them; and the flood season's standby (防汛预备队): the young cadres in six
groups, each with its leader, ready to be called up onto an incident from the board; the office's
holiday calendar (元旦 and 春节 2027) and the holiday duty kept to it, community workers a day
each; and one exchange (互换) a fellow guard has offered the demo cadre, waiting on his home.

Built by the same rule a leader uses (duty/services.py), with no random draw: the same seed
gives the same rosters, dated from today as the rest of the demo is."""
from datetime import date, time, timedelta

from ..auth.models import COMMUNITY_WORKER, YOUNG_CADRE
from ..duty.models import ASKED, Holiday, Roster, StandbyGroup, StandbyMember, SwapRequest
from ..duty.services import DutyRefused, RosterRule, ShiftRule, check_exchange, roster_from_rule
from ..extensions import db
from . import names

GUARDS = 6          # the cadres rotating at the plot, two a shift
GUARD_DAYS_AGO = 7
GUARD_DAYS = 28
STANDBY_GROUPS = 6  # as on the rainstorm night
STANDBY_DAYS = 92
# The 2027 calendar as the office enters it: (first day, days, name).
HOLIDAYS = ((date(2027, 1, 1), 3, "元旦"), (date(2027, 2, 5), 7, "春节"))
HOLIDAY_STAFF = 8


class DemoDuty:
    def __init__(self, history):
        self.h, self.w = history, history.w
        self.leader = self.w.logins["leader"]

    def build(self) -> dict:
        cadres = self.w.people[YOUNG_CADRE]  # the demo cadre first
        plot = self.w.places[names.EXPROPRIATION_VILLAGES[0]]
        guard = roster_from_rule(self.leader, RosterRule(
            "site_guard", f"{plot.name}待征迁地块值守", plot.id, self.h.today - timedelta(days=GUARD_DAYS_AGO),
            GUARD_DAYS, [ShiftRule("白班", time(8), time(20)), ShiftRule("夜班", time(20), time(8))], 2,
            [u.id for u in cadres[:GUARDS]]))
        standby = Roster(kind="flood_standby", name="防汛预备队（年轻干部）", starts_on=self.h.today - timedelta(days=30),
                         ends_on=self.h.today + timedelta(days=STANDBY_DAYS), created_by_id=self.leader.id)
        for i in range(STANDBY_GROUPS):
            members = cadres[i::STANDBY_GROUPS]  # 15 cadres: three groups of three, three of two
            standby.groups.append(StandbyGroup(name=f"防汛预备队第{i + 1}组", leader_id=members[0].id, sort=i + 1,
                                               members=[StandbyMember(user_id=u.id) for u in members]))
        db.session.add_all([guard, standby])
        db.session.add_all(Holiday(day=first + timedelta(days=i), name=name)
                           for first, days, name in HOLIDAYS for i in range(days))
        db.session.flush()  # the holiday roster reads the calendar
        first, last = HOLIDAYS[0][0], HOLIDAYS[-1][0] + timedelta(days=HOLIDAYS[-1][1] - 1)
        holiday = roster_from_rule(self.leader, RosterRule(
            "holiday", "2027年元旦春节值班", None, first, (last - first).days + 1,
            [ShiftRule("值班", time(8), time(8))], 1,
            [u.id for u in self.w.people[COMMUNITY_WORKER][:HOLIDAY_STAFF]]), holidays_only=True)
        db.session.add(holiday)
        db.session.flush()
        self._offer_exchange(guard, cadres[0], cadres[2])  # [1] always shares his shifts
        return {"rosters": 3, "duty_shifts": len(guard.shifts) + len(holiday.shifts),
                "standby_groups": STANDBY_GROUPS}

    def _offer_exchange(self, roster, cadre, fellow) -> None:
        """The fellow's first shift at least two days on, offered for one of the cadre's after it
        that the rules allow (none: no offer; the demo stays loadable whatever the rotation)."""
        soon = self.h.now + timedelta(days=2)
        theirs = [s for s in roster.shifts if s.starts_at > soon]
        offered = next((s for s in theirs if {p.user_id for p in s.people} >= {fellow.id}
                        and cadre.id not in {p.user_id for p in s.people}), None)
        for mine in (s for s in theirs if offered is not None and s.starts_at > offered.ends_at):
            try:
                check_exchange(offered, mine, fellow.id, cadre.id)
            except DutyRefused:
                continue
            db.session.add(SwapRequest(shift_id=offered.id, from_user_id=fellow.id, to_user_id=cadre.id,
                                       exchange_shift_id=mine.id, state=ASKED, asked_at=self.h.now))
            return
