"""Table-driven: each requirement on both sides of its boundary, with as_of moving; cross-document checks;
and the property that an unsure fact never makes a bundle eligible."""
import datetime as dt

import pytest
from hypothesis import given, settings, strategies as st

from pipeline.models import Fact, RequirementStatus as S, Verdict
from validators.evaluate import evaluate_market
from validators.facts import FactSet
from validators.registry import CHECKS
from validators.rules import load_rules, market_rules

AS_OF = dt.date(2026, 11, 28)
COMPANY = "深圳市云帆信息技术有限公司"


def fact(name, value, confidence=0.99, warnings=()):
    return Fact(id=f"f-{name}", name=name, value=value, confidence=confidence, document="doc", page=1,
                bbox=(0, 0, 1, 1), text="", warnings=list(warnings))


def cert(holder, no, title="腾讯云高级运维工程师", expires="2028-01-01"):
    return fact("ops_certificate", {"holder": holder, "cert_no": no, "title": title, "issued_on": "2025-01-01", "expires_on": expires})


def full_bundle(**over):
    """Facts of an applicant that meets every market's rules on AS_OF."""
    base = {
        "company_name": COMPANY, "credit_code": "91310115MA1H8H1D7F", "registered_capital_cny": 3_000_000,
        "established_on": "2019-03-15", "business_term_until": "长期",
        "social_security_employer": COMPANY, "social_security_month": "2026-10", "social_security_headcount": 25,
        "social_security_roster": [{"name": n, "id_masked": "4403**********1234"} for n in ("王芳", "李雷", "韩梅")],
        "ops_contact": {"name": "王芳", "phone": "13800138000", "email": "ops@example.cn"},
        "customer_service": {"days_per_week": 7, "hours_per_day": 8}, "agreement_accepted": True,
        "miniprogram_registered_users": 5832, "miniprogram_stats_date": "2026-11-20",
        "customer_case_count": 5, "cvm_image_delivery": True,
        "api_test_account": {"url": "https://x.cn", "username": "t", "password_given": True},
    }
    base.update(over)
    facts = [fact(k, v) for k, v in base.items() if v is not None]
    facts += [fact("cvm_order", {"order_id": "20240315123456", "purchased_on": "2024-03-15", "product": "云服务器CVM", "amount_cny": 999.0, "account_subject": COMPANY})]
    facts += [fact("software_copyright", {"reg_no": "2023SR0123456", "cert_no": "11223344", "software_name": "云帆 V1.0", "owner": COMPANY, "completed_on": "2023-01-01"})]
    facts += [cert("王芳", "TCP-OPS-2025-000001"), cert("李雷", "TCP-OPS-2025-000002"), cert("韩梅", "TCP-OPS-2025-000003")]
    return facts


def status_of(facts, market, requirement, as_of=AS_OF):
    rule = next(r for r in market_rules(load_rules(), market) if r.id == requirement)
    return CHECKS[requirement](FactSet(facts), rule, as_of)


def swap(facts, name, value):
    return [f for f in facts if f.name != name] + ([fact(name, value)] if value is not None else [])


@pytest.mark.parametrize("market", ["miniprogram", "website", "image", "enterprise_app", "api", "service"])
def test_a_complete_bundle_leaves_only_manual_items(market):
    verdict, results = evaluate_market(full_bundle(), load_rules(), market, AS_OF)
    assert verdict is Verdict.ELIGIBLE, [(r.id, r.status, r.reason) for r in results if r.status not in (S.PASS, S.MANUAL)]
    assert {r.id for r in results if r.status is S.MANUAL} >= {"reputation"}


@pytest.mark.parametrize(("market", "below", "at"), [("miniprogram", 19, 20), ("image", 14, 15), ("api", 9, 10)])
def test_team_size_includes_the_threshold(market, below, at):
    assert status_of(swap(full_bundle(), "social_security_headcount", below), market, "team_size").status is S.FAIL
    assert status_of(swap(full_bundle(), "social_security_headcount", at), market, "team_size").status is S.PASS


