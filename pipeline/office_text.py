"""xlsx and docx to text blocks. Boxes are grid positions: (column, row) cells for a sheet, one row per
paragraph or table cell for a document, so that "same line / line below" reading works as on a page. The
pictures a Word document holds are OCR'd, one page each."""
from __future__ import annotations

import csv
import datetime as dt
import io
import zipfile
from collections import Counter
from collections.abc import Callable
from pathlib import Path

import docx
import numpy as np
import openpyxl
from docx.oxml.ns import qn
from docx.table import Table as DocxTable

from pipeline.config import IngestLimits
from pipeline.errors import UnreadableDocument
from pipeline.image_text import load_image_frames
from pipeline.models import ErrorCode, Page, TextBlock, TextSource
from pipeline.sniff import text_encoding

_CELL_CONFIDENCE = 1.0


def read_xlsx(path: Path, limits: IngestLimits) -> list[Page]:
    try:
        workbook = openpyxl.load_workbook(path, read_only=True, data_only=True)
    except (zipfile.BadZipFile, KeyError, ValueError, OSError) as exc:
        raise UnreadableDocument(ErrorCode.CORRUPT_OFFICE, f"the workbook cannot be opened ({exc}); ask for a re-export") from exc
    try:
        return [_sheet_page(sheet, n) for n, sheet in enumerate(workbook.worksheets[: limits.max_pdf_pages], start=1)]
    finally:
        workbook.close()


def _sheet_page(sheet, number: int) -> Page:
    blocks: list[TextBlock] = []
    max_col = 0
    rows = 0
    for rows, row in enumerate(sheet.iter_rows(values_only=True), start=1):
        for col, value in enumerate(row, start=1):
            text = cell_text(value)
            if text:
                max_col = max(max_col, col)
                blocks.append(TextBlock(text=text, bbox=(col - 1, rows - 1, col, rows), confidence=_CELL_CONFIDENCE))
    return Page(number=number, width=max_col, height=rows, source=TextSource.CELLS, blocks=blocks)


def cell_text(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, dt.datetime):
        return value.date().isoformat() if value.time() == dt.time() else value.isoformat(sep=" ")
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


def open_docx(path: Path):
    try:
        return docx.Document(str(path))
    except (zipfile.BadZipFile, KeyError, ValueError, OSError) as exc:
        raise UnreadableDocument(ErrorCode.CORRUPT_OFFICE, f"the document cannot be opened ({exc}); ask for a re-export") from exc


def docx_pictures(document) -> list[bytes]:
    """The pictures a Word document holds, in the order they appear (a screenshot pasted into the letter)."""
    related = document.part.related_parts
    ids = [blip.get(qn("r:embed")) for blip in document.element.body.iter(qn("a:blip"))]
    return [related[i].blob for i in dict.fromkeys(ids) if i in related and related[i].content_type.startswith("image/")]


def read_docx(path: Path, limits: IngestLimits, ocr: Callable[[np.ndarray, int], Page], warnings: list[str]) -> list[Page]:
    """Page 1 is the document's text (paragraphs, then tables); each picture it holds is OCR'd as a page of its
    own, from page 2 on. A picture that cannot be decoded is skipped, with a warning."""
    document = open_docx(path)
    pages = [_docx_text_page(document)]
    for n, blob in enumerate(docx_pictures(document)[: limits.max_pdf_pages], start=2):
        try:
            frame = load_image_frames(io.BytesIO(blob), limits)[0]
        except UnreadableDocument as exc:
            warnings.append(f"picture {n - 1} of the document was not read: {exc.message}")
            pages.append(Page(number=n, width=0, height=0, source=TextSource.NONE))
            continue
        pages.append(ocr(frame, n))
    return pages


def _docx_text_page(document) -> Page:
    """The document's paragraphs and table rows in the order they are printed (a heading stays above its table),
    a row per line; a cell merged across columns is one block spanning them, not the same text once per column."""
    blocks: list[TextBlock] = []
    row = 0
    for part in document.iter_inner_content():
        if isinstance(part, DocxTable):
            for table_row in part.rows:
                cells = list(table_row.cells)
                col = 0
                while col < len(cells):
                    span = 1
                    while col + span < len(cells) and cells[col + span]._tc is cells[col]._tc:
                        span += 1
                    if cells[col].text.strip():
                        blocks.append(TextBlock(text=cells[col].text.strip(), bbox=(col, row, col + span, row + 1),
                                                confidence=_CELL_CONFIDENCE))
                    col += span
                row += 1
        elif part.text.strip():
            blocks.append(TextBlock(text=part.text.strip(), bbox=(0, row, 1, row + 1), confidence=_CELL_CONFIDENCE))
            row += 1
    width = max((b.bbox[2] for b in blocks), default=0)
    return Page(number=1, width=width, height=row, source=TextSource.CELLS, blocks=blocks)


def read_plain_text(path: Path, delimited: bool = True) -> list[Page]:
    """A text file as one page: a line per row; a delimited file (CSV, tab-separated) as a sheet of cells."""
    text = path.read_text(encoding=text_encoding(path) or "utf-8-sig", errors="replace")
    lines = text.splitlines()
    rows = _delimited_rows(text, lines) if delimited else None
    if rows is None:
        rows = [[line] for line in lines]
    blocks = [TextBlock(text=cell.strip(), bbox=(col, i, col + 1, i + 1), confidence=_CELL_CONFIDENCE)
              for i, row in enumerate(rows) for col, cell in enumerate(row) if cell.strip()]
    width = max((len(row) for row in rows), default=1)
    return [Page(number=1, width=width, height=len(rows), source=TextSource.CELLS, blocks=blocks)]


_DELIMITERS = ",\t;|"
_DELIMITED_SHARE = 0.6  # of the non-empty lines that must split into the same number of fields


def _delimited_rows(text: str, lines: list[str]) -> list[list[str]] | None:
    """The file's rows as fields when it is delimited text: most lines split, by the delimiter csv's sniffer
    finds, into the same number of fields (two or more)."""
    filled = [line for line in lines if line.strip()]
    if len(filled) < 2:
        return None
    try:
        dialects: list[type[csv.Dialect] | str] = [csv.Sniffer().sniff("\n".join(filled[:50]), delimiters=_DELIMITERS)]
    except csv.Error:  # the sniffer wants most lines alike: a bill's account lines above its table defeat it
        dialects = list(_DELIMITERS)
    for dialect in dialects:
        rows = list(csv.reader(io.StringIO(text), delimiter=dialect) if isinstance(dialect, str)
                    else csv.reader(io.StringIO(text), dialect))
        filled_rows = [row for row in rows if any(cell.strip() for cell in row)]
        widths = Counter(len(row) for row in filled_rows)
        width, count = widths.most_common(1)[0] if widths else (0, 0)
        # lines above the table (a bill's 账单月份 and account lines) do not count against it
        table = filled_rows[next((i for i, row in enumerate(filled_rows) if len(row) == width), 0):]
        least = 3 if isinstance(dialect, str) else 2  # unsniffed: a table of three columns at least, not prose with a comma
        if width >= least and count >= _DELIMITED_SHARE * len(table):
            return rows
    return None
