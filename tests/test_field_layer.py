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