def test_social_security_goes_stale_as_as_of_moves():
    facts = full_bundle()
    assert status_of(facts, "api", "team_size", dt.date(2027, 1, 31)).status is S.PASS
    stale = status_of(facts, "api", "team_size", dt.date(2027, 2, 1))
    assert stale.status is S.NEEDS_REVIEW and "stale" in stale.reason


def test_social_security_of_another_employer_needs_review():
    result = status_of(swap(full_bundle(), "social_security_employer", "别的公司有限公司"), "api", "team_size")
    assert result.status is S.NEEDS_REVIEW and "别的公司有限公司" in result.reason


def test_employer_matches_through_bracket_forms():
    facts = swap(swap(full_bundle(), "company_name", "科威勒自动化（上海）有限公司"), "social_security_employer", "科威勒自动化(上海) 有限公司")
    assert status_of(facts, "api", "team_size").status is S.PASS


def test_org_chart_disagreeing_on_the_threshold_side_needs_review():
    facts = full_bundle() + [fact("org_chart_headcount", 8)]
    assert status_of(facts, "api", "team_size").status is S.NEEDS_REVIEW
    assert status_of(full_bundle() + [fact("org_chart_headcount", 12)], "api", "team_size").status is S.PASS


def test_certificates_expire_with_as_of():
    facts = [f for f in full_bundle() if f.name != "ops_certificate"] + [cert("王芳", "A-1"), cert("李雷", "A-2"), cert("韩梅", "A-3", expires="2026-12-31")]
    assert status_of(facts, "service", "certified_ops_engineers", dt.date(2026, 12, 31)).status is S.PASS
    assert status_of(facts, "service", "certified_ops_engineers", dt.date(2027, 1, 1)).status is S.FAIL


def test_duplicate_and_other_title_certificates_count_once_or_not_at_all():
    others = [f for f in full_bundle() if f.name != "ops_certificate"]
    facts = others + [cert("王芳", "A-1"), cert("王芳", "A-1"), cert("李雷", "A-2"), cert("韩梅", "A-3", title="腾讯云中级运维工程师")]
    result = status_of(facts, "service", "certified_ops_engineers")
    assert result.status is S.FAIL and result.observed == 2


def test_certificate_holder_off_the_roster_needs_review():
    others = [f for f in full_bundle() if f.name != "ops_certificate"]
    facts = others + [cert("王芳", "A-1"), cert("李雷", "A-2"), cert("张三", "A-3")]
    result = status_of(facts, "service", "certified_ops_engineers")
    assert result.status is S.NEEDS_REVIEW and "张三" in result.reason


@pytest.mark.parametrize(("users", "status"), [(5000, S.FAIL), (5001, S.PASS)])
def test_registered_users_strictly_above(users, status):
    result = status_of(swap(full_bundle(), "miniprogram_registered_users", users), "miniprogram", "registered_users")
    assert result.status is status and "visited" in result.reason


def test_product_online_more_than_six_months():
    facts = [f for f in full_bundle() if f.name not in ("cvm_order", "miniprogram_stats_date")] + [fact("miniprogram_stats_date", "2026-05-28")]
    assert status_of(facts, "miniprogram", "product_online", dt.date(2026, 11, 28)).status is S.FAIL
    assert status_of(facts, "miniprogram", "product_online", dt.date(2026, 11, 29)).status is S.PASS


def test_copyright_of_another_owner_fails_unless_exempt():
    others = [f for f in full_bundle() if f.name != "software_copyright"]
    foreign = others + [fact("software_copyright", {"reg_no": "2023SR1", "cert_no": "1", "software_name": "x", "owner": "别人有限公司", "completed_on": "2023-01-01"})]
    assert status_of(foreign, "website", "software_copyright").status is S.FAIL
    assert status_of(foreign + [fact("exemptions", ["open_source_custom"])], "website", "software_copyright").status is S.EXEMPT
    assert status_of(foreign + [fact("exemptions", ["open_source_custom"])], "miniprogram", "software_copyright").status is S.FAIL


def test_cvm_of_another_account_needs_review():
    others = [f for f in full_bundle() if f.name != "cvm_order"]
    facts = others + [fact("cvm_order", {"order_id": "20240315", "purchased_on": "2024-03-15", "product": "云服务器", "amount_cny": 1.0, "account_subject": "别人有限公司"})]
    assert status_of(facts, "website", "tencent_cloud_hosting").status is S.NEEDS_REVIEW


