"""Qualification certificates (高新技术企业证书, 软件企业证书, 软件产品证书): the bundles of
fixtures/plan_qualification.py through real OCR, classification and the registered extractor, every certificate
compared with the truth beside it (per-field table printed). Then the rules that are easy to get wrong, on
hand-made pages (no OCR)."""
from __future__ import annotations

import datetime as dt
from collections import defaultdict
from pathlib import Path

import pytest

from extractors import qualification_certificate as qc
from extractors.classify import classify
from fixtures.plan_qualification import BUNDLES
from pipeline.models import Document, DocumentKind, Fact, FileType, Page, TextBlock, TextSource
from tests.readings import Reading, pair_items, read_bundles

FACT = "qualification"
SURE = 0.9
AS_OF = "2026-11-28"


@pytest.fixture(scope="module")
def readings(tmp_path_factory: pytest.TempPathFactory, session_home: Path) -> list[Reading]:
    return read_bundles(BUNDLES, tmp_path_factory.mktemp("qualification"), session_home, {qc.KIND})


class Tally:
    def __init__(self) -> None:
        self.items = [0, 0]  # right, total
        self.fields: dict[str, list[int]] = defaultdict(lambda: [0, 0])
        self.misses: list[str] = []
        self.confident_false: list[str] = []

    def add(self, reading: Reading) -> None:
        pairs, invented = pair_items(reading.expected.get(FACT, []), [f for f in reading.facts if f.name == FACT])
        for item, fact in pairs:
            self._item(reading.where, item, fact)
        for fact in invented:
            self.items[1] += 1
            self.misses.append(f"{reading.where}: invented {fact.value}")
            if fact.confidence > SURE:
                self.confident_false.append(f"{reading.where}: invented {fact.value} at {fact.confidence}")

    def _item(self, where: str, item: dict, fact: Fact | None) -> None:
        value = fact.value if fact is not None else {}
        for field, expected in item.items():
            counts = self.fields[field]
            counts[0] += value.get(field) == expected
            counts[1] += 1
        right = fact is not None and value == item
        self.items[0] += right
        self.items[1] += 1
        if not right:
            self.misses.append(f"{where}: read {value or None}, truth {item}")
        if fact is not None and not right and fact.confidence > SURE:
            self.confident_false.append(f"{where}: {value} at {fact.confidence}")

    def table(self) -> str:
        right, total = self.items
        rows = [f"{'fact / field':<30} right/total", f"  {FACT:<28} {right}/{total} = {100 * right / total:.1f}%"]
        rows += [f"  {FACT + '.' + key:<28} {r}/{t} = {100 * r / t:.1f}%" for key, (r, t) in self.fields.items()]
        return "\n".join(rows)


@pytest.fixture(scope="module")
def tally(readings: list[Reading]) -> Tally:
    result = Tally()
    for reading in readings:
        if reading.truth_kind == qc.KIND:
            result.add(reading)
    print("\n" + result.table() + "\n" + "\n".join(result.misses))
    return result


@pytest.mark.slow
def test_every_document_is_classified_as_its_kind(readings: list[Reading]) -> None:
    wrong = [f"{r.where}: {r.kind} (truth {r.truth_kind})" for r in readings if str(r.kind) != r.truth_kind]
    assert wrong == []
    assert {r.truth_kind for r in readings} >= {"qualification_certificate", "ops_certificate", "software_copyright",
                                                "business_license"}


@pytest.mark.slow
def test_certificates_are_read_right(tally: Tally) -> None:
    right, total = tally.items
    assert total >= 10
    assert right / total >= 0.97
    assert all(r / t >= 0.90 for r, t in tally.fields.values()), dict(tally.fields)


@pytest.mark.slow
def test_no_confident_false_value(tally: Tally) -> None:
    assert tally.confident_false == []


def _values(readings: list[Reading], bundle: str) -> list[dict]:
    return [f.value for r in readings if r.bundle == bundle for f in r.facts]


@pytest.mark.slow
def test_types_and_expiry_are_read_right(readings: list[Reading]) -> None:
    types = {bundle.name: sorted(v["type"] for v in _values(readings, bundle.name)) for bundle in BUNDLES}
    assert types["qual_double_software_clean"] == types["qual_double_software_photo"] == [
        "software_enterprise", "software_product"]
    assert types["qual_pdf_three"] == ["high_tech_enterprise", "software_enterprise", "software_product"]
    assert types["qual_high_tech_scan"] == types["qual_high_tech_expired"] == ["high_tech_enterprise"]
    assert types["qual_beside_other_certificates"] == ["software_product"]
    # 有效期：三年 / 五年 only: the expiry is the day before the anniversary of the issue date.
    printed_period = _values(readings, "qual_high_tech_scan") + [
        v for v in _values(readings, "qual_double_software_photo") if v["type"] == "software_product"]
    for value in printed_period:
        years = 3 if value["type"] == "high_tech_enterprise" else 5
        issued = dt.date.fromisoformat(value["issued_on"])
        assert value["expires_on"] == qc.expiry_after(issued, years).isoformat()
    (expired,) = _values(readings, "qual_high_tech_expired")
    assert expired["issued_on"].startswith("2021") and expired["expires_on"] < AS_OF
    assert all(v["expires_on"] >= AS_OF for b in ("qual_high_tech_scan", "qual_pdf_three", "qual_double_software_clean")
               for v in _values(readings, b))


