"""Mini-program admin screenshots: 累计用户数 (only from its own card, never a neighbouring card's number) and
the statistics date (数据更新至 / 统计时间 / 截至), each kept with provenance."""
from __future__ import annotations

import datetime as dt
import math
import re
from functools import lru_cache

from pydantic import BaseModel, ConfigDict

from extractors.field_reading import CONTESTED_CAP, FieldReader, FieldReading, read_document, reading_fact
from extractors.fields import Reading, make_fact
from extractors.labels import LabelHit
from extractors.labels import labels_in_texts as find_labels
from extractors.layout import BELOW, RIGHT, SAME_BLOCK, Candidate
from extractors.registry import FunctionExtractor
from extractors.specs import load_fields, load_options
from extractors.tables import document_rows, read_records
from extractors.values import ValueParseError, normalise, parse_count, parse_date
from pipeline.models import Document, DocumentKind, Fact, Page, TextBlock

NAME = "miniprogram_stats"
KIND = DocumentKind.MINIPROGRAM_STATS
USERS_FACT, DATE_FACT = "miniprogram_registered_users", "miniprogram_stats_date"
_SAME_LINE_OVERLAP = 0.35
GLUED_FACTOR = 0.85  # a stray digit glued to the label was set aside: the reading is left for an analyst to confirm


class MiniOptions(BaseModel):
    model_config = ConfigDict(extra="forbid")

    count_field: str
    date_field: str
    series_columns: dict[str, list[str]]
    max_gap_lines: float
    misread_separator_factor: float


def options() -> MiniOptions:
    return load_options(NAME, MiniOptions)


def extract(document: Document) -> list[Fact]:
    return daily_series(document) or _users_and_date(document)


def _users_and_date(document: Document) -> list[Fact]:
    """The 累计用户数 and the statistics date. A screen holding several cards with their own figures (a chat of
    weekly reports, one card a week) gives the newest card's: the one whose statistics date, printed above its
    figure, is the latest. Cards whose dates cannot be told apart leave the figure to an analyst."""
    users = registered_users(document)
    if len({f.value for f in users}) <= 1:
        return users[:1] + stats_date(document)
    dated = [(day, fact) for fact in users if (day := _card_date(document, fact)) is not None]
    days = [day for day, _ in dated]
    if len(dated) < len(users) or len(set(d.value for d in days)) < len(days):
        first, rival = users[0], next(f for f in users if f.value != users[0].value)
        warning = f"also read {rival.value} from another card ({rival.text!r}): check which card is the one meant"
        return [first.model_copy(update={"confidence": min(first.confidence, CONTESTED_CAP),
                                         "warnings": [*first.warnings, warning]})] + stats_date(document)
    day, fact = max(dated, key=lambda pair: pair[0].value)
    why = f"the newest of {len(users)} cards on the screen, dated {day.value} (the others: " + ", ".join(
        f"{f.value} of {d.value}" for d, f in dated if f is not fact) + ")"
    date = reading_fact(document, day, DATE_FACT, NAME, confidence=min(fact.confidence, _NEWEST_CARD_DATE))
    return [fact.model_copy(update={"evidence": [*fact.evidence, why]}),
            date.model_copy(update={"evidence": [*date.evidence, why]})]


_NEWEST_CARD_DATE = 0.9  # a card's date chosen among several cards' by being the latest


def _card_date(document: Document, fact: Fact) -> FieldReading | None:
    """The statistics date of the card a figure belongs to: the date read nearest above the figure on its page."""
    page = next(p for p in document.pages if p.number == fact.page)
    above = [r for r in _date_readings(page) if r.bbox[3] <= fact.bbox[1] + 1]
    return min(above, key=lambda r: fact.bbox[1] - r.bbox[3], default=None)


def _date_readings(page: Page) -> list[FieldReading]:
    return _field_reader().read_page(page, (options().date_field,)).get(options().date_field, [])


@lru_cache(maxsize=1)
def _field_reader() -> FieldReader:
    data = load_fields(NAME)
    return FieldReader(data.fields, data.formats, data.lookalikes)


