"""Fast checks of the fixture generator: the properties each fixture claims to have (no OCR here)."""
from __future__ import annotations

import importlib
import io
import json
import random
import re
from pathlib import Path

import numpy as np
import pdfplumber
import pypdfium2 as pdfium
import pytest
from PIL import Image
from stdnum.cn import uscc

from fixtures import pdfs
from fixtures.application import Market, make_application
from fixtures.capital import CNY_FORMS, CapitalForm, format_capital, upper_numeral
from fixtures.companies import Company, EntityKind, make_company, make_credit_code, make_individual, org_code_check
from fixtures.generate import all_bundles, build_company, encode_image, write_bundles
from fixtures.license import Layout, Variant, render_license
from fixtures.license_text import DateStyle, TermStyle, format_date, format_term, license_text
from fixtures.plan import BUNDLES, Capture, ImageFormat
from fixtures.variants import VARIANTS

CJK = re.compile(r"[\u4e00-\u9fff]")


@pytest.fixture(scope="module")
def company() -> Company:
    return make_company(random.Random(11), capital=format_capital(1_000_001, CapitalForm.WAN4))


@pytest.fixture(scope="module")
def text(company: Company):
    return license_text(company, random.Random(11), copy=True)


def _plumber_text(data: bytes, *, dedupe: bool = False) -> str:
    with pdfplumber.open(io.BytesIO(data)) as pdf:
        page = pdf.pages[0]
        return (page.dedupe_chars() if dedupe else page).extract_text() or ""


def _pdfium_text(data: bytes, page: int = 0) -> str:
    return pdfium.PdfDocument(data)[page].get_textpage().get_text_range()


def _render(data: bytes) -> np.ndarray:
    return np.asarray(pdfium.PdfDocument(data)[0].render(scale=100 / 72).to_pil().convert("L"))


# --- capital -----------------------------------------------------------------------------------------------

@pytest.mark.parametrize("amount, expected", [
    (1_000_000, "壹佰万"), (6_000_000, "陆佰万"), (2_010_000, "贰佰零壹万"), (1_000_001, "壹佰万零壹"),
    (10_500, "壹万零伍佰"), (100_010_000, "壹亿零壹万"), (110_000_000, "壹亿壹仟万"),
])
def test_upper_numerals(amount: int, expected: str) -> None:
    assert upper_numeral(amount) == expected


@pytest.mark.parametrize("form, amount, currency", [
    (CapitalForm.UPPER_YUAN, 1_000_000, "CNY"), (CapitalForm.UPPER_CIRCLE, 6_000_000, "CNY"),
    (CapitalForm.RMB_WAN, 6_000_000, "CNY"), (CapitalForm.WAN_RMB, 5_000_000, "CNY"),
    (CapitalForm.WAN4, 10_000_000, "CNY"), (CapitalForm.RMB_WAN4_ZHENG, 1_000_000, "CNY"),
    (CapitalForm.WAN, 50_000_000, "CNY"), (CapitalForm.PAREN_RMB_UPPER, 3_000_000, "CNY"),
    (CapitalForm.PAREN_RMB_UPPER_FW, 3_000_000, "CNY"), (CapitalForm.FOREIGN_WAN4, 2_600_000, "EUR"),
])
def test_each_form_prints_its_own_example(form: CapitalForm, amount: int, currency: str) -> None:
    capital = format_capital(amount, form, currency)
    assert capital.text == form.value
    assert capital.cny == (amount if currency == "CNY" else None)
    assert capital.currency == currency


def test_capital_boundaries() -> None:
    assert format_capital(2_010_000, CapitalForm.UPPER_CIRCLE).text == "贰佰零壹万圆整"
    assert format_capital(1_000_001, CapitalForm.WAN4).text == "100.0001万元"
    assert format_capital(1_000_001, CapitalForm.UPPER_YUAN).text == "壹佰万零壹元整"
    with pytest.raises(ValueError):
        format_capital(1_000_001, CapitalForm.WAN)
    with pytest.raises(ValueError):
        format_capital(1_000_000, CapitalForm.FOREIGN_WAN4, "CNY")


# --- companies ---------------------------------------------------------------------------------------------

def test_org_code_check_matches_real_licenses() -> None:
    assert org_code_check("70011480") == "X"  # 9111011570011480X9
    assert org_code_check("MA1H8H1D") == "7"  # 91310115MA1H8H1D7F