@pytest.mark.parametrize(("cases", "status"), [(4, S.FAIL), (5, S.PASS)])
def test_customer_cases(cases, status):
    assert status_of(swap(full_bundle(), "customer_case_count", cases), "website", "customer_cases").status is status


@pytest.mark.parametrize(("requirement", "name", "short"), [
    ("customer_cases", "customer_case_count", 4), ("team_size", "social_security_headcount", 9)])
def test_a_short_count_with_unread_documents_is_not_yet_a_failure(requirement, name, short):
    facts = swap(full_bundle(), name, short)
    assert status_of(facts, "website", requirement).status is S.FAIL
    unread = status_of(facts + [fact("unread_documents", ["案例/IMG_3372.JPG"])], "website", requirement)
    assert unread.status is S.NEEDS_REVIEW and "IMG_3372.JPG" in unread.reason
    enough = swap(full_bundle(), name, 30) + [fact("unread_documents", ["案例/IMG_3372.JPG"])]
    assert status_of(enough, "website", requirement).status is S.PASS  # a count already met stands


def test_declarations():
    assert status_of(swap(full_bundle(), "customer_service", {"days_per_week": 5, "hours_per_day": 8}), "api", "customer_service_hours").status is S.FAIL
    assert status_of(swap(full_bundle(), "agreement_accepted", False), "api", "agreement_accepted").status is S.FAIL
    assert status_of(swap(full_bundle(), "api_test_account", {"url": "https://x.cn", "username": "t", "password_given": False}), "api", "api_test_account").status is S.FAIL
    assert "log in" in status_of(full_bundle(), "api", "api_test_account").reason
    bad = [f for f in full_bundle() if f.name != "ops_contact"] + [fact("ops_contact", {"name": "王芳", "phone": "1380013800", "email": "x@y.cn"}, 0.6, ["phone 1380013800 is not a valid mainland mobile number"])]
    assert status_of(bad, "website", "operations_staff").status is S.NEEDS_REVIEW
    assert status_of([f for f in full_bundle() if f.name != "ops_contact"], "website", "operations_staff").status is S.MISSING


@settings(max_examples=150, deadline=None)
@given(st.sampled_from(["miniprogram", "website", "image", "enterprise_app", "api", "service"]), st.data())
def test_an_unsure_fact_never_makes_a_bundle_eligible(market, data):
    facts = full_bundle()
    index = data.draw(st.integers(min_value=0, max_value=len(facts) - 1))
    floor = load_rules().settings.confidence_floor
    lowered = data.draw(st.floats(min_value=0.0, max_value=floor - 0.01))
    facts[index] = facts[index].model_copy(update={"confidence": lowered})
    verdict, results = evaluate_market(facts, load_rules(), market, AS_OF)
    used = [r for r in results if facts[index].id in r.facts and r.status is not S.MANUAL]  # manual items only show facts
    assert all(r.status not in (S.PASS, S.FAIL) for r in used)
    if used:
        assert verdict is not Verdict.ELIGIBLE


def test_bonus_notes_never_change_a_verdict():
    from validators.signals import bonus_notes

    facts = full_bundle() + [fact("external_financing", True), fact("well_known_client", "中国移动通信集团有限公司")]
    notes = bonus_notes(FactSet(facts), AS_OF)
    assert any("external financing" in n for n in notes) and any("中国移动" in n for n in notes)
    assert bonus_notes(FactSet(full_bundle() + [fact("external_financing", False)]), AS_OF) == []
    assert evaluate_market(facts, load_rules(), "api", AS_OF)[0] is evaluate_market(full_bundle(), load_rules(), "api", AS_OF)[0]


# ---- every market x requirement of the rules file, on both sides of its boundary -------------------------
# Each entry gives cases (facts, as_of, expected status) for one rule; thresholds come from the rule, so a
# market with another threshold is tested at its own. A requirement added to the rules file without cases
# here fails test_every_market_requirement_has_boundary_cases.

def _months_before(as_of, months, days=0):
    from dateutil.relativedelta import relativedelta

    return (as_of - relativedelta(months=months) - dt.timedelta(days=days)).isoformat()


