"""The typed field layer on hand-made pages (no OCR): values by shape, roles by label geometry (Chinese and
English, fuzzy), document priors, confidence from agreement, and the registry that holds the extractors."""
from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from hypothesis import given, strategies as st

from extractors import ops_certificate
from extractors.dates import RangeRole, find_dates, find_months
from extractors.field_reading import FieldReader, read_document
from extractors.field_types import FieldSpec, FieldType, PriorSpec
from extractors.registry import Registry, discover
from extractors.shapes import IdFormat, Lookalikes, match_formats
from extractors.specs import ExtractorConfigError, load_data_file
from pipeline.models import Document, DocumentKind, FileType, Page, TextBlock, TextSource


def _page(*blocks: tuple[str, tuple[float, float, float, float]]) -> Page:
    return Page(number=1, width=1200, height=1600, source=TextSource.OCR,
                blocks=[TextBlock(text=t, bbox=b, confidence=0.99) for t, b in blocks])


def _document(*blocks: tuple[str, tuple[float, float, float, float]]) -> Document:
    return Document(path="证书.jpg", sha256="0" * 64, file_type=FileType.JPEG, pages=[_page(*blocks)])


def test_holder_without_a_label_is_the_name_printed_largest() -> None:
    """A bilingual certificate: the holder alone, large and centred; number and dates by their English labels."""
    document = _document(
        ("腾讯云", (500, 80, 700, 140)), ("认证证书", (450, 200, 750, 300)), ("CERTIFICATE", (480, 320, 720, 360)),
        ("王思远", (480, 420, 720, 560)),
        ("通过腾讯云认证考试，被认定为", (350, 620, 850, 670)), ("has been certified as", (420, 690, 780, 730)),
        ("腾讯云高级运维工程师", (380, 780, 820, 860)), ("Tencent Cloud Certified Professional - Operations", (300, 880, 900, 920)),
        ("Certificate No.: TCP-OPS-2025-001234", (300, 1100, 900, 1140)),
        ("Valid until: Mar 5, 2028", (300, 1160, 900, 1200)), ("Issue Date: 2025-03-06", (300, 1220, 900, 1260)),
    )
    (fact,) = ops_certificate.extract(document)
    assert fact.value == {"holder": "王思远", "cert_no": "TCP-OPS-2025-001234", "title": "腾讯云高级运维工程师",
                          "issued_on": "2025-03-06", "expires_on": "2028-03-05", "level": "TCP", "track": "operations"}
    holder = next(e for e in fact.evidence if e.startswith("holder:"))
    assert "printed largest" in holder and "label" not in holder
    assert fact.confidence >= 0.8


def test_english_holder_below_its_label_in_latin_letters() -> None:
    document = _document(
        ("Tencent Cloud", (450, 80, 750, 140)), ("CERTIFICATE OF ACHIEVEMENT", (350, 200, 850, 260)),
        ("This is to certify that", (420, 320, 780, 360)), ("ZHANG Weiqiang", (450, 380, 750, 430)),
        ("has passed the examination and is certified as", (300, 450, 900, 490)),
        ("Tencent Cloud Certified Professional - Operations", (300, 520, 900, 570)),
        ("Certificate No. 2024TCP7189800", (300, 700, 900, 740)), ("Valid Until Dec 17, 2027", (300, 760, 900, 800)),
    )
    (fact,) = ops_certificate.extract(document)
    assert fact.value["holder"] == "ZHANG Weiqiang" and fact.value["expires_on"] == "2027-12-17"
    assert (fact.value["level"], fact.value["track"]) == ("TCP", "operations")


def _reader(**fields: FieldSpec) -> FieldReader:
    return FieldReader(fields, {}, Lookalikes())


def test_confidence_rises_with_agreement() -> None:
    """The same date read by shape and label, by shape and prior, and by all three."""
    reader = _reader(expires_on=FieldSpec(type=FieldType.DATE, labels=["有效期至"], range=RangeRole.END,
                                          priors=[PriorSpec(prior="range_end")]))
    labelled = read_document(reader, [_page(("有效期至：2027年03月14日", (100, 100, 700, 150)))])["expires_on"]
    by_prior = read_document(reader, [_page(("2024年03月15日至2027年03月14日", (100, 100, 900, 150)))])["expires_on"]
    both = read_document(reader, [_page(("有效期至：2024年03月15日至2027年03月14日", (100, 100, 900, 150)))])["expires_on"]
    assert labelled.value == by_prior.value == both.value == "2027-03-14"
    assert both.confidence > labelled.confidence > by_prior.confidence >= 0.8
    alone = read_document(reader, [_page(("2027年03月14日", (100, 100, 700, 150)))])
    assert "expires_on" not in alone  # a date somewhere on the page is not yet this field's


