"""`verify_batch`: every bundle in an inbox folder, with bounded concurrency over the machine's cores.

- Each inbox entry (a sub-folder or a .zip) is one bundle, verified in its own task; whatever goes wrong with
  one is recorded as that bundle's failure and the batch goes on.
- Idempotent by content hash: a bundle already in the store (verified or failed) is skipped, so a re-run adds
  nothing, and a re-run after a crash finishes only what was not stored. A bundle is stored in one
  transaction, so a kill leaves it either whole or absent.
- Concurrency: `workers` threads (default: the cores); OCR threads per engine are the cores divided among
  them, so the machine is not oversubscribed. ONNX Runtime and Tesseract release the GIL while they work.
"""
from __future__ import annotations

import datetime as dt
import os
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from prefect import flow, task
from prefect.artifacts import create_progress_artifact, update_progress_artifact
from prefect.cache_policies import NO_CACHE
from prefect.futures import as_completed
from prefect.task_runners import ThreadPoolTaskRunner
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from flows import stages
from flows.artifacts import BundleOutcome, needs_review_count, publish_batch, publish_bundle
from flows.review import keep_corrections
from flows.verify import current_flow_run_id, write_outputs
from pipeline.config import Settings
from pipeline.errors import EvidenceError
from pipeline.ingest import bundle_sha256
from pipeline.models import BundleError, ErrorCode
from pipeline.store import Store
from validators.rules import load_rules

BATCH_TABLE_KEY = "batch-verdicts"
BATCH_PROGRESS_KEY = "batch-progress"


def inbox_entries(inbox: Path) -> list[Path]:
    """The bundles of an inbox: its sub-folders and .zip files, by name; hidden entries are ignored."""
    return sorted(p for p in Path(inbox).iterdir()
                  if not p.name.startswith(".") and (p.is_dir() or p.suffix.lower() == ".zip"))


def default_workers() -> int:
    return max(1, os.cpu_count() or 1)


@task(name="verify-entry", cache_policy=NO_CACHE, task_run_name="verify {source.name}")
def verify_entry(source: Path, sha256: str, markets: list[str] | None, as_of: dt.date, settings: Settings,
                 engine: str | None, store: Store, out: Path | None) -> BundleOutcome:
    """Verify one bundle and store it; any failure becomes the bundle's recorded error, never the batch's."""
    try:
        reports = keep_corrections(stages.verify_source(source, markets, as_of, load_rules(), settings, engine), store)
        store.record_verification(reports, flow_run_id=current_flow_run_id())
    except EvidenceError as exc:
        return _failed(store, source, sha256, exc.as_bundle_error(str(source)))
    except Exception as exc:  # noqa: BLE001 - a bug or a hostile file must not stop the other bundles
        error = BundleError(document=str(source), code=ErrorCode.EXTRACTION_FAILED,
                            message=f"verification failed ({type(exc).__name__}: {exc})")
        return _failed(store, source, sha256, error)
    html, note = None, None
    try:  # the verification is stored; a report that cannot be written is noted, not a failed bundle
        html = write_outputs(reports, out / stages.bundle_name(str(source)), settings, store) if out else None
    except Exception as exc:  # noqa: BLE001
        note = f"the report was not written ({type(exc).__name__}: {exc}); `evidence report` can write it later"
    publish_bundle(reports, str(html) if html else None)
    return BundleOutcome(str(source), sha256, "verified", {r.market: r.verdict.value for r in reports},
                         {r.market: needs_review_count(r) for r in reports}, error=note,
                         report_dir=str(html.parent) if html else None)


def _failed(store: Store, source: Path, sha256: str, error: BundleError) -> BundleOutcome:
    store.record_failure(sha256, str(source), error)
    return BundleOutcome(str(source), sha256, "failed", {}, {}, error=f"{error.code}: {error.message}")


