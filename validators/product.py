"""The product's evidence: running on Tencent Cloud, online long enough, users, copyright, customer cases."""
from __future__ import annotations

import datetime as dt

from dateutil.relativedelta import relativedelta

from pipeline.models import RequirementResult, RequirementStatus as S
from pipeline.names import same_company
from validators.checks import low_confidence, result, short_count, unsure
from validators.facts import FactSet
from validators.rules import Rule


def _applicant(facts: FactSet) -> tuple[str | None, list]:
    """The applicant's name (the license's, else the declared one) and the fact it came from, to cite."""
    name = facts.first("company_name") or facts.first("declared_company_name")
    return (name.value, [name]) if name else (None, [])


def check_tencent_cloud_hosting(facts: FactSet, rule: Rule, as_of: dt.date) -> RequirementResult:
    """Any of: a CVM order (费用中心 lists and details, invoices, renewals) or a console screen showing a running CVM or
    Lighthouse instance. An account owner shown must be the applicant; a running instance whose owner the screen
    does not show is no proof on its own."""
    orders, instances = facts.all("cvm_order"), facts.all("cloud_instance")
    if not orders and not instances:
        return result(rule, S.MISSING, "no 腾讯云 CVM purchase record or console screenshot was found")
    applicant, named = _applicant(facts)
    evidence = orders + instances
    others = [f for f in evidence if f.value.get("account_subject") and not same_company(f.value["account_subject"], applicant)]
    if others:
        subjects = ", ".join(sorted({f.value["account_subject"] for f in others}))
        return result(rule, S.NEEDS_REVIEW, f"the cloud account belongs to {subjects}, not the applicant {applicant}", others + named, len(evidence))
    running = [f for f in instances if f.value.get("status") == "running"]
    owned = [f for f in running if f.value.get("account_subject")]
    deciding = orders + owned
    doubtful = unsure(rule, deciding)
    if doubtful:
        return low_confidence(rule, doubtful, deciding, len(deciding))
    if deciding:
        parts = [f"{len(orders)} CVM orders" if orders else "", f"{len(owned)} running instances of {applicant}" if owned else ""]
        return result(rule, S.PASS, f"{' and '.join(p for p in parts if p)} on Tencent Cloud", deciding + named, len(deciding))
    if running:
        ids = ", ".join(f.value["instance_id"] for f in running)
        return result(rule, S.NEEDS_REVIEW, f"running instances {ids} are shown, but not whose account they are in: ask for "
                      "the account's 认证主体 or a purchase record", running, len(running))
    states = ", ".join(sorted({str(f.value.get("status")) for f in instances}))
    return result(rule, S.NEEDS_REVIEW, f"the console shows no running instance ({states}): check the product runs on Tencent Cloud",
                  instances, 0)


def check_product_online(facts: FactSet, rule: Rule, as_of: dt.date) -> RequirementResult:
    dated = [(f.value.get("purchased_on"), f) for f in facts.all("cvm_order")] + [(f.value, f) for f in facts.all("miniprogram_stats_date")]
    dated = [(dt.date.fromisoformat(day), f) for day, f in dated if day]
    if not dated:
        return result(rule, S.MISSING, "no dated evidence (CVM order, mini-program statistics) shows the product running")
    earliest, fact = min(dated, key=lambda pair: pair[0])
    doubtful = unsure(rule, [fact])
    if doubtful:
        return low_confidence(rule, doubtful, [fact], earliest.isoformat())
    limit = as_of - relativedelta(months=rule.threshold)
    if earliest < limit:
        return result(rule, S.PASS, f"running since at least {earliest.isoformat()}, more than {rule.threshold} months before {as_of.isoformat()}", [fact], earliest.isoformat())
    return result(rule, S.FAIL, f"the earliest evidence is {earliest.isoformat()}, not more than {rule.threshold} months before {as_of.isoformat()}", [fact], earliest.isoformat())


def check_registered_users(facts: FactSet, rule: Rule, as_of: dt.date) -> RequirementResult:
    users = facts.first("miniprogram_registered_users")
    if users is None:
        shown = facts.first("miniprogram_stats_date")
        if shown is not None:
            return result(rule, S.MISSING, f"the mini-program statistics in {shown.document} show no 累计用户数: 访问人数 and "
                          "活跃用户 count visits, not registered users; ask for the 累计用户数 card", [shown])
        return result(rule, S.MISSING, "no mini-program admin screenshot shows 累计用户数")
    note = "累计用户数 counts users who visited, not registered accounts"
    doubtful = unsure(rule, [users])
    if doubtful:
        return low_confidence(rule, doubtful, [users], users.value)
    status = S.PASS if users.value > rule.threshold else S.FAIL
    word = "more" if status is S.PASS else "not more"
    return result(rule, status, f"累计用户数 {users.value:,} is {word} than {rule.threshold:,}; {note}", [users], users.value)


def check_software_copyright(facts: FactSet, rule: Rule, as_of: dt.date) -> RequirementResult:
    declared = facts.first("exemptions")
    exempt = sorted(set(rule.exemptions) & set(declared.value if declared else []))
    copyrights = facts.all("software_copyright")
    applicant, named = _applicant(facts)
    owned = [f for f in copyrights if same_company(f.value.get("owner"), applicant)]
    if owned:
        doubtful = unsure(rule, owned)
        if doubtful:
            return low_confidence(rule, doubtful, owned, owned[0].value.get("reg_no"))
        return result(rule, S.PASS, f"software copyright {owned[0].value.get('reg_no')} is owned by {applicant}", owned + named, len(owned))
    if exempt:
        return result(rule, S.EXEMPT, f"exempt: the application declares {', '.join(exempt)}", [declared], exempt)
    if copyrights:
        owners = ", ".join(sorted({str(f.value.get("owner")) for f in copyrights}))
        return result(rule, S.FAIL, f"the software copyrights belong to {owners}, not the applicant {applicant}", copyrights + named, owners)
    return result(rule, S.MISSING, "no software copyright certificate (计算机软件著作权登记证书) was found")


def check_customer_cases(facts: FactSet, rule: Rule, as_of: dt.date) -> RequirementResult:
    count = facts.first("customer_case_count")
    if count is None:
        return result(rule, S.MISSING, "no customer case documents were found")
    doubtful = unsure(rule, [count])
    if doubtful:
        return low_confidence(rule, doubtful, [count], count.value)
    reason = f"{count.value} distinct customer cases; {rule.threshold} needed"
    if count.value >= rule.threshold:
        return result(rule, S.PASS, reason, [count], count.value)
    return short_count(facts, rule, reason, [count], count.value)