@pytest.mark.slow
def test_holder_is_read_even_when_not_the_applicant(readings: list[Reading]) -> None:
    (reading,) = [r for r in readings if r.bundle == "qual_other_owner" and r.truth_kind == qc.KIND]
    (fact,) = reading.facts
    assert reading.application is not None
    assert fact.value["holder"] == reading.expected[FACT][0]["holder"] != reading.application["company_name"]


@pytest.mark.slow
def test_each_page_of_a_pdf_is_its_own_certificate(readings: list[Reading]) -> None:
    (reading,) = [r for r in readings if r.bundle == "qual_pdf_three"]
    assert sorted(f.page for f in reading.facts) == [1, 2, 3]


# ---------------------------------------------------------------- rules on hand-made pages (no OCR)


def _document(*lines: str) -> Document:
    """One page whose lines are OCR blocks, one under the other."""
    blocks = [TextBlock(text=line, bbox=(100, 100 + 80 * n, 900, 150 + 80 * n), confidence=0.99)
              for n, line in enumerate(lines)]
    page = Page(number=1, width=1000, height=2000, source=TextSource.OCR, blocks=blocks)
    return Document(path="证书.jpg", sha256="0" * 64, file_type=FileType.JPEG, pages=[page])


HIGH_TECH = ("高新技术企业证书", "企业名称：深圳市云帆信息技术有限公司", "证书编号：{no}", "发证时间：2023年12月12日",
             "有效期：三年", "批准机关：")
PRODUCT = ("软件产品证书", "证书编号：{no}", "软件名称：云帆智能客服管理系统V1.O", "申请企业：深圳市云帆信息技术有限公司",
           "发证日期：2023年6月30日", "{validity}")


def _one(*lines: str) -> Fact:
    (fact,) = qc.extract(_document(*lines))
    return fact


def _high_tech(number: str) -> Fact:
    return _one(*(line.format(no=number) for line in HIGH_TECH))


def _product(number: str = "粤RC-2023-0456", validity: str = "有效期：五年") -> Fact:
    return _one(*(line.format(no=number, validity=validity) for line in PRODUCT))


def test_high_tech_expiry_is_three_years_from_the_issue_date() -> None:
    fact = _high_tech("GR202344001234")
    assert fact.value == {"type": "high_tech_enterprise", "holder": "深圳市云帆信息技术有限公司",
                          "cert_no": "GR202344001234", "issued_on": "2023-12-12", "expires_on": "2026-12-11",
                          "product": None}
    assert fact.confidence > SURE and fact.warnings == []


def test_product_certificate_reads_its_software_and_five_years() -> None:
    fact = _product()
    assert fact.value == {"type": "software_product", "holder": "深圳市云帆信息技术有限公司", "cert_no": "粤RC-2023-0456",
                          "issued_on": "2023-06-30", "expires_on": "2028-06-29", "product": "云帆智能客服管理系统V1.0"}


def test_printed_expiry_date_wins_and_a_range_gives_its_end() -> None:
    assert _product(validity="有效期至：2028年06月01日").value["expires_on"] == "2028-06-01"
    assert _product(validity="有效期：2023年6月30日至2028年6月28日").value["expires_on"] == "2028-06-28"


def test_cert_no_is_repaired_by_position_and_province() -> None:
    assert _high_tech("GR2O2344OO1234").value["cert_no"] == "GR202344001234"
    fact = _product("粵RC-2O23-0456")
    assert fact.value["cert_no"] == "粤RC-2023-0456"
    assert fact.confidence < 0.99 and any("repaired" in w for w in fact.warnings)


@pytest.mark.parametrize("number", ["GR20234400123", "GR202399001234", "RC-2023-0456"])
def test_cert_no_failing_its_format_is_not_trusted(number: str) -> None:
    fact = _product(number) if number.startswith("RC") else _high_tech(number)
    assert fact.confidence <= 0.6 and fact.warnings


def test_cert_no_of_another_type_is_not_trusted() -> None:
    fact = _high_tech("粤RQ-2023-0123")
    assert fact.value["type"] == "high_tech_enterprise"
    assert fact.confidence <= 0.6 and any("does not match the high_tech_enterprise format" in w for w in fact.warnings)


def test_number_year_after_the_issue_date_is_not_trusted() -> None:
    fact = _high_tech("GR202544001234")
    assert fact.confidence <= 0.6 and any("after the issue date" in w for w in fact.warnings)


def test_type_from_the_number_when_no_title_is_read() -> None:
    fact = _one("证书编号：粤RQ-2024-0123", "企业名称：深圳市云帆信息技术有限公司", "发证日期：2024年5月6日",
                "有效期至：2025年5月5日")
    assert fact.value["type"] == "software_enterprise" and fact.value["product"] is None