def test_a_label_read_with_a_wrong_character_still_labels() -> None:
    reader = _reader(credit_code=FieldSpec(type=FieldType.IDENTIFIER, format="uscc", labels=["统一社会信用代码"]))
    found = read_document(reader, [_page(("统一社会信用代吗", (100, 100, 500, 150)), ("91440300MA5FAKEX0L", (520, 100, 900, 150)))])
    bad = found["credit_code"]  # a failing check character: kept as printed, never trusted
    assert (bad.value, bad.confidence) == ("91440300MA5FAKEX0L", 0.5) and bad.warnings
    found = read_document(reader, [_page(("统一社会信用代吗", (100, 100, 500, 150)), ("91110108783226910X", (520, 100, 900, 150)))])
    assert found["credit_code"].value == "91110108783226910X"
    assert any("统一社会信用代码" in e for e in found["credit_code"].evidence)


def test_value_columns_under_a_header_row_go_to_their_own_label() -> None:
    """CERTIFICATE NO. | ISSUED ON | VALID UNTIL over one row of values: each value to the label above it."""
    reader = _reader(issued_on=FieldSpec(type=FieldType.DATE, labels=["Issued On"]),
                     expires_on=FieldSpec(type=FieldType.DATE, labels=["Valid Until"]))
    page = _page(("ISSUED ON", (100, 100, 300, 140)), ("VALID UNTIL", (500, 100, 700, 140)),
                 ("Dec 18, 2024", (100, 160, 300, 200)), ("Dec 17, 2027", (500, 160, 700, 200)))
    found = read_document(reader, [page])
    assert (found["issued_on"].value, found["expires_on"].value) == ("2024-12-18", "2027-12-17")


def test_identifiers_are_repaired_in_place_never_rewritten() -> None:
    formats = [IdFormat(template="LLL-LLL-DDDD-DDDDDD")]
    assert match_formats("TCP-0PS-2O24-000l23", formats, Lookalikes()).value == "TCP-OPS-2024-000123"
    unformatted = match_formats("TCPOPS2024000123", formats, Lookalikes())
    assert (unformatted.value, unformatted.valid) == ("TCPOPS2024000123", False)  # no dash is inserted


@pytest.mark.parametrize("printed, expected", [
    ("2019年3月5日", "2019-03-05"), ("2019-03-05", "2019-03-05"), ("2019/3/5", "2019-03-05"), ("2019.03.05", "2019-03-05"),
    ("二〇一九年三月五日", "2019-03-05"), ("Mar 5, 2019", "2019-03-05"), ("5 March 2019", "2019-03-05"),
    ("March 05th, 2019", "2019-03-05"), ("13/03/2019", "2019-03-13"), ("2026-11-2418:59:59", "2026-11-24"),
])
def test_dates_in_every_printed_form(printed: str, expected: str) -> None:
    (mention,) = [m for m in find_dates(printed) if isinstance(m.value, dt.date)]
    assert mention.value.isoformat() == expected and mention.strength == 1.0


def test_an_ambiguous_day_and_month_is_not_trusted() -> None:
    (mention,) = find_dates("05/03/2024")
    assert mention.strength < 0.5 and mention.warnings


def test_ranges_and_open_ends() -> None:
    roles = [(str(m.value), str(m.role)) for m in find_dates("2020年1月1日至长期")]
    assert roles == [("2020-01-01", "start"), ("长期", "end")]
    assert [m.value for m in find_months("2026年01月至2026年10月")] == ["2026-01", "2026-10"]


@given(st.text(max_size=60))
def test_date_and_month_finders_never_raise(text: str) -> None:
    assert isinstance(find_dates(text), list) and isinstance(find_months(text), list)


# ---------------------------------------------------------------- the registry


def test_every_kind_with_a_data_file_has_its_extractor() -> None:
    registry = discover()
    assert DocumentKind.OTHER_CERTIFICATE in registry.kinds() and DocumentKind.CLOUD_CONSOLE in registry.kinds()
    assert registry.get(DocumentKind.UNKNOWN) is None


