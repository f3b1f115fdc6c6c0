"""Bonus notes: what the seed prefers but does not require (有获得外部融资优先, 获得双软认证、国家高新企业认定优先,
世界500强/中国500强 clients). They never change a verdict; they are listed for the analyst.

A qualification counts only when its certificate names the applicant and is valid on `as_of`; one that does
not is noted as such, so the analyst sees why it was not counted."""
from __future__ import annotations

import datetime as dt

from pipeline.models import Fact
from pipeline.names import same_company
from validators.facts import FactSet

# Fact name -> how to say it; a fact's presence (and truth, for declarations) is the evidence.
_DECLARED = {"external_financing": "declares external financing (有获得外部融资优先)"}
_HIGH_TECH, _SOFTWARE_ENTERPRISE, _SOFTWARE_PRODUCT = "high_tech_enterprise", "software_enterprise", "software_product"


def bonus_notes(facts: FactSet, as_of: dt.date) -> list[str]:
    notes = [f"bonus: {text}" for name, text in _DECLARED.items() if (f := facts.first(name)) and f.value is True]
    notes += qualification_notes(facts, as_of)
    clients = sorted({str(f.value) for f in facts.all("well_known_client")})
    if clients:
        notes.append(f"bonus: well-known clients among the cases: {', '.join(clients)}")
    return notes + offered_certificates(facts)


def offered_certificates(facts: FactSet) -> list[str]:
    """Certificates offered that no requirement counts (other clouds, ISO systems, training, awards), so the
    analyst sees what was offered."""
    notes = []
    for fact in facts.all("other_certificate"):
        v = fact.value
        what = " ".join(str(x) for x in (v.get("issuer"), v.get("title")) if x) or "a certificate"
        holder = f" held by {v['holder']}" if v.get("holder") else ""
        notes.append(f"offered, not counted: {what}{holder}" + (f", valid until {v['expires_on']}" if v.get("expires_on") else ""))
    return notes


def qualification_notes(facts: FactSet, as_of: dt.date) -> list[str]:
    company = facts.first("company_name")
    held, notes = set(), []
    for fact in facts.all("qualification"):
        problem = _not_counted(fact, company.value if company else None, as_of)
        if problem:
            notes.append(f"not a bonus: the {fact.value.get('type')} certificate {fact.value.get('cert_no')} {problem}")
        else:
            held.add(fact.value.get("type"))
    if _HIGH_TECH in held:
        notes.append("bonus: 国家高新技术企业 certificate valid on the day (国家高新企业认定优先)")
    if {_SOFTWARE_ENTERPRISE, _SOFTWARE_PRODUCT} <= held:
        notes.append("bonus: 双软认证, a 软件企业 and a 软件产品 certificate (获得双软认证优先)")
    elif held & {_SOFTWARE_ENTERPRISE, _SOFTWARE_PRODUCT}:
        notes.append("only one of the two 双软 certificates was found, so 双软认证 is not shown")
    return notes


def _not_counted(fact: Fact, company: str | None, as_of: dt.date) -> str | None:
    value = fact.value
    if company is None or not same_company(value.get("holder"), company):
        return f"names {value.get('holder')}, not the licensed company {company or '(no license read)'}"
    expires = value.get("expires_on")
    if expires and dt.date.fromisoformat(expires) < as_of:
        return f"expired on {expires}"
    return None
