"""`evidence review`: an analyst corrects a fact or signs off a requirement; the correction joins the store's
audit trail (who, when, old, new, why) and the bundle is re-validated at once, on the `as_of` of its latest
verification. Re-verification and a new `evidence verify` of the same bundle keep the corrections."""
from __future__ import annotations

import json
from typing import Any

from flows.reverify import reevaluate, stored_corrections
from pipeline.errors import UsageError
from pipeline.models import ErrorCode, Report
from pipeline.store import BundleRow, Store, TargetKind, Trigger, VerdictChange
from validators.corrections import SIGN_OFF_STATUSES, SIGNABLE, apply_fact_corrections
from validators.evaluate import evaluate_corrected
from validators.rules import load_rules


def parse_value(text: str) -> Any:
    """A corrected value as typed: JSON when it parses (25, "2019-03-15", {"holder": ...}), else the text."""
    try:
        return json.loads(text)
    except json.JSONDecodeError:
        return text


def correct_fact(store: Store, row: BundleRow, fact_id: str, value: Any, reason: str, by: str) -> list[VerdictChange]:
    facts = {f.id: f for f in apply_fact_corrections(store.facts(row.sha256), stored_corrections(store, row.sha256))}
    if fact_id not in facts:
        raise UsageError(ErrorCode.BAD_USAGE, f"bundle {row.sha256[:12]} has no fact {fact_id!r}; its facts are "
                                              f"{', '.join(sorted(facts))}")
    store.add_correction(row.sha256, TargetKind.FACT, fact_id, facts[fact_id].value, value, reason, by)
    return revalidate(store, row)


def sign_off(store: Store, row: BundleRow, requirement: str, status: str, reason: str, by: str) -> list[VerdictChange]:
    if status not in {str(s) for s in SIGN_OFF_STATUSES}:
        raise UsageError(ErrorCode.BAD_USAGE, f"a sign-off is pass or fail, not {status!r}")
    current = {r["id"]: r["status"] for v in store.latest_verifications(row.sha256).values() for r in v.requirements}
    if requirement not in current:
        raise UsageError(ErrorCode.BAD_USAGE, f"bundle {row.sha256[:12]} has no requirement {requirement!r}; "
                                              f"it has {', '.join(sorted(current))}")
    signed = {c.target for c in stored_corrections(store, row.sha256) if c.kind == TargetKind.REQUIREMENT}
    if current[requirement] not in {str(s) for s in SIGNABLE} and requirement not in signed:
        raise UsageError(ErrorCode.BAD_USAGE, f"{requirement} is {current[requirement]}, decided by the evidence; "
                                              "correct the fact behind it with --fact instead")
    store.add_correction(row.sha256, TargetKind.REQUIREMENT, requirement, current[requirement], status, reason, by)
    return revalidate(store, row)


def revalidate(store: Store, row: BundleRow) -> list[VerdictChange]:
    latest = store.latest_verifications(row.sha256)
    as_of = max(v.as_of for v in latest.values())
    return reevaluate(store, row.sha256, as_of, load_rules(), list(latest), trigger=Trigger.REVIEW)


def keep_corrections(reports: list[Report], store: Store) -> list[Report]:
    """A fresh verification of a bundle that analysts corrected before: evaluated again with the corrections."""
    corrections = stored_corrections(store, reports[0].bundle.sha256) if reports else []
    if not corrections:
        return reports
    rules = load_rules()
    kept = []
    for report in reports:
        verdict, results = evaluate_corrected(report.facts, rules, report.market, report.as_of, corrections)
        kept.append(report.model_copy(update={"verdict": verdict, "requirements": results}))
    return kept