def _years_before(as_of, years, days=0):
    from dateutil.relativedelta import relativedelta

    return (as_of - relativedelta(years=years) + dt.timedelta(days=days)).isoformat()


def _without(*names):
    return [f for f in full_bundle() if f.name not in names]


def _copyright_of(owner):
    return fact("software_copyright", {"reg_no": "2023SR1", "cert_no": "1", "software_name": "x", "owner": owner, "completed_on": "2023-01-01"})


def _cvm_of(subject):
    return fact("cvm_order", {"order_id": "2024031512", "purchased_on": "2024-03-15", "product": "云服务器", "amount_cny": 1.0, "account_subject": subject})


def _boundary_cases(rule):
    t, later = rule.threshold, AS_OF + dt.timedelta(days=400)
    match rule.id:
        case "company_qualification":
            return [(swap(full_bundle(), "business_term_until", AS_OF.isoformat()), AS_OF, S.PASS),
                    (swap(full_bundle(), "business_term_until", (AS_OF - dt.timedelta(days=1)).isoformat()), AS_OF, S.FAIL),
                    (_without("credit_code") + [fact("credit_code", "91310115MA1H8H1D7X", warnings=["check digit fails"])], AS_OF, S.NEEDS_REVIEW),
                    (_without("company_name", "credit_code", "established_on", "registered_capital_cny"), AS_OF, S.MISSING)]
        case "registered_capital":
            return [(swap(full_bundle(), "registered_capital_cny", t), AS_OF, S.FAIL),
                    (swap(full_bundle(), "registered_capital_cny", t + 1), AS_OF, S.PASS)]
        case "company_age":
            founded = swap(full_bundle(), "established_on", _years_before(later, t))
            return [(founded, later, S.PASS), (founded, later - dt.timedelta(days=1), S.FAIL)]
        case "team_size":
            return [(swap(full_bundle(), "social_security_headcount", t - 1), AS_OF, S.FAIL),
                    (swap(full_bundle(), "social_security_headcount", t), AS_OF, S.PASS),
                    (_without("social_security_headcount", "social_security_employer", "social_security_month", "social_security_roster"), AS_OF, S.MISSING)]
        case "operations_staff":
            return [(full_bundle(), AS_OF, S.PASS), (_without("ops_contact"), AS_OF, S.MISSING)]
        case "customer_service_hours":
            return [(swap(full_bundle(), "customer_service", {"days_per_week": t["days_per_week"], "hours_per_day": t["hours_per_day"]}), AS_OF, S.PASS),
                    (swap(full_bundle(), "customer_service", {"days_per_week": t["days_per_week"], "hours_per_day": t["hours_per_day"] - 1}), AS_OF, S.FAIL),
                    (swap(full_bundle(), "customer_service", {"days_per_week": t["days_per_week"] - 1, "hours_per_day": 24}), AS_OF, S.FAIL)]
        case "product_online":
            first_seen = _without("cvm_order", "miniprogram_stats_date")
            return [(first_seen + [fact("miniprogram_stats_date", _months_before(AS_OF, t))], AS_OF, S.FAIL),
                    (first_seen + [fact("miniprogram_stats_date", _months_before(AS_OF, t, days=1))], AS_OF, S.PASS),
                    (_without("cvm_order", "miniprogram_stats_date"), AS_OF, S.MISSING)]
        case "registered_users":
            return [(swap(full_bundle(), "miniprogram_registered_users", t), AS_OF, S.FAIL),
                    (swap(full_bundle(), "miniprogram_registered_users", t + 1), AS_OF, S.PASS)]
        case "software_copyright":
            foreign = _without("software_copyright") + [_copyright_of("别人有限公司")]
            declared = foreign + [fact("exemptions", list(rule.exemptions))]
            return [(full_bundle(), AS_OF, S.PASS), (foreign, AS_OF, S.FAIL),
                    (declared, AS_OF, S.EXEMPT if rule.exemptions else S.FAIL)]
        case "tencent_cloud_hosting":
            return [(full_bundle(), AS_OF, S.PASS), (_without("cvm_order") + [_cvm_of("别人有限公司")], AS_OF, S.NEEDS_REVIEW),
                    (_without("cvm_order"), AS_OF, S.MISSING)]
        case "customer_cases":
            return [(swap(full_bundle(), "customer_case_count", t - 1), AS_OF, S.FAIL),
                    (swap(full_bundle(), "customer_case_count", t), AS_OF, S.PASS)]
        case "certified_ops_engineers":
            holders = ("王芳", "李雷", "韩梅")[:t]
            valid = [cert(h, f"C-{n}", expires=AS_OF.isoformat()) for n, h in enumerate(holders)]
            base = _without("ops_certificate")
            return [(base + valid, AS_OF, S.PASS), (base + valid, AS_OF + dt.timedelta(days=1), S.FAIL),
                    (base + valid[:-1], AS_OF, S.FAIL)]
        case "cvm_image_delivery" | "agreement_accepted":
            name = rule.id
            return [(swap(full_bundle(), name, True), AS_OF, S.PASS), (swap(full_bundle(), name, False), AS_OF, S.FAIL)]
        case "api_test_account":
            given = {"url": "https://x.cn", "username": "t", "password_given": True}
            return [(full_bundle(), AS_OF, S.PASS), (swap(full_bundle(), "api_test_account", given | {"password_given": False}), AS_OF, S.FAIL),
                    (swap(full_bundle(), "api_test_account", given | {"url": ""}), AS_OF, S.FAIL)]
        case "reputation" | "ops_experience":
            return [(full_bundle(), AS_OF, S.MANUAL), (_without("established_on", "cvm_order", "customer_case_count"), later, S.MANUAL)]
    return []


