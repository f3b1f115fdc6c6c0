"""Tables read by their header: a ruled PDF table (pdfplumber, Page.tables), xlsx cells, or OCR boxes
grouped into rows by geometry. A header row is the one naming at least `min_columns` known columns; rows
that repeat the header (lists running over several pages) are skipped."""
from __future__ import annotations

from dataclasses import dataclass

from extractors.values import normalise
from pipeline.models import BBox, Document, Page, TextBlock


@dataclass(frozen=True)
class TableRow:
    cells: dict[str, str]  # column name -> cell text (normalised)
    page: int
    bbox: BBox
    confidence: float

    @property
    def text(self) -> str:
        return " | ".join(f"{k}={v}" for k, v in self.cells.items())


def column_of(text: str, columns: dict[str, list[str]]) -> str | None:
    """Which known column a header cell names (the longest label contained in it)."""
    compact = normalise(text)
    best = max(
        ((label, name) for name, labels in columns.items() for label in labels if label in compact),
        key=lambda pair: len(pair[0]), default=None,
    )
    return best[1] if best else None


def read_table(document: Document, columns: dict[str, list[str]], min_columns: int = 2) -> list[TableRow]:
    rows: list[TableRow] = []
    for page in document.pages:
        if page.tables:
            rows.extend(_ruled_rows(page, columns, min_columns))
        else:
            rows.extend(_geometric_rows(page, columns, min_columns))
    return rows


def _ruled_rows(page: Page, columns: dict[str, list[str]], min_columns: int) -> list[TableRow]:
    out = []
    for table in page.tables:
        mapping: dict[int, str] = {}
        for i, row in enumerate(table.rows):
            named = {j: column_of(cell, columns) for j, cell in enumerate(row)}
            if sum(1 for v in named.values() if v) >= min_columns:
                mapping = {j: v for j, v in named.items() if v}
                continue
            if mapping and any(row):
                bbox = table.row_bboxes[i] if i < len(table.row_bboxes) else table.bbox
                cells = {name: normalise(row[j]) for j, name in mapping.items() if j < len(row) and row[j]}
                out.append(TableRow(cells, page.number, bbox, 0.99))
    return out


def group_lines(blocks: list[TextBlock]) -> list[list[TextBlock]]:
    """Blocks grouped into visual lines (vertical centres within half a line height), left to right."""
    lines: list[list[TextBlock]] = []
    for block in sorted(blocks, key=lambda b: (b.bbox[1] + b.bbox[3]) / 2):
        centre = (block.bbox[1] + block.bbox[3]) / 2
        if lines and abs(centre - _centre(lines[-1])) <= 0.5 * _line_height(lines[-1]):
            lines[-1].append(block)
        else:
            lines.append([block])
    return [sorted(line, key=lambda b: b.bbox[0]) for line in lines]


def _centre(line: list[TextBlock]) -> float:
    return sum((b.bbox[1] + b.bbox[3]) / 2 for b in line) / len(line)


def _line_height(line: list[TextBlock]) -> float:
    return max(b.bbox[3] - b.bbox[1] for b in line)


def _geometric_rows(page: Page, columns: dict[str, list[str]], min_columns: int) -> list[TableRow]:
    out = []
    header: list[tuple[str, BBox]] = []
    for line in group_lines(page.blocks):
        named = [(column_of(b.text, columns), b) for b in line]
        if sum(1 for name, _ in named if name) >= min_columns:
            header = [(name, b.bbox) for name, b in named if name]
            continue
        if header:
            cells = _assign(line, header)
            if cells:
                bbox = (min(b.bbox[0] for b in line), min(b.bbox[1] for b in line),
                        max(b.bbox[2] for b in line), max(b.bbox[3] for b in line))
                out.append(TableRow(cells, page.number, bbox, min(b.confidence for b in line)))
    return out


def _assign(line: list[TextBlock], header: list[tuple[str, BBox]]) -> dict[str, str]:
    """Each block goes to the header column whose horizontal span it overlaps most (else the nearest)."""
    cells: dict[str, str] = {}
    for block in line:
        name = max(header, key=lambda h: (_overlap(block.bbox, h[1]), -_distance(block.bbox, h[1])))[0]
        cells[name] = cells.get(name, "") + normalise(block.text)
    return cells


def _overlap(a: BBox, b: BBox) -> float:
    return max(0.0, min(a[2], b[2]) - max(a[0], b[0]))


def _distance(a: BBox, b: BBox) -> float:
    return abs((a[0] + a[2]) / 2 - (b[0] + b[2]) / 2)
