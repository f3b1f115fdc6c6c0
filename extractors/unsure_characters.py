"""A value is only as sure as its least sure character.

OCR scores a line as a whole, and a line read at 0.97 can hold the one glyph the model hesitated over: `1` for `l`
in an instance id, 图 for 圆 in a company name, a year's 8 in an expiry date. The recognition model gives each
character its own confidence (pipeline/ocr/rapid.py). Once a bundle's facts are read, every printed value of a fact
(dates, names, numbers, identifiers) is found again on its page. When a letter, digit or Chinese character of it
that was kept as printed was read below CHARACTER_SURE, and no other document of the bundle (or the application)
spells the value the same way, the fact gets a warning naming the character, and:
- a value a requirement rests on (a holder, an owner, an account subject, a date, a count) keeps the fact below the
  confidence gate: the analyst checks it on the document instead of the pipeline trusting it;
- a value that only names or describes a record (RECORD_NAMING: an instance id, a certificate number, a title)
  leaves the fact's confidence as it is: misread, it decides nothing. Its own confidence, in the fact's
  `field_confidence`, is kept below the gate, and the warning says which character to check.

A character the extractor repaired in place (a format's letter slot holding a `1`, the fixed `lhins-` prefix read
`Ihins-`) is judged by its format, not by its glyph, and so is an organisation's suffix (有限公司); a credit code or
注册号 whose check digit holds is confirmed by it. A value printed several times on the page takes its surest printing."""
from __future__ import annotations

import re
import unicodedata

from stdnum.cn import uscc
from stdnum.iso7064 import mod_11_10

from extractors.name_shapes import shapes
from pipeline.models import Document, Fact, TextBlock, TextSource

CHARACTER_SURE = 0.8  # a kept character read less surely than this leaves its value unsure
UNSURE_VALUE = 0.7  # …and the fact's confidence is kept at most at this, below the gate (validators' confidence_floor)
_SHORTEST = 2  # a value of fewer characters is found everywhere on a page and says nothing
_SHORTEST_NUMBER = 3
# Fields that name or describe a record (which instance, order, certificate, registration, product or project)
# rather than decide a requirement, which rests on holders, owners, subjects, dates, counts and statuses: a glyph
# OCR was unsure of in them is warned of, and the fact keeps its confidence.
RECORD_NAMING = frozenset({"instance_id", "order_id", "cert_no", "reg_no", "title", "software_name", "product", "project"})
_CODE = re.compile(r"[a-z][a-z_-]*")  # the contract's own codes (cvm, running, ap-guangzhou, operations): chosen, not printed

# characters the recognition model reads for one another, folded to one so that a repaired value is found where it
# was printed; the comparison of the kept characters is made on the unfolded text
_LOOKALIKE = str.maketrans({**dict.fromkeys("oOdDqQ", "0"), **dict.fromkeys("lLiI|!", "1"), **dict.fromkeys("zZ", "2"),
                            **dict.fromkeys("sS", "5"), **dict.fromkeys("bB", "8"), **dict.fromkeys("gG", "6"),
                            **dict.fromkeys("—–_一~－‐", "-")})


def doubt_unsure_characters(documents: list[Document], facts: list[Fact]) -> list[Fact]:
    """The bundle's facts, each printed value resting on an unsure character warned of, and the fact kept below the
    gate when that value is one a requirement rests on; a value another document (or the application) spells the
    same is confirmed by it."""
    pages = {(d.path, p.number): p for d in documents for p in d.pages if p.source in (TextSource.OCR, TextSource.MIXED)}
    spelled: dict[str, set[str]] = {}
    for fact in facts:
        for text in _strings(fact.value):
            spelled.setdefault(_key(text), set()).add(fact.document)
    out = []
    for fact in facts:
        page = pages.get((fact.document, fact.page)) if fact.page is not None else None
        doubts = _unsure_values(fact, page.blocks, spelled) if page is not None else []
        deciding = [d for d in doubts if d[0] not in RECORD_NAMING]
        warnings = [f"OCR was unsure of the character {char!r} in {f'{field} ' if field else ''}{value!r} (read with "
                    f"confidence {sure:.2f}) and no other document spells it so; check it on the document"
                    + ("" if (field, value, char, sure) in deciding else "; it names the record and decides no requirement")
                    for field, value, char, sure in doubts]
        if warnings:
            confidence = min(fact.confidence, UNSURE_VALUE) if deciding else fact.confidence
            naming = {field: min(fact.field_confidence.get(field, fact.confidence), UNSURE_VALUE)
                      for field, _, _, _ in doubts if field in RECORD_NAMING}
            fact = fact.model_copy(update={"confidence": confidence, "warnings": [*fact.warnings, *warnings],
                                           "field_confidence": {**fact.field_confidence, **naming}})
        out.append(fact)
    return out


