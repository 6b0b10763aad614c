"""Duty rosters for the demo: the plot awaiting expropriation at 冶头村 guarded day and night
(08:00–20:00, 20:00–08:00), two young cadres a shift, from a week ago to three weeks ahead, the
demo cadre among them; and the flood season's standby (防汛预备队): the young cadres in six
groups, each with its leader, ready to be called up onto an incident from the board.

Built by the same rule a leader uses (duty/services.py), with no random draw: the same seed
gives the same rosters, dated from today as the rest of the demo is."""
from datetime import time, timedelta

from ..auth.models import YOUNG_CADRE
from ..duty.models import Roster, StandbyGroup, StandbyMember
from ..duty.services import RosterRule, ShiftRule, roster_from_rule
from ..extensions import db
from . import names

GUARDS = 6          # the cadres rotating at the plot, two a shift
GUARD_DAYS_AGO = 7
GUARD_DAYS = 28
STANDBY_GROUPS = 6  # as on the rainstorm night
STANDBY_DAYS = 92


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
        db.session.flush()
        return {"rosters": 2, "duty_shifts": len(guard.shifts), "standby_groups": STANDBY_GROUPS}
