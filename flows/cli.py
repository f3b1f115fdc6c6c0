"""`evidence`: the command line. Exit codes: 0 the verification ran (whatever the verdict), 2 usage error,
3 the bundle cannot be read at all."""
from __future__ import annotations

import datetime as dt
import os
import sys
from pathlib import Path
from typing import Annotated

# Before Prefect is imported: no telemetry on machines without network, and quiet logs on the terminal.
os.environ.setdefault("PREFECT_SERVER_ANALYTICS_ENABLED", "false")
os.environ.setdefault("PREFECT_LOGGING_LEVEL", "WARNING")

import typer  # noqa: E402

from pipeline.errors import EvidenceError, UnreadableBundle  # noqa: E402

app = typer.Typer(add_completion=False, no_args_is_help=True, help="Verify Tencent Cloud Marketplace evidence bundles.")


def _parse_date(value: str | None) -> dt.date | None:
    if value is None:
        return None
    try:
        return dt.date.fromisoformat(value)
    except ValueError as exc:
        raise typer.BadParameter(f"{value!r} is not a date; use YYYY-MM-DD") from exc


@app.command()
def verify(
    bundle: Annotated[Path, typer.Argument(help="A bundle folder or .zip")],
    market: Annotated[list[str] | None, typer.Option("--market", "-m", help="Market id; repeat for several. Default: from application.json")] = None,
    as_of: Annotated[str | None, typer.Option("--as-of", help="Evaluate as of this date (YYYY-MM-DD). Default: today")] = None,
    json_out: Annotated[str | None, typer.Option("--json", help="Write the JSON report to FILE, or - for stdout")] = None,
    out: Annotated[Path | None, typer.Option("--out", help="Write DIR/<market>.json and the HTML report DIR/index.html")] = None,
    engine: Annotated[str | None, typer.Option("--engine", help="OCR engine: rapidocr (default) or tesseract")] = None,
) -> None:
    """Verify one bundle and print one verdict line per market."""
    from flows.verify import verify_bundle
    from pipeline.report import write_report, report_json

    date = _parse_date(as_of)
    _check_markets(market or [])
    try:
        reports = verify_bundle(str(bundle), markets=market or None, as_of=date, engine=engine, out=str(out) if out else None)
    except EvidenceError as exc:
        typer.echo(f"error: {exc.message}", err=True)
        raise typer.Exit(3 if isinstance(exc, UnreadableBundle) else exc.exit_code) from exc
    for report in reports:
        typer.echo(f"{bundle.name}\t{report.market}\t{report.verdict.value}\t{_summary(report)}")
    payload = reports if len(reports) > 1 else reports[0]
    if json_out == "-":
        sys.stdout.write(report_json(payload) + "\n")
    elif json_out:
        write_report(payload, Path(json_out))
    if out:
        typer.echo(f"report: {out / 'index.html'}")


def _check_markets(markets: list[str]) -> None:
    """Refuse unknown market ids before paying for Prefect's start-up."""
    from validators.rules import load_rules

    known = load_rules().markets
    unknown = [m for m in markets if m not in known]
    if unknown:
        raise typer.BadParameter(f"unknown market {', '.join(unknown)}; known markets: {', '.join(known)}", param_hint="--market")


def _summary(report) -> str:
    counts: dict[str, int] = {}
    for requirement in report.requirements:
        counts[requirement.status.value] = counts.get(requirement.status.value, 0) + 1
    return " ".join(f"{k}={v}" for k, v in sorted(counts.items()))


@app.command()
def batch(
    inbox: Annotated[Path, typer.Argument(help="A folder whose sub-folders and .zip files are bundles")],
    market: Annotated[list[str] | None, typer.Option("--market", "-m", help="Market id; repeat for several. Default: each bundle's application.json")] = None,
    as_of: Annotated[str | None, typer.Option("--as-of", help="Evaluate as of this date (YYYY-MM-DD). Default: today")] = None,
    workers: Annotated[int | None, typer.Option("--workers", "-w", min=1, help="Bundles verified at once. Default: the cores")] = None,
    out: Annotated[Path | None, typer.Option("--out", help="Write each bundle's reports under DIR/<bundle>/")] = None,
    engine: Annotated[str | None, typer.Option("--engine", help="OCR engine: rapidocr (default) or tesseract")] = None,
) -> None:
    """Verify every bundle of INBOX not yet in the store; print a bundle x market x verdict table."""
    from flows.batch import timed_batch

    if not inbox.is_dir():
        raise typer.BadParameter(f"{inbox} is not a folder", param_hint="INBOX")
    _check_markets(market or [])
    outcomes, seconds = timed_batch(inbox=str(inbox), markets=market or None, as_of=_parse_date(as_of),
                                    engine=engine, workers=workers, out=str(out) if out else None)
    _print_batch(outcomes, seconds)


