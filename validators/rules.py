"""The market rules file, loaded through a schema that rejects unknown keys and names the bad line."""
from __future__ import annotations

import os
from functools import lru_cache
from pathlib import Path
from typing import Any, Literal

import yaml
from pydantic import BaseModel, ConfigDict, ValidationError

from pipeline.errors import UsageError
from pipeline.models import DocumentKind, ErrorCode

DEFAULT_RULES = Path(__file__).parent / "rules" / "markets.yaml"
MARKET_IDS = ("miniprogram", "website", "image", "enterprise_app", "api", "service")


class _Schema(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class RuleSettings(_Schema):
    confidence_floor: float = 0.8
    social_security_max_age_months: int = 3


class RequirementDef(_Schema):
    title: str
    evidence: list[DocumentKind | Literal["application"]]
    comparison: Literal["gt", "ge"] | None = None
    unit: str | None = None


class MarketRequirement(_Schema):
    threshold: Any = None
    title: str | None = None
    exemptions: list[str] = []


class Market(_Schema):
    title: str
    requirements: dict[str, MarketRequirement]


class RulesFile(_Schema):
    version: str
    settings: RuleSettings
    requirements: dict[str, RequirementDef]
    markets: dict[str, Market]


class Rule(_Schema):
    """One requirement of one market, as a check sees it."""

    id: str
    title: str
    threshold: Any = None
    exemptions: list[str] = []
    settings: RuleSettings


def rules_path() -> Path:
    return Path(os.environ.get("EVIDENCE_RULES", DEFAULT_RULES))


def load_rules(path: Path | None = None) -> RulesFile:
    """The rules at `path`, else at EVIDENCE_RULES, else the bundled file. Reloaded when the file changes."""
    path = Path(path or rules_path())
    try:
        stamp = path.stat().st_mtime_ns
    except OSError as exc:
        raise UsageError(ErrorCode.BAD_RULES, f"cannot read the rules file {path}: {exc}") from exc
    return _load_rules_file(path, stamp)


@lru_cache(maxsize=8)
def _load_rules_file(path: Path, stamp: int) -> RulesFile:
    try:
        raw = yaml.safe_load(path.read_text(encoding="utf-8"))
        rules = RulesFile.model_validate(raw)
    except (OSError, yaml.YAMLError) as exc:
        raise UsageError(ErrorCode.BAD_RULES, f"cannot read the rules file {path}: {exc}") from exc
    except ValidationError as exc:
        raise UsageError(ErrorCode.BAD_RULES, _describe(exc, path)) from exc
    _check_references(rules, path)
    return rules


def _describe(exc: ValidationError, path: Path) -> str:
    text = path.read_text(encoding="utf-8").splitlines()
    problems = []
    for error in exc.errors():
        key = str(error["loc"][-1]) if error["loc"] else ""
        line = next((n for n, row in enumerate(text, 1) if key and key in row), None)
        where = f"line {line}" if line else "somewhere"
        problems.append(f"{'.'.join(map(str, error['loc']))} ({where}): {error['msg']}")
    return f"the rules file {path} is invalid: " + "; ".join(problems)


def _check_references(rules: RulesFile, path: Path) -> None:
    from validators.registry import CHECKS

    unchecked = set(rules.requirements) - set(CHECKS)
    if unchecked:
        raise UsageError(ErrorCode.BAD_RULES, f"{path}: no check exists for requirements {sorted(unchecked)}; "
                                              f"known: {', '.join(sorted(CHECKS))}")
    for market_id, market in rules.markets.items():
        unknown = set(market.requirements) - set(rules.requirements)
        if unknown:
            raise UsageError(ErrorCode.BAD_RULES, f"{path}: market {market_id} names unknown requirements {sorted(unknown)}")


def market_rules(rules: RulesFile, market_id: str) -> list[Rule]:
    if market_id not in rules.markets:
        raise UsageError(ErrorCode.BAD_USAGE, f"unknown market {market_id!r}; known markets: {', '.join(rules.markets)}")
    return [
        Rule(id=rid, title=spec.title or rules.requirements[rid].title, threshold=spec.threshold,
             exemptions=spec.exemptions, settings=rules.settings)
        for rid, spec in rules.markets[market_id].requirements.items()
    ]


def markdown_table(rules: RulesFile) -> str:
    """Requirement x market, with each market's threshold (or ✓), for the README."""
    markets = list(rules.markets)
    lines = ["| requirement | " + " | ".join(f"{m} ({rules.markets[m].title})" for m in markets) + " |",
             "|---|" + "---|" * len(markets)]
    for rid, definition in rules.requirements.items():
        cells = [_cell(rules.markets[m].requirements.get(rid)) for m in markets]
        lines.append(f"| `{rid}` {definition.title} | " + " | ".join(cells) + " |")
    return "\n".join(lines)


def _cell(spec: MarketRequirement | None) -> str:
    if spec is None:
        return ""
    if isinstance(spec.threshold, dict):
        return "✓ " + "*".join(str(v) for v in spec.threshold.values())
    return "✓" if spec.threshold is None else f"{spec.threshold:,}" if isinstance(spec.threshold, int) else str(spec.threshold)
