"""The rules file: all six markets with the seed's thresholds, and a schema that rejects bad files."""
from pathlib import Path

import pytest

from pipeline.errors import UsageError
from validators.rules import DEFAULT_RULES, MARKET_IDS, load_rules, market_rules

SEED_THRESHOLDS = {  # market -> requirement -> threshold, as the seed states them
    "miniprogram": {"registered_capital": 1_000_000, "team_size": 20, "registered_users": 5000, "product_online": 6, "customer_cases": 5},
    "website": {"company_age": 2, "team_size": 10, "customer_cases": 5},
    "image": {"company_age": 2, "team_size": 15, "ops_experience": 2},
    "enterprise_app": {"registered_capital": 1_000_000, "company_age": 2, "team_size": 10, "customer_cases": 5},
    "api": {"registered_capital": 1_000_000, "company_age": 2, "team_size": 10},
    "service": {"registered_capital": 1_000_000, "company_age": 2, "team_size": 10, "certified_ops_engineers": 3, "ops_experience": 2},
}


def test_six_markets_with_seed_thresholds():
    rules = load_rules(DEFAULT_RULES)
    assert tuple(rules.markets) == MARKET_IDS
    for market, expected in SEED_THRESHOLDS.items():
        got = {r.id: r.threshold for r in market_rules(rules, market)}
        for requirement, threshold in expected.items():
            assert got[requirement] == threshold, (market, requirement)
        assert {"company_qualification", "agreement_accepted", "reputation", "customer_service_hours"} <= set(got)


def test_unknown_key_is_rejected_with_its_line(tmp_path: Path):
    bad = tmp_path / "rules.yaml"
    bad.write_text(DEFAULT_RULES.read_text(encoding="utf-8").replace("confidence_floor: 0.8", "confidence_floor: 0.8\n  surprise_key: 1"), encoding="utf-8")
    with pytest.raises(UsageError, match=r"surprise_key.*line \d+"):
        load_rules(bad)


def test_bad_values_and_requirements_without_a_check_are_rejected(tmp_path: Path):
    text = DEFAULT_RULES.read_text(encoding="utf-8")
    bad = tmp_path / "rules.yaml"
    bad.write_text(text.replace("confidence_floor: 0.8", "confidence_floor: high"), encoding="utf-8")
    with pytest.raises(UsageError, match=r"confidence_floor.*line \d+"):
        load_rules(bad)
    bad.write_text(text.replace("requirements:\n  company_qualification:", "requirements:\n  good_vibes: {title: 心情好, evidence: []}\n  company_qualification:", 1), encoding="utf-8")
    with pytest.raises(UsageError, match="no check exists for requirements.*good_vibes"):
        load_rules(bad)


def test_unknown_market_lists_the_known_ones():
    with pytest.raises(UsageError, match="miniprogram"):
        market_rules(load_rules(DEFAULT_RULES), "nosuchmarket")


def test_rules_path_from_environment(tmp_path: Path, monkeypatch):
    own = tmp_path / "own.yaml"
    own.write_text(DEFAULT_RULES.read_text(encoding="utf-8").replace('version: "2026-11"', 'version: "test-9"'), encoding="utf-8")
    monkeypatch.setenv("EVIDENCE_RULES", str(own))
    assert load_rules().version == "test-9"


def test_readme_market_table_is_generated_from_the_rules_file():
    from validators.rules import markdown_table

    readme = (Path(__file__).resolve().parents[1] / "README.md").read_text(encoding="utf-8")
    block = readme.split("<!-- markets:start -->")[1].split("<!-- markets:end -->")[0].strip()
    assert block == markdown_table(load_rules(DEFAULT_RULES))
