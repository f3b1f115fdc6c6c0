"""Page images for the analyst's report: each page drawn as it was read (OCR rotation applied), ID numbers
blurred, boxes mapped from page coordinates to pixels, and crops around a fact's box.

- Images and PDFs are rendered from the bundle's own files; a PDF page is drawn at `dpi` and its point
  coordinates scaled.
- Spreadsheets and Word files have cell coordinates (column, row); they are drawn as a grid of their cells, so
  a fact read from a cell has a box to show too. A picture a Word file holds is drawn as itself.
- Plain text and application.json get no page image (application.json holds the test account's password).
- Privacy: every block whose text holds an ID number is blurred, and on a social-security list the whole ID
  column below its header is blurred too, so an ID that OCR misread is covered as well.
"""
from __future__ import annotations

import io
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import numpy as np
import pdfplumber
import pypdfium2 as pdfium
from PIL import Image, ImageDraw, ImageFilter, ImageFont

from pipeline.config import IngestLimits
from pipeline.image_text import load_image_frames, rotate_image
from pipeline.models import BBox, Document, DocumentKind, FileType, Page, TextBlock, TextSource
from pipeline.office_text import docx_pictures, open_docx
from pipeline.privacy import ID_COLUMN_HEADERS, id_spans

FONT = Path("/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc")
CELL_W, CELL_H, GRID_MAX_ROWS, GRID_MAX_COLS = 220, 44, 80, 14


@dataclass(frozen=True)
class PageImage:
    image: Image.Image  # redacted
    scale_x: float  # pixels per page unit
    scale_y: float

    def to_pixels(self, bbox: BBox) -> tuple[int, int, int, int]:
        x0, y0, x1, y1 = bbox
        return (round(x0 * self.scale_x), round(y0 * self.scale_y), round(x1 * self.scale_x), round(y1 * self.scale_y))


@lru_cache(maxsize=4)
def _font(size: int) -> ImageFont.FreeTypeFont:
    try:
        return ImageFont.truetype(str(FONT), size=size, index=2)
    except OSError:
        return ImageFont.load_default()


def render_page(path: Path | None, document: Document, page: Page, dpi: int, limits: IngestLimits) -> PageImage | None:
    """The page as it was read, redacted, or None when it has no image (plain text, JSON, missing file)."""
    if document.file_type is FileType.DOCX and page.source is TextSource.OCR:  # a picture the document holds
        if path is None or not path.exists():
            return None
        pictures = docx_pictures(open_docx(path))
        picture = Image.fromarray(rotate_image(load_image_frames(io.BytesIO(pictures[page.number - 2]), limits)[0], page.rotation))
        scale = (picture.width / max(page.width, 1), picture.height / max(page.height, 1))
    elif document.file_type in (FileType.XLSX, FileType.DOCX):
        picture = _grid(page)
        scale = (CELL_W, CELL_H)
    elif path is None or not path.exists():
        return None
    elif document.file_type is FileType.PDF:
        picture, scale = _pdf_page(path, page, dpi)
    elif document.file_type.is_image:
        frames = load_image_frames(path, limits)
        picture = Image.fromarray(rotate_image(frames[page.number - 1], page.rotation))
        scale = (picture.width / max(page.width, 1), picture.height / max(page.height, 1))
    else:
        return None
    rendered = PageImage(picture, *scale)
    words = _pdf_words(path, page) if document.file_type is FileType.PDF and page.source is TextSource.TEXT_LAYER else None
    return PageImage(redact(rendered, page, document.kind, words), *scale)


def _pdf_words(path: Path, page: Page) -> list[TextBlock] | None:
    """The words of a text-layer PDF page with their own boxes (lines join cells, so a line is too coarse to
    find an ID number's place in)."""
    try:
        with pdfplumber.open(path) as pdf:
            words = pdf.pages[page.number - 1].dedupe_chars(tolerance=1).extract_words()
    except Exception:  # noqa: BLE001 - without words, the line blocks are used
        return None
    return [TextBlock(text=w["text"], bbox=(w["x0"], w["top"], w["x1"], w["bottom"]), confidence=1.0) for w in words]


def _pdf_page(path: Path, page: Page, dpi: int) -> tuple[Image.Image, tuple[float, float]]:
    pdf = pdfium.PdfDocument(str(path))
    try:
        picture = pdf[page.number - 1].render(scale=dpi / 72).to_pil().convert("RGB")
    finally:
        pdf.close()
    if page.rotation:
        picture = Image.fromarray(rotate_image(np.asarray(picture), page.rotation))
    return picture, (picture.width / max(page.width, 1), picture.height / max(page.height, 1))


