"""Digital PDFs to text blocks. Each library does what it does best and no readable text is lost:
- pdfplumber (with `dedupe_chars`, so fake-bold text is not doubled) gives lines with boxes;
- pypdfium2 reads fonts pdfminer cannot (fpdf2 + Noto CJK CFF fonts come back empty from pdfplumber);
- a page whose text layer is garbage on both is rendered with pypdfium2 and OCRed;
- a large picture on a text page (a scan pasted into a bid document) is OCR'd too, and its lines join the page's."""
from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

import numpy as np
import pdfplumber
import pypdfium2 as pdfium

from pipeline.config import IngestLimits
from pipeline.errors import UnreadableDocument
from pipeline.models import (
    BBox,
    ErrorCode,
    Page,
    Table,
    TextBlock,
    TextSource,
    centre_in,
)

_GARBAGE = re.compile(r"\(cid:\d+\)|\ufffd|/gid\d+|/g\d{2,}")
_CJK = re.compile(r"[\u3400-\u9fff]")
TEXT_LAYER_CONFIDENCE = 0.99

PageOcr = Callable[[np.ndarray, int], Page]  # (rendered RGB image, page number) -> OCR page in pixels


def is_garbage_text(text: str) -> bool:
    """True for a text layer that cannot be trusted: glyph codes instead of characters, or almost no CJK
    on a page that has plenty of text (a CJK font without a usable ToUnicode map)."""
    compact = re.sub(r"\s", "", text)
    if not compact:
        return False
    if len(_GARBAGE.findall(text)) >= 3 or compact.count("\ufffd") / len(compact) > 0.02:
        return True
    letters = [c for c in compact if c.isalpha()]
    private = sum(1 for c in compact if 0xE000 <= ord(c) <= 0xF8FF)
    if private / len(compact) > 0.1:
        return True
    return len(letters) >= 40 and len(_CJK.findall(compact)) / len(letters) < 0.02


def read_pdf(path: Path, limits: IngestLimits, render_dpi: int, ocr: PageOcr) -> list[Page]:
    with _open_pdfium(path, limits) as pdf, _open_plumber(path) as plumber:
        return [_read_page(pdf[i], _plumber_page(plumber, i), i + 1, render_dpi, limits, ocr) for i in range(len(pdf))]


@contextmanager
def _open_pdfium(path: Path, limits: IngestLimits) -> Iterator[pdfium.PdfDocument]:
    try:
        pdf = pdfium.PdfDocument(path)
    except pdfium.PdfiumError as exc:
        code = ErrorCode.ENCRYPTED_PDF if "password" in str(exc).lower() else ErrorCode.CORRUPT_PDF
        hint = "ask for an unprotected copy" if code is ErrorCode.ENCRYPTED_PDF else "ask the applicant to re-export it"
        raise UnreadableDocument(code, f"the PDF cannot be opened ({exc}); {hint}") from exc
    try:
        if len(pdf) > limits.max_pdf_pages:
            raise UnreadableDocument(
                ErrorCode.TOO_MANY_PAGES,
                f"{len(pdf)} pages is over the limit of {limits.max_pdf_pages}; split the file or raise limits.max_pdf_pages",
            )
        if len(pdf) == 0:
            raise UnreadableDocument(ErrorCode.CORRUPT_PDF, "the PDF has no pages; ask the applicant to re-export it")
        yield pdf
    finally:
        pdf.close()


@contextmanager
def _open_plumber(path: Path) -> Iterator[pdfplumber.PDF | None]:
    """pdfminer fails on some files pdfium reads; then pypdfium2 alone provides the text."""
    try:
        plumber = pdfplumber.open(path)
    except Exception:  # noqa: BLE001 - any pdfminer failure just means "no second opinion"
        yield None
        return
    try:
        yield plumber
    finally:
        plumber.close()


def _plumber_page(plumber: pdfplumber.PDF | None, index: int):
    try:
        return plumber.pages[index] if plumber is not None else None
    except Exception:  # noqa: BLE001
        return None


