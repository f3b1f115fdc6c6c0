"""Page text from real files made by the fixture generator: the PDF pitfalls found in the trial, broken
files, limits, the engine registry and the OCR cache."""
import json

import numpy as np
import pdfplumber
import pytest
from PIL import Image

from extractors import business_license
from pipeline.config import IngestLimits, Settings
from pipeline.models import BundleFile, ErrorCode, FileType, TextBlock, TextSource
from pipeline.ocr import get_engine, register_engine
from pipeline.ocr.registry import unregister_engine
from pipeline.pages import PageReader
from pipeline.pdf_text import is_garbage_text
from pipeline.sniff import sniff_file_type
from tests.readings import blind_document


def as_file(path):
    return BundleFile(path=path.name, local_path=str(path), sha256="-", size=path.stat().st_size, file_type=sniff_file_type(path))


def truth_of(generated, bundle):
    truth = json.loads((generated / "truth" / f"{bundle}.json").read_text(encoding="utf-8"))
    (name, doc), = truth["documents"].items()
    return generated / "bundles" / bundle / name, doc["facts"]


def facts_of(document):
    out = {}
    for fact in business_license.extract(document):
        out.setdefault(fact.name, fact.value)
    return out


@pytest.fixture
def reader(session_home):
    return PageReader(Settings(home=session_home))


def test_cid_garbage_pdf_falls_back_to_ocr(generated, reader):
    path, truth = truth_of(generated, "pdf_cid_garbage")
    with pdfplumber.open(path) as pdf:
        assert is_garbage_text(pdf.pages[0].extract_text())  # the trap is real
    document = reader.read(as_file(path))
    assert document.pages[0].source is TextSource.OCR
    facts = facts_of(document)
    for field in ("company_name", "credit_code", "registered_capital_cny", "established_on"):
        assert facts.get(field) == truth[field], field


def test_pdf_that_pdfplumber_reads_empty_is_read_by_pypdfium2(generated, reader):
    path, truth = truth_of(generated, "pdf_cff_cid")
    with pdfplumber.open(path) as pdf:
        assert all(not (p.extract_text() or "").strip() for p in pdf.pages)  # pdfminer.six #1072
    document = reader.read(as_file(path))
    assert len(document.pages) == 2
    assert {p.source for p in document.pages} == {TextSource.TEXT_LAYER}
    assert facts_of(document)["credit_code"] == truth["credit_code"]


def test_fake_bold_is_not_doubled(generated, reader):
    path, truth = truth_of(generated, "pdf_fake_bold")
    with pdfplumber.open(path) as pdf:
        assert "营营业业" in pdf.pages[0].extract_text().replace(" ", "")  # doubled without dedupe
    document = reader.read(as_file(path))
    assert "营营" not in document.text
    assert document.text_source is TextSource.TEXT_LAYER
    assert facts_of(document)["company_name"] == truth["company_name"]


def test_digital_pdf_uses_the_text_layer(generated, reader):
    path, truth = truth_of(generated, "pdf_digital")
    document = reader.read(as_file(path))
    assert document.text_source is TextSource.TEXT_LAYER
    assert all(b.confidence > 0.9 and len(b.bbox) == 4 for b in document.pages[0].blocks)
    assert facts_of(document)["registered_capital_cny"] == truth["registered_capital_cny"]


def test_scanned_pdf_is_ocred(generated, reader):
    path, truth = truth_of(generated, "pdf_scanned")
    document = reader.read(as_file(path))
    assert document.text_source is TextSource.OCR
    assert facts_of(document)["credit_code"] == truth["credit_code"]


def test_rotated_photo_is_read_upright(generated, reader):
    path, truth = truth_of(generated, "lic_d_rotated90")
    document = reader.read(as_file(path))
    with Image.open(path) as image:
        assert (document.pages[0].width, document.pages[0].height) == (image.height, image.width)
    assert facts_of(document)["credit_code"] == truth["credit_code"]



def test_a_sideways_english_certificate_is_not_read_upside_down(reader, tmp_path):
    """A Latin-letter certificate photographed on its side (the blind corpus's Huawei family): the line classifier
    reads every line of the upside-down turn as well as of the upright one, so the turn is decided with no line
    turned over. Read upside down, the issuer's footer came first and the title and number were lost."""
    page = reader.read(as_file(blind_document("other_certificate/huawei_hci", "rotated90", tmp_path))).pages[0]
    order = [b.text for b in sorted(page.blocks, key=lambda b: b.bbox[1])]
    assert order.index(next(t for t in order if "CERTIFICATE" in t)) < order.index(next(t for t in order if "Validity" in t))