def test_a_data_file_whose_kind_is_no_document_kind_is_refused(tmp_path: Path) -> None:
    stray = tmp_path / "stray.yaml"
    stray.write_text("version: 1\nkind: not_a_kind\nclassify: {min_score: 1, keywords: {x: 1}}\n", encoding="utf-8")
    with pytest.raises(ExtractorConfigError, match="stray.yaml"):
        load_data_file(stray)


def test_a_second_extractor_for_one_kind_is_refused() -> None:
    registry = Registry()
    registry.register(ops_certificate.EXTRACTOR, "first")
    with pytest.raises(ExtractorConfigError, match="second extractor"):
        registry.register(ops_certificate.OpsCertificate(), "second")


# --- pages as people photograph them: perspective, rows of headers, running text ---------------------------------

def _photographed_certificates(slopes: tuple[float, ...]) -> list[tuple[str, tuple[float, float, float, float]]]:
    """Certificates one above the other on a photo whose tilt changes down the page (perspective): each prints a
    name, a title and a row of headers (CERTIFICATION NO. | ISSUED ON | VALID UNTIL) with its values a little under
    them, closer than a line is high."""
    blocks = []
    centre = 1030.0

    def put(text: str, x0: float, y0: float, width: float, height: float, slope: float) -> None:
        dy = slope * (x0 + width / 2 - centre)
        blocks.append((text, (x0, y0 + dy, x0 + width, y0 + dy + height)))

    for n, slope in enumerate(slopes):
        top = 300 + 700 * n
        put(f"Holder {n}", 900, top, 300, 48, slope)
        put("Tencent Cloud Certified", 700, top + 100, 330, 40, slope)
        put("Professional - Operations", 1060, top + 100, 360, 40, slope)
        for x, label, value in ((860, "CERTIFICATION NO.", f"2025TCP71{n}5646"), (1065, "ISSUED ON", f"May {n + 2}, 2025"),
                                (1250, "VALID UNTIL", f"May {n + 1}, 2028")):
            put(label, x, top + 200, 150, 26, slope)
            put(value, x, top + 222, 150, 30, slope)
    return blocks


def test_a_photo_whose_tilt_changes_down_the_page_keeps_headers_and_values_apart() -> None:
    """Levelling measures the tilt in runs down the page, each run on its own: rows of headers over their values,
    closer than a line is high, give no pairs across the two rows that would carry a wrong tilt on down the page."""
    from extractors.lines import page_lines

    page = _page(*_photographed_certificates((0.06, 0.02, -0.02)))
    page = page.model_copy(update={"height": 2400})
    texts = [line.text for line in page_lines(page)]
    for n in range(3):
        assert "CERTIFICATION NO.ISSUED ON VALID UNTIL" in texts
        assert f"2025TCP71{n}5646 May {n + 2},2025 May {n + 1},2028" in texts, texts


def test_a_value_right_of_a_header_under_the_next_header_is_the_next_headers() -> None:
    """On a tilted photo the value under VALID UNTIL may overlap the ISSUED ON header's height: it is not the value
    beside ISSUED ON, because another label stands over it."""
    document = _document(
        ("Presented to", (500, 100, 700, 130)), ("WEI XINHAO", (450, 140, 750, 200)),
        ("Tencent Cloud Certified Professional - Operations", (300, 260, 900, 300)),
        ("CERTIFICATION NO.", (300, 400, 450, 426)), ("ISSUED ON", (500, 404, 580, 430)), ("VALID UNTIL", (690, 399, 790, 425)),
        ("2025TCP7185646", (300, 419, 450, 449)), ("May 9, 2025", (497, 422, 600, 452)), ("May 8, 2028", (688, 417, 790, 447)),
    )
    (fact,) = ops_certificate.extract(document)
    assert (fact.value["issued_on"], fact.value["expires_on"]) == ("2025-05-09", "2028-05-08")


