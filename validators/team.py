"""Team size (社保 / org chart) and certified engineers: the checks that cross the social-security list."""
from __future__ import annotations

import datetime as dt

from dateutil.relativedelta import relativedelta

from pipeline.models import Fact, RequirementResult, RequirementStatus as S
from pipeline.names import company_key, likely_same_company, pinyin_match, same_company
from validators.checks import low_confidence, result, short_count, unsure
from validators.facts import FactSet
from validators.rules import Rule

SENIOR_OPS_TITLE = "高级运维工程师"
SENIOR_LEVEL, OPS_TRACK = "TCP", "operations"


def check_team_size(facts: FactSet, rule: Rule, as_of: dt.date) -> RequirementResult:
    ss, org = facts.first("social_security_headcount"), facts.first("org_chart_headcount")
    if ss is None and org is None:
        return result(rule, S.MISSING, "no social-security list (社保缴纳清单) or org chart shows the team")
    used = [f for f in (ss, org, facts.first("social_security_month"), facts.first("social_security_employer"),
                        facts.first("company_name")) if f]
    problem = _social_security_problem(facts, rule, as_of) if ss is not None else _org_chart_problem(facts)
    if problem:
        return result(rule, S.NEEDS_REVIEW, problem, used, (ss or org).value)
    doubtful = unsure(rule, [ss, org])
    if doubtful:
        return low_confidence(rule, doubtful, used, (ss or org).value)
    sides = {name: f.value >= rule.threshold for name, f in (("社保", ss), ("org chart", org)) if f is not None}
    if len(set(sides.values())) > 1:
        return result(rule, S.NEEDS_REVIEW, f"社保 shows {ss.value} and the org chart {org.value}: they disagree about {rule.threshold} people", used, ss.value)
    count = ss.value if ss is not None else org.value
    source = "the social-security list" if ss is not None else "the org chart"
    pending = facts.first("org_chart_not_joined")
    if ss is None and pending is not None and pending.value:
        source += f" ({pending.value} more not joined or not activated, not counted unless an analyst signs them off)"
        used.append(pending)
    if all(sides.values()):
        return result(rule, S.PASS, f"{count} people on {source}, at least {rule.threshold}", used, count)
    return short_count(facts, rule, f"{count} people on {source}, fewer than {rule.threshold}", used, count)


def _social_security_problem(facts: FactSet, rule: Rule, as_of: dt.date) -> str | None:
    employer, company = facts.first("social_security_employer"), facts.first("company_name")
    if employer is not None and company is not None and not same_company(employer.value, company.value):
        return f"the social-security list is for {employer.value}, not the licensed company {company.value}"
    shown = facts.first("org_chart_organisation")
    if shown is not None and company is not None and not likely_same_company(shown.value, company.value):
        return f"the org chart is of {shown.value}, not the licensed company {company.value}"
    month = facts.first("social_security_month")
    if month is not None:
        months = rule.settings.social_security_max_age_months
        paid = dt.date.fromisoformat(f"{month.value}-01")
        if paid < (as_of - relativedelta(months=months)).replace(day=1):
            return f"the social-security list ends in {month.value}, more than {months} months before {as_of.isoformat()}: stale evidence"
    return None


def _org_chart_problem(facts: FactSet) -> str | None:
    shown, company = facts.first("org_chart_organisation"), facts.first("company_name")
    if shown is not None and company is not None and not likely_same_company(shown.value, company.value):
        return f"the org chart is of {shown.value}, not the licensed company {company.value}"
    return None


def check_certified_ops_engineers(facts: FactSet, rule: Rule, as_of: dt.date) -> RequirementResult:
    certificates = facts.all("ops_certificate")
    if not certificates:
        return result(rule, S.MISSING, "no 腾讯云高级运维工程师 certificate was found")
    valid, notes = _valid_senior_certificates(certificates, as_of)
    doubtful = unsure(rule, valid)
    if doubtful:
        return low_confidence(rule, doubtful, valid, len(valid))
    roster = facts.first("social_security_roster")
    names = [p["name"] for p in roster.value if p.get("name")] if roster else []
    cited = valid + ([roster] if roster else [])
    off_roster, by_pinyin = [], []
    for fact in valid:
        holder = fact.value["holder"]
        if any(company_key(holder) == company_key(n) for n in names):
            continue
        match = next((n for n in names if pinyin_match(holder, n)), None)
        (by_pinyin.append(f"{holder} = {match}") if match else off_roster.append(holder))
    if len(valid) >= rule.threshold and off_roster:
        return result(rule, S.NEEDS_REVIEW, f"certificate holders not on the social-security roster: {', '.join(off_roster)}", cited, len(valid))
    if len(valid) >= rule.threshold and by_pinyin:
        return result(rule, S.NEEDS_REVIEW, "certificate holders printed in Latin letters matched the roster only by "
                      f"pinyin ({'; '.join(by_pinyin)}): check they are the same people", cited, len(valid))
    detail = f"{len(valid)} valid senior ops certificates of distinct people" + (f" ({'; '.join(notes)})" if notes else "")
    if len(valid) >= rule.threshold:
        return result(rule, S.PASS, f"{detail}; {rule.threshold} needed", cited, len(valid))
    return short_count(facts, rule, f"{detail}; {rule.threshold} needed", cited, len(valid))


def is_senior_ops(cert: dict) -> bool:
    """腾讯云高级运维工程师: the Chinese title, or a Professional (TCP) level certificate of the operations track
    (an English certificate: Tencent Cloud Certified Professional - Operations)."""
    title = cert.get("title") or ""
    return SENIOR_OPS_TITLE in title or (cert.get("level") == SENIOR_LEVEL and cert.get("track") == OPS_TRACK)


def _valid_senior_certificates(certificates: list[Fact], as_of: dt.date) -> tuple[list[Fact], list[str]]:
    """Senior ops certificates not expired on as_of, one per cert_no and one per holder."""
    kept: list[Fact] = []
    notes: list[str] = []
    for fact in certificates:
        cert = fact.value
        expires = cert.get("expires_on")
        if not is_senior_ops(cert):
            notes.append(f"{cert.get('holder')}: {cert.get('title')} does not count")
        elif expires and expires != "长期" and dt.date.fromisoformat(expires) < as_of:  # 有效期至 is inclusive
            notes.append(f"{cert.get('holder')}: expired on {expires}")
        elif any((cert.get("cert_no") and k.value["cert_no"] == cert.get("cert_no"))
                 or company_key(k.value["holder"] or "") == company_key(cert.get("holder") or "") for k in kept):
            notes.append(f"{cert.get('holder')}: counted once")
        else:
            kept.append(fact)
    return kept, notes
