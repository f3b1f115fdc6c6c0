"""营业执照: company name, credit code (check digit validated), registered capital, founding date and the
end of the business term, each read next to its label and kept with provenance."""
from __future__ import annotations

import re

from pydantic import BaseModel, ConfigDict

from extractors.fields import FieldParser, Reading, read_by_shape, read_labelled
from extractors.shapes import BAD_CHECK_CONFIDENCE, find_registration_numbers, read_credit_code
from extractors.specs import load_options
from extractors.values import ValueParseError, normalise, parse_date, parse_money, registered_name
from pipeline.models import Document, DocumentKind, Fact

NAME = "business_license"
KIND = DocumentKind.BUSINESS_LICENSE


class LicenseOptions(BaseModel):
    model_config = ConfigDict(extra="forbid")

    company_suffixes: list[str]
    label_residue: str
    term_open_ended: list[str]


def options() -> LicenseOptions:
    return load_options(NAME, LicenseOptions)


def extract(document: Document) -> list[Fact]:
    facts: list[Fact] = []
    for field, parser in _FIELD_PARSERS.items():
        facts.extend(read_labelled(document, NAME, field, parser, NAME))
    found = {f.name for f in facts}
    if "credit_code" not in found and "registration_no" not in found:
        facts.extend(read_by_shape(document, _parse_credit_code, NAME))
    if "company_name" not in found:
        facts.extend(read_by_shape(document, _parse_company_name, NAME))
    return facts


def _parse_credit_code(text: str) -> list[Reading]:
    return read_credit_code(text, "credit_code")


def _parse_registration_no(text: str) -> list[Reading]:
    numbers = find_registration_numbers(text)
    if not numbers:
        return []
    number, valid = numbers[0]
    warnings = () if valid else (f"注册号 {number} fails its ISO 7064 check digit",)
    return [Reading("registration_no", number, 1.0 if valid else BAD_CHECK_CONFIDENCE, warnings)]


def _parse_company_name(text: str) -> list[Reading]:
    spec = options()
    compact = normalise(text).lstrip(":：")
    suffixes = "|".join(re.escape(s) for s in sorted(spec.company_suffixes, key=len, reverse=True))
    match = re.fullmatch(rf"[{spec.label_residue}]{{0,2}}(.{{2,60}}?(?:{suffixes}))", compact)
    if not match or re.search(r"[:：;；，,。]|\d{4}", match.group(1)):
        return []
    name = registered_name(match.group(1))
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
    if any(word in end for word in options().term_open_ended):
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