def test_a_label_closing_its_line_with_a_colon_introduces_the_next_line() -> None:
    """…has achieved their: | AWS Certified Cloud Practitioner — the value starts the next line, far left of the
    label, as running text is read on."""
    from extractors import other_certificate

    document = _document(
        ("Jingyong Huang", (94, 396, 782, 514)),
        ("has successfully completed the AWS Certification requirements and has achieved their:", (103, 530, 1351, 572)),
        ("AWS Certified Cloud Practitioner", (107, 623, 988, 678)),
        ("Expiration Date", (430, 836, 640, 867)), ("Validation Number", (900, 836, 1150, 867)),
        ("2028-02-18", (430, 876, 600, 909)), ("14FTWL1F2NUXTRO7", (900, 876, 1200, 909)),
        ("Amazon Web Services, Inc.", (1098, 1166, 1386, 1189)),
    )
    (fact,) = other_certificate.extract(document)
    assert fact.value["title"] == "AWS Certified Cloud Practitioner"
    assert "ending the line above" in next(e for e in fact.evidence if e.startswith("title:"))


def test_a_management_system_certificate_names_its_holder_after_this_is_to_certify_that() -> None:
    from extractors import other_certificate

    document = _document(
        ("华信正源认证中心有限公司", (197, 175, 700, 237)), ("Huaxin Zhengyuan Certification Center Co., Ltd.", (331, 240, 712, 268)),
        ("信息安全管理体系认证证书", (406, 367, 1117, 446)), ("证书编号：2703526ISMS1839ROS", (551, 538, 970, 577)),
        ("兹证明/This is to certify that", (571, 654, 948, 698)), ("广州泰恒信息科技有限公司", (508, 745, 1005, 800)),
        ("有效期至/Expiry Date: 2029-03-18", (375, 1800, 1085, 1846)),
    )
    (fact,) = other_certificate.extract(document)
    assert fact.value["holder"] == "广州泰恒信息科技有限公司"
    assert fact.value["title"] == "信息安全管理体系认证证书"  # Certification inside the body's Latin name is no label


def test_one_capitalised_word_is_no_name_and_a_place_word_is_a_weak_one() -> None:
    from extractors.name_shapes import find_latin_persons, find_persons

    assert find_latin_persons("CERTIFICATE") == []
    assert [m.value for m in find_latin_persons("YE HAOJIA")] == ["YE HAOJIA"]
    (place,) = find_persons("云海")
    (name,) = find_persons("杨涵怡")
    assert place.strength < name.strength


def test_a_name_whose_brackets_do_not_pair_is_kept_as_printed_and_doubted() -> None:
    from extractors import other_certificate

    document = _document(
        ("阿里云", (500, 80, 700, 140)), ("ACA云原生助理工程师", (400, 300, 800, 380)),
        ("姓名：杨涵怡", (300, 500, 700, 540)), ("证书编号：IACA012503202197L", (300, 560, 800, 600)),
        ("有效期至：2027-03-26", (300, 620, 800, 660)), ("颁发机构：阿里巴巴云计算（北京有限公司", (300, 700, 1000, 740)),
    )
    (fact,) = other_certificate.extract(document)
    assert fact.value["issuer"] == "阿里巴巴云计算（北京有限公司"
    assert any("not paired" in w for w in fact.warnings) and fact.confidence < 0.8


def test_a_two_character_label_closing_a_longer_word_is_no_label() -> None:
    """招标编号：ZFCG-2026-2561 heads a bid document: 编号 there is the tender's number, not the certificate's."""
    from extractors import qualification_certificate

    document = _document(
        ("广州数据中心运维服务采购项目投标文件 招标编号：ZFCG-2026-2561", (40, 20, 1100, 50)),
        ("高新技术企业证书", (300, 200, 900, 280)), ("广州市云栖数字技术有限公司", (300, 330, 900, 390)),
        ("经审核，该企业被认定为高新技术企业。", (350, 420, 850, 450)),
        ("GR202544203256", (200, 600, 420, 640)), ("2025年12月3日", (520, 600, 720, 640)), ("三年", (860, 600, 940, 640)),
        ("证书编号", (240, 660, 380, 690)), ("发证时间", (560, 660, 680, 690)), ("有效期", (850, 660, 950, 690)),
    )
    (fact,) = qualification_certificate.extract(document)
    assert fact.value["cert_no"] == "GR202544203256"
    assert (fact.value["issued_on"], fact.value["expires_on"]) == ("2025-12-03", "2028-12-02")  # values over labels