def _print_batch(outcomes, seconds: float) -> None:
    from rich.console import Console
    from rich.table import Table

    from flows.artifacts import batch_rows

    table = Table("bundle", "status", "market", "verdict", "needs_review", "error", title="batch")
    for row in batch_rows(outcomes):
        table.add_row(Path(row["bundle"]).name, row["status"], row["market"], row["verdict"], row["needs_review"], row["error"])
    console = Console(width=200)
    console.print(table)
    counts = {s: sum(o.status == s for o in outcomes) for s in ("verified", "failed", "skipped")}
    console.print(f"{len(outcomes)} bundles: " + ", ".join(f"{v} {k}" for k, v in counts.items()) + f" in {seconds:.1f} s")


@app.command("reverify")
def reverify_command(
    as_of: Annotated[str | None, typer.Option("--as-of", help="Re-evaluate as of this date. Default: today")] = None,
    market: Annotated[list[str] | None, typer.Option("--market", "-m", help="Only these markets. Default: those each bundle was verified for")] = None,
) -> None:
    """Re-evaluate the stored facts of every pending or approved bundle (no OCR); print the verdicts that changed."""
    from flows.reverify import reverify

    _check_markets(market or [])
    changes = reverify(as_of=_parse_date(as_of), markets=market or None)
    for change in changes:
        moved = ", ".join(f"{m['id']} {m['from']}->{m['to']}" for m in change.changed)
        typer.echo(f"{Path(change.source).name}\t{change.market}\t{change.from_verdict} -> {change.to_verdict}\t{moved}")
    typer.echo(f"{len(changes)} verdicts changed")


@app.command()
def serve(
    cron: Annotated[str, typer.Option(help="When reverify runs (cron)")] = "0 2 * * *",
    timezone: Annotated[str, typer.Option(help="The cron's time zone")] = "Asia/Shanghai",
) -> None:
    """Serve the deployments: reverify on the cron schedule, verify-batch on demand (Ctrl+C stops)."""
    from flows.serve import build_deployments, prefect_api, serve_deployments
    from pipeline.config import Settings

    with prefect_api(Settings().home) as url:
        typer.echo(f"serving reverify ({cron}, {timezone}) and verify-batch on {url}")
        serve_deployments(build_deployments(cron, timezone))


@app.command()
def history(
    bundle: Annotated[str, typer.Argument(help="A bundle path, its sha256, or a unique prefix of it")],
) -> None:
    """Show the verification history of one bundle: every verification and every verdict change."""
    row, store = _stored_bundle(bundle)
    typer.echo(f"{row.source}\nsha256 {row.sha256}\nreceived {row.received_at:%Y-%m-%d %H:%M} UTC, status {row.status}, decision {row.decision}")
    if row.error:
        typer.echo(f"error: {row.error}")
    for v in store.verifications(row.sha256):
        typer.echo(f"{v.created_at:%Y-%m-%d %H:%M}\t{v.trigger}\t{v.market}\tas of {v.as_of}\trules {v.rules_version}\t{v.verdict}")
    for c in store.changes(row.sha256):
        moved = ", ".join(f"{m['id']} {m['from']}->{m['to']}" for m in c.changed)
        typer.echo(f"changed\t{c.market}\t{c.from_verdict} ({c.from_as_of}) -> {c.to_verdict} ({c.to_as_of})\t{moved}")


@app.command()
def decide(
    bundle: Annotated[str, typer.Argument(help="A bundle path, its sha256, or a unique prefix of it")],
    decision: Annotated[str, typer.Argument(help="pending, approved or rejected")],
) -> None:
    """Record the marketplace's decision on a bundle; reverify re-checks pending and approved ones."""
    from pipeline.store import Decision

    try:
        chosen = Decision(decision)
    except ValueError as exc:
        raise typer.BadParameter(f"{decision!r}: use pending, approved or rejected", param_hint="DECISION") from exc
    row, store = _stored_bundle(bundle)
    store.set_decision(row.sha256, chosen)
    typer.echo(f"{row.source}\t{chosen.value}")


