"""`reverify`: re-evaluate the stored facts of every pending or approved bundle at a new `as_of` with the
current rules. Nothing is read again: no file is opened and no OCR runs (the facts come from the store). Each
verdict that changed is recorded in the store's history and listed in a markdown artifact."""
from __future__ import annotations

import datetime as dt

from prefect import flow, task
from prefect.artifacts import create_markdown_artifact
from prefect.cache_policies import NO_CACHE

from flows.artifacts import changes_markdown
from flows.verify import current_flow_run_id, retry_on_io_error
from pipeline.config import Settings
from pipeline.store import BundleStatus, Decision, Store, Trigger, VerdictChange
from validators.corrections import Correction, apply_fact_corrections
from validators.evaluate import evaluate_corrected
from validators.facts import FactSet
from validators.rules import RulesFile, load_rules
from validators.signals import bonus_notes

REVERIFY_KEY = "reverify-changes"


def stored_corrections(store: Store, sha256: str) -> list[Correction]:
    return [Correction(c.target_kind, c.target, c.old_value, c.new_value, c.reason, c.by, c.at)
            for c in store.corrections(sha256)]


def reevaluate(store: Store, sha256: str, as_of: dt.date, rules: RulesFile, markets: list[str] | None,
               flow_run_id: str | None = None, trigger: Trigger = Trigger.REVERIFY) -> list[VerdictChange]:
    """Evaluate one stored bundle again, with its analysts' corrections, for the markets it was verified for
    (or `markets`); record each evaluation and return the verdicts that changed."""
    facts, corrections = store.facts(sha256), stored_corrections(store, sha256)
    signals = bonus_notes(FactSet(apply_fact_corrections(facts, corrections)), as_of)
    changes = []
    for market in markets or list(store.latest_verifications(sha256)):
        verdict, results = evaluate_corrected(facts, rules, market, as_of, corrections)
        change = store.record_reverification(sha256, market, as_of, rules.version, verdict, results, signals,
                                             flow_run_id, trigger)
        if change is not None:
            changes.append(change)
    return changes


@task(name="reevaluate-stored-facts", cache_policy=NO_CACHE, retries=2, retry_delay_seconds=2,
      retry_condition_fn=retry_on_io_error)
def reevaluate_task(settings: Settings, as_of: dt.date, markets: list[str] | None) -> tuple[list[VerdictChange], int]:
    store, rules = Store.open(settings), load_rules()
    try:
        due = store.bundles(Decision.PENDING, Decision.APPROVED, status=BundleStatus.VERIFIED)
        changes = [c for row in due for c in reevaluate(store, row.sha256, as_of, rules, markets, current_flow_run_id())]
    finally:
        store.close()
    return changes, len(due)


@flow(name="reverify", log_prints=False)
def reverify(as_of: dt.date | None = None, markets: list[str] | None = None,
             settings: Settings | None = None) -> list[VerdictChange]:
    """Re-evaluate every pending or approved bundle at `as_of` (default today); return the verdicts that changed."""
    settings = settings or Settings()
    as_of = as_of or dt.date.today()
    changes, checked = reevaluate_task(settings, as_of, markets)
    create_markdown_artifact(changes_markdown(changes, as_of, checked), key=REVERIFY_KEY,
                             description=f"verdict changes of the re-verification as of {as_of}")
    return changes
