"""AWS schedule expressions: `cron(...)` and `rate(...)`, read once for the whole kit.

The syntax and field ranges are EventBridge's, which AWS Backup uses:
`cron(minutes hours day-of-month month day-of-week year)` with `, - * /` in every
field, `?` `L` `W` in day-of-month, `?` `L` `#` in day-of-week, months JAN-DEC,
days SUN-SAT (1-7), years 1970-2199, and exactly one of the two day fields `?`.

How often a schedule runs is computed on real calendar dates, not estimated:
the runs of the next 30 years (every weekday and leap-year pattern) are laid out
and the longest time between two of them is measured. `cron(0 5 31 2 ? *)` is
valid syntax but never runs; a schedule whose year field ends stops; both have
an infinite gap.
"""

from __future__ import annotations

import calendar
import functools
import math
import re
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Optional

DAY = 24 * 60  # minutes
WINDOW_YEARS = 30  # covers every (leap year, weekday of 1 January) pattern
FIRST_YEAR, LAST_YEAR = 1970, 2199

MONTHS = ("JAN", "FEB", "MAR", "APR", "MAY", "JUN", "JUL", "AUG", "SEP", "OCT", "NOV", "DEC")
WEEKDAYS = ("SUN", "MON", "TUE", "WED", "THU", "FRI", "SAT")
_RATE = re.compile(r"rate\((\d+) (minute|minutes|hour|hours|day|days)\)")
_CRON = re.compile(r"cron\((.*)\)")
_UNIT_MINUTES = {"minute": 1, "hour": 60, "day": DAY}
EXAMPLE = "cron(0 5 ? * SAT *)"


class ScheduleError(ValueError):
    """An expression AWS would refuse; the message says what is wrong."""


@dataclass(frozen=True)
class _Field:
    name: str
    low: int
    high: int
    names: tuple[str, ...] = ()


_FIELDS = (
    _Field("minutes", 0, 59),
    _Field("hours", 0, 23),
    _Field("day-of-month", 1, 31),
    _Field("month", 1, 12, MONTHS),
    _Field("day-of-week", 1, 7, WEEKDAYS),
    _Field("year", FIRST_YEAR, LAST_YEAR),
)


