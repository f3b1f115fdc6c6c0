"""社保缴纳清单 / 参保证明: the employer, the latest payment month, and the distinct persons insured in that month.

The table is read by its header (extractors/tables.py): a ruled PDF table, xlsx cells, or OCR boxes. A scanned or
photographed page is skewed, so its boxes are levelled first (the slope of the text lines, measured between
neighbouring boxes, is taken out) before they are grouped into rows. A person is counted once however many
险种 rows they have; someone only in earlier months has left. Persons are told apart by name, with the visible
ID digits as a tie-breaker, never by the masked ID string, which OCR does not read exactly. Full ID numbers
(xlsx exports) are masked before they reach a fact.
"""
from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass
from enum import StrEnum

import numpy as np
from pydantic import BaseModel, ConfigDict
from stdnum.cn import ric

from extractors.fields import Reading, make_fact, parse_with, read_by_shape, read_labelled
from extractors.layout import Candidate
from extractors.shapes import read_credit_code
from extractors.specs import load_options
from extractors.tables import TableRow, column_of, read_table
from extractors.values import ValueParseError, normalise, parse_date, parse_month, registered_name
from pipeline.models import BBox, Document, DocumentKind, Fact, Page, TextBlock, TextSource
from pipeline.privacy import mask_id_numbers

NAME = "social_security_list"
KIND = DocumentKind.SOCIAL_SECURITY_LIST
TEXT_CONFIDENCE = 0.97  # text layer or cells: the rows are what the bureau printed
OCR_CONFIDENCE = 0.88  # OCR'd rows: a misread name could split or merge a person
UNCLEAN_CONFIDENCE = 0.7  # some rows could not be parsed: the count may be off
_DIGITS = str.maketrans({"O": "0", "o": "0", "D": "0", "I": "1", "l": "1", "L": "1", "S": "5", "B": "8", "Z": "2"})
_MASK = re.compile(r"[*＊]+")


class Column(StrEnum):
    SEQ = "seq"
    NAME = "name"
    ID_NUMBER = "id_number"
    MONTH = "month"
    INSURANCE = "insurance"
    BASE = "base"
    STATUS = "status"


class SocialSecurityOptions(BaseModel):
    model_config = ConfigDict(extra="forbid")

    columns: dict[Column, list[str]]
    min_header_columns: int
    name_pattern: str
    company_suffixes: list[str]
    issuer_words: list[str]


def options() -> SocialSecurityOptions:
    return load_options(NAME, SocialSecurityOptions)


def extract(document: Document) -> list[Fact]:
    facts = read_labelled(document, NAME, "employer", _parse_employer, NAME)
    if not facts:
        facts = read_by_shape(document, _parse_employer, NAME)
    facts += read_labelled(document, NAME, "employer_credit_code", _parse_credit_code, NAME)
    facts += read_labelled(document, NAME, "printed_on", _parse_printed_on, NAME)
    ocr_pages = {p.number for p in document.pages if p.source is TextSource.OCR}
    rows = [parse_row(row, row.page not in ocr_pages) for row in read_rows(document)]
    return facts + roster_facts(document, [r for r in rows if r.is_data])


# --- the label fields ----------------------------------------------------------------------------------------

def _parse_employer(text: str) -> list[Reading]:
    compact = re.split(r"[:：]", normalise(text).lstrip(":："))[0]
    suffixes = "|".join(re.escape(s) for s in sorted(options().company_suffixes, key=len, reverse=True))
    match = re.match(rf"(.{{2,60}}(?:{suffixes}))", compact)
    name = match.group(1) if match else ""
    if not name or re.search(r"[;；，,。]|\d{4}", name) or any(word in name for word in options().issuer_words):
        return []
    return [Reading("social_security_employer", registered_name(name))]


def _parse_credit_code(text: str) -> list[Reading]:
    return read_credit_code(text, "social_security_employer_credit_code")


_parse_printed_on = parse_with(lambda text: parse_date(text).isoformat(), "social_security_printed_on", (ValueParseError,))


# --- rows ----------------------------------------------------------------------------------------------------