def test_a_value_the_detector_missed_beside_its_label_is_read_again(reader, tmp_path):
    """A license whose 名称 line a tiled watermark crosses: the detector found the label 名 称 and not the name.
    The place right of the label, where the lines around it print their values, is read again by itself."""
    from pipeline.form_gaps import unread_value_places

    path = blind_document("business_license/unified_2015_landscape_fuben", "clean", tmp_path)
    page = reader.read(as_file(path)).pages[0]
    names = [b for b in page.blocks if b.text.endswith("有限责任公司") and len(b.text) > 8]
    assert names, [b.text for b in page.blocks]
    label = next(b for b in page.blocks if b.text == "称")
    assert names[0].bbox[0] > label.bbox[2] and abs(names[0].bbox[1] - label.bbox[1]) < label.bbox[3] - label.bbox[1]
    first_reading = [b for b in page.blocks if b is not names[0]]
    assert unread_value_places(first_reading, page.width, page.height)  # found as a gap in the first reading


def test_a_line_garbled_on_the_crowded_page_is_read_again_from_its_own_crop(reader, tmp_path):
    """A console's instance rows: on the whole page OCR read one row's region line as `RP l n g z ).`, with little
    confidence. Read again from a crop of its own, the line reads cleanly, and the surer reading replaces it."""
    from extractors import cloud_console

    path = blind_document("cloud_console/fresh3_intl_instance_rows_en", "screenshot", tmp_path)
    document = reader.read(as_file(path))
    texts = [b.text for b in document.pages[0].blocks]
    assert any("Nanjing" in t and t.startswith("Region") for t in texts), texts
    document = document.model_copy(update={"kind": "cloud_console"})
    regions = {f.value["instance_id"]: f.value["region"] for f in cloud_console.extract(document) if f.name == "cloud_instance"}
    assert None not in regions.values() and "ap-nanjing" in regions.values(), regions


def test_a_seal_stamped_over_the_issuer_is_read_through_the_red_channel(reader, tmp_path):
    """A training certificate whose issuer (…继续教育中心) a red round seal is stamped over: OCR of the colour
    picture read the seal's strokes into the line (继续 as 继卖) and surely so. Its red channel, where the seal is
    as pale as the paper and the black print stays dark, reads it right, and that reading replaces the line."""
    path = blind_document("other_certificate/training_vocational", "clean", tmp_path)
    texts = [b.text for b in reader.read(as_file(path)).pages[0].blocks]
    assert any(t.endswith("计算机学会继续教育中心") for t in texts), texts


@pytest.mark.parametrize("capture", ["clean", "scan"])
def test_an_issuer_a_seal_hides_from_the_detector_is_found_in_the_red_channel(reader, tmp_path, capture):
    """An award certificate signed by its issuer under a round seal, the certificate framed in a red border: the
    detector found the date under the seal but not the issuer's line, clean or faintly scanned (grey print). The
    red channel of the seal's place shows the line; the seal's own words (red) are no line of the page."""
    from tests.readings import blind_sample

    sample = blind_sample("other_certificate/honour_certificate", capture)
    path = tmp_path / sample.path
    path.write_bytes(sample.content)
    (truth,) = sample.facts["other_certificate"]
    texts = [b.text for b in reader.read(as_file(path)).pages[0].blocks]
    assert truth["issuer"] in texts, texts
    assert not any(t != truth["issuer"] and t in truth["issuer"] for t in texts), texts


def test_a_line_printed_in_red_is_not_read_as_under_a_seal(reader, tmp_path):
    """An API explorer's response, its JSON strings printed in red: dense red text dilates into blobs as large as
    a seal's. A red line is no black print under a seal; read through the red channel it misread ins-…0p as
    ins-…op, and one instance became two."""
    from extractors import cloud_console

    path = blind_document("cloud_console/fresh10_api_explorer_describe", "explorer", tmp_path)
    document = reader.read(as_file(path)).model_copy(update={"kind": "cloud_console"})
    ids = [f.value["instance_id"] for f in cloud_console.extract(document) if f.name == "cloud_instance"]
    assert len(ids) == 1, ids


def test_a_label_with_its_value_or_a_line_of_prose_leaves_no_gap():
    from pipeline.form_gaps import unread_value_places

    def block(text, x0, y0, x1):
        return TextBlock(text=text, bbox=(x0, y0, x1, y0 + 40), confidence=0.99)
    form = [block("名 称", 100, 100, 250), block("云帆科技有限公司", 300, 100, 800), block("类 型", 100, 190, 250),
            block("有限责任公司", 300, 190, 700)]
    assert unread_value_places(form, 1200, 900) == []
    heading = [block("营业执照", 400, 20, 700), block("统一社会信用代码 91440300MA5DL8KQ2H", 100, 100, 900)]
    assert unread_value_places(heading, 1200, 900) == []