@dataclass(frozen=True)
class Cron:
    """A parsed cron(...) expression: the values or rules of each field."""

    minutes: frozenset[int]
    hours: frozenset[int]
    days_of_month: Optional[frozenset[int]]  # None: '?'
    last_day_of_month: bool  # L
    nearest_weekdays: frozenset[int]  # NW: the weekday nearest to day N; 0 for LW
    months: frozenset[int]
    days_of_week: Optional[frozenset[int]]  # None: '?'; 1 = SUN .. 7 = SAT
    last_weekdays: frozenset[int]  # NL: the last weekday N of the month
    nth_weekdays: frozenset[tuple[int, int]]  # N#k: the k-th weekday N of the month
    years: frozenset[int]

    def runs_on(self, day: date) -> bool:
        if day.month not in self.months or day.year not in self.years:
            return False
        if self.days_of_month is not None or self.last_day_of_month or self.nearest_weekdays:
            return self._day_of_month(day)
        return self._day_of_week(day)

    def _day_of_month(self, day: date) -> bool:
        last = calendar.monthrange(day.year, day.month)[1]
        if self.days_of_month is not None and day.day in self.days_of_month:
            return True
        if self.last_day_of_month and day.day == last:
            return True
        return any(day.day == _nearest_weekday(day.year, day.month, n or last) for n in self.nearest_weekdays)

    def _day_of_week(self, day: date) -> bool:
        weekday = (day.weekday() + 1) % 7 + 1  # Python's Monday=0 -> AWS's SUN=1
        if self.days_of_week is not None and weekday in self.days_of_week:
            return True
        last = calendar.monthrange(day.year, day.month)[1]
        if weekday in self.last_weekdays and day.day + 7 > last:
            return True
        return (weekday, (day.day - 1) // 7 + 1) in self.nth_weekdays


@dataclass(frozen=True)
class Rate:
    minutes: int


def parse(expression: str) -> Cron | Rate:
    """The expression's fields; ScheduleError says what AWS would refuse."""
    if not isinstance(expression, str):
        raise ScheduleError(f"{expression!r} is not a schedule expression; use {EXAMPLE} or rate(7 days)")
    rate = _RATE.fullmatch(expression)
    if rate:
        value, unit = int(rate.group(1)), rate.group(2)
        if value < 1 or (value == 1) != (not unit.endswith("s")):
            raise ScheduleError(f"'{expression}': use rate(1 day) for one unit and rate(N days) for more")
        return Rate(value * _UNIT_MINUTES[unit.rstrip("s")])
    cron = _CRON.fullmatch(expression)
    if not cron:
        raise ScheduleError(f"'{expression}' is not an AWS schedule; use {EXAMPLE} or rate(7 days)")
    fields = cron.group(1).split()
    if len(fields) != 6:
        raise ScheduleError(
            f"'{expression}' needs six cron fields (minutes hours day-of-month month day-of-week year), e.g. {EXAMPLE}"
        )
    minutes, hours, dom, month, dow, year = fields
    if (dom == "?") == (dow == "?"):
        raise ScheduleError(f"'{expression}': exactly one of day-of-month and day-of-week must be '?'")
    try:
        days, last_day, nearest = _day_of_month(dom)
        weekdays, last_weekdays, nth = _day_of_week(dow)
        return Cron(
            minutes=_values(minutes, _FIELDS[0]),
            hours=_values(hours, _FIELDS[1]),
            days_of_month=days,
            last_day_of_month=last_day,
            nearest_weekdays=nearest,
            months=_values(month, _FIELDS[3]),
            days_of_week=weekdays,
            last_weekdays=last_weekdays,
            nth_weekdays=nth,
            years=_values(year, _FIELDS[5]),
        )
    except ScheduleError as exc:
        raise ScheduleError(f"'{expression}': {exc}") from None


def problem(expression: str) -> Optional[str]:
    """Why AWS would refuse the expression, or None."""
    try:
        parse(expression)
    except ScheduleError as exc:
        return str(exc)
    return None


@dataclass(frozen=True)
class Cadence:
    """How a schedule runs from a given day on."""

    longest_gap_minutes: float
    """The longest time between two runs; math.inf when it never runs or stops."""
    never: bool = False
    """It never runs (e.g. on 31 February)."""
    stops_after: Optional[int] = None
    """The year of its last run, when the year field ends it."""

    def describe(self) -> str:
        if self.never:
            return "never runs: no date matches its day and month fields"
        if self.stops_after is not None:
            return f"stops after {self.stops_after}: its year field ends there; use * for the year"
        return f"runs at least every {_duration(self.longest_gap_minutes)}"


def cadence(expression: str, since: Optional[date] = None) -> Cadence:
    """How often the expression runs from `since` (today, UTC) on; ScheduleError when it is not valid."""
    since = since or datetime.now(UTC).date()
    return _cadence(expression, since)


def longest_gap_minutes(expression: str, since: Optional[date] = None) -> Optional[float]:
    """The longest time between two runs in minutes (math.inf: never, or stops); None when not an expression."""
    try:
        return cadence(expression, since).longest_gap_minutes
    except ScheduleError:
        return None


@functools.lru_cache(maxsize=256)
def _cadence(expression: str, since: date) -> Cadence:
    parsed = parse(expression)
    if isinstance(parsed, Rate):
        return Cadence(float(parsed.minutes))
    times = sorted(h * 60 + m for h in parsed.hours for m in parsed.minutes)
    in_day = max((b - a for a, b in zip(times, times[1:], strict=False)), default=0)
    horizon = since.year + WINDOW_YEARS
    ends = max(parsed.years) < min(LAST_YEAR, horizon)  # the year field ends the schedule within the window
    runs = [
        day.toordinal()
        for year in sorted(y for y in parsed.years if since.year <= y < horizon)
        for month in sorted(parsed.months)
        for day in _days(year, month)
        if day >= since and parsed.runs_on(day)
    ]
    if not runs and max(parsed.years) < since.year:
        return Cadence(math.inf, stops_after=max(parsed.years))
    if not runs:
        return Cadence(math.inf, never=True)
    if ends:
        return Cadence(math.inf, stops_after=date.fromordinal(runs[-1]).year)
    gaps = [(b - a) * DAY - times[-1] + times[0] for a, b in zip(runs, runs[1:], strict=False)]
    return Cadence(float(max([in_day, *gaps])) if gaps else math.inf)


# --- fields ------------------------------------------------------------------


def _values(text: str, field: _Field) -> frozenset[int]:
    found: set[int] = set()
    for part in text.upper().split(","):
        span, slash, step_text = part.partition("/")
        if slash and not (step_text.isdigit() and int(step_text) > 0):
            raise ScheduleError(f"{field.name} step '/{step_text}' must be a positive number")
        step = int(step_text) if slash else 1
        if span == "*":
            first, last = field.low, field.high
        elif "-" in span:
            low, _, high = span.partition("-")
            first, last = _number(low, field), _number(high, field)
            if first > last:
                raise ScheduleError(f"{field.name} range '{span}' runs backwards; write it low-high")
        else:
            first = _number(span, field)
            last = field.high if slash else first
        found.update(range(first, last + 1, step))
    return frozenset(found)


def _number(text: str, field: _Field) -> int:
    if text in field.names:
        return field.names.index(text) + field.low
    if not text.isdigit():
        named = f" or {field.names[0]}-{field.names[-1]}" if field.names else ""
        raise ScheduleError(f"{field.name} '{text}' is not a number {field.low}-{field.high}{named}")
    value = int(text)
    if not field.low <= value <= field.high:
        raise ScheduleError(f"{field.name} {value} is outside {field.low}-{field.high}")
    return value


def _day_of_month(text: str) -> tuple[Optional[frozenset[int]], bool, frozenset[int]]:
    if text == "?":
        return None, False, frozenset()
    plain, last, nearest = [], False, set()
    for part in text.upper().split(","):
        if part == "L":
            last = True
        elif part == "LW":
            nearest.add(0)
        elif part.endswith("W"):
            nearest.add(_number(part[:-1], _FIELDS[2]))
        else:
            plain.append(part)
    days = _values(",".join(plain), _FIELDS[2]) if plain else frozenset()
    return days, last, frozenset(nearest)


def _day_of_week(text: str) -> tuple[Optional[frozenset[int]], frozenset[int], frozenset[tuple[int, int]]]:
    if text == "?":
        return None, frozenset(), frozenset()
    plain, last, nth = [], set(), set()
    field = _FIELDS[4]
    for part in text.upper().split(","):
        if part == "L":
            last.add(7)  # the last day of the week: Saturday
        elif part.endswith("L"):
            last.add(_number(part[:-1], field))
        elif "#" in part:
            day, _, which = part.partition("#")
            if not (which.isdigit() and 1 <= int(which) <= 5):
                raise ScheduleError(f"day-of-week '{part}': the week after '#' must be 1-5")
            nth.add((_number(day, field), int(which)))
        else:
            plain.append(part)
    weekdays = _values(",".join(plain), field) if plain else frozenset()
    return weekdays, frozenset(last), frozenset(nth)


# --- calendar ------------------------------------------------------------------


def _days(year: int, month: int) -> list[date]:
    return [date(year, month, d) for d in range(1, calendar.monthrange(year, month)[1] + 1)]


def _nearest_weekday(year: int, month: int, day: int) -> Optional[int]:
    """Day N's nearest Monday-Friday in the same month (Quartz's W); None when the month has no day N."""
    last = calendar.monthrange(year, month)[1]
    if day > last:
        return None
    weekday = date(year, month, day).weekday()
    if weekday == 5:  # Saturday: the Friday before, or the Monday after on the 1st
        return day - 1 if day > 1 else day + 2
    if weekday == 6:  # Sunday: the Monday after, or the Friday before on the last day
        return day + 1 if day < last else day - 2
    return day


def _duration(minutes: float) -> str:
    if minutes % DAY == 0:
        days = int(minutes // DAY)
        return f"{days} day" + ("s" if days != 1 else "")
    if minutes % 60 == 0:
        hours = int(minutes // 60)
        return f"{hours} hour" + ("s" if hours != 1 else "")
    return f"{minutes:g} minutes"