@dataclass(frozen=True)
class VisibleId:
    """What an ID cell shows: the leading area digits and the last four, as printed (masked or not)."""

    head: str | None
    tail: str | None
    check_ok: bool | None = None  # a full number's check digit; None when the number is masked

    @property
    def masked(self) -> str:
        return f"{self.head or '****'}{'*' * 10}{self.tail or '****'}"


@dataclass(frozen=True)
class InsuredRow:
    name: str | None  # None: no cell, or not a name
    id: VisibleId | None
    month: str | None  # YYYY-MM; None when absent or unreadable
    row: TableRow
    exact: bool  # read from a text layer or cells, not by OCR
    problems: tuple[str, ...] = ()

    @property
    def is_data(self) -> bool:
        """A row of the list rather than a footer line: it holds at least two of name, ID and month."""
        present = [c for c in (Column.NAME, Column.ID_NUMBER, Column.MONTH) if self.row.cells.get(c)]
        return len(present) >= 2


def read_rows(document: Document) -> list[TableRow]:
    """Table rows by header; OCR pages are levelled first, and each row keeps its box on the page as read."""
    spec = options()
    columns = {str(c): labels for c, labels in spec.columns.items()}
    pages = {p.number: p for p in document.pages}
    levelled = {n: level_page(p, columns) if p.source is TextSource.OCR else p for n, p in pages.items()}
    rows = read_table(document.model_copy(update={"pages": list(levelled.values())}), columns, spec.min_header_columns)
    return [_unlevel(row, pages[row.page], levelled[row.page]) for row in rows]


def parse_row(row: TableRow, exact: bool) -> InsuredRow:
    problems = []
    name, id_text = split_name(row.cells.get(Column.NAME, ""), row.cells.get(Column.ID_NUMBER, ""))
    if name is None:
        cell = row.cells.get(Column.NAME, "")
        problems.append(f"no name on page {row.page}" if not cell else f"{cell!r} is not a name (page {row.page})")
    month = None
    try:
        month = parse_month(row.cells.get(Column.MONTH, ""))
    except ValueParseError:
        problems.append(f"month {row.cells.get(Column.MONTH, '')!r} unreadable (page {row.page})")
    return InsuredRow(name, visible_id(id_text), month, row, exact, tuple(problems))


def split_name(name_cell: str, id_cell: str) -> tuple[str | None, str]:
    """The name, and the ID text. OCR glues a short name to its neighbours ("1宋娜1101"): a leading 序号 is
    dropped and trailing ID characters go back in front of the ID cell."""
    match = re.fullmatch(rf"\d*({options().name_pattern})([0-9A-Za-z*＊]*)", name_cell)
    if not match:
        return None, id_cell
    return match.group(1), match.group(2) + id_cell


def visible_id(cell: str) -> VisibleId | None:
    compact = re.sub(r"[^0-9A-Za-z*＊]", "", normalise(cell))
    if re.fullmatch(r"\d{17}[\dXx]", compact):
        return VisibleId(compact[:4], compact[-4:].upper(), ric.is_valid(compact))
    parts = _MASK.split(compact)
    if len(parts) >= 2:
        head, tail = parts[0], parts[-1]
    elif len(compact) == 8:  # the stars dropped by OCR, the two visible runs left
        head, tail = compact[:4], compact[4:]
    else:
        return None
    return VisibleId(_digits(head[:4]) if len(head) >= 4 else None, _tail(tail[-4:]) if len(tail) >= 4 else None)


def _digits(text: str) -> str:
    return text.translate(_DIGITS)


def _tail(text: str) -> str:
    """The last four: three digits and a check character that may be X."""
    return _digits(text[:3]) + (text[3].upper() if text[3] in "Xx" else _digits(text[3]))


# --- levelling a skewed page (OCR boxes only) ----------------------------------------------------------------

def level_page(page: Page, columns: dict[str, list[str]]) -> Page:
    """The page with each box moved up or down so that the text lines run level. The slope of the lines is
    measured between neighbouring boxes of one line, tracked from the header down the page (a scan's rotation
    gives one slope, a photo's perspective a slope that changes from top to bottom)."""
    pairs = _track_slopes(page.blocks, _header_slope(page.blocks, columns))
    if len(pairs) < _SLOPE_CHUNK:
        return page
    ys, slopes = _smoothed(pairs)
    centre = page.width / 2
    blocks = [_shift(b, -float(np.interp(_cy(b), ys, slopes)) * (_cx(b) - centre)) for b in page.blocks]
    return page.model_copy(update={"blocks": blocks})


