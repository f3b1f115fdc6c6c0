"""Evaluate one market's requirements over a bundle's facts."""
from __future__ import annotations

import datetime as dt

from pipeline.models import Fact, RequirementResult, RequirementStatus as S, Verdict, decide_verdict
from validators.checks import check_for
from validators.corrections import Correction, apply_fact_corrections, apply_sign_offs
from validators.facts import FactSet
from validators.rules import Rule, RulesFile, market_rules


def evaluate_market(facts: list[Fact], rules: RulesFile, market: str, as_of: dt.date) -> tuple[Verdict, list[RequirementResult]]:
    fact_set = FactSet(facts)
    by_id = {f.id: f for f in facts}
    results = [gate_confidence(check_for(rule.id)(fact_set, rule, as_of), rule, by_id) for rule in market_rules(rules, market)]
    return decide_verdict(results), results


def evaluate_corrected(facts: list[Fact], rules: RulesFile, market: str, as_of: dt.date,
                       corrections: list[Correction]) -> tuple[Verdict, list[RequirementResult]]:
    """evaluate_market on the analyst-corrected facts, then the analysts' sign-offs, then the verdict."""
    _, results = evaluate_market(apply_fact_corrections(facts, corrections), rules, market, as_of)
    results = apply_sign_offs(results, corrections)
    return decide_verdict(results), results


def gate_confidence(result: RequirementResult, rule: Rule, facts: dict[str, Fact]) -> RequirementResult:
    """No pass and no fail rests on an unsure fact: whatever a check decided, a cited fact below the floor
    makes the requirement needs_review. Checks give the specific reason; this is the guarantee."""
    if result.status not in (S.PASS, S.FAIL):
        return result
    floor = rule.settings.confidence_floor
    unsure = [facts[i] for i in result.facts if i in facts and facts[i].confidence < floor]
    if not unsure:
        return result
    weakest = min(unsure, key=lambda f: f.confidence)
    reason = (f"would be {result.status.value} ({result.reason}), but {weakest.name} from {weakest.document} was read "
              f"with confidence {weakest.confidence:.2f}, below {floor}; check it on the document")
    return result.model_copy(update={"status": S.NEEDS_REVIEW, "reason": reason})
