"""营业执照: company name, credit code (check digit validated), registered capital, founding date and the
end of the business term, each read next to its label and kept with provenance."""
from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

from extractors.labels import LabelHit, find_labels
from extractors.layout import ANYWHERE, Candidate, union_bbox, value_candidates
from extractors.shapes import find_credit_codes, find_registration_numbers
from extractors.specs import load_license_spec
from extractors.values import ValueParseError, normalise, parse_date, parse_money
from pipeline.models import Document, DocumentKind, Fact, Page

NAME = "business_license"
KIND = DocumentKind.BUSINESS_LICENSE
BAD_CHECK_CONFIDENCE = 0.5


@dataclass(frozen=True)
class Reading:
    """What a field parser made of a candidate: fact name, value, a confidence factor and warnings."""

    name: str
    value: object
    factor: float = 1.0
    warnings: tuple[str, ...] = ()


FieldParser = Callable[[str], list[Reading]]


def extract(document: Document) -> list[Fact]:
    facts: list[Fact] = []
    found: set[str] = set()
    for field, parser in _FIELD_PARSERS.items():
        fact_list = _by_label(document, field, parser)
        facts.extend(fact_list)
        found.update(f.name for f in fact_list)
    if "credit_code" not in found and "registration_no" not in found:
        facts.extend(_anywhere(document, _parse_credit_code, "credit_code"))
    if "company_name" not in found:
        facts.extend(_anywhere(document, _parse_company_name, "company_name"))
    return facts


def _by_label(document: Document, field: str, parser: FieldParser) -> list[Fact]:
    for page in document.pages:
        hits = find_labels([b.text for b in page.blocks])
        for block, block_hits in sorted(zip(page.blocks, hits), key=lambda bh: (bh[0].bbox[1], bh[0].bbox[0])):
            for hit in (h for h in block_hits if h.field == field):
                rest = _value_text(normalise(block.text), hit, block_hits)
                facts = _first_reading(document, page, value_candidates(page, block, rest), parser)
                if facts:
                    return facts
    return []


def _value_text(compact: str, hit: LabelHit, hits: list[LabelHit]) -> str:
    """The label's own block after the label, up to the next label (text-layer lines often run two columns
    together: 名称 X 成立日期 Y)."""
    following = [h.start for h in hits if h.start >= hit.end]
    return compact[hit.end : min(following, default=len(compact))].lstrip(":：")


def _anywhere(document: Document, parser: FieldParser, field: str) -> list[Fact]:
    """A value found by its shape alone, when OCR broke its label apart: trusted less."""
    for page in document.pages:
        for block in sorted(page.blocks, key=lambda b: (b.bbox[1], b.bbox[0])):
            facts = _first_reading(document, page, [Candidate(block.text, (block,), ANYWHERE)], parser)
            if facts:
                return [f.model_copy(update={"extractor": f"{NAME}:{field}:by_shape"}) for f in facts]
    return []


def _first_reading(document: Document, page: Page, candidates: list[Candidate], parser: FieldParser) -> list[Fact]:
    for candidate in candidates:
        readings = parser(candidate.text)
        if readings:
            return [_fact(document, page, candidate, r) for r in readings]
    return []


def _fact(document: Document, page: Page, candidate: Candidate, reading: Reading) -> Fact:
    return Fact(
        name=reading.name, value=reading.value, confidence=round(candidate.confidence * reading.factor, 4),
        document=document.path, page=page.number, bbox=union_bbox(candidate.blocks), text=candidate.text,
        extractor=NAME, warnings=list(reading.warnings),
    )


def _parse_credit_code(text: str) -> list[Reading]:
    codes = find_credit_codes(text)
    if not codes:
        return []
    code, valid, repaired = codes[0]
    if not valid:
        warning = f"credit code {code} fails its check digit: misread, or not a genuine code"
        return [Reading("credit_code", code, BAD_CHECK_CONFIDENCE, (warning,))]
    return [Reading("credit_code", code, 0.97 if repaired else 1.0, ("OCR letters/digits repaired by position",) if repaired else ())]


def _parse_registration_no(text: str) -> list[Reading]:
    numbers = find_registration_numbers(text)
    if not numbers:
        return []
    number, valid = numbers[0]
    warnings = () if valid else (f"注册号 {number} fails its ISO 7064 check digit",)
    return [Reading("registration_no", number, 1.0 if valid else BAD_CHECK_CONFIDENCE, warnings)]


def _parse_company_name(text: str) -> list[Reading]:
    spec = load_license_spec()
    compact = normalise(text).lstrip(":：")
    suffixes = "|".join(re.escape(s) for s in sorted(spec.company_suffixes, key=len, reverse=True))
    match = re.fullmatch(rf"[{spec.label_residue}]{{0,2}}(.{{2,60}}?(?:{suffixes}))", compact)
    if not match or re.search(r"[:：;；，,。]|\d{4}", match.group(1)):
        return []
    name = match.group(1).replace("(", "（").replace(")", "）")  # names are registered with full-width brackets
    stripped = match.group(1) != compact
    return [Reading("company_name", name, 0.95 if stripped else 1.0)]


_AMOUNT = re.compile(
    r"[(（]?(?:人民币|欧元|美元|港元|港币|日元|英镑)?[)）]?"
    r"(?:[\d,]+(?:\.\d+)?[万亿]?|[零〇一二三四五六七八九十壹贰叁肆伍陆柒捌玖拾佰仟百千万亿两]+)"
    r"(?:元|圆)?(?:整)?(?:人民币|欧元|美元|港元|港币|日元|英镑)?"
)


def _parse_capital(text: str) -> list[Reading]:
    compact = normalise(text).lstrip(":：")
    match = _AMOUNT.match(compact)
    # A capital always carries a unit or a currency; a bare number ("3、信息查询") is not one.
    if not match or not re.search(r"[万亿元圆]|人民币|欧元|美元|港元|港币|日元|英镑", match.group(0)):
        return []
    try:
        money = parse_money(match.group(0))
    except ValueParseError:
        return []
    if money is None:
        return []
    amount = int(money.amount) if money.amount == money.amount.to_integral_value() else float(money.amount)
    if money.currency != "CNY":
        return [Reading("registered_capital_other_currency", {"amount": amount, "currency": money.currency})]
    return [Reading("registered_capital_cny", amount)]


def _parse_established(text: str) -> list[Reading]:
    try:
        return [Reading("established_on", parse_date(text).isoformat())]
    except ValueParseError:
        return []


def _parse_term(text: str) -> list[Reading]:
    compact = normalise(text).lstrip(":：")
    end = compact.split("至")[-1] if "至" in compact else compact
    if any(word in end for word in load_license_spec().term_open_ended):
        return [Reading("business_term_until", "长期")]
    if "至" not in compact:
        return []
    try:
        return [Reading("business_term_until", parse_date(end).isoformat())]
    except ValueParseError:
        return []


_FIELD_PARSERS: dict[str, FieldParser] = {
    "credit_code": _parse_credit_code,
    "registration_no": _parse_registration_no,
    "company_name": _parse_company_name,
    "registered_capital": _parse_capital,
    "established_on": _parse_established,
    "business_term": _parse_term,
}


