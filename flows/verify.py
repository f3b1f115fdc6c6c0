"""The verification flow: ingest, read each document, extract, evaluate each market, store, report.
Tasks are coarse (one per document or stage): a task costs ~0.2 s, a page of OCR ~1 s."""
from __future__ import annotations

import datetime as dt
import sqlite3
from pathlib import Path

from prefect import flow, task
from prefect.cache_policies import NO_CACHE
from prefect.runtime import flow_run
from sqlalchemy.exc import OperationalError

from flows import stages
from flows.artifacts import publish_bundle
from pipeline.config import Settings
from pipeline.ingest import IngestedBundle, ingest_bundle
from pipeline.models import BundleFile, Document, Report
from pipeline.store import Store
from validators.rules import load_rules


def retry_on_io_error(task, task_run, state) -> bool:
    """Retry only what a retry can fix: I/O on shared storage, a locked or dropped database connection. A
    bundle that is not a zip, or a document that does not parse, stays broken however often it is retried."""
    try:
        state.result()
    except (OSError, OperationalError, sqlite3.OperationalError):
        return True
    except Exception:  # noqa: BLE001 - anything else is deterministic
        return False
    return False


@task(name="ingest-bundle", retries=2, retry_delay_seconds=1, cache_policy=NO_CACHE, retry_condition_fn=retry_on_io_error)
def ingest_task(source: Path, settings: Settings) -> IngestedBundle:
    return ingest_bundle(source, settings)


@task(name="read-document", cache_policy=NO_CACHE, task_run_name="read {file.path}")
def read_document_task(file: BundleFile, settings: Settings, engine: str | None) -> Document:
    return stages.read_document(file, settings, engine)


@task(name="extract-and-evaluate", cache_policy=NO_CACHE)
def evaluate_task(bundle: IngestedBundle, documents: list[Document], markets: list[str] | None, as_of: dt.date) -> list[Report]:
    return stages.extract_and_evaluate(bundle, documents, markets, as_of, load_rules())


@task(name="store-results", retries=3, retry_delay_seconds=2, cache_policy=NO_CACHE, retry_condition_fn=retry_on_io_error)
def store_task(reports: list[Report], settings: Settings) -> list[Report]:
    """Keep analysts' earlier corrections and store the verification (one transaction, so a retry after a
    failed write cannot store it twice)."""
    from flows.review import keep_corrections

    store = Store.open(settings)
    try:
        reports = keep_corrections(reports, store)
        store.record_verification(reports, flow_run_id=current_flow_run_id())
    finally:
        store.close()
    return reports


@task(name="write-reports", cache_policy=NO_CACHE)
def report_task(reports: list[Report], settings: Settings, out: Path | None) -> None:
    """The JSON and HTML reports under `out` (when given), and the bundle's markdown artifact linking to them."""
    html = None
    if out is not None:
        store = Store.open(settings)
        try:
            html = write_outputs(reports, out, settings, store)
        finally:
            store.close()
    publish_bundle(reports, str(html) if html else None)


def write_outputs(reports: list[Report], out: Path, settings: Settings, store: Store) -> Path:
    """OUT/<market>.json for each market and the analyst's HTML report OUT/index.html; returns the latter."""
    from flows.reporting import write_report_folder
    from pipeline.report import write_report

    for report in reports:
        write_report(report, out / f"{report.market}.json")
    return write_report_folder(reports, out, settings, store)


def current_flow_run_id() -> str | None:
    return str(flow_run.get_id()) if flow_run.get_id() else None


@flow(name="verify-bundle", log_prints=False)
def verify_bundle(
    bundle: str, markets: list[str] | None = None, as_of: dt.date | None = None,
    engine: str | None = None, settings: Settings | None = None, out: str | None = None,
) -> list[Report]:
    """Verify one bundle (folder or .zip) for the given markets, or those named in application.json; keep the
    result in the store and as the bundle's markdown artifact; with `out`, write the JSON and HTML reports."""
    settings = settings or Settings()
    as_of = as_of or dt.date.today()
    ingested = ingest_task(Path(bundle), settings)
    documents = [read_document_task(file, settings, engine) for file in ingested.files]
    reports = store_task(evaluate_task(ingested, documents, markets, as_of), settings)
    report_task(reports, settings, Path(out) if out else None)
    return reports
