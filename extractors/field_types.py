"""The typed field declarations of a kind's data file, and the values each type finds by shape in a piece of text.

A field's `type` says what its value looks like; `labels` (Chinese and English) say what may be printed before
it; `priors` say where it sits when no label is printed. Types: date, money, person, organisation, identifier
(with a `format`: uscc, registration_no, or one of the kind's `formats`), text (with a `pattern`), count, and
none (a label listed only so that a neighbouring value stops where it starts)."""
from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from enum import StrEnum
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict

from extractors.dates import RangeRole, find_dates, find_months
from extractors.name_shapes import find_organisations, find_persons
from extractors.shapes import (IdFormat, Lookalikes, find_credit_codes, find_identifiers, find_registration_numbers,
                              is_resident_id, runs)
from extractors.values import ValueParseError, parse_count, parse_money


class FieldType(StrEnum):
    DATE = "date"
    MONTH = "month"
    MONEY = "money"
    PERSON = "person"
    ORGANISATION = "organisation"
    IDENTIFIER = "identifier"
    TEXT = "text"
    COUNT = "count"
    NONE = "none"


class _Spec(BaseModel):
    model_config = ConfigDict(extra="forbid")


class PriorSpec(_Spec):
    """Where a value sits when its label is missing (extractors/priors.py names them)."""

    prior: str
    words: list[str] = []  # for after_words / before_words: the words the value follows / precedes
    window: int = 8  # for before_words: how many characters may stand between the value and the words
    centred: bool = False  # for largest: only a value near the page's vertical axis
    script: Literal["chinese", "latin"] | None = None  # for only: among the values written in this script


class FieldSpec(_Spec):
    type: FieldType = FieldType.NONE
    labels: list[str] = []
    format: str | None = None  # identifier: uscc, registration_no, or a key of the kind's `formats`
    pattern: str | None = None  # text: what the value must match (a group named `value` is the value)
    range: RangeRole | None = None  # date: the end of a printed range this field takes (有效期 X至Y: end)
    below: bool = True  # the value may be printed under its label
    above: bool = False  # the value may be printed over its label (dashboard cards)
    shops: bool = False  # organisation: 个体工商户 endings (经营部, 店, 坊 …) count near a label
    latin: bool = False  # organisation: names in Latin letters (Huawei Technologies Co., Ltd.) count too
    wraps: bool | None = None  # the value may run over a line break; None: dates, months and organisations do
    wrap_lines: int = 2  # …over this many lines at most (a title set narrow on a card: 4)
    never: list[str] = []  # values this field never takes (an invoice's buyer is never the Tencent seller)
    one_cell: bool = False  # text: the value ends with its cell where the next stands apart or goes on in words
    priors: list[PriorSpec] = []


@dataclass(frozen=True)
class Found:
    """A value found by its shape in a text: offsets in that text, strength of the shape alone."""

    value: Any
    start: int
    end: int
    strength: float
    valid: bool = True  # fits its format (identifiers); an invalid one is kept only next to its label
    role: RangeRole | None = None
    warnings: tuple[str, ...] = ()


_MONEY = re.compile(
    r"[(（]?(?:人民币|欧元|美元|港元|港币|日元|英镑|RMB|CNY|USD|EUR|HKD|JPY|GBP|¥)? ?[)）]?"
    r"(?:\d[\d,]*(?:\.\d+)?(?:[万亿]| ?(?i:million|thousand|billion))?|[零〇一二三四五六七八九十壹贰叁肆伍陆柒捌玖拾佰仟百千万亿两]+)"
    r"(?:元|圆| ?(?i:yuan))?(?:[零壹贰叁肆伍陆柒捌玖一二三四五六七八九]角|零)?(?:[壹贰叁肆伍陆柒捌玖一二三四五六七八九]分)?(?:整)?"
    r"(?:人民币|欧元|美元|港元|港币|日元|英镑| ?(?:RMB|CNY|USD|EUR|HKD))?"
)
_MONEY_UNIT = re.compile(r"[万亿元圆¥]|人民币|欧元|美元|港元|港币|日元|英镑|RMB|CNY|USD|EUR|HKD|JPY|GBP|(?i:yuan|million)")
_COUNT = re.compile(r"(?<![\d.\-/:])\d[\d,]*(?:\.\d+)?(?:万|w|W|亿)?(?![\d\-/:.%％])")  # not a piece of a date, time or
# id, and no share (100%)


def find_values(text: str, spec: FieldSpec, formats: dict[str, list[IdFormat]], lookalikes: Lookalikes) -> list[Found]:
    """Every value of the field's type in `text`, in order."""
    finder = _FINDERS.get(spec.type)
    return finder(text, spec, formats, lookalikes) if finder else []


