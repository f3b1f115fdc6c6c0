"""Qualification certificates behind the bonus preferences 获得双软认证、国家高新企业认定优先: 高新技术企业证书,
软件企业证书 and 软件产品证书. One `qualification` fact per certificate (one per page), `{type, holder, cert_no,
issued_on, expires_on, product}`; `product` is the 软件名称 of a 软件产品证书 and None for the other types.

- The type comes from the printed title (else a cue word, else the shape of the number); a number that does not
  match its type's format (GR… for 高新, 粤RQ-… for 软件企业, 粤RC-… for 软件产品) is kept at confidence <= 0.6
  with a warning, as is a number matching no format at all (after position repair of O/0, I/1, S/5, B/8).
- `expires_on` is the printed 有效期至 date; else the end of a printed range; else issued_on plus the printed
  period (有效期：三年) less one day (extractors/data/qualification_certificate.yaml says so as data).
"""
from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from enum import StrEnum

import cn2an
from pydantic import BaseModel, ConfigDict

from extractors.fields import FieldParser, Reading
from extractors.ops_certificate import (
    IdFormat, IdReading, Lookalikes, identifier_reading, item_fact, join_letter_spaced, match_formats, read_field,
)
from extractors.specs import load_options
from extractors.values import ValueParseError, normalise, parse_date, registered_name
from pipeline.models import Document, DocumentKind, Fact

NAME = "qualification_certificate"
KIND = DocumentKind.QUALIFICATION_CERTIFICATE
FACT = "qualification"
DOUBT_CONFIDENCE = 0.6  # a certificate whose parts disagree (type and number, dates) is never trusted above this
_NUMBER = "certificate number"


class QualificationType(StrEnum):
    HIGH_TECH_ENTERPRISE = "high_tech_enterprise"
    SOFTWARE_ENTERPRISE = "software_enterprise"
    SOFTWARE_PRODUCT = "software_product"


class _Options(BaseModel):
    model_config = ConfigDict(extra="forbid")


class CertNoFormat(IdFormat):
    province_prefix: bool  # the number starts with a province's one-character abbreviation (粤RQ-…)


class TypeSpec(_Options):
    type: QualificationType
    titles: list[str]
    cues: list[str]
    has_product: bool
    cert_no: CertNoFormat


class QualificationOptions(_Options):
    types: list[TypeSpec]
    provinces: str
    province_variants: dict[str, str]
    identifier_run: str
    lookalikes: Lookalikes
    period_pattern: str
    period_end_offset_days: int
    holder_pattern: str
    version_pattern: str
    min_product_chars: int
    min_fields: int


def options() -> QualificationOptions:
    return load_options(NAME, QualificationOptions)


@dataclass(frozen=True)
class Period:
    """What 有效期 prints: a number of years, or a range whose end is the expiry."""

    years: int | None = None
    until: str | None = None


def extract(document: Document) -> list[Fact]:
    facts = []
    for page in document.pages:
        fact = _certificate(document.model_copy(update={"pages": [join_letter_spaced(page)]}))
        if fact is not None:
            facts.append(fact)
    return facts


def _certificate(page: Document) -> Fact | None:
    spec = type_by_words(normalise(page.text))
    parts = {field: read_field(page, NAME, field, parser, _SHAPE_PARSERS.get(field))
             for field, parser in _PARSERS.items()}
    number = parts["cert_no"]
    if spec is None and number is not None:
        spec = type_by_number(number.value)
    parts["expires_on"] = parts["expires_on"] or _expiry_from_period(page, parts["issued_on"])
    if sum(p is not None for p in parts.values()) < options().min_fields:
        return None
    if spec is not None and spec.has_product:
        parts["product"] = read_field(page, NAME, "product", _parse_product, None)
    fact = item_fact(FACT, parts, NAME)
    value = {"type": str(spec.type) if spec else None, **fact.value}
    fact = fact.model_copy(update={"value": {**value, "product": value.get("product")}})
    return _check_dates(_check_type(fact, spec))


# ---------------------------------------------------------------- the type


def type_by_words(text: str) -> TypeSpec | None:
    """The type whose title the page prints; else the one whose cue words it prints."""
    types = options().types
    titled = next((t for t in types if any(title in text for title in t.titles)), None)
    return titled or next((t for t in types if any(cue in text for cue in t.cues)), None)


def type_by_number(value: str) -> TypeSpec | None:
    """The type whose number format `value` matches (with its province prefix when the format has one)."""
    return next((t for t in options().types if _fits(value, t.cert_no)), None)


def _fits(value: str, fmt: CertNoFormat) -> bool:
    prefixed = bool(value) and value[0] in options().provinces
    body = value[1:] if prefixed else value
    return prefixed == fmt.province_prefix and re.fullmatch(fmt.pattern, body) is not None


def _doubt(fact: Fact, warning: str) -> Fact:
    return fact.model_copy(update={"confidence": min(fact.confidence, DOUBT_CONFIDENCE),
                                   "warnings": [*fact.warnings, warning]})


def _check_type(fact: Fact, spec: TypeSpec | None) -> Fact:
    if spec is None:
        return _doubt(fact, "no title or number says which qualification this is")
    number = fact.value["cert_no"]
    if number is not None and not _fits(number, spec.cert_no):
        return _doubt(fact, f"{_NUMBER} {number} does not match the {spec.type} format: misread, or not genuine")
    return fact