@pytest.mark.parametrize("keep", [0.5, 0.9])
def test_truncated_pdf_is_an_error_not_a_crash(generated, reader, tmp_path, keep):
    source, _ = truth_of(generated, "pdf_digital")
    data = source.read_bytes()
    broken = tmp_path / "损坏.pdf"
    broken.write_bytes(data[: int(len(data) * keep)])
    document = reader.read(as_file(broken))
    # pdfium may recover part of a truncated file; if it cannot, the document carries an error.
    assert document.error is None or document.error.code is ErrorCode.CORRUPT_PDF


def test_garbage_bytes_named_pdf_is_corrupt(reader, tmp_path):
    broken = tmp_path / "x.pdf"
    broken.write_bytes(b"%PDF-1.7\n" + bytes(range(256)) * 20)
    document = reader.read(BundleFile(path="x.pdf", local_path=str(broken), sha256="-", size=1, file_type=FileType.PDF))
    assert document.error is not None and document.error.code is ErrorCode.CORRUPT_PDF
    assert "x.pdf" == document.error.document


def test_truncated_image_is_an_error(generated, reader, tmp_path):
    source, _ = truth_of(generated, "lic_a_scan")
    broken = tmp_path / "半张.jpg"
    broken.write_bytes(source.read_bytes()[:5000])
    document = reader.read(as_file(broken))
    assert document.error is not None and document.error.code is ErrorCode.CORRUPT_IMAGE


def test_image_pixel_limit(generated, session_home, tmp_path):
    source, _ = truth_of(generated, "lic_a_clean")
    reader = PageReader(Settings(home=session_home, limits=IngestLimits(max_image_pixels=1_000_000)))
    document = reader.read(as_file(source))
    assert document.error.code is ErrorCode.IMAGE_TOO_LARGE and "1,000,000" in document.error.message


def test_pdf_page_limit(generated, session_home):
    source, _ = truth_of(generated, "pdf_cff_cid")
    reader = PageReader(Settings(home=session_home, limits=IngestLimits(max_pdf_pages=1)))
    assert reader.read(as_file(source)).error.code is ErrorCode.TOO_MANY_PAGES


# --- engines and cache, through the real registry ---------------------------------------------------------

class CountingEngine:
    """Delegates to Tesseract and counts calls: an engine registered like any other."""

    name = "counting"
    calls = 0

    def __init__(self, threads: int = 2):
        self.inner = get_engine("tesseract", threads)

    @staticmethod
    def describe_version() -> str:
        return "counting-1"

    @property
    def version(self) -> str:
        return self.describe_version()

    def recognize(self, image):
        CountingEngine.calls += 1
        return self.inner.recognize(image)


class CrashingEngine:
    name = "crashing"

    def __init__(self, threads: int = 2):
        pass

    @staticmethod
    def describe_version() -> str:
        return "crashing-1"

    @property
    def version(self) -> str:
        return self.describe_version()

    def recognize(self, image):
        raise RuntimeError("engine exploded")


@pytest.fixture
def extra_engines():
    register_engine("counting", CountingEngine)
    register_engine("crashing", CrashingEngine)
    yield
    unregister_engine("counting")
    unregister_engine("crashing")


def test_second_read_hits_the_cache(generated, tmp_path, extra_engines):
    path, _ = truth_of(generated, "lic_b_clean")
    settings = Settings(home=tmp_path / "home")
    CountingEngine.calls = 0
    first = PageReader(settings, "counting").read(as_file(path))
    assert CountingEngine.calls >= 1
    calls = CountingEngine.calls
    second = PageReader(settings, "counting").read(as_file(path))
    assert CountingEngine.calls == calls
    assert second.pages == first.pages


def test_crashing_engine_becomes_an_error_entry(generated, tmp_path, extra_engines):
    path, _ = truth_of(generated, "lic_b_clean")
    document = PageReader(Settings(home=tmp_path / "home"), "crashing").read(as_file(path))
    assert document.error.code is ErrorCode.OCR_FAILED and "engine exploded" in document.error.message


def test_registry_refuses_duplicates_and_names_known_engines(extra_engines):
    with pytest.raises(ValueError, match="already registered"):
        register_engine("counting", CountingEngine)
    with pytest.raises(Exception, match="rapidocr"):
        get_engine("no-such-engine")