def _grid(page: Page) -> Image.Image:
    """Cells drawn where they sit (bbox = column, row), first rows and columns only."""
    cols = min(GRID_MAX_COLS, max((int(b.bbox[2]) for b in page.blocks), default=1))
    rows = min(GRID_MAX_ROWS, max((int(b.bbox[3]) for b in page.blocks), default=1))
    picture = Image.new("RGB", (max(1, cols) * CELL_W, max(1, rows) * CELL_H), "white")
    draw = ImageDraw.Draw(picture)
    for r in range(rows + 1):
        draw.line((0, r * CELL_H, cols * CELL_W, r * CELL_H), fill=(210, 210, 210))
    for c in range(cols + 1):
        draw.line((c * CELL_W, 0, c * CELL_W, rows * CELL_H), fill=(210, 210, 210))
    for block in page.blocks:
        col, row = int(block.bbox[0]), int(block.bbox[1])
        if col < cols and row < rows:
            draw.text((col * CELL_W + 6, row * CELL_H + 10), _fit(block.text, CELL_W - 12), font=_font(20), fill="black")
    return picture


def _fit(text: str, width: int) -> str:
    font = _font(20)
    while text and font.getlength(text) > width:
        text = text[:-2] + "…" if len(text) > 2 else ""
    return text


def redact(rendered: PageImage, page: Page, kind: DocumentKind, words: list[TextBlock] | None = None) -> Image.Image:
    """Blur every ID number (the span of its block that holds it), and on a social-security list the ID column
    below its header (the header label's span, carried down the page). `words` replace the page's blocks when
    a finer split is known."""
    picture = rendered.image.copy()
    blocks = words if words is not None else page.blocks
    boxes = [rendered.to_pixels(span_box(b, *m.span())) for b in blocks for m in id_spans(b.text)]
    if kind is DocumentKind.SOCIAL_SECURITY_LIST and page.source is not TextSource.CELLS:  # a cell is blurred whole
        for block in blocks:
            for header in ID_COLUMN_HEADERS:
                at = block.text.find(header)
                if at >= 0:
                    x0, _, x1, y1 = rendered.to_pixels(span_box(block, at, at + len(header)))
                    pad = max(8, (x1 - x0) // 4)
                    boxes.append((x0 - pad, y1 + 2, x1 + pad, picture.height))
                    break
    for box in boxes:
        _blur(picture, box)
    return picture


def span_box(block, start: int, end: int) -> BBox:
    """The box of characters start..end of a one-line block, CJK characters counted twice as wide as ASCII."""
    weights = [1.0 if ord(ch) > 0x2E80 else 0.55 for ch in block.text] or [1.0]
    total = sum(weights)
    x0, y0, x1, y1 = block.bbox
    left = x0 + (x1 - x0) * sum(weights[:start]) / total
    right = x0 + (x1 - x0) * sum(weights[:end]) / total
    return (left, y0, right, y1)


def _blur(picture: Image.Image, box: tuple[int, int, int, int]) -> None:
    x0, y0, x1, y1 = max(0, box[0] - 4), max(0, box[1] - 4), min(picture.width, box[2] + 4), min(picture.height, box[3] + 4)
    if x1 <= x0 or y1 <= y0:
        return
    region = picture.crop((x0, y0, x1, y1)).filter(ImageFilter.GaussianBlur(radius=max(6, (y1 - y0) // 6)))
    picture.paste(region.filter(ImageFilter.BoxBlur(8)), (x0, y0))


def crop_around(rendered: PageImage, bbox: BBox, max_width: int = 640) -> Image.Image:
    """The fact's box with some of the page around it (more above and below than beside), box outlined."""
    x0, y0, x1, y1 = rendered.to_pixels(bbox)
    h = max(y1 - y0, 12)
    margin_x, margin_y = max(40, h), max(48, 2 * h)
    area = (max(0, x0 - margin_x), max(0, y0 - margin_y), min(rendered.image.width, x1 + margin_x),
            min(rendered.image.height, y1 + margin_y))
    crop = rendered.image.crop(area)
    draw = ImageDraw.Draw(crop)
    draw.rectangle((x0 - area[0] - 3, y0 - area[1] - 3, x1 - area[0] + 3, y1 - area[1] + 3), outline=(220, 30, 30), width=3)
    if crop.width > max_width:
        crop = crop.resize((max_width, max(1, round(crop.height * max_width / crop.width))))
    return crop


def text_card(lines: list[str], width: int = 640) -> Image.Image:
    """A small image of text: the crop of a fact that has no page image (a declared value, a plain-text file)."""
    font = _font(24)
    picture = Image.new("RGB", (width, 24 + 36 * len(lines)), (250, 250, 245))
    draw = ImageDraw.Draw(picture)
    for n, line in enumerate(lines):
        draw.text((14, 12 + 36 * n), _fit(line, width - 28), font=font, fill=(40, 40, 40))
    draw.rectangle((0, 0, width - 1, picture.height - 1), outline=(200, 200, 190))
    return picture
