"""One pure function per requirement: (facts, rule, as_of) -> RequirementResult. No clock, no files.

Boundaries follow the seed's words: 大于 is strictly greater, 满N年 includes the day itself."""
from __future__ import annotations

import datetime as dt
from collections.abc import Callable

from dateutil.relativedelta import relativedelta

from pipeline.models import Fact, RequirementResult, RequirementStatus as S
from validators.facts import FactSet
from validators.rules import Rule

Check = Callable[[FactSet, Rule, dt.date], RequirementResult]
LICENSE_FACTS = ("company_name", "credit_code", "registration_no", "established_on", "registered_capital_cny")


def result(rule: Rule, status: S, reason: str, facts: list[Fact] = (), observed=None) -> RequirementResult:
    return RequirementResult(
        id=rule.id, title=rule.title, status=status, threshold=rule.threshold, observed=observed,
        reason=reason, facts=[f.id for f in facts if f is not None],
    )


def unsure(rule: Rule, facts: list[Fact | None]) -> Fact | None:
    """The first deciding fact read with less confidence than the rules' floor, if any."""
    floor = rule.settings.confidence_floor
    return next((f for f in facts if f is not None and f.confidence < floor), None)


def short_count(facts: FactSet, rule: Rule, reason: str, used: list[Fact], observed) -> RequirementResult:
    """A count of evidence gathered over the bundle's documents (cases, people, certificates) below the
    threshold fails, unless documents went unread: one of them may hold what is missing."""
    unread = facts.first("unread_documents")
    if unread is not None and unread.value:
        names = ", ".join(unread.value[:5]) + (f" and {len(unread.value) - 5} more" if len(unread.value) > 5 else "")
        return result(rule, S.NEEDS_REVIEW, f"{reason}, but {len(unread.value)} documents could not be read or recognised "
                      f"({names}): check whether they hold more", [*used, unread], observed)
    return result(rule, S.FAIL, reason, used, observed)


def low_confidence(rule: Rule, fact: Fact, facts: list[Fact], observed=None) -> RequirementResult:
    return result(
        rule, S.NEEDS_REVIEW,
        f"{fact.name} was read as {fact.value!r} from {fact.document} with confidence {fact.confidence:.2f}, "
        f"below the floor of {rule.settings.confidence_floor}; check it on the document",
        facts, observed,
    )


def check_company_qualification(facts: FactSet, rule: Rule, as_of: dt.date) -> RequirementResult:
    if not facts.has_any(*LICENSE_FACTS):
        return result(rule, S.MISSING, "no business license (营业执照) was found in the bundle")
    name, code, term = facts.first("company_name"), facts.first("credit_code"), facts.first("business_term_until")
    used = [f for f in (name, code, term, facts.first("registration_no")) if f is not None]
    if code is None:
        regno = facts.first("registration_no")
        detail = f"an old-style license with 注册号 {regno.value}" if regno else "a license whose credit code could not be read"
        return result(rule, S.NEEDS_REVIEW, f"{detail}; ask for the current license with a 统一社会信用代码", used)
    if code.warnings:
        return result(rule, S.NEEDS_REVIEW, f"{'; '.join(code.warnings)}; compare it with the document", used, code.value)
    if name is None:
        return result(rule, S.NEEDS_REVIEW, "the company name on the license could not be read", used, code.value)
    doubtful = unsure(rule, used)
    if doubtful:
        return low_confidence(rule, doubtful, used, code.value)
    if term is not None and term.value != "长期" and dt.date.fromisoformat(term.value) < as_of:
        return result(rule, S.FAIL, f"营业期限 ended on {term.value}, before {as_of.isoformat()}", used, code.value)
    until = "长期" if term is None or term.value == "长期" else f"until {term.value}"
    return result(rule, S.PASS, f"license of {name.value}, credit code {code.value} with a valid check digit, term {until}", used, code.value)


def check_registered_capital(facts: FactSet, rule: Rule, as_of: dt.date) -> RequirementResult:
    capital = facts.first("registered_capital_cny")
    if capital is None:
        return _capital_not_in_cny(facts, rule)
    doubtful = unsure(rule, [capital])
    if doubtful:
        return low_confidence(rule, doubtful, [capital], capital.value)
    if capital.value > rule.threshold:
        return result(rule, S.PASS, f"注册资本 {capital.value:,} CNY is more than {rule.threshold:,} CNY", [capital], capital.value)
    return result(rule, S.FAIL, f"注册资本 {capital.value:,} CNY is not more than {rule.threshold:,} CNY", [capital], capital.value)


def _capital_not_in_cny(facts: FactSet, rule: Rule) -> RequirementResult:
    foreign = facts.first("registered_capital_other_currency")
    if foreign is not None:
        value = foreign.value
        return result(
            rule, S.NEEDS_REVIEW,
            f"注册资本 is {value['amount']:,} {value['currency']}, not CNY; an analyst must judge it against {rule.threshold:,} CNY",
            [foreign], value,
        )
    if facts.has_any(*LICENSE_FACTS):
        return result(rule, S.NEEDS_REVIEW, "the license shows no registered capital that could be read; check the 注册资本 row or the public record", [])
    return result(rule, S.MISSING, "no business license (营业执照) was found to show the registered capital")


def check_company_age(facts: FactSet, rule: Rule, as_of: dt.date) -> RequirementResult:
    founded = facts.first("established_on")
    if founded is None:
        status = S.NEEDS_REVIEW if facts.has_any(*LICENSE_FACTS) else S.MISSING
        return result(rule, status, "the founding date (成立日期) was not found on a business license")
    doubtful = unsure(rule, [founded])
    if doubtful:
        return low_confidence(rule, doubtful, [founded], founded.value)
    latest = as_of - relativedelta(years=rule.threshold)
    if dt.date.fromisoformat(founded.value) <= latest:
        return result(rule, S.PASS, f"founded on {founded.value}, at least {rule.threshold} years before {as_of.isoformat()}", [founded], founded.value)
    return result(rule, S.FAIL, f"founded on {founded.value}; {rule.threshold} full years are reached only on {(dt.date.fromisoformat(founded.value) + relativedelta(years=rule.threshold)).isoformat()}", [founded], founded.value)


def check_for(requirement_id: str) -> Check:
    """The check of a requirement; the rules loader already refused ids without one."""
    from validators.registry import CHECKS

    return CHECKS[requirement_id]