def test_credit_codes_are_valid_and_varied() -> None:
    rng = random.Random(5)
    codes = [make_company(rng).credit_code for _ in range(60)]
    codes += [make_credit_code(rng, "440305", legacy=False, all_digit=True) for _ in range(5)]
    assert all(uscc.is_valid(c) and len(c) == 18 for c in codes)
    assert any(c.isdigit() for c in codes) and any(re.search("[A-Z]", c) for c in codes)


def test_companies_are_seeded() -> None:
    assert make_company(random.Random(3)) == make_company(random.Random(3))


def test_foreign_capital_company_has_bracketed_name() -> None:
    foreign = make_company(random.Random(2), capital=format_capital(2_600_000, CapitalForm.FOREIGN_WAN4, "EUR"))
    assert re.search("（..）有限公司$", foreign.name)
    assert foreign.license_facts()["registered_capital_cny"] is None
    assert foreign.license_facts()["registered_capital_currency"] == "EUR"


def test_individual_has_operator_and_no_capital() -> None:
    shop = make_individual(random.Random(4))
    assert shop.kind is EntityKind.INDIVIDUAL and shop.rep_label == "经营者" and shop.capital is None
    assert shop.credit_code.startswith("92") and shop.term_until_fact() is None


# --- printed text ------------------------------------------------------------------------------------------

def test_dates_and_terms_print_in_both_styles(company: Company) -> None:
    day = company.established_on
    assert format_date(day, DateStyle.PADDED) == f"{day.year}年{day.month:02d}月{day.day:02d}日"
    assert format_date(day, DateStyle.UNPADDED) == f"{day.year}年{day.month}月{day.day}日"
    forever = make_company(random.Random(1), long_term=True)
    assert format_term(forever, DateStyle.PADDED, TermStyle.FOREVER).endswith("至永久")
    assert format_term(forever, DateStyle.PADDED, TermStyle.LONG_ONLY) == "长期"
    assert forever.term_until_fact() == "长期"


# --- images ------------------------------------------------------------------------------------------------

@pytest.mark.parametrize("layout, size", [(Layout.HORIZONTAL, (2800, 1980)), (Layout.VERTICAL, (1980, 2800))])
def test_render_is_deterministic(text, layout: Layout, size: tuple[int, int]) -> None:
    first = render_license(text, layout, np.random.default_rng(1))
    assert first.size == size and first.mode == "RGB"
    again = render_license(text, layout, np.random.default_rng(1))
    assert encode_image(first, ImageFormat.PNG, 0) == encode_image(again, ImageFormat.PNG, 0)


@pytest.fixture(scope="module")
def small_page() -> Image.Image:
    pixels = np.full((300, 420, 3), 250, np.uint8)
    pixels[100:140, 60:360] = 20
    return Image.fromarray(pixels, "RGB")


@pytest.mark.parametrize("variant", list(Variant))
def test_variants_are_seeded_and_change_pixels(small_page: Image.Image, variant: Variant) -> None:
    out = VARIANTS[variant](small_page, np.random.default_rng(3))
    again = VARIANTS[variant](small_page, np.random.default_rng(3))
    assert np.array_equal(np.asarray(out), np.asarray(again))
    if variant is Variant.CLEAN:
        assert np.array_equal(np.asarray(out), np.asarray(small_page))
    else:
        assert out.size != small_page.size or not np.array_equal(np.asarray(out), np.asarray(small_page))
    if variant is Variant.ROTATED90:
        assert out.size[0] < out.size[1]  # a landscape page comes out portrait


# --- PDFs --------------------------------------------------------------------------------------------------

def test_digital_pdf_reads_with_pdfplumber(company: Company, text) -> None:
    data = pdfs.digital(text)
    extracted = _plumber_text(data).replace(" ", "")
    assert company.name in extracted and company.credit_code in extracted and "100.0001万元" in extracted
    assert data == pdfs.digital(text)


def test_cff_cid_pdf_is_empty_for_pdfplumber_but_not_pdfium(company: Company, text) -> None:
    data = pdfs.cff_cid(text, pages=3)
    assert _plumber_text(data).strip() == ""
    assert company.name in _pdfium_text(data) and company.credit_code in _pdfium_text(data)
    assert len(pdfium.PdfDocument(data)) == 3 and company.credit_code in _pdfium_text(data, 2)