@pytest.mark.parametrize(("lines", "kind"), [
    (("高新技术企业证书", "企业名称：某某有限公司"), DocumentKind.QUALIFICATION_CERTIFICATE),
    (("软件企业评估证书", "证书编号：粤RQ-2023-0123"), DocumentKind.QUALIFICATION_CERTIFICATE),
    (("腾讯云认证证书", "证书编号：TCP-OPS-2024-000123", "有效期至：2027年03月14日", "发证日期：2024年3月15日"),
     DocumentKind.OPS_CERTIFICATE),
    (("计算机软件著作权登记证书", "软件名称：云帆智能客服管理系统V1.0", "著作权人：某某有限公司", "登记号：2023SR0123456"),
     DocumentKind.SOFTWARE_COPYRIGHT),
])
def test_titles_decide_the_certificate_kind(lines: tuple[str, ...], kind: DocumentKind) -> None:
    assert classify(_document(*lines))[0] is kind


def test_a_verify_page_listing_several_types_gives_each_card_its_own(tmp_path: Path, session_home: Path) -> None:
    """A 软件行业协会's 证书查验 page (a blind family) lists 软件企业 and 软件产品 certificates together under a
    heading naming both: each card's type is the one its 证书类型 states, a product card's product is the
    software name heading it (企业资源计划平台V2.0 too, though it opens with 企业), and the holder is on every card."""
    from pipeline.config import Settings
    from pipeline.models import BundleFile
    from pipeline.pages import PageReader
    from pipeline.sniff import sniff_file_type
    from tests.readings import blind_document

    path = blind_document("qualification_certificate/fresh5_assoc_qr_verify_h5", "screenshot", tmp_path)
    file = BundleFile(path=path.name, local_path=str(path), sha256="0" * 64, size=path.stat().st_size,
                      file_type=sniff_file_type(path))
    facts = qc.extract(PageReader(Settings(home=session_home)).read(file))
    kinds = {f.value["cert_no"]: f.value["type"] for f in facts}
    assert len(kinds) >= 4
    assert all(t == ("software_enterprise" if "RQ-" in no else "software_product") for no, t in kinds.items())
    assert all(f.value["product"] for f in facts if f.value["type"] == "software_product")
    # the first card prints no 企业名称: the company the page was queried for, every other card's holder, is its
    assert len({f.value["holder"] for f in facts}) == 1 and facts[0].value["holder"]


def test_a_published_list_of_certified_companies_gives_one_certificate_per_row() -> None:
    """A 高企 备案公告 page: the paragraph states the issue date once (发证日期为…) and the three years (有效期为三年);
    the name list under it has a narrow 序号, left-aligned names under a centred 企业名称, and 证书编号. Each row is a
    certificate of its own company, expiring three years less a day after the stated issue date."""
    blocks = [TextBlock(text=t, bbox=b, confidence=0.99) for t, b in [
        ("高新技术企业认定管理工作网", (100, 40, 600, 80)),
        ("关于对浙江省认定机构2025年认定报备的第一批高新技术企业进行备案的公告", (100, 120, 1300, 160)),
        ("现予公告。上述企业高新技术企业证书的发证日期为2025年12月19日，高新技术企业资", (100, 200, 1300, 230)),
        ("格自颁发证书之日起有效期为三年。", (100, 240, 600, 270)),
        ("序号", (100, 320, 150, 350)), ("企业名称", (540, 320, 630, 350)), ("证书编号", (1100, 320, 1190, 350)),
        ("1", (115, 370, 130, 400)), ("杭州云谷数据科技有限公司", (200, 370, 480, 400)), ("GR202533000118", (1060, 370, 1230, 400)),
        ("2", (115, 420, 130, 450)), ("宁波海曙智联信息技术有限公司", (200, 420, 520, 450)), ("GR202533000125", (1060, 420, 1230, 450))]]
    document = Document(path="备案名单.png", sha256="0" * 64, file_type=FileType.PNG,
                        pages=[Page(number=1, width=1400, height=600, source=TextSource.OCR, blocks=blocks)])
    assert classify(document)[0] is DocumentKind.QUALIFICATION_CERTIFICATE
    facts = qc.extract(document)
    assert [(f.value["holder"], f.value["cert_no"], f.value["issued_on"], f.value["expires_on"], f.value["type"]) for f in facts] == [
        ("杭州云谷数据科技有限公司", "GR202533000118", "2025-12-19", "2028-12-18", "high_tech_enterprise"),
        ("宁波海曙智联信息技术有限公司", "GR202533000125", "2025-12-19", "2028-12-18", "high_tech_enterprise")]
    assert all(f.confidence >= 0.8 and any("printed once for every row" in e for e in f.evidence) for f in facts)


def test_an_electronic_certificate_in_a_government_app_numbered_by_its_own_label() -> None:
    """A 电子证照's detail page in the province's app: the number after 证照编号, the app's own label."""
    fact = _one("证照详情", "高新技术企业证书", "持证主体：上海市墨客软件科技有限公司", "证照编号：GR202331001890",
                "发证日期：2023-12-06", "有效期至：2026-12-05")
    assert (fact.value["cert_no"], fact.value["issued_on"], fact.value["expires_on"]) == ("GR202331001890", "2023-12-06", "2026-12-05")