def _dates(text: str, spec: FieldSpec, formats, lookalikes) -> list[Found]:
    return [Found(m.value.isoformat() if isinstance(m.value, dt.date) else m.value, m.start, m.end, m.strength,
                  True, m.role, m.warnings) for m in find_dates(text)]


def _months(text: str, spec: FieldSpec, formats, lookalikes) -> list[Found]:
    return [Found(m.value, m.start, m.end, 0.9, True, m.role) for m in find_months(text)]


def _money(text: str, spec: FieldSpec, formats, lookalikes) -> list[Found]:
    found = []
    for match in _MONEY.finditer(text):
        if not _MONEY_UNIT.search(match.group(0)):
            continue  # a capital always carries a unit or a currency; a bare number is not one
        try:
            money = parse_money(match.group(0))
        except ValueParseError:
            continue
        if money is not None:
            found.append(Found(money, match.start(), match.end(), 0.9))
    return found


def _persons(text: str, spec: FieldSpec, formats, lookalikes) -> list[Found]:
    return [Found(m.value, m.start, m.end, m.strength) for m in find_persons(text)]


def _organisations(text: str, spec: FieldSpec, formats, lookalikes) -> list[Found]:
    return [Found(m.value, m.start, m.end, m.strength) for m in find_organisations(text, shops=spec.shops, latin=spec.latin)]


def _joined_spans(spans: list[tuple[int, int]]) -> list[tuple[int, int]]:
    """Spans that touch or are one separator apart, joined (the two dates of a range)."""
    out: list[tuple[int, int]] = []
    for start, end in sorted(spans):
        if out and start - out[-1][1] <= 3:
            out[-1] = (out[-1][0], max(end, out[-1][1]))
        else:
            out.append((start, end))
    return out


def _identifiers(text: str, spec: FieldSpec, formats: dict[str, list[IdFormat]], lookalikes: Lookalikes) -> list[Found]:
    if spec.format == "uscc":
        readings = find_credit_codes(text)
    elif spec.format == "registration_no":
        readings = find_registration_numbers(text)
    else:
        readings = find_identifiers(text, formats.get(spec.format or "", []), lookalikes)
        valid_spans = [(r.start, r.end) for r in readings]
        readings += [r for r in runs(text) if not any(r.start < e and s < r.end for s, e in valid_spans)]
        periods = _joined_spans([(d.start, d.end) for d in find_dates(text)])  # 2026-10-22-2029-10-21: no number
        readings = [r for r in readings if not any(s <= r.start and r.end <= e for s, e in periods)]
    readings = [r for r in readings if not is_resident_id(r.value)  # a person's ID number is no other identifier
                and not _YEARS.fullmatch(r.value)]  # nor a span of years (2010-2014, a school's)
    return [Found(r.value, r.start, r.end, r.strength if r.valid else 0.0, r.valid,
                  warnings=("OCR letters/digits repaired in place",) if r.repaired else ()) for r in readings]


_PLACEHOLDER = re.compile(r"(?i)^(?:请输入|请选择|请填写|please (?:enter|select)|enter |search)")  # an empty form field


def _texts(text: str, spec: FieldSpec, formats, lookalikes) -> list[Found]:
    if not spec.pattern:
        return [Found(text, 0, len(text), 0.3)] if text and not _PLACEHOLDER.match(text) else []
    found = []
    for match in re.finditer(spec.pattern, text):
        value = match.group("value") if "value" in match.groupdict() else match.group(0)
        found.append(Found(value, match.start(), match.end(), 0.9))  # a specific pattern: a strong shape
    return found


_YEARS = re.compile(r"(?:19|20)\d\d\s*[-–~]\s*(?:19|20)\d\d")
_CODE_PREFIX = re.compile(r"(?<![A-Za-z])[A-Za-z]{1,2}$")  # A0014, NO12: a code's letters before its digits


def _counts(text: str, spec: FieldSpec, formats, lookalikes) -> list[Found]:
    found = []
    for match in _COUNT.finditer(text):
        digits = match.group(0)
        if (len(digits) > 1 and digits[0] == "0" and digits[1].isdigit()) or (
                _CODE_PREFIX.search(text[:match.start()]) and len(digits) >= 3):
            continue  # an employee number or a code (A0014, BY184, 0012), no count (Y8: 8人 misread is one)
        try:
            found.append(Found(parse_count(match.group(0)), match.start(), match.end(), 0.8))
        except ValueParseError:
            continue
    return found


_FINDERS = {
    FieldType.DATE: _dates, FieldType.MONTH: _months, FieldType.MONEY: _money, FieldType.PERSON: _persons,
    FieldType.ORGANISATION: _organisations, FieldType.IDENTIFIER: _identifiers, FieldType.TEXT: _texts,
    FieldType.COUNT: _counts,
}