def _check_dates(fact: Fact) -> Fact:
    issued, expires, number = fact.value["issued_on"], fact.value["expires_on"], fact.value["cert_no"]
    if issued is not None and expires is not None and issued >= expires:
        return _doubt(fact, f"issued {issued} is not before expiry {expires}: a date is misread")
    year = _number_year(number) if number else None
    if issued is not None and year is not None and year > int(issued[:4]):
        return _doubt(fact, f"{_NUMBER} {number} is of {year}, after the issue date {issued}: a value is misread")
    return fact


def _number_year(number: str) -> int | None:
    for spec in options().types:
        match = re.search(spec.cert_no.pattern, number)
        if match and "year" in match.groupdict():
            return int(match.group("year"))
    return None


# ---------------------------------------------------------------- the expiry from 有效期


def _expiry_from_period(page: Document, issued: Fact | None) -> Fact | None:
    period = read_field(page, NAME, "period", _parse_period, None)
    if period is None:
        return None
    value: Period = period.value
    if value.until is not None:
        return period.model_copy(update={"name": "expires_on", "value": value.until})
    if issued is None or value.years is None:
        return None
    return period.model_copy(update={
        "name": "expires_on", "value": expiry_after(dt.date.fromisoformat(issued.value), value.years).isoformat(),
        "confidence": min(period.confidence, issued.confidence), "warnings": [*period.warnings, *issued.warnings],
    })


def expiry_after(issued: dt.date, years: int) -> dt.date:
    """The last valid day of a period of `years` from `issued` (29 February rolls to 28)."""
    anniversary = issued.replace(year=issued.year + years, day=min(issued.day, 28) if issued.month == 2 else issued.day)
    return anniversary + dt.timedelta(days=options().period_end_offset_days)


# ---------------------------------------------------------------- field parsers


def _read_cert_no(text: str) -> IdReading | None:
    """The first run that a type's format accepts, with its province prefix; else the first run, invalid."""
    compact = normalise(text).upper()
    readings = [_match_run(_province_before(compact, run.start()), run.group(0))
                for run in re.finditer(options().identifier_run, compact)]
    return next((r for r in readings if r.valid), readings[0] if readings else None)


def _province_before(compact: str, start: int) -> tuple[str, bool]:
    """The province abbreviation just before a run (its traditional form repaired), and whether it was."""
    printed = compact[start - 1] if start > 0 else ""
    province = options().province_variants.get(printed, printed)
    return (province, province != printed) if province and province in options().provinces else ("", False)


def _match_run(prefix: tuple[str, bool], run: str) -> IdReading:
    province, repaired = prefix
    lookalikes = options().lookalikes
    for spec in options().types:
        found = match_formats(run, [spec.cert_no], lookalikes)
        if found.valid:
            valid = bool(province) == spec.cert_no.province_prefix
            return IdReading(province + found.value, valid, found.repaired or (valid and repaired))
    as_printed = match_formats(run, [], lookalikes).value  # no format: dashes unified, nothing repaired
    return IdReading(province + as_printed, False, False)


def _parse_cert_no(text: str) -> list[Reading]:
    found = _read_cert_no(text)
    return [identifier_reading("cert_no", found, _NUMBER)] if found else []


def _parse_cert_no_by_shape(text: str) -> list[Reading]:
    """Without its label, only a number in a known format is taken for the certificate number."""
    found = _read_cert_no(text)
    return [identifier_reading("cert_no", found, _NUMBER)] if found and found.valid else []


def _parse_holder(text: str) -> list[Reading]:
    match = re.match(options().holder_pattern, normalise(text).lstrip(":："))
    return [Reading("holder", registered_name(match.group("name")))] if match else []


def _parse_holder_by_shape(text: str) -> list[Reading]:
    """Without its label, only a block that is a whole organisation name."""
    compact = normalise(text)
    match = re.match(options().holder_pattern, compact)
    return [Reading("holder", registered_name(compact))] if match and match.group("name") == compact else []


def _parse_date(name: str, text: str) -> list[Reading]:
    try:
        return [Reading(name, parse_date(text).isoformat())]
    except ValueParseError:
        return []


def _parse_issued(text: str) -> list[Reading]:
    return _parse_date("issued_on", text)


def _parse_expires(text: str) -> list[Reading]:
    return _parse_date("expires_on", normalise(text).rsplit("至", 1)[-1])


def _parse_period(text: str) -> list[Reading]:
    compact = normalise(text).lstrip(":：")
    match = re.match(options().period_pattern, compact)
    if match:
        years = match.group("years")
        return [Reading("period", Period(years=int(years) if years.isdigit() else int(cn2an.cn2an(years, "normal"))))]
    if "至" in compact:
        return [Reading("period", Period(until=r.value)) for r in _parse_expires(compact)]
    return []


def _parse_product(text: str) -> list[Reading]:
    """A software name as printed, its version repaired (V1.O -> V1.0); not a date, not a number."""
    spec = options()
    name = registered_name(normalise(text).lstrip(":："))
    if len(name) < spec.min_product_chars or re.search(r"\d{4}[年\-/.]", name):
        return []
    version = re.search(spec.version_pattern, name)
    if version is None:
        return [Reading("product", name)]
    digits = version.group("version").upper().translate(str.maketrans(spec.lookalikes.digit_for))
    return [Reading("product", f"{name[:version.start()]}V{digits}")]


_PARSERS: dict[str, FieldParser] = {
    "holder": _parse_holder,
    "cert_no": _parse_cert_no,
    "issued_on": _parse_issued,
    "expires_on": _parse_expires,
}
_SHAPE_PARSERS: dict[str, FieldParser] = {"cert_no": _parse_cert_no_by_shape, "holder": _parse_holder_by_shape}
