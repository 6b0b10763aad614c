"""The grade ladder's arithmetic (三岗十八级), pure: a rule and a person's facts in, the grade
and every step of its reckoning out. No database, no clock.

The rule (a locality may change any part of it through the app config's GRADE_RULE):

- Each post has a range of grades: 正职 (书记/主任) 7–18, 副职 4–15, 其他社区工作者 1–12. A
  locality with 四岗二十四级 gives its own ranges (and a label for a fourth post).
- Counted years = full years of service on the day + the years the highest education is worth
  (本科 3, 硕士 5, 博士 7; 专科 and none 0) − one year for each 不称职 year from the service
  start's year to the day's year (a 不称职 year holds the next step back by a year), never
  below 0 (years held back beyond that are still served before the next step).
- Steps = counted years // years per step (3; some localities use 2).
- Grade = min(top of the post, bottom of the post + steps + the certificate's grades)
  (助理社会工作师 +1, 社会工作师 +2, 高级社会工作师 +3: the highest one held).
- The next step: grade + 1 on the anniversary of the service start at which the counted
  years reach the next multiple of the years per step, supposing no further 不称职 year;
  none at the top of the post.

Worked examples are written out in tests/test_grades.py.
"""
from dataclasses import dataclass, field
from datetime import date
from typing import Iterable, Mapping

from flask_babel import gettext as _

# Level codes as training/models.py has them (LEVELS[EDUCATION] and LEVELS[QUALIFICATION]).
DEFAULT_RANGES = {"chief": (7, 18), "deputy": (4, 15), "other": (1, 12)}
DEFAULT_EDUCATION_YEARS = {"bachelor": 3, "master": 5, "doctor": 7}
DEFAULT_CERTIFICATE_GRADES = {"assistant_social_worker": 1, "social_worker": 2, "senior_social_worker": 3}


@dataclass(frozen=True)
class LadderRule:
    ranges: Mapping[str, tuple[int, int]] = field(default_factory=lambda: dict(DEFAULT_RANGES))
    years_per_step: int = 3
    education_years: Mapping[str, int] = field(default_factory=lambda: dict(DEFAULT_EDUCATION_YEARS))
    certificate_grades: Mapping[str, int] = field(default_factory=lambda: dict(DEFAULT_CERTIFICATE_GRADES))
    post_labels: Mapping[str, str] = field(default_factory=dict)  # labels of posts beyond the three

    @classmethod
    def from_config(cls, overrides: Mapping | None) -> "LadderRule":
        """The default rule with a locality's GRADE_RULE laid over it; a bad value is refused
        at start-up rather than mis-grading people later."""
        overrides = dict(overrides or {})
        unknown = set(overrides) - {"ranges", "years_per_step", "education_years", "certificate_grades", "post_labels"}
        if unknown:
            raise ValueError(f"GRADE_RULE: unknown keys {sorted(unknown)}")
        ranges = {post: (int(lo), int(hi)) for post, (lo, hi) in
                  dict(overrides.get("ranges") or DEFAULT_RANGES).items()}
        if any(lo < 1 or hi < lo for lo, hi in ranges.values()):
            raise ValueError("GRADE_RULE: each range is bottom ≤ top, from 1")
        years = int(overrides.get("years_per_step", 3))
        if years < 1:
            raise ValueError("GRADE_RULE: years_per_step is at least 1")
        return cls(ranges, years, {**DEFAULT_EDUCATION_YEARS, **(overrides.get("education_years") or {})},
                   {**DEFAULT_CERTIFICATE_GRADES, **(overrides.get("certificate_grades") or {})},
                   dict(overrides.get("post_labels") or {}))


@dataclass(frozen=True)
class Calculation:
    grade: int
    steps: tuple[str, ...]  # the reckoning, one Chinese line each, in order
    next_grade: int | None  # None at the top of the post
    next_on: date | None
    top: int


def full_years(start: date, on: date) -> int:
    """Whole years from `start` to `on` (an anniversary counts on its day); 0 before start."""
    if on <= start:
        return 0
    years = on.year - start.year - ((on.month, on.day) < (start.month, start.day))
    return max(years, 0)


def anniversary(start: date, years: int) -> date:
    """`start` plus whole years; 29 February falls on 1 March in other years."""
    try:
        return start.replace(year=start.year + years)
    except ValueError:
        return date(start.year + years, 3, 1)


def grade_of(rule: LadderRule, post: str, service_start: date, on: date, education: str | None,
             certificate: str | None, incompetent_years: Iterable[int] = (),
             education_label: str | None = None, certificate_label: str | None = None) -> Calculation:
    bottom, top = rule.ranges[post]
    served = full_years(service_start, on)
    edu_years = rule.education_years.get(education or "", 0)
    held_back = sorted({y for y in incompetent_years if service_start.year <= y <= on.year})
    owed = served + edu_years - len(held_back)  # below 0 when 不称职 years outweigh the rest
    counted = max(owed, 0)
    steps_up = counted // rule.years_per_step
    cert = rule.certificate_grades.get(certificate or "", 0)
    raw = bottom + steps_up + cert
    grade = min(top, raw)

    lines = [_("岗位起点 %(n)s级（本岗 %(lo)s–%(hi)s级）", n=bottom, lo=bottom, hi=top),
             _("工龄 %(n)s年（%(start)s 起）", n=served, start=f"{service_start:%Y-%m-%d}")]
    if education:
        lines.append(_("学历 %(level)s 计 %(n)s年", level=education_label or education, n=edu_years))
    for year in held_back:
        lines.append(_("%(year)s年度不称职 下一档推迟一年（−1年）", year=year))
    lines.append(_("计档年限 %(n)s年，每 %(per)s 年一档 → +%(steps)s级", n=counted, per=rule.years_per_step,
                   steps=steps_up))
    if certificate:
        lines.append(_("证书 %(level)s +%(n)s级", level=certificate_label or certificate, n=cert))
    lines.append(_("%(bottom)s + %(steps)s + %(cert)s = %(n)s级", bottom=bottom, steps=steps_up, cert=cert, n=raw))
    if raw > top:
        lines.append(_("封顶 %(n)s级", n=top))

    if grade >= top:
        return Calculation(grade, tuple(lines), None, None, top)
    # More years of service, reckoned from `owed`: years held back below 0 must be served too.
    needed = (steps_up + 1) * rule.years_per_step - owed
    return Calculation(grade, tuple(lines), grade + 1, anniversary(service_start, served + needed), top)
