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
    out: Annotated[Path | None, typer.Option("--out", help="Write report.json (one per market) under DIR")] = None,
    engine: Annotated[str | None, typer.Option("--engine", help="OCR engine: rapidocr (default) or tesseract")] = None,
) -> None:
    """Verify one bundle and print one verdict line per market."""
    from flows.verify import verify_bundle
    from pipeline.report import write_report, report_json

    date = _parse_date(as_of)
    _check_markets(market or [])
    try:
        reports = verify_bundle(str(bundle), markets=market or None, as_of=date, engine=engine)
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
        for report in reports:
            write_report(report, out / f"{report.market}.json")


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
