"""Requirements read from application.json, and the ones only a human can judge."""
from __future__ import annotations

import datetime as dt
import re

from pipeline.models import RequirementResult, RequirementStatus as S
from validators.checks import result, unsure
from validators.facts import FactSet
from validators.rules import Rule

_MOBILE = re.compile(r"1[3-9]\d{9}")
_EMAIL = re.compile(r"[^@\s]+@[^@\s]+\.[A-Za-z]{2,}")


def check_operations_staff(facts: FactSet, rule: Rule, as_of: dt.date) -> RequirementResult:
    contact = facts.first("ops_contact")
    if contact is None:
        return result(rule, S.MISSING, "application.json names no operations contact (ops_contact)")
    value = contact.value
    if contact.warnings or unsure(rule, [contact]):
        why = "; ".join(contact.warnings) or f"confidence {contact.confidence:.2f}"
        return result(rule, S.NEEDS_REVIEW, f"the operations contact needs a look: {why}", [contact], value.get("name"))
    phone = re.sub(r"[\s-]", "", value.get("phone") or "").removeprefix("+86")
    bad = [f for f, ok in (("name", bool(value.get("name"))), ("phone", bool(_MOBILE.fullmatch(phone))),
                           ("email", bool(_EMAIL.fullmatch(value.get("email") or "")))) if not ok]
    if bad:
        return result(rule, S.FAIL, f"the operations contact has no valid {', '.join(bad)}", [contact], value.get("name"))
    return result(rule, S.PASS, f"operations contact {value['name']}, mobile and e-mail given", [contact], value["name"])


def check_customer_service_hours(facts: FactSet, rule: Rule, as_of: dt.date) -> RequirementResult:
    service = facts.first("customer_service")
    if service is None:
        return result(rule, S.MISSING, "application.json declares no customer-service hours")
    days, hours = service.value.get("days_per_week") or 0, service.value.get("hours_per_day") or 0
    need = rule.threshold
    observed = f"{days:g}*{hours:g}"
    if days >= need["days_per_week"] and hours >= need["hours_per_day"]:
        return result(rule, S.PASS, f"declared {observed} hours of online service", [service], observed)
    return result(rule, S.FAIL, f"declared {observed}, less than {need['days_per_week']}*{need['hours_per_day']}", [service], observed)


def _declared_flag(facts: FactSet, rule: Rule, name: str, what: str) -> RequirementResult:
    fact = facts.first(name)
    if fact is None:
        return result(rule, S.MISSING, f"application.json does not declare {what}")
    status = S.PASS if fact.value is True else S.FAIL
    return result(rule, status, f"application.json declares {what}: {'yes' if fact.value else 'no'}", [fact], fact.value)


def check_agreement_accepted(facts: FactSet, rule: Rule, as_of: dt.date) -> RequirementResult:
    return _declared_flag(facts, rule, "agreement_accepted", "acceptance of the 云市场 agreements")


def check_cvm_image_delivery(facts: FactSet, rule: Rule, as_of: dt.date) -> RequirementResult:
    return _declared_flag(facts, rule, "cvm_image_delivery", "delivery as a CVM image")


def check_api_test_account(facts: FactSet, rule: Rule, as_of: dt.date) -> RequirementResult:
    account = facts.first("api_test_account")
    if account is None:
        return result(rule, S.MISSING, "application.json gives no test account")
    value = account.value
    absent = [k for k in ("url", "username") if not value.get(k)] + ([] if value.get("password_given") else ["password"])
    if absent:
        return result(rule, S.FAIL, f"the test account lacks {', '.join(absent)}", [account], value.get("url"))
    return result(rule, S.PASS, f"test account given for {value['url']}; an analyst must log in and test it before approval", [account], value["url"])


def check_reputation(facts: FactSet, rule: Rule, as_of: dt.date) -> RequirementResult:
    return result(rule, S.MANUAL, f"an analyst must judge: {rule.title}")


def check_ops_experience(facts: FactSet, rule: Rule, as_of: dt.date) -> RequirementResult:
    support = [f for f in (facts.first("established_on"), facts.first("customer_case_count")) if f]
    orders = sorted(facts.all("cvm_order"), key=lambda f: f.value.get("purchased_on") or "9999")
    support += orders[:1]
    shown = "; ".join(f"{f.name}={f.value.get('purchased_on') if f.name == 'cvm_order' else f.value}" for f in support) or "none"
    return result(rule, S.MANUAL, f"an analyst must judge {rule.threshold} years of service experience; supporting facts: {shown}", support)