def test_one_holder_printed_over_a_list_of_certificates_goes_to_each() -> None:
    """A verification page: the holder once (Chinese and pinyin), then one row per certificate."""
    document = _document(
        ("持证人Holder：郭琪洋（GUO QIYANG）", (100, 200, 700, 240)),
        ("证书名称", (100, 300, 260, 330)), ("证书编号", (500, 300, 640, 330)), ("发证日期", (700, 300, 840, 330)),
        ("有效期至", (900, 300, 1040, 330)),
        ("腾讯云高级运维工程师", (100, 360, 400, 395)), ("2025TCP0968008", (500, 360, 680, 395)),
        ("2025年04月21日", (700, 360, 860, 395)), ("2028年04月20日", (900, 360, 1060, 395)),
        ("腾讯云高级安全工程师", (100, 460, 400, 495)), ("2023TCP1263885", (500, 460, 680, 495)),
        ("2023年08月25日", (700, 460, 860, 495)), ("2026年08月24日", (900, 460, 1060, 495)),
    )
    facts = ops_certificate.extract(document)
    assert [(f.value["holder"], f.value["cert_no"], f.value["expires_on"]) for f in facts] == [
        ("郭琪洋", "2025TCP0968008", "2028-04-20"), ("郭琪洋", "2023TCP1263885", "2026-08-24")]
    assert all("printed once for every item of the page" in e for e in facts[1].evidence if e.startswith("holder:"))
    assert not any("also read" in w for f in facts for w in f.warnings)  # the pinyin is the same person


def test_a_certificate_of_an_issuer_named_nowhere_is_still_a_certificate() -> None:
    """A conformity certificate (no cloud, no ISO words): classified by a certificate's own structure, titled by
    its heading ending in 证书."""
    from extractors import other_certificate
    from extractors.extract import classify_document

    document = _document(
        ("ITSS", (280, 165, 531, 264)), ("信息技术服务标准符合性证书", (304, 486, 1152, 560)),
        ("Certificate of Conformity with IT Service Standards", (431, 594, 1025, 633)),
        ("证书编号 Certificate No.", (197, 730, 485, 767)), ("ITSS-YW-3-42011120241694", (197, 800, 760, 846)),
        ("单位名称 Organization", (196, 930, 471, 969)), ("武汉市智汇数字技术有限公司", (196, 999, 728, 1040)),
        ("发证日期 Date of Issue", (197, 1500, 520, 1539)), ("有效期至 Valid Until", (640, 1500, 960, 1539)),
        ("2024年07月04日", (194, 1567, 480, 1619)), ("2027年07月03日", (640, 1567, 930, 1619)),
        ("中国电子工业标准化技术协会", (886, 2134, 1181, 2176)),
    )
    document = classify_document(document)
    assert document.kind is DocumentKind.OTHER_CERTIFICATE
    (fact,) = other_certificate.extract(document)
    assert fact.value == {"issuer": "中国电子工业标准化技术协会", "title": "信息技术服务标准符合性证书",
                          "holder": "武汉市智汇数字技术有限公司", "cert_no": "ITSS-YW-3-42011120241694", "expires_on": "2027-07-03"}


def test_a_persons_id_number_is_never_another_identifier() -> None:
    """An 18-digit 身份证号 under a label of the employer's code is a person's number: never read as the code
    (and so never shown whole)."""
    from extractors.cell_values import is_person
    from extractors.shapes import is_resident_id

    assert is_resident_id("110108197102077425") and not is_resident_id("91440106MABAPE9H6A")
    spec = FieldSpec(type=FieldType.IDENTIFIER, format="uscc", labels=["统一社会信用代码"])
    reader = FieldReader({"code": spec}, {}, Lookalikes.model_validate({}))
    found = read_document(reader, [_page(("统一社会信用代码", (100, 100, 400, 140)), ("110108197102077425", (100, 160, 400, 200)))])
    assert "code" not in found
    assert not is_person("经办人：") and is_person("林英")


def test_a_one_decimal_amount_is_no_month() -> None:
    """Contribution columns under month groups: 2081.5 is an amount; 2026.09 and 202609 are months."""
    from extractors.cell_values import is_month

    assert not is_month("2081.5") and is_month("2026.09") and is_month("202609") and is_month("2026年9月")


