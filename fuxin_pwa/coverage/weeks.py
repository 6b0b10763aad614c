"""Coverage weeks: Monday to Sunday in Asia/Shanghai, and the UTC windows the queries use.

Check-ins are stored in naive UTC, so a week is turned into its [start, end) UTC bounds here,
once; a check-in at Sunday 23:30 local belongs to that week, Monday 00:10 to the next."""
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from ..timeutil import local_day_bounds_utc, local_today, week_start

STRIP_WEEKS = 12  # the strip per village and grid: the chosen week and the 11 before it


@dataclass(frozen=True)
class Week:
    monday: date

    @classmethod
    def of(cls, day: date | None = None) -> "Week":
        return cls(week_start(day or local_today()))

    @property
    def sunday(self) -> date:
        return self.monday + timedelta(days=6)

    @property
    def bounds(self) -> tuple[datetime, datetime]:
        """[start, end) in naive UTC."""
        return local_day_bounds_utc(self.monday, self.sunday)

    @property
    def previous(self) -> "Week":
        return Week(self.monday - timedelta(days=7))

    @property
    def next(self) -> "Week | None":
        """The week after, unless it has not begun yet (there is nothing to see there)."""
        later = Week(self.monday + timedelta(days=7))
        return later if later.monday <= week_start(local_today()) else None

    @property
    def iso_year(self) -> int:
        return self.monday.isocalendar()[0]

    @property
    def iso_number(self) -> int:
        """The ISO week number (week 1 holds the year's first Thursday), as calendars print it."""
        return self.monday.isocalendar()[1]

    @property
    def is_current(self) -> bool:
        return self.monday == week_start(local_today())

    def strip(self, n: int = STRIP_WEEKS) -> list["Week"]:
        """The n weeks ending with this one, oldest first."""
        return [Week(self.monday - timedelta(days=7 * k)) for k in range(n - 1, -1, -1)]


def strip_bounds(weeks: list[Week]) -> list[datetime]:
    """The UTC instants between consecutive weeks of a strip: n + 1 boundaries."""
    return [w.bounds[0] for w in weeks] + [weeks[-1].bounds[1]]
