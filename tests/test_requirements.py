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
    notes = bonus_notes(FactSet(facts))
    assert any("external financing" in n for n in notes) and any("中国移动" in n for n in notes)
    assert bonus_notes(FactSet(full_bundle() + [fact("external_financing", False)])) == []
    assert evaluate_market(facts, load_rules(), "api", AS_OF)[0] is evaluate_market(full_bundle(), load_rules(), "api", AS_OF)[0]
