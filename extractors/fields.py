"""Reading labelled fields: find a field's label (spaCy, extractors/labels.py), collect the places its value
may be (extractors/layout.py), and keep the first candidate the field's parser accepts, as a Fact with
provenance. Every document kind with label/value fields uses this."""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from extractors.labels import LabelHit, labels_in_texts as find_labels
from extractors.layout import ANYWHERE, Candidate, union_bbox, value_candidates
from extractors.lines import normalise_line as normalise
from extractors.shapes import BAD_CHECK_CONFIDENCE, find_credit_codes
from pipeline.models import Document, Fact, Page


@dataclass(frozen=True)
class Reading:
    """What a field parser made of a candidate: fact name, value, a confidence factor and warnings."""

    name: str
    value: object
    factor: float = 1.0
    warnings: tuple[str, ...] = ()


FieldParser = Callable[[str], list[Reading]]


def read_labelled(document: Document, kind: str, field: str, parser: FieldParser, extractor: str) -> list[Fact]:
    """The first value the parser accepts next to a label of `field`, in reading order."""
    for page in document.pages:
        hits = find_labels([b.text for b in page.blocks], kind)
        for block, block_hits in sorted(zip(page.blocks, hits), key=lambda bh: (bh[0].bbox[1], bh[0].bbox[0])):
            for hit in (h for h in block_hits if h.field == field):
                rest = value_text(normalise(block.text), hit, block_hits)
                facts = first_reading(document, page, value_candidates(page, block, rest), parser, extractor)
                if facts:
                    return facts
    return []


def value_text(compact: str, hit: LabelHit, hits: list[LabelHit]) -> str:
    """The label's own block after the label, up to the next label (text-layer lines often run two columns
    together: 名称 X 成立日期 Y)."""
    following = [h.start for h in hits if h.start >= hit.end]
    return compact[hit.end : min(following, default=len(compact))].lstrip(":：")


def read_by_shape(document: Document, parser: FieldParser, extractor: str) -> list[Fact]:
    """A value found by its shape alone, when OCR broke its label apart: trusted less."""
    for page in document.pages:
        for block in sorted(page.blocks, key=lambda b: (b.bbox[1], b.bbox[0])):
            facts = first_reading(document, page, [Candidate(block.text, (block,), ANYWHERE)], parser, f"{extractor}:by_shape")
            if facts:
                return facts
    return []


def first_reading(document: Document, page: Page, candidates: list[Candidate], parser: FieldParser, extractor: str) -> list[Fact]:
    for candidate in candidates:
        readings = parser(candidate.text)
        if readings:
            return [make_fact(document, page, candidate, r, extractor) for r in readings]
    return []


def make_fact(document: Document, page: Page, candidate: Candidate, reading: Reading, extractor: str) -> Fact:
    return Fact(
        name=reading.name, value=reading.value, confidence=round(candidate.confidence * reading.factor, 4),
        document=document.path, page=page.number, bbox=union_bbox(candidate.blocks), text=candidate.text,
        extractor=extractor, warnings=list(reading.warnings),
    )


def parse_with(parse: Callable[[str], object], name: str, exceptions: tuple[type[Exception], ...]) -> FieldParser:
    """A field parser from a value parser that raises on bad input."""
    def parser(text: str) -> list[Reading]:
        try:
            return [Reading(name, parse(text))]
        except exceptions:
            return []
    return parser


def read_credit_code(text: str, fact_name: str) -> list[Reading]:
    """The first 18-character run as a credit-code reading: repaired by position when that makes the check
    character pass; kept with low confidence and a warning when it fails."""
    codes = find_credit_codes(normalise(text))
    if not codes:
        return []
    code = codes[0]
    if not code.valid:
        warning = f"credit code {code.value} fails its check digit: misread, or not a genuine code"
        return [Reading(fact_name, code.value, BAD_CHECK_CONFIDENCE, (warning,))]
    return [Reading(fact_name, code.value, 0.97 if code.repaired else 1.0, ("OCR letters/digits repaired by position",) if code.repaired else ())]
