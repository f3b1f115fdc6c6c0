"""腾讯云 certification certificates (高级运维工程师 TCP-OPS and every other title): one `ops_certificate` fact per
certificate, `{holder, cert_no, title, issued_on, expires_on}`.

A page may hold several certificates (two photographed side by side): it is cut into one region per
certificate number label before the fields are read, so each certificate's fields stay together. The
certificate number is repaired by position against the formats in the data file (RapidOCR reads TCP-OPS as
TCP-0PS) and must then match one of them; one that does not is kept with a low confidence and a warning.

The helpers for one-per-item facts (identifier repair by a template, a dict fact from its field facts) are
used by extractors/software_copyright.py as well.
"""
from __future__ import annotations

import re
from bisect import bisect
from collections.abc import Mapping
from dataclasses import dataclass

from pydantic import BaseModel, ConfigDict

from extractors.fields import FieldParser, Reading, read_by_shape, read_labelled
from extractors.labels import find_labels
from extractors.specs import load_options
from extractors.tables import group_lines
from extractors.values import ValueParseError, normalise, parse_date
from pipeline.models import BBox, Document, DocumentKind, Fact, Page, TextBlock

NAME = "ops_certificate"
KIND = DocumentKind.OPS_CERTIFICATE
BAD_FORMAT_CONFIDENCE = 0.5  # a value that fails its format is never trusted above this
MISSING_CONFIDENCE = 0.5  # an item with a field not read
BAD_ORDER_CONFIDENCE = 0.6
REPAIRED_FACTOR = 0.97
REPAIRED = "OCR letters/digits repaired by position"


class _Options(BaseModel):
    model_config = ConfigDict(extra="forbid")


class Lookalikes(_Options):
    """The letters and digits OCR swaps: what a letter stands for in a digit slot, and the reverse."""

    digit_for: dict[str, str]
    letter_for: dict[str, str]


class IdFormat(_Options):
    template: str  # L letter, D digit, a class followed by + takes the rest; other characters are separators
    pattern: str  # what the repaired value must match


class CertificateOptions(_Options):
    cert_no_formats: list[IdFormat]
    identifier_run: str
    lookalikes: Lookalikes
    title_pattern: str
    holder_pattern: str
    min_fields: int


def options() -> CertificateOptions:
    return load_options(NAME, CertificateOptions)


# ---------------------------------------------------------------- identifiers repaired by position


@dataclass(frozen=True)
class IdReading:
    value: str
    valid: bool  # matches one of the formats
    repaired: bool  # a letter or digit was changed to get there


def _slots(template: str, length: int) -> list[str] | None:
    """The template's classes and separators spread over `length` letters and digits, or None."""
    tokens = re.findall(r"[LD]\+|[LD]|[^LD+]", template)
    fixed = sum(1 for t in tokens if t in ("L", "D"))
    variable = [t for t in tokens if t.endswith("+")]
    extra = length - fixed
    if len(variable) > 1 or (not variable and extra != 0) or (variable and extra < 1):
        return None
    return [slot for t in tokens for slot in ([t[0]] * extra if t.endswith("+") else [t])]


def repair_by_template(raw: str, template: str, lookalikes: Lookalikes) -> str | None:
    """The letters and digits of `raw` put in the template's slots, each swapped for its lookalike when it sits
    in a slot of the other class (0 in a letter slot becomes O). None when the counts cannot agree."""
    chars = re.sub(r"[^0-9A-Z]", "", normalise(raw).upper())
    slots = _slots(template, len(chars))
    if slots is None:
        return None
    it = iter(chars)
    table = {"D": lookalikes.digit_for, "L": lookalikes.letter_for}
    return "".join(table[s].get(c := next(it), c) if s in table else s for s in slots)


def match_formats(text: str, formats: list[IdFormat], lookalikes: Lookalikes) -> IdReading:
    """`text` as the first format that accepts it after repair; else as printed, marked invalid."""
    printed = re.sub(r"[—–_一~]", "-", normalise(text).upper())
    for fmt in formats:
        fixed = repair_by_template(printed, fmt.template, lookalikes)
        if fixed is not None and re.fullmatch(fmt.pattern, fixed):
            return IdReading(fixed, True, fixed != printed)
    return IdReading(printed, False, False)


