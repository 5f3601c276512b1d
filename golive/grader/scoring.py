"""The Observatory's scoring (src/grader/charts.js, src/scanner/index.js) as tables."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from enum import StrEnum

BASELINE_SCORE = 100
# Bonuses count only when the score with penalties alone is already an A.
MINIMUM_SCORE_FOR_EXTRA_CREDIT = 90

# (lowest score in band, grade), highest band first: the Observatory's GRADE_CHART,
# which is keyed by multiples of 5 and caps at 100.
GRADE_BANDS: tuple[tuple[int, str], ...] = (
    (100, "A+"),
    (90, "A"),
    (85, "A-"),
    (80, "B+"),
    (70, "B"),
    (65, "B-"),
    (60, "C+"),
    (50, "C"),
    (45, "C-"),
    (40, "D+"),
    (30, "D"),
    (25, "D-"),
    (0, "F"),
)


@dataclass(frozen=True)
class Modifier:
    test: str  # the Observatory test name, e.g. "content-security-policy", "cookies"
    result: str  # the Observatory result name, e.g. "hsts-not-implemented"
    score: int  # the modifier from the score table, e.g. -20, 0, +5
    reason: str  # one sentence a person can act on


@dataclass(frozen=True)
class Grade:
    score: int
    grade: str  # "A+", "A", ..., "F"
    modifiers: tuple[Modifier, ...]


# A test's table: result -> (modifier, reason template filled with str.format from the findings).
ScoreTable = Mapping[StrEnum, tuple[int, str]]


def grade_for(score: int) -> str:
    """Letter grade for a score; anything below 0 is an F, like the Observatory's floor at 0."""
    for lowest, grade in GRADE_BANDS:
        if score >= lowest:
            return grade
    return GRADE_BANDS[-1][1]


def modifier(test: str, table: ScoreTable, result: StrEnum, findings: Mapping[str, object]) -> Modifier:
    score, template = table[result]
    return Modifier(test=test, result=str(result), score=score, reason=template.format(**findings))


def total(modifiers: Iterable[Modifier]) -> Grade:
    """Start at 100; penalties always count, bonuses only when 100 + penalties >= 90; floor at 0."""
    modifiers = tuple(modifiers)
    uncurved = BASELINE_SCORE + sum(m.score for m in modifiers if m.score < 0)
    if uncurved >= MINIMUM_SCORE_FOR_EXTRA_CREDIT:
        score = BASELINE_SCORE + sum(m.score for m in modifiers)
    else:
        score = uncurved
        modifiers = tuple(_with_bonus_note(m, uncurved) if m.score > 0 else m for m in modifiers)
    score = max(score, 0)
    return Grade(score=score, grade=grade_for(score), modifiers=modifiers)


def _with_bonus_note(m: Modifier, uncurved: int) -> Modifier:
    note = (
        f" (Bonus not counted: the score before bonuses is {uncurved}, "
        f"below the {MINIMUM_SCORE_FOR_EXTRA_CREDIT} needed.)"
    )
    return Modifier(m.test, m.result, m.score, m.reason + note)