def _strings(value: object) -> list[str]:
    if isinstance(value, str):
        return [value]
    if isinstance(value, dict):
        return [t for v in value.values() for t in _strings(v)]
    if isinstance(value, list):
        return [t for v in value for t in _strings(v)]
    return []


def _key(text: str) -> str:
    return "".join(c for _, c in _folded(text))


def _unsure_values(fact: Fact, blocks: list[TextBlock], spelled: dict[str, set[str]]) -> list[tuple[str, str, str, float]]:
    """(field, value, character, confidence) for each printed value of the fact whose surest printing on the page
    holds a kept letter, digit or Chinese character read below CHARACTER_SURE, and that no other document spells."""
    out = []
    for field, value, near in _printed_values(fact):
        if spelled.get(_key(value), set()) - {fact.document}:
            continue
        candidates = [b for b in blocks if b.character_confidences and (
            not near or (fact.bbox is not None and _overlaps(b.bbox, fact.bbox)))]
        best = None
        for block in candidates:
            for char, sure in _occurrences(value, block):
                if best is None or sure > best[1]:
                    best = (char, sure)
        if best is not None and best[1] < CHARACTER_SURE:
            out.append((field, value, best[0], best[1]))
    return out


def _printed_values(fact: Fact) -> list[tuple[str, str, bool]]:
    """(field, text, only near the fact's box) for each value of the fact that is printed as read."""
    fields = fact.value.items() if isinstance(fact.value, dict) else [("", fact.value)]
    out = []
    for field, value in fields:
        if isinstance(value, str) and (_CODE.fullmatch(value) or _confirmed_by_check_digit(value)):
            continue
        if isinstance(value, str) and len("".join(value.split())) >= _SHORTEST:
            out.append((field, value, False))
        elif isinstance(value, int) and not isinstance(value, bool) and len(str(value)) >= _SHORTEST_NUMBER:
            out.append((field, str(value), True))  # a number is found all over a page: only where the fact was read
    return out


def _confirmed_by_check_digit(value: str) -> bool:
    """A credit code or a 15-digit 注册号 whose check character holds: one misread character would break it."""
    return (len(value) == 18 and uscc.is_valid(value)) or (len(value) == 15 and value.isdigit() and mod_11_10.is_valid(value))


def _folded(text: str) -> list[tuple[int, str]]:
    """(index in text, character) of the text's non-space characters, NFKC and case folded, one per character."""
    out = []
    for i, char in enumerate(text):
        if char.isspace():
            continue
        folded = unicodedata.normalize("NFKC", char).casefold()
        out.append((i, folded if len(folded) == 1 else char))
    return out


def _occurrences(value: str, block: TextBlock) -> list[tuple[str, float]]:
    """For each place the value is printed in the block (lookalikes folded), its least sure kept character."""
    sure = block.character_confidences or []
    if len(sure) != len(block.text):
        return []
    printed = _folded(block.text)
    wanted = _folded(value)
    if not wanted or len(wanted) > len(printed):
        return []
    key = "".join(c for _, c in wanted).translate(_LOOKALIKE)
    line = "".join(c for _, c in printed).translate(_LOOKALIKE)
    named = len(wanted) - _suffix_length(value)
    out = []
    start = line.find(key)
    while start >= 0:
        kept = [(printed[start + k][1], sure[printed[start + k][0]]) for k, (_, c) in enumerate(wanted[:named])
                if printed[start + k][1] == c and c.isalnum()]  # a bracket or a dash: the value's shape checks it
        if kept:
            out.append(min(kept, key=lambda item: item[1]))
        start = line.find(key, start + 1)
    return out


def _suffix_length(value: str) -> int:
    """The length of the organisation suffix a name ends in (有限公司, 经营部): a word of the name's shape, judged by
    it as a format's fixed characters are; the recogniser often hesitates over its 司."""
    spec = shapes().organisation_suffixes
    return next((len(s) for s in sorted(spec.company + spec.shop, key=len, reverse=True) if value.endswith(s)), 0)


def _overlaps(a: tuple[float, float, float, float], b: tuple[float, float, float, float]) -> bool:
    return a[0] < b[2] and b[0] < a[2] and a[1] < b[3] and b[1] < a[3]