SERIES_CONFIDENCE = 0.95  # a cell placed by its column header, on the row of the latest day
OCR_SERIES_CONFIDENCE = 0.9  # the same, OCR'd (a sheet open on screen)


def daily_series(document: Document) -> list[Fact]:
    """A table of one row per day with a 累计用户数 column: the latest day's figure, and that day as the
    statistics date. Nothing when the document holds no such table."""
    header, records = read_records(document_rows(document), options().series_columns, lambda text: None, 2)
    if header is None or not {"date", "users"} <= header.names:
        return []
    days = [(day, users[0], record) for record in records
            if (day := _day(record.get("date"))) is not None and (users := parse_users(record.get("users")))]
    if not days:
        return []
    day, users, record = max(days, key=lambda d: d[0])
    row = record.row
    confidence = SERIES_CONFIDENCE if row.exact else min(row.confidence, OCR_SERIES_CONFIDENCE)
    evidence = [f"the 累计用户数 of the latest of {len(days)} days in a table of one row per day"]
    common = {"document": document.path, "page": row.page, "bbox": row.bbox, "text": row.text, "extractor": NAME,
              "evidence": evidence}
    return [Fact(name=USERS_FACT, value=users.value, confidence=round(confidence * users.factor, 4),
                 warnings=list(users.warnings), **common),
            Fact(name=DATE_FACT, value=day.isoformat(), confidence=round(confidence, 4), **common)]


def _day(cell: str) -> dt.date | None:
    """A day as a series prints it: any date form, or 20261120 under a 日期 header."""
    try:
        return parse_date(cell)
    except ValueParseError:
        pass
    compact = cell.strip()
    if re.fullmatch(r"(?:19|20)\d{6}", compact):
        try:
            return dt.datetime.strptime(compact, "%Y%m%d").date()
        except ValueError:
            return None
    return None


def stats_date(document: Document) -> list[Fact]:
    """The day the figures are for, read by the typed field layer (its label, or the end of a printed range);
    a chart's axis labels (11-14) are no date."""
    found = read_document(_field_reader(), document.pages, (options().date_field,)).get(options().date_field)
    return [reading_fact(document, found, DATE_FACT, NAME)] if found else []


def parse_stats_date(text: str) -> list[Reading]:
    try:
        return [Reading(DATE_FACT, parse_date(text).isoformat())]
    except ValueParseError:
        return []


def parse_users(text: str) -> list[Reading]:
    """A dashboard count: 5,832, 5832, 1.2万. "5.832" (no unit) is a misread separator: read, trusted less."""
    compact = normalise(text)
    try:
        return [Reading(USERS_FACT, parse_count(compact))]
    except ValueParseError:
        pass
    if re.fullmatch(r"\d{1,3}(?:\.\d{3})+", compact):
        warning = f"{compact!r} read as {compact.replace('.', ',')!r}: a count has no fraction, so '.' is a misread ','"
        return [Reading(USERS_FACT, int(compact.replace(".", "")), options().misread_separator_factor, (warning,))]
    return []


# --- which number is the 累计用户数 card's ------------------------------------------------------------------

def _height(block: TextBlock) -> float:
    return max(block.bbox[3] - block.bbox[1], 1e-6)


def _same_line(a: TextBlock, b: TextBlock) -> bool:
    overlap = min(a.bbox[3], b.bbox[3]) - max(a.bbox[1], b.bbox[1])
    return overlap / min(_height(a), _height(b)) >= _SAME_LINE_OVERLAP


def _same_column(a: TextBlock, b: TextBlock) -> bool:
    return min(a.bbox[2], b.bbox[2]) - max(a.bbox[0], b.bbox[0]) > 0


def attach_gap(label: TextBlock, number: TextBlock) -> tuple[float, float] | None:
    """(gap in pixels, position weight) when `number` can be the value of `label`: on its line to the right
    (any distance: list rows print the number at the far edge), or in its column just above or below."""
    if _same_line(label, number) and number.bbox[0] >= label.bbox[2] - _height(label):
        return max(0.0, number.bbox[0] - label.bbox[2]), RIGHT
    if _same_column(label, number):
        gap = max(number.bbox[1] - label.bbox[3], label.bbox[1] - number.bbox[3], 0.0)
        if gap <= options().max_gap_lines * _height(label):
            return gap, BELOW
    return None


