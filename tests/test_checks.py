"""Boundaries exactly as the seed words them, on the checks this issue evaluates for real."""
import datetime as dt

import pytest

from pipeline.models import Fact, RequirementStatus as S
from validators.checks import check_company_age, check_company_qualification, check_registered_capital
from validators.facts import FactSet
from validators.rules import load_rules, market_rules

AS_OF = dt.date(2026, 11, 28)


def rule(market: str, requirement: str):
    return next(r for r in market_rules(load_rules(), market) if r.id == requirement)


def fact(name, value, confidence=0.99, warnings=()):
    return Fact(id=f"f-{name}", name=name, value=value, confidence=confidence, document="营业执照.jpg", page=1,
                bbox=(0, 0, 1, 1), text=str(value), warnings=list(warnings))


def license_facts(**overrides):
    values = {"company_name": "深圳市云帆信息技术有限公司", "credit_code": "91440300MA5FK7QW1A",
              "registered_capital_cny": 3_000_000, "established_on": "2019-03-15", "business_term_until": "长期"}
    values.update(overrides)
    return [fact(k, v) for k, v in values.items() if v is not None]


@pytest.mark.parametrize(("capital", "status"), [(1_000_000, S.FAIL), (1_000_001, S.PASS), (999_999, S.FAIL), (50_000_000, S.PASS)])
def test_registered_capital_is_strictly_greater(capital, status):
    result = check_registered_capital(FactSet(license_facts(registered_capital_cny=capital)), rule("miniprogram", "registered_capital"), AS_OF)
    assert result.status is status
    assert result.observed == capital


def test_foreign_currency_capital_needs_review_and_names_the_currency():
    facts = license_facts(registered_capital_cny=None) + [fact("registered_capital_other_currency", {"amount": 2_600_000, "currency": "EUR"})]
    result = check_registered_capital(FactSet(facts), rule("service", "registered_capital"), AS_OF)
    assert result.status is S.NEEDS_REVIEW
    assert "EUR" in result.reason


def test_capital_without_any_license_is_missing():
    assert check_registered_capital(FactSet([]), rule("api", "registered_capital"), AS_OF).status is S.MISSING


@pytest.mark.parametrize(
    ("founded", "status"),
    [("2024-11-28", S.PASS), ("2024-11-29", S.FAIL), ("2019-01-01", S.PASS), ("2026-01-01", S.FAIL)],
)
def test_company_age_includes_the_anniversary(founded, status):
    result = check_company_age(FactSet(license_facts(established_on=founded)), rule("website", "company_age"), AS_OF)
    assert result.status is status


def test_company_age_on_a_leap_day():
    facts = FactSet(license_facts(established_on="2022-02-28"))
    assert check_company_age(facts, rule("website", "company_age"), dt.date(2024, 2, 28)).status is S.PASS
    assert check_company_age(facts, rule("website", "company_age"), dt.date(2024, 2, 27)).status is S.FAIL


def test_as_of_moves_a_company_past_two_years():
    facts = FactSet(license_facts(established_on="2024-12-01"))
    assert check_company_age(facts, rule("image", "company_age"), AS_OF).status is S.FAIL
    assert check_company_age(facts, rule("image", "company_age"), dt.date(2026, 12, 1)).status is S.PASS


def test_qualification_passes_a_valid_license():
    facts = license_facts(credit_code="91310115MA1H8H1D7F")
    assert check_company_qualification(FactSet(facts), rule("api", "company_qualification"), AS_OF).status is S.PASS


def test_qualification_fails_when_the_term_is_over():
    facts = license_facts(credit_code="91310115MA1H8H1D7F", business_term_until="2025-11-29")
    result = check_company_qualification(FactSet(facts), rule("api", "company_qualification"), AS_OF)
    assert result.status is S.FAIL and "2025-11-29" in result.reason


def test_qualification_needs_review_on_a_bad_check_digit():
    facts = license_facts(credit_code=None) + [fact("credit_code", "91310115MA1H8H1D7X", 0.5, ["fails its check digit"])]
    assert check_company_qualification(FactSet(facts), rule("api", "company_qualification"), AS_OF).status is S.NEEDS_REVIEW


def test_qualification_needs_review_on_an_old_registration_number():
    facts = license_facts(credit_code=None) + [fact("registration_no", "440306105795294")]
    result = check_company_qualification(FactSet(facts), rule("api", "company_qualification"), AS_OF)
    assert result.status is S.NEEDS_REVIEW and "注册号" in result.reason


def test_low_confidence_never_passes_or_fails():
    facts = license_facts(credit_code="91310115MA1H8H1D7F", registered_capital_cny=None) + [fact("registered_capital_cny", 9_000_000, 0.4)]
    result = check_registered_capital(FactSet(facts), rule("api", "registered_capital"), AS_OF)
    assert result.status is S.NEEDS_REVIEW and "confidence" in result.reason