def test_tesseract_engine_reads_chinese(generated):
    path, truth = truth_of(generated, "lic_a_clean")
    image = np.asarray(Image.open(path).convert("RGB"))
    text = "".join(b.text for b in get_engine("tesseract").recognize(image)).replace(" ", "")
    assert "营业执照" in text or "统一社会信用代码" in text


def test_a_certificate_pasted_into_a_text_pdf_is_read(reader, tmp_path):
    """A bid document: a text page (its own text layer) with a certificate's scan pasted in as a picture. The
    picture is OCR'd and its lines join the page's; the page is `mixed`, and the certificate reads."""
    import io

    from fpdf import FPDF
    from PIL import ImageDraw

    from extractors import qualification_certificate
    from extractors.extract import classify_document
    from fixtures.fonts import Face, font
    from fixtures.ttfont import truetype_subset

    certificate = Image.new("RGB", (1400, 900), "white")
    draw = ImageDraw.Draw(certificate)
    draw.text((700, 120), "高新技术企业证书", font=font(Face.SERIF_BOLD, 72), fill="black", anchor="mm")
    draw.text((700, 300), "广州市云栖数字技术有限公司", font=font(Face.SANS, 54), fill="black", anchor="mm")
    draw.text((700, 420), "经审核，该企业被认定为高新技术企业。", font=font(Face.SANS, 34), fill="black", anchor="mm")
    for x, label, value in ((300, "证书编号", "GR202544203256"), (700, "发证时间", "2025年12月3日"), (1100, "有效期", "三年")):
        draw.text((x, 600), value, font=font(Face.SANS, 34), fill="black", anchor="mm")
        draw.text((x, 660), label, font=font(Face.SANS, 28), fill="black", anchor="mm")
    buffer = io.BytesIO()
    certificate.save(buffer, format="PNG")
    heading, note = "数据中心运维服务采购项目投标文件 招标编号：ZFCG-2026-2561", "说明：本页提供高新技术企业证书复印件并加盖投标人公章。"
    font_path = tmp_path / "subset.ttf"
    font_path.write_bytes(truetype_subset(Face.SANS, heading + note))
    pdf = FPDF(unit="mm")
    pdf.add_font("cjk", fname=str(font_path))
    pdf.add_page()
    pdf.set_font("cjk", size=11)
    pdf.text(15, 15, heading)
    pdf.image(buffer, x=15, y=30, w=180)
    pdf.text(15, 160, note)
    path = tmp_path / "bid.pdf"
    path.write_bytes(bytes(pdf.output()))

    document = classify_document(reader.read(as_file(path)))
    (page,) = document.pages
    assert page.source is TextSource.MIXED and "投标文件" in page.text and "GR202544203256" in page.text.replace(" ", "")
    (fact,) = qualification_certificate.extract(document)
    assert fact.value == {"type": "high_tech_enterprise", "holder": "广州市云栖数字技术有限公司", "cert_no": "GR202544203256",
                          "issued_on": "2025-12-03", "expires_on": "2028-12-02", "product": None}


@pytest.mark.parametrize("encoding", ["gbk", "utf-8-sig"])
def test_a_csv_reads_as_a_sheet_in_either_encoding(tmp_path, encoding) -> None:
    """A 小程序 统计 download saved as CSV: cells in their columns, GBK (as Excel saves in China) or UTF-8."""
    path = tmp_path / "概况趋势.csv"
    path.write_bytes("时间,打开次数,累计用户数\n2026/11/19,5859,44337\n2026/11/25,6088,48814\n".encode(encoding))
    file = BundleFile(path=path.name, local_path=str(path), sha256="0" * 64, size=path.stat().st_size,
                      file_type=sniff_file_type(path))
    document = PageReader(Settings(home=tmp_path / "home")).read(file)
    cells = {(b.bbox[0], b.bbox[1]): b.text for b in document.pages[0].blocks}
    assert cells[(2, 0)] == "累计用户数" and cells[(0, 2)] == "2026/11/25" and cells[(2, 2)] == "48814"


def test_plain_text_stays_one_block_per_line(tmp_path) -> None:
    path = tmp_path / "说明.txt"
    path.write_text("兹证明我司员工共25人。\n特此说明，谢谢。\n", encoding="utf-8")
    file = BundleFile(path=path.name, local_path=str(path), sha256="0" * 64, size=path.stat().st_size,
                      file_type=sniff_file_type(path))
    assert [b.text for b in PageReader(Settings(home=tmp_path / "home")).read(file).pages[0].blocks] == [
        "兹证明我司员工共25人。", "特此说明，谢谢。"]