_SLOPE_CHUNK = 5  # neighbour pairs per median when the slope is smoothed down the page
_SLOPE_INERTIA = 0.7  # how much of the running slope each new pair keeps


def _header_slope(blocks: list[TextBlock], columns: dict[str, list[str]]) -> float:
    longest = max(len(label) for labels in columns.values() for label in labels)
    header = [b for b in blocks if len(normalise(b.text)) <= longest + 1 and column_of(b.text, columns)]
    if len(header) < 2:
        return 0.0
    return float(np.polyfit([_cx(b) for b in header], [_cy(b) for b in header], 1)[0])


def _track_slopes(blocks: list[TextBlock], first_guess: float) -> list[tuple[float, float]]:
    """(height on the page, slope) between each box and its right neighbour on the same line, top to bottom.
    The running slope predicts where the neighbour is, so a box of the next row is never taken for it."""
    pairs, slope = [], first_guess
    for block in sorted(blocks, key=_cy):
        height = block.bbox[3] - block.bbox[1]
        right = [b for b in blocks if 0 < b.bbox[0] - block.bbox[2] + 2 < 8 * height]
        near = [b for b in right if abs(_cy(b) - _cy(block) - slope * (_cx(b) - _cx(block))) < 0.45 * height]
        other = min(near, key=lambda b: b.bbox[0], default=None)
        if other is not None and _cx(other) - _cx(block) > 2 * height:
            measured = (_cy(other) - _cy(block)) / (_cx(other) - _cx(block))
            pairs.append((_cy(block), measured))
            slope = _SLOPE_INERTIA * slope + (1 - _SLOPE_INERTIA) * measured
    return pairs


def _smoothed(pairs: list[tuple[float, float]]) -> tuple[list[float], list[float]]:
    """Medians of consecutive runs of pairs: the slope as a function of the height on the page."""
    ordered = sorted(pairs)
    chunks = [ordered[i:i + _SLOPE_CHUNK] for i in range(0, len(ordered) - _SLOPE_CHUNK + 1, _SLOPE_CHUNK)]
    return ([float(np.median([y for y, _ in c])) for c in chunks], [float(np.median([s for _, s in c])) for c in chunks])


def _cx(block: TextBlock) -> float:
    return (block.bbox[0] + block.bbox[2]) / 2


def _cy(block: TextBlock) -> float:
    return (block.bbox[1] + block.bbox[3]) / 2


def _shift(block: TextBlock, dy: float) -> TextBlock:
    x0, y0, x1, y1 = block.bbox
    return block.model_copy(update={"bbox": (x0, y0 + dy, x1, y1 + dy)})


def _unlevel(row: TableRow, page: Page, levelled: Page) -> TableRow:
    """The row's box in the page's own coordinates: the union of the original boxes of its levelled blocks."""
    if levelled is page:
        return row
    x0, y0, x1, y1 = row.bbox
    inside = [orig for orig, moved in zip(page.blocks, levelled.blocks)
              if x0 <= _cx(moved) <= x1 and y0 <= _cy(moved) <= y1]
    if not inside:
        return row
    box = (min(b.bbox[0] for b in inside), min(b.bbox[1] for b in inside),
           max(b.bbox[2] for b in inside), max(b.bbox[3] for b in inside))
    return TableRow(row.cells, row.page, box, row.confidence)


# --- persons and facts ---------------------------------------------------------------------------------------

@dataclass(frozen=True)
class Person:
    name: str
    id: VisibleId | None


def distinct_people(rows: list[InsuredRow]) -> list[Person]:
    """The persons of one month's rows, by name. A name read one character off that only fills a gap in a
    similar name's 险种 rows is that person, misread. The visible ID digits tell apart people of one name."""
    groups: dict[str, list[InsuredRow]] = {}
    for row in rows:
        if row.name:
            groups.setdefault(row.name, []).append(row)
    for name in sorted(groups, key=lambda n: len(groups[n])):
        target = next((other for other in groups if _is_misreading(groups[name], name, groups[other], other)), None)
        if target is not None:
            groups[target] += groups.pop(name)
    return [person for name, group in groups.items() for person in _people_of(name, group)]


