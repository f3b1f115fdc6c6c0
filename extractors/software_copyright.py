"""计算机软件著作权登记证书: one `software_copyright` fact per certificate, `{reg_no, cert_no, software_name, owner,
completed_on}`.

The numbers (the rule is also written in extractors/data/software_copyright.yaml):
- `reg_no` is the 登记号 (2023SR0123456), repaired by position and checked against its format;
- `cert_no` is what 软著登字第…号 prints, repaired by position: the certificate number (digits) on the classic
  certificate, or an SR number on certificates that print that there. An SR number found there is also the
  `reg_no` when the document prints no 登记号; when it prints one that differs, the fact carries a warning.
A number that fails its format keeps a confidence of at most 0.5 and says so in its warnings.
"""
from __future__ import annotations

import re

from pydantic import BaseModel, ConfigDict

from extractors.fields import FieldParser, Reading, read_by_shape
from extractors.ops_certificate import (
    BAD_FORMAT_CONFIDENCE, IdFormat, IdReading, Lookalikes, identifier_reading, item_fact, join_letter_spaced,
    match_formats, read_field, read_identifier,
)
from extractors.specs import load_options
from extractors.values import ValueParseError, normalise, parse_date, registered_name
from pipeline.models import Document, DocumentKind, Fact

NAME = "software_copyright"
KIND = DocumentKind.SOFTWARE_COPYRIGHT
MIN_FIELDS = 2  # fewer than this read: not a certificate's worth of text, no fact
_SR_WHAT = "登记号"


class CopyrightOptions(BaseModel):
    model_config = ConfigDict(extra="forbid")

    reg_no_formats: list[IdFormat]
    cert_no_formats: list[IdFormat]
    identifier_run: str
    number_in_words: str
    number_by_shape: str
    lookalikes: Lookalikes
    version_pattern: str
    min_name_chars: int


def options() -> CopyrightOptions:
    return load_options(NAME, CopyrightOptions)


def extract(document: Document) -> list[Fact]:
    document = document.model_copy(update={"pages": [join_letter_spaced(p) for p in document.pages]})
    parts = {field: read_field(document, NAME, field, parser, _SHAPE_PARSERS.get(field))
             for field, parser in _PARSERS.items()}
    if sum(p is not None for p in parts.values()) < MIN_FIELDS:
        return []
    fact = item_fact(NAME, _reg_no_elsewhere(document, parts), NAME)
    return [_check_numbers_agree(fact)]


def is_sr_number(value: str) -> bool:
    return any(re.fullmatch(fmt.pattern, value) for fmt in options().reg_no_formats)


def _reg_no_elsewhere(document: Document, parts: dict[str, Fact | None]) -> dict[str, Fact | None]:
    """Without a labelled 登记号: an SR number printed in 软著登字第…号 stands for it; else one found by its
    shape anywhere on the page."""
    if parts["reg_no"] is not None:
        return parts
    cert = parts["cert_no"]
    if cert is not None and is_sr_number(cert.value):
        return {**parts, "reg_no": cert.model_copy(update={"name": "reg_no"})}
    found = read_by_shape(document, _parse_reg_no_by_shape, NAME)
    return {**parts, "reg_no": found[0] if found else None}


def _check_numbers_agree(fact: Fact) -> Fact:
    reg_no, cert_no = fact.value["reg_no"], fact.value["cert_no"]
    if reg_no is None or cert_no is None or not is_sr_number(cert_no) or reg_no == cert_no:
        return fact
    warning = f"登记号 {reg_no} differs from the SR number {cert_no} in 软著登字第…号: one is misread"
    return fact.model_copy(update={"confidence": min(fact.confidence, BAD_FORMAT_CONFIDENCE),
                                   "warnings": [*fact.warnings, warning]})


# ---------------------------------------------------------------- field parsers


def _find_reg_no(text: str) -> IdReading | None:
    spec = options()
    return read_identifier(text, spec.reg_no_formats, spec.identifier_run, spec.lookalikes)


def _parse_reg_no(text: str) -> list[Reading]:
    found = _find_reg_no(text)
    return [identifier_reading("reg_no", found, _SR_WHAT)] if found else []


def _parse_reg_no_by_shape(text: str) -> list[Reading]:
    """Without its label, only a number in the SR format is taken for the 登记号."""
    found = _find_reg_no(text)
    return [identifier_reading("reg_no", found, _SR_WHAT)] if found and found.valid else []


def _number_reading(match: re.Match[str] | None) -> list[Reading]:
    if match is None:
        return []
    found = match_formats(match.group("number"), options().cert_no_formats, options().lookalikes)
    return [identifier_reading("cert_no", found, "软著登字 number")]


def _parse_cert_no(text: str) -> list[Reading]:
    return _number_reading(re.search(options().number_in_words, normalise(text).upper()))


def _parse_cert_no_by_shape(text: str) -> list[Reading]:
    return _number_reading(re.search(options().number_by_shape, normalise(text).upper()))


def _name_value(text: str) -> str | None:
    """A name as printed: full-width brackets as registered, no label colon, not a date or a number."""
    compact = registered_name(normalise(text).lstrip(":："))
    if len(compact) < options().min_name_chars or re.search(r"\d{4}[年\-/.]", compact):
        return None
    return compact


def _parse_software_name(text: str) -> list[Reading]:
    name = _name_value(text)
    if name is None:
        return []
    version = re.search(options().version_pattern, name)
    if version is None:
        return [Reading("software_name", name)]
    digits = version.group("version").upper().translate(str.maketrans(options().lookalikes.digit_for))
    return [Reading("software_name", f"{name[:version.start()]}V{digits}")]


def _parse_owner(text: str) -> list[Reading]:
    name = _name_value(text)
    return [Reading("owner", name)] if name and not re.search(r"\d", name) else []


def _parse_completed(text: str) -> list[Reading]:
    try:
        return [Reading("completed_on", parse_date(text).isoformat())]
    except ValueParseError:
        return []


_PARSERS: dict[str, FieldParser] = {
    "reg_no": _parse_reg_no,
    "cert_no": _parse_cert_no,
    "software_name": _parse_software_name,
    "owner": _parse_owner,
    "completed_on": _parse_completed,
}
_SHAPE_PARSERS: dict[str, FieldParser] = {"cert_no": _parse_cert_no_by_shape}  # reg_no: _reg_no_elsewhere
