"""How often an AWS schedule expression fires, as an upper bound in minutes."""

from __future__ import annotations

import re
from typing import Optional

DAY = 24 * 60
MONTH = 30.5 * DAY
_RATE = re.compile(r"rate\((\d+)\s+(minute|minutes|hour|hours|day|days)\)")
_CRON = re.compile(r"cron\((.+)\)")
_UNIT = {"minute": 1, "minutes": 1, "hour": 60, "hours": 60, "day": DAY, "days": DAY}
_DAYS = ("SUN", "MON", "TUE", "WED", "THU", "FRI", "SAT")


def longest_gap_minutes(expression: str) -> Optional[float]:
    """The longest time between two runs of a cron() or rate() expression; None if unreadable.

    An upper bound: months count as 30.5 days, and a day-of-week rule as its longest gap in a week.
    """
    expression = expression.strip()
    rate = _RATE.fullmatch(expression)
    if rate:
        return int(rate.group(1)) * _UNIT[rate.group(2)]
    cron = _CRON.fullmatch(expression)
    if not cron:
        return None
    fields = cron.group(1).split()
    if len(fields) != 6:
        return None
    minutes, hours, day_of_month, month, day_of_week, _year = fields
    if hours == "*" or hours.startswith("*/") or hours.startswith("0/"):
        step = int(hours.split("/")[1]) if "/" in hours else 1
        return step * 60.0
    if "," in hours or "-" in hours:
        return _gap(_expand(hours, 0, 23), 24) * 60.0
    if day_of_week not in ("?", "*"):
        if "#" in day_of_week or day_of_week.endswith("L"):
            return _month_gap(month) * MONTH
        days = _expand(day_of_week.upper(), 1, 7, _DAYS)
        return _gap(days, 7) * DAY if days else None
    if day_of_month in ("*", "?") or day_of_month.startswith("*/") or day_of_month.startswith("1/"):
        step = int(day_of_month.split("/")[1]) if "/" in day_of_month else 1
        return step * DAY
    return _month_gap(month) * MONTH


def _month_gap(month: str) -> float:
    if month == "*":
        return 1
    months = _expand(month.upper(), 1, 12)
    return _gap(months, 12) if months else 12


def _expand(field: str, low: int, high: int, names: tuple = ()) -> list[int]:
    """Values of one cron field such as '1,4,7,10', 'MON-FRI' or '*/3'."""
    values: set[int] = set()
    for part in field.split(","):
        part, _, step_text = part.partition("/")
        step = int(step_text) if step_text.isdigit() else 1
        if part in ("*", ""):
            start, end = low, high
        elif "-" in part:
            first, last = part.split("-", 1)
            start, end = _number(first, names, low), _number(last, names, low)
        else:
            start = _number(part, names, low)
            end = high if step_text else start
        if start is None or end is None:
            return []
        values.update(range(start, end + 1, step))
    return sorted(values)


def _number(text: str, names: tuple, low: int) -> Optional[int]:
    if text.isdigit():
        return int(text)
    return names.index(text) + low if text in names else None


def _gap(values: list[int], period: int) -> int:
    """The longest cyclic gap between sorted values in a period."""
    if not values:
        return period
    gaps = [b - a for a, b in zip(values, values[1:])] + [values[0] + period - values[-1]]
    return max(gaps)