def _read_page(page: pdfium.PdfPage, plumber_page, number: int, dpi: int, limits: IngestLimits, ocr: PageOcr) -> Page:
    width, height = page.get_size()
    plumber_blocks, plumber_raw = _plumber_lines(plumber_page)
    pdfium_blocks = _pdfium_lines(page, height)
    plumber_text = "".join(b.text for b in plumber_blocks)
    pdfium_text = "".join(b.text for b in pdfium_blocks)
    plumber_ok = bool(plumber_text) and not is_garbage_text(plumber_text)
    pdfium_ok = bool(pdfium_text) and not is_garbage_text(pdfium_text)
    if plumber_ok and (not pdfium_ok or plumber_raw >= 0.8 * _compact_len(pdfium_text)):
        return _with_pictures(page, Page(number=number, width=width, height=height, source=TextSource.TEXT_LAYER,
                                         blocks=plumber_blocks, tables=_plumber_tables(plumber_page)), dpi, limits, ocr)
    if pdfium_ok:
        return _with_pictures(page, Page(number=number, width=width, height=height, source=TextSource.TEXT_LAYER,
                                         blocks=pdfium_blocks), dpi, limits, ocr)
    if plumber_text or pdfium_text or _has_images(page):
        return _ocr_rendered(page, number, dpi, limits, ocr)
    return Page(number=number, width=width, height=height, source=TextSource.NONE, blocks=[])


def _compact_len(text: str) -> int:
    return len(re.sub(r"\s", "", text))


_PHRASE_GAP = 4  # points: characters closer than this are one phrase; a wider gap separates table cells


def _plumber_lines(plumber_page) -> tuple[list[TextBlock], int]:
    """The text layer as phrases (runs of characters without a wide gap) with their boxes, like OCR's text
    lines: a table without ruling lines keeps its cells apart."""
    if plumber_page is None:
        return [], 0
    try:
        raw = sum(1 for c in plumber_page.chars if not c["text"].isspace())
        words = plumber_page.dedupe_chars(tolerance=1).extract_words(keep_blank_chars=True, x_tolerance=_PHRASE_GAP)
    except Exception:  # noqa: BLE001 - a page pdfminer chokes on is read by pdfium instead
        return [], 0
    blocks = [
        TextBlock(text=word["text"].strip(), bbox=(word["x0"], word["top"], word["x1"], word["bottom"]), confidence=TEXT_LAYER_CONFIDENCE)
        for word in words
        if word["text"].strip()
    ]
    return blocks, raw


def _plumber_tables(plumber_page) -> list[Table]:
    """Ruled tables only (pdfplumber's lines strategy): a page without ruling lines costs nothing here. A
    "table" of one column is a shaded or framed box (a highlighted row, a seal's frame), and its text is read
    as lines instead."""
    try:
        if len(plumber_page.lines) + len(plumber_page.rects) < 4:
            return []
        tables = []
        for table in plumber_page.dedupe_chars(tolerance=1).find_tables():
            printed = table.extract()
            if any(_stacked(row) for row in printed):
                continue  # ruled between columns only: its rows are read from the lines
            rows = [[_cell(c) for c in row] for row in printed]
            if max((len(row) for row in rows), default=0) >= 2:
                tables.append(Table(bbox=table.bbox, rows=rows, row_bboxes=[row.bbox for row in table.rows]))
        return tables
    except Exception:  # noqa: BLE001 - tables are a bonus over the text lines, which are already read
        return []


STACKED_LINES = 3  # lines in each of two cells of one ruled "row" that make it several rows with no rule between


def _stacked(row: list[str | None]) -> bool:
    """A table ruled between its columns and under its header only gives all its rows as one, each cell holding
    a line per row (1 2 3 … down the 序号 cell); one row's wrapped cell (an address over three lines) is alone."""
    return sum(1 for cell in row if cell and cell.count("\n") + 1 >= STACKED_LINES) >= 2