def read_identifier(text: str, formats: list[IdFormat], run: str, lookalikes: Lookalikes) -> IdReading | None:
    """The first identifier-like run of `text` that a format accepts; else the first run, marked invalid;
    None when the text holds no run at all."""
    readings = [match_formats(found, formats, lookalikes) for found in re.findall(run, normalise(text).upper())]
    return next((r for r in readings if r.valid), readings[0] if readings else None)


def identifier_reading(name: str, found: IdReading, what: str) -> Reading:
    if not found.valid:
        return Reading(name, found.value, BAD_FORMAT_CONFIDENCE,
                       (f"{what} {found.value} matches no known format: misread, or not genuine",))
    if found.repaired:
        return Reading(name, found.value, REPAIRED_FACTOR, (REPAIRED,))
    return Reading(name, found.value)


# ---------------------------------------------------------------- one fact per item


def _union(boxes: list[BBox]) -> BBox:
    return (min(b[0] for b in boxes), min(b[1] for b in boxes), max(b[2] for b in boxes), max(b[3] for b in boxes))


def item_fact(name: str, parts: Mapping[str, Fact | None], extractor: str) -> Fact:
    """One fact whose value is a dict of its fields, trusted as much as its least sure field; a field not
    read is None and caps the confidence. Provenance: the union of the fields' boxes, their texts."""
    found = [f for f in parts.values() if f is not None]
    missing = [field for field, f in parts.items() if f is None]
    confidence = min(f.confidence for f in found)
    warnings = [w for f in found for w in f.warnings]
    if missing:
        confidence = min(confidence, MISSING_CONFIDENCE)
        warnings.append(f"not read: {', '.join(missing)}")
    boxes = [f.bbox for f in found if f.bbox is not None]
    return Fact(
        name=name, value={field: f.value if f else None for field, f in parts.items()},
        confidence=round(confidence, 4), document=found[0].document, page=found[0].page,
        bbox=_union(boxes) if boxes else None, text=" | ".join(f.text for f in found),
        extractor=extractor, warnings=list(dict.fromkeys(warnings)),
    )


def read_field(document: Document, kind: str, field: str, parser: FieldParser,
               shape: FieldParser | None) -> Fact | None:
    """A field next to its label; else, when the field has a shape, found by that shape alone."""
    facts = read_labelled(document, kind, field, parser, kind)
    if not facts and shape is not None:
        facts = read_by_shape(document, shape, kind)
    return facts[0] if facts else None


# ---------------------------------------------------------------- certificates


def extract(document: Document) -> list[Fact]:
    facts = []
    for page in document.pages:
        for region in certificate_regions(join_letter_spaced(page)):
            fact = _certificate(document.model_copy(update={"pages": [region]}))
            if fact is not None:
                facts.append(fact)
    return facts


def _certificate(region: Document) -> Fact | None:
    parts = {field: read_field(region, NAME, field, parser, _SHAPE_PARSERS.get(field))
             for field, parser in _PARSERS.items()}
    if sum(p is not None for p in parts.values()) < options().min_fields:
        return None
    return _check_period(item_fact(NAME, parts, NAME))


def _check_period(fact: Fact) -> Fact:
    issued, expires = fact.value["issued_on"], fact.value["expires_on"]
    if issued is None or expires is None or issued < expires:
        return fact
    warning = f"issued {issued} is not before expiry {expires}: a date is misread"
    return fact.model_copy(update={"confidence": min(fact.confidence, BAD_ORDER_CONFIDENCE),
                                   "warnings": [*fact.warnings, warning]})


def join_letter_spaced(page: Page, max_gap: float = 3.0) -> Page:
    """A label printed letter-spaced (姓　　名) is often read as a block per character (姓 | 名：张伟): a block of
    one character is joined to the next block on its line when the gap is under `max_gap` line heights."""
    blocks: list[TextBlock] = []
    for line in group_lines(page.blocks):
        previous: TextBlock | None = None
        for block in line:
            spaced = previous is not None and len(normalise(previous.text)) == 1
            if spaced and _gap(blocks[-1], block) < max_gap * _height(block):
                blocks[-1] = _joined(blocks[-1], block)
            else:
                blocks.append(block)
            previous = block
    return page.model_copy(update={"blocks": blocks})