def _people_of(name: str, rows: list[InsuredRow]) -> list[Person]:
    """Exact digits (text layer, cells): one person per distinct last four. OCR'd digits are not exact, so
    there the count is how often the name holds one 险种 in the month (one row per person and 险种), and the
    digits read most often go with it."""
    readings = [r.id for r in rows if r.id and r.id.tail]
    tails = Counter(reading.tail for reading in readings)
    exact = all(r.exact for r in rows) and len(readings) == len(rows)
    count = len(tails) if exact else _structural_count(rows)
    ids = [_best_reading(readings, tail) for tail, _ in tails.most_common(count)]
    return [Person(name, ids[i] if i < len(ids) else None) for i in range(count)]


def _best_reading(readings: list[VisibleId], tail: str | None) -> VisibleId:
    """Of the readings of one last four, one that shows the area digits too, if OCR read any."""
    same = [reading for reading in readings if reading.tail == tail]
    return next((reading for reading in same if reading.head), same[0])


def _structural_count(rows: list[InsuredRow]) -> int:
    return max(Counter(r.row.cells.get(Column.INSURANCE, "") for r in rows).values())


def _is_misreading(rows: list[InsuredRow], name: str, others: list[InsuredRow], other: str) -> bool:
    """Only OCR misreads names; a text layer's two names are two people."""
    if other == name or len(other) != len(name) or _differences(name, other) != 1 or len(others) < len(rows):
        return False
    if all(r.exact for r in rows + others):
        return False
    return _structural_count(rows + others) == _structural_count(others)


def _differences(a: str, b: str) -> int:
    return sum(x != y for x, y in zip(a, b)) + abs(len(a) - len(b))


def roster_facts(document: Document, rows: list[InsuredRow]) -> list[Fact]:
    months = sorted({r.month for r in rows if r.month})
    if not months:
        return []
    latest = [r for r in rows if r.month == months[-1]]
    people = distinct_people(latest)
    problems = [p for r in rows for p in r.problems]
    confidence, warnings = _confidence(latest, problems)
    first = latest[0].row
    page = next(p for p in document.pages if p.number == first.page)
    on_page = [r.row for r in latest if r.row.page == first.page]
    box = (min(r.bbox[0] for r in on_page), min(r.bbox[1] for r in on_page),
           max(r.bbox[2] for r in on_page), max(r.bbox[3] for r in on_page))
    summary = f"{months[-1]}: {len(people)} persons in {len(latest)} rows"
    roster = [{"name": p.name, "id_masked": p.id.masked if p.id else "*" * 18} for p in people]
    roster_warnings = warnings + _check_digit_warnings(people)
    return [
        _fact(document, page, first.bbox, first.text, Reading("social_security_month", months[-1], 1.0, tuple(warnings)),
              confidence),
        _fact(document, page, box, summary, Reading("social_security_headcount", len(people), 1.0, tuple(warnings)),
              confidence),
        _fact(document, page, box, summary, Reading("social_security_roster", roster, 1.0, tuple(roster_warnings)),
              confidence),
    ]


def _confidence(latest: list[InsuredRow], problems: list[str]) -> tuple[float, list[str]]:
    ocr = [r.row.confidence for r in latest if not r.exact]
    confidence = min(OCR_CONFIDENCE, float(np.mean(ocr))) if ocr else TEXT_CONFIDENCE
    if not problems:
        return confidence, []
    shown = "; ".join(problems[:3]) + (f"; and {len(problems) - 3} more" if len(problems) > 3 else "")
    warning = f"{len(problems)} rows could not be parsed cleanly ({shown}); the count may be off"
    return min(confidence, UNCLEAN_CONFIDENCE), [warning]


def _check_digit_warnings(people: list[Person]) -> list[str]:
    failing = [p.name for p in people if p.id is not None and p.id.check_ok is False]
    return [f"ID numbers of {', '.join(failing)} fail their check digit"] if failing else []


def _fact(document: Document, page: Page, bbox: BBox, text: str, reading: Reading, confidence: float) -> Fact:
    block = TextBlock(text=mask_id_numbers(text), bbox=bbox, confidence=confidence)
    return make_fact(document, page, Candidate(block.text, (block,), 1.0), reading, NAME)

