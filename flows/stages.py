"""The plain stage functions the flow's tasks wrap. They need no Prefect and are tested directly."""
from __future__ import annotations

import datetime as dt
from pathlib import Path

from extractors.application import Application, application_facts, is_application, read_application
from extractors.extract import bundle_facts, classify_document, extract_document, number_facts
from extractors.unsure_characters import doubt_unsure_characters
from pipeline.config import Settings
from pipeline.errors import EvidenceError, UsageError
from pipeline.ingest import IngestedBundle, ingest_bundle
from pipeline.models import (
    BundleError, BundleFile, BundleInfo, Document, DocumentKind, ErrorCode, Fact, Report, TextSource,
)
from pipeline.pages import PageReader
from pipeline.report import build_report
from validators.evaluate import evaluate_market
from validators.facts import FactSet
from validators.signals import bonus_notes
from validators.rules import RulesFile


def read_document(file: BundleFile, settings: Settings, engine: str | None = None) -> Document:
    if is_application(file):
        return Document(path=file.path, sha256=file.sha256, file_type=file.file_type, kind=DocumentKind.APPLICATION,
                        text_source=TextSource.CELLS)
    return PageReader(settings, engine).read(file)


def find_application(bundle: IngestedBundle) -> tuple[Application | None, BundleFile | None, list[BundleError]]:
    files = [f for f in bundle.files if is_application(f)]
    if not files:
        return None, None, []
    try:
        return read_application(files[0]), files[0], []
    except EvidenceError as exc:
        return None, files[0], [exc.as_bundle_error(files[0].path)]


def extract_facts(documents: list[Document], application: Application | None, application_path: str) -> tuple[list[Document], list[Fact], list[BundleError]]:
    classified = [classify_document(d) for d in documents]
    facts: list[Fact] = []
    errors: list[BundleError] = []
    for document in classified:
        try:
            facts.extend(extract_document(document))
        except Exception as exc:  # noqa: BLE001 - one document's extractor failing never stops the bundle
            errors.append(BundleError(document=document.path, code=ErrorCode.EXTRACTION_FAILED,
                                      message=f"extraction failed ({type(exc).__name__}: {exc}); the document needs a manual read"))
    facts.extend(bundle_facts(facts))
    unread = unread_documents(classified)
    if unread is not None:
        facts.append(unread)
    if application is not None:
        facts.extend(application_facts(application, application_path))
    return classified, number_facts(doubt_unsure_characters(classified, facts)), errors


def unread_documents(documents: list[Document]) -> Fact | None:
    """The documents that gave no evidence: unreadable, or of no kind the pipeline knows. A count that falls
    short is then not a failure yet (validators/checks.short_count)."""
    unread = [d.path for d in documents if d.error is not None or d.kind is DocumentKind.UNKNOWN]
    if not unread:
        return None
    return Fact(name="unread_documents", value=unread, confidence=1.0, document="; ".join(unread), extractor="pipeline",
                text=f"{len(unread)} documents gave no evidence")


def extract_and_evaluate(bundle: IngestedBundle, documents: list[Document], markets: list[str] | None,
                         as_of: dt.date, rules: RulesFile) -> list[Report]:
    """Classify and extract every document, then evaluate each market (given, or from application.json)."""
    application, app_file, app_errors = find_application(bundle)
    chosen = markets or (application.markets if application else [])
    if not chosen:
        raise UsageError(ErrorCode.BAD_USAGE, "no market given and application.json names none; pass --market")
    classified, facts, extract_errors = extract_facts(documents, application, app_file.path if app_file else "")
    errors = bundle.errors + document_errors(classified) + app_errors + extract_errors
    return evaluate_reports(bundle, classified, facts, errors, rules, chosen, as_of)


def verify_source(source: Path, markets: list[str] | None, as_of: dt.date, rules: RulesFile, settings: Settings,
                  engine: str | None = None) -> list[Report]:
    """The whole path of one bundle without Prefect: ingest, read, extract, evaluate (the batch's unit)."""
    bundle = ingest_bundle(source, settings)
    documents = [read_document(file, settings, engine) for file in bundle.files]
    return extract_and_evaluate(bundle, documents, markets, as_of, rules)


def evaluate_reports(
    bundle: IngestedBundle, documents: list[Document], facts: list[Fact], errors: list[BundleError],
    rules: RulesFile, markets: list[str], as_of: dt.date,
) -> list[Report]:
    info = BundleInfo(path=bundle.source, sha256=bundle.sha256, files=len(bundle.files) + len(bundle.errors))
    signals = bonus_notes(FactSet(facts), as_of)
    reports = []
    for market in markets:
        verdict, results = evaluate_market(facts, rules, market, as_of)
        reports.append(build_report(
            bundle=info, market=market, as_of=as_of, rules_version=rules.version, verdict=verdict,
            requirements=results, facts=facts, documents=documents, errors=errors, signals=signals,
        ))
    return reports


def document_errors(documents: list[Document]) -> list[BundleError]:
    return [d.error for d in documents if d.error is not None]


def bundle_name(source: str) -> str:
    path = Path(source)
    return path.stem if path.suffix.lower() == ".zip" else path.name