def test_cid_garbage_pdf_extracts_cid_codes_but_renders_the_same(company: Company, text) -> None:
    data = pdfs.cid_garbage(text)
    extracted = _plumber_text(data)
    assert "(cid:" in extracted and not CJK.search(extracted)
    assert company.credit_code in extracted  # ASCII stays right: looks half valid
    assert np.array_equal(_render(data), _render(pdfs.cid_garbage(text, strip_unicode=False)))
    assert (_render(data) < 128).mean() > 0.005  # the page is not blank


def test_fake_bold_pdf_doubles_characters_until_deduped(company: Company, text) -> None:
    data = pdfs.fake_bold(text)
    doubled = "".join(ch * 2 for ch in company.name)
    assert doubled in _plumber_text(data).replace(" ", "")
    assert company.name in _plumber_text(data, dedupe=True).replace(" ", "")


def test_scanned_pdf_has_only_an_image(text) -> None:
    page = render_license(text, Layout.VERTICAL, np.random.default_rng(2)).resize((990, 1400))
    data = pdfs.scanned(page)
    assert _plumber_text(data).strip() == "" and _pdfium_text(data).strip() == ""
    with pdfplumber.open(io.BytesIO(data)) as pdf:
        assert len(pdf.pages) == 1 and len(pdf.pages[0].images) == 1


# --- bundles -----------------------------------------------------------------------------------------------

def test_plan_covers_the_required_bundles() -> None:
    captures = [b.document.capture for b in BUNDLES if b.document]
    image_captures = [c for c in captures if c in {Capture.CLEAN, Capture.SCAN, Capture.PHOTO, Capture.ROTATED90}]
    assert len(image_captures) >= 10 and Capture.ROTATED90 in captures
    for needed in (Capture.PDF_DIGITAL, Capture.PDF_CID_GARBAGE, Capture.PDF_CFF_CID):
        assert needed in captures
    assert any(b.document is None and b.markets for b in BUNDLES)
    capitals = {build_company(b.company, 7).capital.cny for b in BUNDLES if not b.company.individual}
    assert {1_000_000, 1_000_001} <= capitals
    everything = all_bundles()
    assert len({b.name for b in everything}) == len(everything)
    demo = importlib.import_module("fixtures.plan_markets").BUNDLES  # the demo set: one bundle or more per market
    assert {m for b in demo for m in b.markets} == {"miniprogram", "website", "image", "enterprise_app", "api", "service"}


def test_bundles_are_written_deterministically_with_truth(tmp_path: Path) -> None:
    chosen = [b for b in BUNDLES if b.name in {"pdf_digital", "app_only", "lic_b_scan"}]
    first = write_bundles(chosen, tmp_path / "one", seed=7)
    write_bundles(chosen, tmp_path / "two", seed=7)
    for folder in first:
        for path in folder.rglob("*"):
            if path.is_file():
                twin = tmp_path / "two" / path.relative_to(tmp_path / "one")
                assert path.read_bytes() == twin.read_bytes(), path
    truth = json.loads((tmp_path / "one/truth/lic_b_scan.json").read_text(encoding="utf-8"))
    (name, doc), = truth["documents"].items()
    assert name == "社保缴纳证明.jpg" and doc["kind"] == "business_license"
    assert uscc.is_valid(doc["facts"]["credit_code"]) and doc["facts"]["credit_code"].isdigit()
    app = json.loads((tmp_path / "one/bundles/app_only/application.json").read_text(encoding="utf-8"))
    assert app == json.loads((tmp_path / "one/truth/app_only.json").read_text(encoding="utf-8"))["application"]
    assert [p.name for p in (tmp_path / "one/bundles/app_only").iterdir()] == ["application.json"]


def test_application_is_well_formed(company: Company) -> None:
    app = make_application(random.Random(1), company, [Market.MINIPROGRAM, Market.API]).to_json_dict()
    assert app["company_name"] == company.name and app["markets"] == ["miniprogram", "api"]
    assert re.fullmatch(r"1[3-9]\d{9}", app["ops_contact"]["phone"])
    assert re.fullmatch(r"[\w.-]+@[\w.-]+\.cn", app["ops_contact"]["email"])
    assert app["customer_service"] == {"days_per_week": 7, "hours_per_day": 8}
    assert set(app["api_test_account"]) == {"url", "username", "password"}


def test_forms_cover_every_cny_shape() -> None:
    assert len(CNY_FORMS) == len(CapitalForm) - 1
