"""Times are stored as naive UTC; people see Asia/Shanghai. One place for both rules."""
from datetime import date, datetime, time, timedelta, timezone
from zoneinfo import ZoneInfo

LOCAL_TZ = ZoneInfo("Asia/Shanghai")


def utcnow() -> datetime:
    return datetime.now(timezone.utc).replace(tzinfo=None)


def to_utc_naive(value: datetime) -> datetime:
    """An aware datetime to naive UTC; a naive one is taken as local (Asia/Shanghai)."""
    if value.tzinfo is None:
        value = value.replace(tzinfo=LOCAL_TZ)
    return value.astimezone(timezone.utc).replace(tzinfo=None)


def to_local(value: datetime | None) -> datetime | None:
    if value is None:
        return None
    return value.replace(tzinfo=timezone.utc).astimezone(LOCAL_TZ)


def local_today() -> date:
    return datetime.now(LOCAL_TZ).date()


def week_start(day: date | None = None) -> date:
    """Monday of the week holding `day` (weeks run Monday to Sunday, local time)."""
    day = day or local_today()
    return day - timedelta(days=day.weekday())


def local_day_bounds_utc(first: date, last: date) -> tuple[datetime, datetime]:
    """[start, end) in naive UTC covering local days first..last inclusive."""
    start = datetime.combine(first, time.min, LOCAL_TZ)
    end = datetime.combine(last + timedelta(days=1), time.min, LOCAL_TZ)
    return to_utc_naive(start), to_utc_naive(end)


def iso_local(value: datetime | None) -> str | None:
    local = to_local(value)
    return local.isoformat(timespec="seconds") if local else None
