"""The verification flow: ingest, read each document, extract, evaluate each market, report.
Tasks are coarse (one per document or stage): a task costs ~0.2 s, a page of OCR ~1 s."""
from __future__ import annotations

import datetime as dt
from pathlib import Path

from prefect import flow, task
from prefect.cache_policies import NO_CACHE

from flows import stages
from pipeline.config import Settings
from pipeline.errors import UsageError
from pipeline.ingest import IngestedBundle, ingest_bundle
from pipeline.models import BundleFile, Document, ErrorCode, Report
from validators.rules import load_rules


def retry_on_io_error(task, task_run, state) -> bool:
    """Retry only what a retry can fix: I/O on shared storage. A bundle that is not a zip stays broken."""
    return isinstance(state.result(raise_on_failure=False), OSError)


@task(name="ingest-bundle", retries=2, retry_delay_seconds=1, cache_policy=NO_CACHE, retry_condition_fn=retry_on_io_error)
def ingest_task(source: Path, settings: Settings) -> IngestedBundle:
    return ingest_bundle(source, settings)


@task(name="read-document", cache_policy=NO_CACHE, task_run_name="read {file.path}")
def read_document_task(file: BundleFile, settings: Settings, engine: str | None) -> Document:
    return stages.read_document(file, settings, engine)


@task(name="extract-and-evaluate", cache_policy=NO_CACHE)
def evaluate_task(bundle: IngestedBundle, documents: list[Document], markets: list[str] | None, as_of: dt.date) -> list[Report]:
    application, app_file, app_errors = stages.find_application(bundle)
    chosen = markets or (application.markets if application else [])
    if not chosen:
        raise UsageError(ErrorCode.BAD_USAGE, "no market given and application.json names none; pass --market")
    classified, facts, extract_errors = stages.extract_facts(documents, application, app_file.path if app_file else "")
    errors = bundle.errors + stages.document_errors(classified) + app_errors + extract_errors
    return stages.evaluate_reports(bundle, classified, facts, errors, load_rules(), chosen, as_of)


@flow(name="verify-bundle", log_prints=False)
def verify_bundle(
    bundle: str, markets: list[str] | None = None, as_of: dt.date | None = None,
    engine: str | None = None, settings: Settings | None = None,
) -> list[Report]:
    """Verify one bundle (folder or .zip) for the given markets, or those named in application.json."""
    settings = settings or Settings()
    as_of = as_of or dt.date.today()
    ingested = ingest_task(Path(bundle), settings)
    documents = [read_document_task(file, settings, engine) for file in ingested.files]
    return evaluate_task(ingested, documents, markets, as_of)