def test_a_title_broken_over_two_lines_classifies_and_a_subtitle_does_not_join_it() -> None:
    """高新技术企业 | 证书 in one size of letters is one title; 认证与培训 over a large 证　书 is a subtitle, and no
    培训证书 (a training certificate) is read across the two."""
    from extractors.extract import classify_document

    hte = classify_document(_document(
        ("高新技术企业", (410, 494, 1249, 655)), ("证书", (618, 660, 1035, 791)),
        ("企业名称 杭州知行云计算技术有限公司", (201, 942, 1164, 1014)), ("证书编号 GR202433200127", (204, 1075, 845, 1138)),
        ("发证日期 2024年10月30日", (203, 1198, 833, 1263))))
    assert hte.kind is DocumentKind.QUALIFICATION_CERTIFICATE
    tencent = classify_document(_document(
        ("腾讯云", (100, 60, 300, 120)), ("认证与培训", (100, 125, 260, 150)), ("证　　书", (500, 200, 800, 320)),
        ("腾讯云大数据工程师", (450, 360, 850, 420)),
        ("兹证明 刘晨辉 于2025年12月参加“腾讯云大数据工程师”认证考试，经考核", (150, 480, 1050, 520)),
        ("证书编号：2025TCA6688798", (150, 700, 600, 740)), ("发证日期：2025-12-22", (150, 760, 600, 800))))
    assert tencent.kind is DocumentKind.OPS_CERTIFICATE


def test_a_software_product_certificate_of_a_city_association() -> None:
    """深RC-2024-3570: a city's software association numbers its certificates with its own abbreviation;
    软件产品名称 names the product."""
    from extractors import qualification_certificate

    document = _document(
        ("深圳市软件行业协会", (285, 164, 654, 215)), ("软件产品证书", (445, 355, 1209, 501)),
        ("申请单位 深圳星图软件科技有限责任公司", (287, 795, 1270, 852)), ("软件产品名称 星图网络舆情监测APP", (242, 914, 1078, 969)),
        ("版本号 V1.0", (304, 1028, 707, 1091)), ("证书编号 深RC-2024-3570", (285, 1266, 959, 1324)),
        ("签发日期 2024年11月27日", (283, 1383, 943, 1443)), ("有效期限 2024年11月27日至2029年11月26日", (285, 1503, 1367, 1560)))
    (fact,) = qualification_certificate.extract(document)
    assert fact.value == {"type": "software_product", "holder": "深圳星图软件科技有限责任公司", "cert_no": "深RC-2024-3570",
                          "issued_on": "2024-11-27", "expires_on": "2029-11-26", "product": "星图网络舆情监测APP"}
    assert fact.confidence >= 0.8


def test_an_english_appraisal_certificate_is_a_certificate_with_values_over_labels() -> None:
    """A CMMI-style certificate: no Chinese, no cloud vendor; This certifies that / Valid Through make it a
    certificate, and its expiry is printed over its label."""
    from extractors import other_certificate
    from extractors.extract import classify_document

    document = classify_document(_document(
        ("CMMI INSTITUTE", (146, 69, 667, 137)), ("Certificate of Appraisal", (507, 179, 1318, 281)),
        ("This certifies that", (781, 314, 1045, 357)), ("Guangzhou Dingrui E-Commerce Co., Ltd.", (311, 383, 1510, 465)),
        ("was appraised and rated at", (719, 537, 1105, 578)), ("CMMI-SVC V3.0 Maturity Level 5", (357, 600, 1466, 682)),
        ("CMMI-ML3-2024-6106", (226, 971, 500, 1008)), ("28 April 2024", (560, 971, 800, 1008)), ("28 April 2027", (900, 971, 1133, 1008)),
        ("Appraisal ID", (225, 1014, 420, 1053)), ("Appraisal Date", (560, 1014, 800, 1053)), ("Valid Through", (900, 1014, 1100, 1053)),
        ("Karen Liu, CMMI Institute Certified Lead Appraiser", (1200, 1014, 1700, 1053))))
    assert document.kind is DocumentKind.OTHER_CERTIFICATE
    (fact,) = other_certificate.extract(document)
    assert (fact.value["holder"], fact.value["cert_no"], fact.value["expires_on"]) == (
        "Guangzhou Dingrui E-Commerce Co.,Ltd.", "CMMI-ML3-2024-6106", "2027-04-28")


def test_a_business_term_printed_over_two_lines() -> None:
    """经营期限 自2021年06月17日 | 至2041年06月16日: the end of the range on the line under its start, printed
    beside a taller address on the upper line."""
    from extractors import business_license

    document = _document(
        ("统一社会信用代码", (188, 179, 401, 218)), ("91510109MAXWDPXK0J", (209, 238, 492, 273)),
        ("营业执照", (774, 323, 1364, 461)),
        ("名称", (168, 571, 240, 628)), ("成都市锐捷计算机系统服务有限公司", (300, 571, 900, 628)),
        ("住所", (169, 654, 240, 708)), ("成都市高新区滨江大道823号", (300, 654, 900, 708)),
        ("经营期限", (1139, 667, 1291, 708)), ("自2021年06月17日", (1368, 669, 1591, 708)), ("至2041年06月16日", (1362, 717, 1588, 754)))
    facts = {f.name: f.value for f in business_license.extract(document)}
    assert facts["business_term_until"] == "2041-06-16"


