"""Prefect artifacts: what an operator sees in the Prefect UI for each run. Keys are stable (a bundle's key
comes from its content hash), so Prefect keeps each key's history across runs. Text is masked like the
reports: no full ID number reaches an artifact."""
from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from prefect.artifacts import create_markdown_artifact, create_table_artifact

from pipeline.models import Report, RequirementStatus
from pipeline.privacy import mask_id_numbers
from pipeline.store import VerdictChange


@dataclass(frozen=True)
class BundleOutcome:
    """One inbox entry after a batch: verified (verdict per market), failed (error) or skipped (already stored)."""

    source: str
    sha256: str | None
    status: str  # "verified", "failed" or "skipped"
    verdicts: dict[str, str]
    needs_review: dict[str, int]
    error: str | None = None
    report_dir: str | None = None


def bundle_key(sha256: str) -> str:
    return f"bundle-{sha256[:16]}"


def _cell(text: object) -> str:
    return mask_id_numbers(str(text)).replace("|", "\\|").replace("\n", " ")


def bundle_markdown(reports: Sequence[Report], report_path: str | None = None) -> str:
    first = reports[0]
    lines = [f"# {_cell(first.bundle.path)}", "", f"sha256 `{first.bundle.sha256}` · as of {first.as_of} · "
             f"rules {first.rules_version}", ""]
    if report_path:
        lines += [f"HTML report: `{report_path}`", ""]
    for report in reports:
        lines += [f"## {report.market}: **{report.verdict.value}**", "", "| requirement | status | threshold | observed | reason |",
                  "|---|---|---|---|---|"]
        lines += [f"| {r.id} | {r.status.value} | {_cell(r.threshold if r.threshold is not None else '')} | "
                  f"{_cell(r.observed if r.observed is not None else '')} | {_cell(r.reason)} |" for r in report.requirements]
        lines.append("")
    if first.errors:
        lines += ["## Errors", ""] + [f"- `{_cell(e.document)}` {e.code}: {_cell(e.message)}" for e in first.errors] + [""]
    if first.signals:
        lines += ["## Signals", ""] + [f"- {_cell(s)}" for s in first.signals]
    return "\n".join(lines)


def publish_bundle(reports: Sequence[Report], report_path: str | None = None) -> None:
    if reports:
        create_markdown_artifact(bundle_markdown(reports, report_path), key=bundle_key(reports[0].bundle.sha256),
                                 description=f"verdicts of {reports[0].bundle.path}")


def batch_rows(outcomes: Sequence[BundleOutcome]) -> list[dict[str, str]]:
    rows = []
    for outcome in outcomes:
        markets = outcome.verdicts or {"": ""}
        for market, verdict in markets.items():
            rows.append({"bundle": outcome.source, "sha256": (outcome.sha256 or "")[:16], "status": outcome.status,
                         "market": market, "verdict": verdict,
                         "needs_review": str(outcome.needs_review.get(market, "")),
                         "error": mask_id_numbers(outcome.error or "")})
    return rows


def publish_batch(outcomes: Sequence[BundleOutcome], key: str) -> None:
    create_table_artifact(batch_rows(outcomes), key=key, description="bundle x market x verdict of the batch")


def changes_markdown(changes: Sequence[VerdictChange], as_of, checked: int) -> str:
    lines = [f"# Re-verification as of {as_of}", "", f"{checked} bundles re-evaluated from stored facts; "
             f"{len(changes)} verdicts changed.", ""]
    if changes:
        lines += ["| bundle | market | from | to | requirements that moved |", "|---|---|---|---|---|"]
        for change in changes:
            moved = "; ".join(f"{m['id']} {m['from']}→{m['to']}: {m['reason']}" for m in change.changed)
            lines.append(f"| {_cell(change.source)} | {change.market} | {change.from_verdict} ({change.from_as_of}) | "
                         f"{change.to_verdict} ({change.to_as_of}) | {_cell(moved)} |")
    return "\n".join(lines)


def needs_review_count(report: Report) -> int:
    return sum(r.status is RequirementStatus.NEEDS_REVIEW for r in report.requirements)