def _gap(label: TextBlock, number: TextBlock) -> float:
    attached = attach_gap(label, number)
    return attached[0] if attached else math.inf


def card_number(page: Page, label: TextBlock, labels: list[TextBlock]) -> tuple[TextBlock, float, Reading] | None:
    """The nearest count attached to `label` that no other card label is nearer to."""
    found = []
    for block in page.blocks:
        readings = parse_users(block.text) if block not in labels else []
        attached = attach_gap(label, block) if readings else None
        if attached:
            found.append((attached[0], attached[1], block, readings[0]))
    for gap, weight, block, reading in sorted(found, key=lambda f: f[0]):
        if min(_gap(other, block) for other in labels) >= gap:
            return block, weight, reading
    return None


_UNITS = "万wW亿"
# A figure a sentence states for the label just before it: 累计用户数为1,427人，较上周… / 累计用户数达到1.2万. A word
# of change or aim between them (突破, 增加, 目标) makes the figure something else's.
_STATED_FIGURE = re.compile(r"(?:为|是|达到|达|共|共计|约)?\s*(\d[\d,.]*\s*[万wW亿]?)(?:人|位|名)?(?![\d.])")


def _figure_in_sentence(rest: str) -> str:
    stated = _STATED_FIGURE.match(rest)
    return stated.group(1) if stated else ""


def _unit_wrapped_below(page: Page, block: TextBlock) -> str:
    """The unit of a figure that ends a line of prose, when the text wraps and the next line starts with it
    (…累计用户数19.6 / 万，本周访问人数…): the line just below, starting where this one starts."""
    height = _height(block)
    below = [b for b in page.blocks if 0 <= b.bbox[1] - block.bbox[3] < height and abs(b.bbox[0] - block.bbox[0]) < height]
    first = normalise(min(below, key=lambda b: b.bbox[1]).text)[:1] if below else ""
    return first if first in _UNITS else ""


def registered_users(document: Document) -> list[Fact]:
    """Every 累计用户数 card's figure, in reading order."""
    field = options().count_field
    facts = []
    for page in document.pages:
        hits = find_labels([b.text for b in page.blocks], NAME)
        labelled = [(b, h) for b, h in zip(page.blocks, hits) if h]
        labels = [b for b, _ in labelled]
        for block, block_hits in sorted(labelled, key=lambda bh: (bh[0].bbox[1], bh[0].bbox[0])):
            for hit in (h for h in block_hits if h.field == field):
                fact = _users_at(document, page, block, hit, block_hits, labels)
                if fact is not None:
                    facts.append(fact)
    return facts


def _users_at(document: Document, page: Page, block: TextBlock, hit: LabelHit, block_hits: list[LabelHit],
              labels: list[TextBlock]) -> Fact | None:
    following = [h.start for h in block_hits if h.start >= hit.end]
    rest = normalise(block.text)[hit.end:min(following, default=None)].lstrip(":：")
    if rest and not following and rest[-1].isdigit():
        rest += _unit_wrapped_below(page, block)
    readings = (parse_users(rest) or parse_users(_figure_in_sentence(rest))) if rest else []
    found = card_number(page, block, labels)
    if readings and not (len(rest) == 1 and found is not None):
        return make_fact(document, page, Candidate(rest, (block,), SAME_BLOCK), readings[0], NAME)
    if found is None:
        return None
    number, weight, reading = found
    if readings:  # 累计用户数3 over 185555: the 3 is the card's ⓘ icon, read as a digit
        warning = f"{rest!r} glued to {hit.label} taken for an icon; the card's number {number.text!r} read instead"
        reading = Reading(reading.name, reading.value, min(reading.factor, GLUED_FACTOR), (*reading.warnings, warning))
    return make_fact(document, page, Candidate(number.text, (block, number), weight), reading, NAME)


EXTRACTOR = FunctionExtractor(KIND, extract)