def test_a_table_cell_the_detector_missed_is_read_again_by_the_recogniser(reader, tmp_path):
    """The partner centre's list of certified staff sent through WeChat: a two-character name (马博) in two rows
    lost to the compression, every other cell of the rows read. The rows share their columns with the rows
    around them, so the empty place under the 姓名 column is read again, by the recogniser alone (a text
    detector finds nothing on so small a crop half the time)."""
    from extractors import ops_certificate
    from tests.readings import blind_sample

    path = blind_document("ops_certificate/fresh11_partner_certified_staff", "wechat", tmp_path)
    document = reader.read(as_file(path)).model_copy(update={"kind": "ops_certificate"})
    truth = sorted(c["holder"] for c in blind_sample("ops_certificate/fresh11_partner_certified_staff", "wechat").facts["ops_certificate"])
    read = sorted(f.value["holder"] for f in ops_certificate.extract(document) if f.name == "ops_certificate")
    assert read == truth and read.count("马博") == 2, read


def test_a_row_lacking_a_cell_its_neighbours_print_is_a_place_to_read_again():
    from pipeline.form_gaps import unread_cell_places

    def row(y, cells):
        return [TextBlock(text=t, bbox=(x, y, x + 80, y + 24), confidence=0.99) for x, t in cells]
    blocks = (row(100, [(280, "姓名"), (380, "手机号"), (510, "证书名称"), (870, "证书编号")])
              + row(150, [(280, "叶佳强"), (380, "134****3548"), (510, "腾讯云架构工程师"), (870, "2024TCA7340053")])
              + row(200, [(380, "159****3829"), (510, "腾讯云运维工程师"), (870, "2025TCA2500998")]))
    places = unread_cell_places(blocks, 1600, 1000)
    assert [tuple(round(v) for v in p) for p, _ in places] == [(280, 200, 360, 224)]
    assert unread_cell_places(blocks[:8], 1600, 1000) == []  # every row whole


def test_a_bill_download_with_account_lines_above_its_table_reads_as_a_sheet(tmp_path) -> None:
    """The 费用中心 明细账单 CSV: 账单月份 / 主账号ID lines of two fields above a table of fourteen; csv's sniffer
    gives up on such a file, the table's own width decides."""
    path = tmp_path / "明细账单.csv"
    path.write_bytes(("账单月份,2026-11\n主账号ID,100038982149\n币种,人民币（元）\n\n"
                      "订单号,产品名称,计费模式,扣费时间,实付金额(元)\n"
                      "20261108595135888769925,云服务器,包年包月,2026-11-08 11:05:56,636.57\n"
                      "-,短信,按量计费,2026-11-09 02:41:40,27.56\n"
                      "20261107221374466522403,云服务器,包年包月,2026-11-07 08:01:57,2651.36\n").encode("gbk"))
    file = BundleFile(path=path.name, local_path=str(path), sha256="0" * 64, size=path.stat().st_size,
                      file_type=sniff_file_type(path))
    document = PageReader(Settings(home=tmp_path / "home")).read(file)
    cells = {(b.bbox[0], b.bbox[1]): b.text for b in document.pages[0].blocks}
    assert cells[(0, 5)] == "20261108595135888769925" and cells[(4, 7)] == "2651.36"


def test_a_word_file_keeps_headings_above_their_tables_and_a_merged_cell_once(reader, tmp_path):
    """A Word 附件 listing registrations as small key-value tables under their headings: the text comes in the
    order it is printed, and a value cell merged across three columns is one block, not its text three times."""
    import docx

    document = docx.Document()
    for heading, name in (("（一）《方圆在线教育直播平台》", "方圆在线教育直播平台V2.5.1"), ("（二）《API网关平台》", "API网关平台V3.1")):
        document.add_paragraph(heading)
        table = document.add_table(rows=2, cols=4)
        table.cell(0, 0).text = "软件名称"
        merged = table.cell(0, 1).merge(table.cell(0, 3))
        merged.text = name
        table.cell(1, 0).text = "登记号"
        table.cell(1, 1).text = "2020SR1416564"
    path = tmp_path / "软著清单.docx"
    document.save(path)
    page = reader.read(as_file(path)).pages[0]
    texts = [b.text for b in page.blocks]
    assert texts.count("方圆在线教育直播平台V2.5.1") == 1
    assert texts.index("（二）《API网关平台》") < texts.index("API网关平台V3.1") and texts.index("（一）《方圆在线教育直播平台》") == 0
    merged_block = next(b for b in page.blocks if b.text == "API网关平台V3.1")
    assert merged_block.bbox[2] - merged_block.bbox[0] == 3