def _gap(left: TextBlock, right: TextBlock) -> float:
    return right.bbox[0] - left.bbox[2]


def _height(block: TextBlock) -> float:
    return block.bbox[3] - block.bbox[1]


def _joined(left: TextBlock, right: TextBlock) -> TextBlock:
    return TextBlock(text=left.text + right.text, bbox=_union([left.bbox, right.bbox]),
                     confidence=min(left.confidence, right.confidence))


def certificate_regions(page: Page) -> list[Page]:
    """The page cut into one region per certificate: anchors are the certificate number labels (or the
    numbers themselves, when more of those were read); cuts run halfway between neighbouring anchors, across
    the direction in which the anchors are spread (side by side, or one above the other)."""
    anchors = _anchors(page)
    if len(anchors) < 2:
        return [page]
    xs, ys = [_centre(b)[0] for b in anchors], [_centre(b)[1] for b in anchors]
    axis = 0 if max(xs) - min(xs) >= max(ys) - min(ys) else 1
    centres = sorted(xs if axis == 0 else ys)
    cuts = [(a + b) / 2 for a, b in zip(centres, centres[1:])]
    groups: list[list[TextBlock]] = [[] for _ in centres]
    for block in page.blocks:
        groups[bisect(cuts, _centre(block)[axis])].append(block)
    return [page.model_copy(update={"blocks": group}) for group in groups if group]


def _anchors(page: Page) -> list[TextBlock]:
    hits = find_labels([b.text for b in page.blocks], NAME)
    labelled = [b for b, block_hits in zip(page.blocks, hits) if any(h.field == "cert_no" for h in block_hits)]
    numbered = [b for b in page.blocks if _parse_cert_no_by_shape(b.text)]
    return max(labelled, numbered, key=len)


def _centre(block: TextBlock) -> tuple[float, float]:
    return (block.bbox[0] + block.bbox[2]) / 2, (block.bbox[1] + block.bbox[3]) / 2


# ---------------------------------------------------------------- field parsers


def _read_cert_no(text: str) -> IdReading | None:
    spec = options()
    return read_identifier(text, spec.cert_no_formats, spec.identifier_run, spec.lookalikes)


def _parse_cert_no(text: str) -> list[Reading]:
    found = _read_cert_no(text)
    return [identifier_reading("cert_no", found, "certificate number")] if found else []


def _parse_cert_no_by_shape(text: str) -> list[Reading]:
    """Without its label, only a number in a known format is taken for the certificate number."""
    found = _read_cert_no(text)
    return [identifier_reading("cert_no", found, "certificate number")] if found and found.valid else []


def _parse_holder(text: str) -> list[Reading]:
    match = re.match(options().holder_pattern, normalise(text).lstrip(":："))
    return [Reading("holder", match.group("name"))] if match else []


def _parse_title(text: str) -> list[Reading]:
    match = re.search(options().title_pattern, normalise(text))
    return [Reading("title", match.group(0))] if match else []


def _parse_issued(text: str) -> list[Reading]:
    try:
        return [Reading("issued_on", parse_date(text).isoformat())]
    except ValueParseError:
        return []


def _parse_expires(text: str) -> list[Reading]:
    """The expiry; of a range (有效期：X至Y) the end."""
    compact = normalise(text)
    try:
        return [Reading("expires_on", parse_date(compact.rsplit("至", 1)[-1]).isoformat())]
    except ValueParseError:
        return []


_PARSERS: dict[str, FieldParser] = {
    "holder": _parse_holder,
    "cert_no": _parse_cert_no,
    "title": _parse_title,
    "issued_on": _parse_issued,
    "expires_on": _parse_expires,
}
_SHAPE_PARSERS: dict[str, FieldParser] = {"cert_no": _parse_cert_no_by_shape, "title": _parse_title}
