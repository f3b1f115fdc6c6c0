"""Analysts' corrections applied to an evaluation: a corrected fact replaces what was read (provenance kept,
the analyst named), and a signed-off requirement takes the analyst's status. Pure functions: the store keeps
the audit trail, these only apply its latest entry per target."""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from pipeline.models import Fact, RequirementResult, RequirementStatus as S

SIGNABLE = (S.MANUAL, S.NEEDS_REVIEW)  # what evidence cannot decide; a pass, fail or missing is decided by facts
SIGN_OFF_STATUSES = (S.PASS, S.FAIL)


@dataclass(frozen=True)
class Correction:
    kind: str  # "fact" or "requirement"
    target: str
    old_value: Any
    new_value: Any
    reason: str
    by: str
    at: dt.datetime


def latest_by_target(corrections: list[Correction], kind: str) -> dict[str, Correction]:
    """The latest correction of each target (the list is in the order they were made)."""
    return {c.target: c for c in corrections if c.kind == kind}


def apply_fact_corrections(facts: list[Fact], corrections: list[Correction]) -> list[Fact]:
    corrected = latest_by_target(corrections, "fact")
    return [_corrected(f, corrected[f.id]) if f.id in corrected else f for f in facts]


def _corrected(fact: Fact, correction: Correction) -> Fact:
    return fact.model_copy(update={
        "value": correction.new_value, "confidence": 1.0, "warnings": [], "field_confidence": {},
        "extractor": f"analyst correction by {correction.by}",
    })


def apply_sign_offs(results: list[RequirementResult], corrections: list[Correction]) -> list[RequirementResult]:
    signed = latest_by_target(corrections, "requirement")
    return [_signed(r, signed[r.id]) if r.id in signed and r.status in SIGNABLE else r for r in results]


def _signed(result: RequirementResult, correction: Correction) -> RequirementResult:
    reason = (f"signed off as {correction.new_value} by {correction.by} on {correction.at:%Y-%m-%d}: {correction.reason} "
              f"(was {result.status.value}: {result.reason})")
    return result.model_copy(update={"status": S(correction.new_value), "reason": reason})