def test_a_name_wrapped_beside_an_avatar_is_joined_without_it() -> None:
    """A company-lookup app's heading: the name wraps its last character (司) onto a line that the logo tile's
    text (博远) shares, left of the heading."""
    reader = _reader(company=FieldSpec(type=FieldType.ORGANISATION, priors=[PriorSpec(prior="only")]))
    page = _page(("企业详情", (431, 175, 648, 239)), ("济南市博远信息科技股份有限公", (246, 353, 1014, 419)),
                 ("博远", (71, 399, 193, 471)), ("司", (245, 430, 315, 502)), ("存续", (262, 527, 344, 576)))
    assert read_document(reader, [page])["company"].value == "济南市博远信息科技股份有限公司"


def test_a_two_character_label_starting_a_word_of_no_value_is_no_label() -> None:
    """A verify page's card headed by its product, 企业数据中台V3.1: 企业 starts the product's name, it labels no
    company; a label glued to its value (姓名张伟) still labels it."""
    from extractors import qualification_certificate

    document = _document(
        ("企业数据中台V3.1", (60, 100, 600, 150)), ("证书类型", (60, 180, 220, 220)), ("软件产品评估证书", (60, 240, 420, 280)),
        ("证书编号", (60, 320, 220, 360)), ("粤RC-2025-0456", (60, 380, 400, 420)),
        ("企业名称", (60, 460, 220, 500)), ("佛山市星河数据服务有限公司", (60, 520, 640, 560)),
        ("有效期", (60, 600, 200, 640)), ("2025.03.01至2030.02.28", (60, 660, 560, 700)))
    (fact,) = qualification_certificate.extract(document)
    assert fact.value["product"] == "企业数据中台V3.1"
    assert fact.value["holder"] == "佛山市星河数据服务有限公司"
    reader = ops_certificate.EXTRACTOR.reader
    glued = reader.read_page(_page(("腾讯云认证证书", (300, 80, 900, 160)), ("姓名张伟", (300, 300, 700, 350)),
                                   ("证书名称：腾讯云高级运维工程师", (300, 400, 900, 450))), ("holder",))["holder"]
    assert glued[0].value == "张伟" and any("label 姓名" in e for e in glued[0].evidence)


def test_an_organisation_starts_with_its_own_block_after_a_menu_word_apart() -> None:
    """An admin page's top bar: 下载飞书 | 帮助中心 | 济南…有限公司, a gap between each. The company name is its own
    block's, not the menu words run on before it; a letter-spaced name read one character per block stays whole."""
    reader = FieldReader({"organisation": FieldSpec(type=FieldType.ORGANISATION, priors=[PriorSpec(prior="only")])}, {},
                         Lookalikes())
    page = _page(("管理后台", (20, 20, 120, 44)), ("下载飞书", (900, 20, 990, 44)), ("帮助中心", (1004, 20, 1094, 44)),
                 ("济南易达数字技术有限公司", (1110, 20, 1390, 44)),
                 *((c, (300 + 60 * i, 400, 330 + 60 * i, 440)) for i, c in enumerate("济南易达数字技术有限公司")))
    values = [r.value for r in reader.read_page(page)["organisation"]]
    assert values and set(values) == {"济南易达数字技术有限公司"}


