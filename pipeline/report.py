"""The JSON report (DESIGN.md section 4): assembled from the stages' outputs, masked, and written."""
from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

from pipeline.models import (
    BundleError, BundleInfo, Document, Fact, Report, RequirementResult, Verdict, jsonable,
)
from pipeline.privacy import mask_id_numbers


def build_report(
    *, bundle: BundleInfo, market: str, as_of: dt.date, rules_version: str, verdict: Verdict,
    requirements: list[RequirementResult], facts: list[Fact], documents: list[Document],
    errors: list[BundleError], signals: list[str] | None = None,
) -> Report:
    return Report(
        bundle=bundle, market=market, as_of=as_of, rules_version=rules_version, verdict=verdict,
        requirements=requirements, facts=[f.model_copy(update={"value": jsonable(f.value)}) for f in facts],
        documents=documents, signals=signals or [], errors=errors,
    )


def report_json(report: Report | list[Report]) -> str:
    """The report as JSON text, page text left out and every ID number masked."""
    reports = report if isinstance(report, list) else [report]
    payload = [_payload(r) for r in reports]
    text = json.dumps(payload if isinstance(report, list) else payload[0], ensure_ascii=False, indent=2)
    return mask_id_numbers(text)


def _payload(report: Report) -> dict:
    data = report.model_dump(mode="json", exclude={"documents": {"__all__": {"pages", "kind_score", "file_type"}}})
    for document, source in zip(data["documents"], report.documents):
        document["pages"] = len(source.pages)
    return data


def write_report(report: Report | list[Report], path: Path) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(report_json(report) + "\n", encoding="utf-8")
    return path