@flow(name="verify-batch", log_prints=False)
def verify_batch(inbox: str, markets: list[str] | None = None, as_of: dt.date | None = None,
                 engine: str | None = None, workers: int | None = None, out: str | None = None,
                 settings: Settings | None = None) -> list[BundleOutcome]:
    """Verify every bundle of `inbox` not yet in the store; return one outcome per entry."""
    settings = settings or Settings()
    workers = workers or default_workers()
    settings = settings.model_copy(update={"ocr_threads": max(1, default_workers() // workers)})
    as_of = as_of or dt.date.today()
    store = Store.open(settings)
    try:
        outcomes = _run_batch(Path(inbox), markets, as_of, engine, workers, Path(out) if out else None, settings, store)
        if out:
            write_batch_index(store, outcomes, Path(out), settings)
    finally:
        store.close()
    publish_batch(outcomes, BATCH_TABLE_KEY)
    return outcomes


def _run_batch(inbox: Path, markets: list[str] | None, as_of: dt.date, engine: str | None, workers: int,
               out: Path | None, settings: Settings, store: Store) -> list[BundleOutcome]:
    outcomes: dict[Path, BundleOutcome] = {}
    todo: list[tuple[Path, str]] = []
    for entry in inbox_entries(inbox):
        try:
            sha = bundle_sha256(entry)
        except EvidenceError as exc:
            outcomes[entry] = BundleOutcome(str(entry), None, "failed", {}, {}, error=exc.message)
            continue
        known = store.bundle(sha)
        if known is not None:
            outcomes[entry] = _skipped(store, entry, sha, known.error)
        else:
            todo.append((entry, sha))
    progress_id = create_progress_artifact(0.0, key=BATCH_PROGRESS_KEY, description=f"{len(todo)} bundles to verify")
    runner = ThreadPoolTaskRunner(max_workers=workers)
    with runner, _terminal_progress(len(todo)) as advance:
        futures = {runner.submit(verify_entry, {"source": entry, "sha256": sha, "markets": markets, "as_of": as_of,
                                                "settings": settings, "engine": engine, "store": store, "out": out}): entry
                   for entry, sha in todo}
        for done, future in enumerate(as_completed(list(futures)), start=1):
            outcomes[futures[future]] = future.result()
            update_progress_artifact(progress_id, 100.0 * done / max(1, len(todo)))
            advance(futures[future].name)
    return [outcomes[entry] for entry in sorted(outcomes)]


def write_batch_index(store: Store, outcomes: list[BundleOutcome], out: Path, settings: Settings) -> Path:
    """OUT/index.html over this batch's bundles; bundles skipped as already stored get their report too."""
    from flows.reporting import write_batch_overview

    rows = [row for o in outcomes if o.sha256 and (row := store.bundle(o.sha256)) is not None]
    folders = {o.sha256: Path(o.report_dir) for o in outcomes if o.sha256 and o.report_dir}
    return write_batch_overview(store, rows, out, settings, folders)


def _skipped(store: Store, entry: Path, sha: str, error: str | None) -> BundleOutcome:
    latest = store.latest_verifications(sha)
    review = {m: sum(r["status"] == "needs_review" for r in v.requirements) for m, v in latest.items()}
    return BundleOutcome(str(entry), sha, "skipped", {m: v.verdict for m, v in latest.items()}, review, error=error)


@contextmanager
def _terminal_progress(total: int) -> Iterator:
    """A rich progress bar on a terminal; nothing when the output is a file or a pipe."""
    if not sys.stderr.isatty():
        yield lambda name: None
        return
    columns = (TextColumn("[bold]verifying"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(), TextColumn("{task.description}"))
    with Progress(*columns, transient=False) as progress:
        bar = progress.add_task("", total=total)
        yield lambda name: progress.update(bar, advance=1, description=name)


def timed_batch(**kwargs) -> tuple[list[BundleOutcome], float]:
    """verify_batch and its wall time in seconds (for the CLI summary and the benchmark)."""
    start = time.perf_counter()
    outcomes = verify_batch(**kwargs)
    return outcomes, time.perf_counter() - start
