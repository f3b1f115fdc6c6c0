"""Customer cases, non-evidence files and application.json checks, on the bundles of fixtures/plan_cases.py
(generated here, read with real OCR): every document classified as its truth says, every case fact compared
with the truth, the bundle-level distinct count, plus the rules that are easy to get wrong."""
from __future__ import annotations

import json
import random
from collections import defaultdict
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from extractors import customer_case
from extractors.application import Application, application_facts, contact_problems, mobile_number, read_application
from extractors.classify import classify
from extractors.customer_case import bundle_case_count, parse_period
from extractors.extract import extract_document
from fixtures import plan_cases
from fixtures.companies import make_company
from fixtures.customer_case import make_case_docx
from fixtures.evidence import EvidenceSpec, MakerInput
from fixtures.generate import DEFAULT_SEED, np_rng, write_bundles
from pipeline.config import Settings
from pipeline.ingest import ingest_bundle
from pipeline.models import Document, DocumentKind, Fact, FileType, Page, TextBlock, TextSource
from pipeline.pages import PageReader

SURE = 0.9
CASE_FACTS = ("customer_case", "customer_case_count_in_document", "well_known_client")


@pytest.fixture(scope="module")
def case_set(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("cases")
    write_bundles(plan_cases.BUNDLES, out, DEFAULT_SEED)
    return out


def _truths(case_set: Path) -> list[dict]:
    return [json.loads(p.read_text(encoding="utf-8")) for p in sorted((case_set / "truth").glob("*.json"))]


@pytest.fixture(scope="module")
def readings(case_set, session_home):
    """(bundle, path, truth entry, document as classified, facts) for every evidence file of the case bundles."""
    settings = Settings(home=session_home)
    reader = PageReader(settings)
    out = []
    for truth in _truths(case_set):
        files = {f.path: f for f in ingest_bundle(case_set / "bundles" / truth["bundle"], settings).files}
        for path, doc in truth["documents"].items():
            if doc["kind"] == DocumentKind.APPLICATION:
                continue
            document = reader.read(files[path])
            kind, score = classify(document)
            document = document.model_copy(update={"kind": kind, "kind_score": score})
            out.append((truth["bundle"], path, doc, document, extract_document(document)))
    return out


def _tally(readings) -> tuple[dict, dict, list[str], list[str]]:
    right, total, misses, confident_false = defaultdict(int), defaultdict(int), [], []
    for bundle, path, doc, _, facts in readings:
        for name, expected in doc["facts"].items():
            got = [f for f in facts if f.name == name]
            wanted = expected if isinstance(expected, list) else [expected]
            for item in wanted:
                total[name] += 1
                match = next((f for f in got if f.value == item), None)
                if match is not None:
                    got.remove(match)
                    right[name] += 1
                else:
                    misses.append(f"{bundle}/{path}: {name} {item!r} not read")
            for extra in got:  # read but not in the truth: a wrong fact
                total[name] += 1
                misses.append(f"{bundle}/{path}: {name} read {extra.value!r} ({extra.confidence})")
                if extra.confidence > SURE:
                    confident_false.append(f"{bundle}/{path}: {name}={extra.value!r} at {extra.confidence}")
    return right, total, misses, confident_false


@pytest.mark.slow
def test_every_document_classified(readings):
    wrong = [f"{b}/{p}: {d.kind}, truth {doc['kind']}" for b, p, doc, d, _ in readings if d.kind != DocumentKind(doc["kind"])]
    assert len(readings) >= 18
    assert wrong == []


@pytest.mark.slow
def test_case_facts_against_truth(readings):
    right, total, misses, _ = _tally(readings)
    n_right, n_total = sum(right.values()), sum(total.values())
    print(f"\ncase documents: {n_total} facts, {n_right} right = {100 * n_right / n_total:.1f}%")
    for name in sorted(total):
        print(f"  {name:<34} {right[name]:>4}/{total[name]:<4} {100 * right[name] / total[name]:5.1f}%")
    print("\n".join(misses))
    assert set(CASE_FACTS) <= set(total)
    assert n_right / n_total >= 0.97
    assert all(right[name] / total[name] >= 0.90 for name in total), misses


@pytest.mark.slow
def test_no_confident_false_value(readings):
    assert _tally(readings)[3] == []


@pytest.mark.slow
def test_noise_documents_are_unknown_and_give_no_facts(readings):
    noise = [(d, facts) for _, _, doc, d, facts in readings if doc["kind"] == DocumentKind.UNKNOWN]
    assert len(noise) >= 4
    assert [(d.path, d.kind, facts) for d, facts in noise if d.kind is not DocumentKind.UNKNOWN or facts] == []


@pytest.mark.slow
def test_bundle_count_is_distinct_cases_across_documents(readings, case_set):
    """Truth: distinct (client, project) over the bundle's case documents, computed from the truth files."""
    expected = {
        t["bundle"]: len({(c["client"], c["project"]) for d in t["documents"].values() for c in d["facts"].get("customer_case", [])})
        for t in _truths(case_set)
    }
    facts_by_bundle = defaultdict(list)
    for bundle, _, _, _, facts in readings:
        facts_by_bundle[bundle].extend(facts)
    counted = {b: bundle_case_count(f).value for b, f in facts_by_bundle.items() if bundle_case_count(f)}
    assert counted == {b: n for b, n in expected.items() if n}
    repeat = bundle_case_count(facts_by_bundle["cases_repeat"])
    assert (repeat.value, len([f for f in facts_by_bundle["cases_repeat"] if f.name == "customer_case"])) == (5, 6)
    assert counted["cases_only_four"] == 4


@pytest.mark.slow
def test_bad_phone_bundle_lowers_the_contact(case_set, session_home):
    folder = case_set / "bundles" / "cases_bad_phone"
    file = next(f for f in ingest_bundle(folder, Settings(home=session_home)).files if f.path == "application.json")
    contact = next(f for f in application_facts(read_application(file), file.path) if f.name == "ops_contact")
    assert contact.value["phone"] == plan_cases.BAD_PHONE  # kept as declared
    assert contact.confidence <= 0.6
    assert [w for w in contact.warnings if "phone" in w] and not [w for w in contact.warnings if "email" in w]


# --- focused rules, no OCR ---------------------------------------------------------------------------------

def _page(number: int, lines: list[str]) -> Page:
    blocks = [TextBlock(text=t, bbox=(0, i, 1, i + 1), confidence=1.0) for i, t in enumerate(lines)]
    return Page(number=number, width=1, height=len(lines), source=TextSource.CELLS, blocks=blocks)


def _doc(lines: list[str], *more_pages: list[str]) -> Document:
    pages = [_page(n, page) for n, page in enumerate((lines, *more_pages), start=1)]
    return Document(path="案例.docx", sha256="0", file_type=FileType.DOCX, kind=DocumentKind.CUSTOMER_CASE, pages=pages)


def _named(facts: list[Fact], name: str) -> list:
    return [f.value for f in facts if f.name == name]


def test_prose_mentioning_a_label_does_not_start_a_case():
    facts = customer_case.extract(_doc([
        "客户案例", "案例一", "客户名称：深圳市鼎盛物流集团有限公司", "项目名称：智慧仓储平台建设项目", "上线时间：2023年5月",
        "项目简介：为客户搭建仓储平台，", "客户满意度显著提升；项目上线后运行稳定。",
    ]))
    assert _named(facts, "customer_case") == [
        {"client": "深圳市鼎盛物流集团有限公司", "project": "智慧仓储平台建设项目", "period": "2023-05"}]


def test_a_case_cut_by_a_page_break_continues_on_the_next_page():
    facts = customer_case.extract(_doc(
        ["案例一", "客户名称：甲乙物流有限公司", "项目名称：智慧仓储平台项目"],
        ["项目时间：2023.01-2023.05", "案例二", "客户名称：丙丁医药有限公司", "项目名称：电子合同项目", "上线时间：2024年2月"],
    ))
    assert [(c["client"], c["period"]) for c in _named(facts, "customer_case")] == [
        ("甲乙物流有限公司", "2023-01/2023-05"), ("丙丁医药有限公司", "2024-02")]
    assert _named(facts, "customer_case_count_in_document") == [2]



def test_a_period_ocr_broke_into_two_blocks_is_one_range():
    """合作时间 | 2025.07 | 2025.10: a scanned table's label, then the range's two ends as two OCR blocks."""
    rows = [("案例一",), ("客户名称", "南京鲜丰汽车销售服务有限公司"), ("项目名称", "鲜丰汽车等保三级安全加固服务"),
            ("合作时间", "2025.07", "2025.10")]
    blocks = [TextBlock(text=text, bbox=(40 + 120 * j, 30 * i, 40 + 120 * j + 18 * len(text), 30 * i + 18), confidence=0.99)
              for i, row in enumerate(rows) for j, text in enumerate(row)]
    page = Page(number=1, width=600, height=200, source=TextSource.OCR, blocks=blocks)
    document = Document(path="案例.pdf", sha256="0", file_type=FileType.PDF, kind=DocumentKind.CUSTOMER_CASE, pages=[page])
    (case,) = _named(customer_case.extract(document), "customer_case")
    assert case["period"] == "2025-07/2025-10"


def test_headings_that_disagree_with_the_cases_lower_the_count():
    facts = customer_case.extract(_doc(["案例一", "客户：甲乙物流有限公司", "项目：一号项目", "案例二", "案例三",
                                        "客户：丙丁医药有限公司", "项目：二号项目"]))
    count = next(f for f in facts if f.name == "customer_case_count_in_document")
    assert count.value == 2 and count.confidence <= 0.6 and count.warnings


def test_client_that_is_no_organisation_name_is_doubted():
    facts = customer_case.extract(_doc(["客户名称：某知名连锁餐饮品牌", "项目名称：会员小程序开发项目", "项目时间：2022.03-2022.09"]))
    case = next(f for f in facts if f.name == "customer_case")
    assert case.value["client"] == "某知名连锁餐饮品牌" and case.confidence <= 0.6 and case.warnings


def test_well_known_by_name_or_by_mention():
    facts = customer_case.extract(_doc([
        "1. 国家电网有限公司", "客户名称：国家电网有限公司", "项目名称：设备巡检小程序项目",
        "2. 某汽车集团", "客户名称：江苏远航汽车服务集团有限公司", "项目名称：门店平台项目", "项目简介：该客户为世界500强企业。",
        "3. 普通客户", "客户名称：南京百川建材有限公司", "项目名称：电子合同项目",
    ]))
    assert _named(facts, "well_known_client") == ["国家电网有限公司", "江苏远航汽车服务集团有限公司"]


@pytest.mark.parametrize("text, expected", [
    ("2023年3月", "2023-03"), ("2023.03 - 2023.09", "2023-03/2023-09"), ("2022-07 至 2023-09", "2022-07/2023-09"),
    ("2023年5月12日", "2023-05"), ("２０２３年３月－２０２４年１月", "2023-03/2024-01"),
])
def test_parse_period(text, expected):
    assert parse_period(text) == expected


@pytest.mark.parametrize("text", ["2023年13月", "2024.05-2023.01", "近三年", "2021.01-2022.01-2023.01"])
def test_parse_period_rejects(text):
    with pytest.raises(ValueError):
        parse_period(text)


@given(st.text(alphabet="0123456789年月日.-至 /", max_size=30))
def test_parse_period_returns_or_raises_value_error(text):
    try:
        assert isinstance(parse_period(text), str)
    except ValueError:
        pass


def _case(client: str, project: str, document: str, confidence: float = 0.99) -> Fact:
    return Fact(name="customer_case", value={"client": client, "project": project, "period": None},
                confidence=confidence, document=document)


def test_bundle_count_merges_a_case_misread_in_one_file_but_not_a_sibling_project():
    facts = [
        _case("北京市百川医药集团股份有限公司", "数字化门店系统升级项目", "a.docx"),
        _case("北京市百川医药集团股份有限公司", "智能客服云化改造项目", "a.docx"),
        _case("北京市百川医药集团股份有眼公司", "数字化门店系统升级项目", "b.jpg"),  # OCR misread 限
        _case("北京百川医药有限公司", "数字化门店系统升级项目", "b.jpg"),  # another client
    ]
    count = bundle_case_count(facts)
    assert count.value == 3
    assert count.confidence <= 0.85 and any("same case" in w for w in count.warnings)
    assert count.document == "a.docx; b.jpg"
    assert bundle_case_count([]) is None


def test_case_docx_bytes_are_the_same_for_a_seed():
    company = make_company(random.Random(5))
    spec = EvidenceSpec("案例.docx", "customer_case_docx", (("layout", "cards"),))
    made = [make_case_docx(MakerInput(spec, company, random.Random(1), np_rng(1, "x"), "b")).data for _ in range(2)]
    assert made[0] == made[1]


# --- application.json --------------------------------------------------------------------------------------

def _application(**contact) -> Application:
    base = {"name": "王芳", "phone": "13800138000", "email": "ops@example.cn"}
    return Application.model_validate({
        "company_name": "深圳市云帆信息技术有限公司", "ops_contact": {**base, **contact},
        "api_test_account": {"url": "https://x.cn", "username": "tencent_review", "password": "S3cret-pa55!"},
    })


@pytest.mark.parametrize("phone", ["13800138000", "+86 138 0013 8000", "138-0013-8000", "0086 13800138000"])
def test_valid_mobiles_pass(phone):
    assert mobile_number(phone) == "13800138000"
    contact = next(f for f in application_facts(_application(phone=phone), "application.json") if f.name == "ops_contact")
    assert contact.confidence == 1.0 and contact.warnings == []


@pytest.mark.parametrize("field, value", [
    ("phone", "1380013800"), ("phone", "12800138000"), ("phone", "010-88886666"), ("phone", None),
    ("email", "ops@example"), ("email", "ops.example.cn"), ("name", " "), ("name", None),
])
def test_bad_contact_field_is_doubted_and_named(field, value):
    contact = next(f for f in application_facts(_application(**{field: value}), "application.json") if f.name == "ops_contact")
    assert contact.confidence <= 0.6
    assert contact.value[field] == value  # the declared value is kept
    assert [w for w in contact.warnings if w.startswith(f"ops_contact.{field}")]
    assert len(contact_problems(_application(**{field: value}).ops_contact)) == 1


def test_password_is_in_no_fact():
    facts = application_facts(_application(phone="1380013800"), "application.json")
    dumped = json.dumps([f.model_dump(mode="json") for f in facts], ensure_ascii=False)
    assert "S3cret-pa55!" not in dumped
    assert next(f for f in facts if f.name == "api_test_account").value["password_given"] is True