_ALL_RULES = [(market, rule) for market in load_rules().markets for rule in market_rules(load_rules(), market)]


@pytest.mark.parametrize(("market", "rule"), _ALL_RULES, ids=[f"{m}-{r.id}" for m, r in _ALL_RULES])
def test_every_market_requirement_has_boundary_cases(market, rule):
    cases = _boundary_cases(rule)
    assert cases, f"no boundary cases for {rule.id}"
    if rule.id not in ("reputation", "ops_experience"):
        assert {S.PASS} < {expected for *_, expected in cases} or S.EXEMPT in {e for *_, e in cases}, "both sides needed"
    for facts, as_of, expected in cases:
        got = CHECKS[rule.id](FactSet(facts), rule, as_of)
        assert got.status is expected, (market, rule.id, as_of, got.status, got.reason)
        assert got.reason and "\n" not in got.reason


def qualification(kind, holder=COMPANY, expires="2027-06-30", no="GR202344001234"):
    return fact("qualification", {"type": kind, "holder": holder, "cert_no": no, "issued_on": "2024-07-01", "expires_on": expires, "product": None})


def test_double_software_and_high_tech_notes_follow_holder_and_expiry():
    from validators.signals import bonus_notes

    both = full_bundle() + [qualification("software_enterprise"), qualification("software_product", expires=None)]
    assert any("双软认证" in n and n.startswith("bonus") for n in bonus_notes(FactSet(both), AS_OF))
    one = full_bundle() + [qualification("software_enterprise")]
    assert not any(n.startswith("bonus") and "双软" in n for n in bonus_notes(FactSet(one), AS_OF))
    high_tech = full_bundle() + [qualification("high_tech_enterprise", expires="2026-11-28")]
    assert any("高新" in n and n.startswith("bonus") for n in bonus_notes(FactSet(high_tech), AS_OF))
    later = bonus_notes(FactSet(high_tech), AS_OF + dt.timedelta(days=1))
    assert not any(n.startswith("bonus") for n in later) and any("expired on 2026-11-28" in n for n in later)
    foreign = bonus_notes(FactSet(full_bundle() + [qualification("high_tech_enterprise", holder="别人有限公司")]), AS_OF)
    assert foreign == ["not a bonus: the high_tech_enterprise certificate GR202344001234 names 别人有限公司, not the licensed company " + COMPANY]
    assert evaluate_market(high_tech, load_rules(), "service", AS_OF)[0] is evaluate_market(full_bundle(), load_rules(), "service", AS_OF)[0]
