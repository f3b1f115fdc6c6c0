"""Evaluate one market's requirements over a bundle's facts."""
from __future__ import annotations

import datetime as dt

from pipeline.models import Fact, RequirementResult, Verdict, decide_verdict
from validators.checks import check_for
from validators.facts import FactSet
from validators.rules import RulesFile, market_rules


def evaluate_market(facts: list[Fact], rules: RulesFile, market: str, as_of: dt.date) -> tuple[Verdict, list[RequirementResult]]:
    fact_set = FactSet(facts)
    results = [check_for(rule.id)(fact_set, rule, as_of) for rule in market_rules(rules, market)]
    return decide_verdict(results), results