def _cell(text: str | None) -> str:
    return re.sub(r"\s*\n\s*", "", text or "").strip()


def _pdfium_lines(page: pdfium.PdfPage, height: float) -> list[TextBlock]:
    textpage = page.get_textpage()
    try:
        blocks = []
        for i in range(textpage.count_rects()):
            left, bottom, right, top = textpage.get_rect(i)
            text = textpage.get_text_bounded(left, bottom, right, top).strip()
            if text:
                bbox: BBox = (left, height - top, right, height - bottom)
                blocks.append(TextBlock(text=text, bbox=bbox, confidence=TEXT_LAYER_CONFIDENCE))
        return blocks
    finally:
        textpage.close()


def _has_images(page: pdfium.PdfPage) -> bool:
    return any(obj.type == pdfium.raw.FPDF_PAGEOBJ_IMAGE for obj in page.get_objects(max_depth=2))


PICTURE_SHARE = 0.1  # of the page's area: a picture this large may be a document of its own (a scan pasted in)
PICTURE_TEXT = 20  # characters of the text layer inside a picture, above which the picture's text is in the layer


def _with_pictures(page: pdfium.PdfPage, read: Page, dpi: int, limits: IngestLimits, ocr: PageOcr) -> Page:
    """A text page that also holds a large picture with no text of the layer over it (a certificate's scan
    pasted into a bid document, a screenshot in a report): the picture is OCR'd and its lines join the page's,
    in page coordinates. The page is then `mixed`: its OCR'd lines keep OCR's confidence."""
    width, height = read.width, read.height
    boxes = []
    for obj in page.get_objects(max_depth=2):
        if obj.type != pdfium.raw.FPDF_PAGEOBJ_IMAGE:
            continue
        left, bottom, right, top = obj.get_bounds()
        box = (max(left, 0.0), max(height - top, 0.0), min(right, width), min(height - bottom, height))
        if (box[2] - box[0]) * (box[3] - box[1]) < PICTURE_SHARE * width * height:
            continue
        inside = sum(len(b.text) for b in read.blocks if centre_in(b.bbox, box))
        if inside <= PICTURE_TEXT:
            boxes.append(box)
    if not boxes:
        return read
    scale = min(dpi / 72, (limits.max_image_pixels / max(width * height, 1)) ** 0.5)
    image = np.asarray(page.render(scale=scale).to_pil().convert("RGB"))
    blocks = list(read.blocks)
    for box in boxes:
        x0, y0, x1, y1 = (int(v * scale) for v in box)
        picture = ocr(np.ascontiguousarray(image[y0:y1, x0:x1]), read.number)
        sx, sy = (box[2] - box[0]) / max(picture.width, 1), (box[3] - box[1]) / max(picture.height, 1)
        blocks += [b.model_copy(update={"bbox": (box[0] + b.bbox[0] * sx, box[1] + b.bbox[1] * sy,
                                                 box[0] + b.bbox[2] * sx, box[1] + b.bbox[3] * sy),
                                        "slope": b.slope * sy / sx if b.slope is not None and sx else None})
                   for b in picture.blocks]
    return read.model_copy(update={"blocks": blocks, "source": TextSource.MIXED})


def _ocr_rendered(page: pdfium.PdfPage, number: int, dpi: int, limits: IngestLimits, ocr: PageOcr) -> Page:
    width, height = page.get_size()
    scale = min(dpi / 72, (limits.max_image_pixels / max(width * height, 1)) ** 0.5)
    image = np.asarray(page.render(scale=scale).to_pil().convert("RGB"))
    read = ocr(image, number)
    factor = 1 / scale
    blocks = [b.model_copy(update={"bbox": tuple(v * factor for v in b.bbox)}) for b in read.blocks]
    return Page(number=number, width=read.width * factor, height=read.height * factor, source=TextSource.OCR,
                rotation=read.rotation, blocks=blocks)