def _stored_bundle(reference: str):
    """The stored bundle a reference names (an existing path is hashed first), or exit 2 saying so."""
    from pipeline.config import Settings
    from pipeline.ingest import bundle_sha256
    from pipeline.store import Store

    store = Store.open(Settings())
    path = Path(reference)
    row = store.resolve(bundle_sha256(path) if path.exists() else reference) or store.resolve(reference)
    if row is None:
        typer.echo(f"error: no stored bundle matches {reference!r}; give a bundle path, its sha256 or an 8+ character prefix", err=True)
        raise typer.Exit(2)
    return row, store


@app.command()
def report(
    bundle: Annotated[str | None, typer.Argument(help="A bundle path, its sha256, or a unique prefix of it")] = None,
    out: Annotated[Path, typer.Option("--out", help="The folder to write index.html and its images into")] = Path("report"),
    batch: Annotated[bool, typer.Option("--batch", help="Write the index of every stored bundle, and each one's report")] = False,
    picture: Annotated[Path | None, typer.Option("--screenshot", help="Also save a PNG of the report's first screen (needs chromium)")] = None,
) -> None:
    """Write the analyst's HTML report of a stored bundle (or, with --batch, of every stored bundle)."""
    from flows.reporting import write_batch_overview, write_stored_report
    from pipeline.config import Settings
    from pipeline.store import Store

    settings = Settings()
    if batch:
        store = Store.open(settings)
        typer.echo(f"index: {write_batch_overview(store, store.bundles(), out, settings)}")
        return
    if bundle is None:
        raise typer.BadParameter("give a bundle, or --batch", param_hint="BUNDLE")
    row, store = _stored_bundle(bundle)
    index = write_stored_report(store, row, out, settings)
    if index is None:
        typer.echo(f"error: {row.source} has no verification to report ({row.error or 'never verified'})", err=True)
        raise typer.Exit(2)
    typer.echo(f"report: {index}")
    if picture is not None:
        from flows.reporting import screenshot

        typer.echo(f"screenshot: {screenshot(index, picture)}")


@app.command()
def review(
    bundle: Annotated[str, typer.Argument(help="A bundle path, its sha256, or a unique prefix of it")],
    reason: Annotated[str, typer.Option("--reason", help="Why: kept in the audit trail")],
    by: Annotated[str, typer.Option("--by", help="Who: kept in the audit trail")],
    fact: Annotated[str | None, typer.Option("--fact", help="The id of the fact to correct (f-12)")] = None,
    value: Annotated[str | None, typer.Option("--value", help="The corrected value; JSON when it parses (25, \"2019-03-15\")")] = None,
    requirement: Annotated[str | None, typer.Option("--requirement", help="The id of a manual or needs_review requirement to sign off")] = None,
    status: Annotated[str | None, typer.Option("--status", help="The sign-off: pass or fail")] = None,
) -> None:
    """Correct a fact's value or sign off a requirement, with a reason; re-validate the bundle at once."""
    from flows.review import correct_fact, parse_value, sign_off

    if (fact is None) == (requirement is None):
        raise typer.BadParameter("give either --fact ID --value V, or --requirement ID --status pass|fail")
    if fact is not None and value is None:
        raise typer.BadParameter("--fact needs --value", param_hint="--value")
    if requirement is not None and status is None:
        raise typer.BadParameter("--requirement needs --status", param_hint="--status")
    if not reason.strip() or not by.strip():
        raise typer.BadParameter("--reason and --by must not be empty")
    row, store = _stored_bundle(bundle)
    try:
        changes = (correct_fact(store, row, fact, parse_value(value), reason, by) if fact is not None
                   else sign_off(store, row, requirement, status, reason, by))
    except EvidenceError as exc:
        typer.echo(f"error: {exc.message}", err=True)
        raise typer.Exit(exc.exit_code) from exc
    for market, verification in store.latest_verifications(row.sha256).items():
        typer.echo(f"{market}\t{verification.verdict}")
    for change in changes:
        typer.echo(f"changed\t{change.market}\t{change.from_verdict} -> {change.to_verdict}")


@app.command()
def markets(
    markdown: Annotated[bool, typer.Option("--markdown", help="Print a requirement x market table (the README's)")] = False,
) -> None:
    """Print the rule table (market x requirement x threshold) from the rules file."""
    from validators.rules import load_rules, market_rules, markdown_table

    rules = load_rules()
    if markdown:
        typer.echo(markdown_table(rules))
        return
    typer.echo(f"rules version {rules.version}")
    for market_id, market in rules.markets.items():
        for rule in market_rules(rules, market_id):
            threshold = "" if rule.threshold is None else rule.threshold
            typer.echo(f"{market_id}\t{rule.id}\t{threshold}\t{rule.title}")


def main() -> None:  # pragma: no cover - console entry
    app()


if __name__ == "__main__":  # pragma: no cover
    app()