def test_a_digital_badge_page_is_a_certificate_with_its_issuer_named_by_brand() -> None:
    """A Credly-style public badge page: no certificate words of its own but the badge's, the holder in a sentence
    (This badge was issued to … on …), the issuer by brand after Issued by, the expiry after Expires on."""
    from extractors import other_certificate
    from extractors.classify import classify

    document = _document(
        ("https://www.credly.com/badges/3f1c/public_url", (60, 40, 700, 70)), ("credly", (300, 70, 480, 140)),
        ("Microsoft Certified: Azure Administrator Associate", (500, 180, 1150, 220)), ("Issued by Microsoft", (500, 230, 760, 260)),
        ("Earners of this certification have demonstrated the skills to manage Azure.", (500, 270, 1150, 300)),
        ("This badge was issued to Wenjie Huang on", (300, 440, 700, 470)), ("June 3, 2026", (300, 475, 460, 505)),
        ("Expires on June 3, 2027", (300, 515, 600, 545)))
    assert classify(document)[0] is DocumentKind.OTHER_CERTIFICATE
    (fact,) = other_certificate.extract(document)
    assert (fact.value["issuer"], fact.value["holder"], fact.value["expires_on"]) == ("Microsoft", "Wenjie Huang", "2027-06-03")
    assert fact.value["title"] != "credly"  # the site's wordmark, printed largest, names no certificate


def test_a_verification_card_with_captions_over_values_and_its_title_over_four_lines() -> None:
    """A result card of the 证书查询 page on a phone: the title set narrow over four lines beside the level badge,
    then a status pill further down that is no part of it, then captions over their values (持证人, listed only
    with its colon because prose prints 持证人已通过…, stands alone here as a caption)."""
    document = _document(
        ("Tencent Cloud", (439, 417, 829, 467)), ("CERTIFICATE", (191, 440, 341, 463)), ("TCP", (102, 496, 150, 521)),
        ("Certified", (440, 483, 681, 533)), ("Professional -", (439, 547, 821, 601)), ("Operations", (438, 613, 751, 672)),
        ("Valid", (461, 703, 555, 746)),
        ("持证人", (71, 836, 190, 878)), ("级别", (553, 836, 658, 878)), ("胡浩", (72, 905, 363, 958)), ("TCP", (553, 907, 700, 956)),
        ("证书号", (74, 1011, 317, 1051)), ("2024TCP9426514", (74, 1079, 478, 1125)),
        ("获证日期", (72, 1186, 272, 1225)), ("有效期至", (555, 1185, 842, 1227)),
        ("2024-07-15", (73, 1252, 341, 1299)), ("2027-07-14", (554, 1252, 821, 1299)))
    (fact,) = ops_certificate.extract(document)
    assert fact.value == {"holder": "胡浩", "cert_no": "2024TCP9426514", "title": "Tencent Cloud Certified Professional-Operations",
                          "issued_on": "2024-07-15", "expires_on": "2027-07-14", "level": "TCP", "track": "operations"}
    assert any("label 持证人" in e for e in fact.evidence), fact.evidence


def test_a_badge_in_brackets_after_a_name_is_no_part_of_it() -> None:
    """A console's 站内信 greets the account as 南京市…有限公司（企业认证）: the bracket is the app's badge, as （已认证）
    is; a bracket naming a branch or a place stays the name's."""
    from extractors.name_shapes import find_organisations

    assert [m.value for m in find_organisations("尊敬的南京市知行信息科技股份有限公司（企业认证），您好")] == ["南京市知行信息科技股份有限公司"]
    assert [m.value for m in find_organisations("上海极光软件科技有限公司（已认证）")] == ["上海极光软件科技有限公司"]
    assert [m.value for m in find_organisations("腾讯科技(深圳)有限公司")] == ["腾讯科技(深圳)有限公司"]


@pytest.mark.parametrize(("text", "counts"), [
    ("王芳 销售部 A0014 未激活", []),  # an employee number beside a status is no count of anything
    ("BY0184 已激活", []), ("工号 0012", []),
    ("未加入 2人", [2]), ("Y8 通讯录人数", [8]),  # 8人 read with a stray letter is still a count
    ("已加入 1,024", [1024]), ("累计用户 1.82万", [18200])])
def test_a_count_is_no_code_or_employee_number(text: str, counts: list[int]) -> None:
    from extractors.field_types import Lookalikes, find_values

    assert [f.value for f in find_values(text, FieldSpec(type=FieldType.COUNT), {}, Lookalikes())] == counts


def test_a_span_of_years_is_no_identifier() -> None:
    """A school's 2010-2014 under a résumé's education is no certificate number."""
    from extractors.field_types import Lookalikes, find_values

    spec = FieldSpec(type=FieldType.IDENTIFIER, format="cert_no")
    assert [f.value for f in find_values("华南理工大学 2010-2014", spec, {}, Lookalikes())] == []
    assert "TCP2025-0113" in [f.value for f in find_values("证书编号 TCP2025-0113", spec, {}, Lookalikes())]
