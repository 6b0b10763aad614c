"""The arithmetic of a four-sided evaluation, pure: numbers in, numbers out, no database.

- Each side (residents, self, subdistrict, panel) scores a person on the round's items
  (default 德、能、勤、绩、廉), each on 100; the side's part is the mean of its items.
- The residents' side is not marked on items: each resident says 满意 / 基本满意 / 不满意, worth
  100 / 60 / 0, and the side's part is the mean over the person's ratings.
- The total, on 100, is the sides' parts combined with the round's weights (default
  40 / 10 / 30 / 20). A side with no part (not scored yet, or the residents' side of a community
  below the round's vote minimum) does not count as zero: it is left out and the weights of
  the sides that have a part are rescaled to 100, so a person is neither punished nor helped
  by a missing side. The page says which sides were rescaled.
- 附加评价 (honours, contests, major tasks) adds up to the round's bonus cap; the total never
  passes 100.
- The grade: 优秀 from 90, 称职 from 70, 基本称职 from 60, 不称职 below; at most the round's
  share (default 20 %) of the people may be 优秀. When more reach 90, the highest totals keep
  优秀 and the rest are 称职; people with the same total are treated alike, so a tie that
  would pass the cap leaves all of the tied at 称职.
"""
from dataclasses import dataclass
from math import floor

RESIDENTS, SELF, SUBDISTRICT, PANEL = "residents", "self", "subdistrict", "panel"
SIDES = (RESIDENTS, SELF, SUBDISTRICT, PANEL)
DEFAULT_WEIGHTS = {RESIDENTS: 40, SELF: 10, SUBDISTRICT: 30, PANEL: 20}
DEFAULT_ITEMS = ("德", "能", "勤", "绩", "廉")
RATING_POINTS = {"satisfied": 100, "fair": 60, "unsatisfied": 0}
EXCELLENT, COMPETENT, BASIC, INCOMPETENT = "excellent", "competent", "basic", "incompetent"
THRESHOLDS = ((90, EXCELLENT), (70, COMPETENT), (60, BASIC))


def side_part(item_scores: dict[str, float] | None, items) -> float | None:
    """The mean of a side's item scores, once every item has one; None before that."""
    if not item_scores or any(item_scores.get(item) is None for item in items):
        return None
    return sum(float(item_scores[item]) for item in items) / len(items)


def residents_part(ratings: list[str]) -> float | None:
    """The mean worth of the residents' ratings of one person; None with none."""
    points = [RATING_POINTS[r] for r in ratings if r in RATING_POINTS]
    return sum(points) / len(points) if points else None


@dataclass(frozen=True)
class Combined:
    total: float | None  # on 100, rounded to 0.1; None when no side has a part
    weights_used: dict[str, float]  # each counted side's weight after rescaling
    rescaled: bool  # a side was left out and the others' weights rescaled


def combine(parts: dict[str, float | None], weights: dict[str, float], bonus: float = 0,
            bonus_cap: float = 5) -> Combined:
    counted = {side: weights.get(side, 0) for side in SIDES if parts.get(side) is not None and weights.get(side, 0) > 0}
    weight_sum = sum(counted.values())
    if not weight_sum:
        return Combined(None, {}, False)
    used = {side: w * 100 / weight_sum for side, w in counted.items()}
    base = sum(parts[side] * w / 100 for side, w in used.items())
    extra = min(max(bonus or 0, 0), bonus_cap)
    all_weighted = {side for side in SIDES if weights.get(side, 0) > 0}
    return Combined(round(min(base + extra, 100), 1), used, set(counted) != all_weighted)


def grade_for(total: float | None) -> str | None:
    if total is None:
        return None
    for floor_points, grade in THRESHOLDS:
        if total >= floor_points:
            return grade
    return INCOMPETENT


def grades(totals: dict[int, float | None], excellent_share: float) -> dict[int, str | None]:
    """Each person's grade, with at most floor(share × people graded) 优秀 (see the module)."""
    out = {person: grade_for(total) for person, total in totals.items()}
    graded = sum(1 for total in totals.values() if total is not None)
    cap = floor(graded * excellent_share / 100 + 1e-9)
    excellent = sorted((t for p, t in totals.items() if out[p] == EXCELLENT), reverse=True)
    if len(excellent) <= cap:
        return out
    # The lowest total that still fits: everyone at or above it, ties included, within the cap.
    keep_from = None
    for total in excellent:  # highest first
        if sum(1 for t in excellent if t >= total) > cap:
            break
        keep_from = total
    for person, total in totals.items():
        if out[person] == EXCELLENT and (keep_from is None or total < keep_from):
            out[person] = COMPETENT
    return out
