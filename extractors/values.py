"""Parsers for the messy values printed on evidence: amounts (壹佰万元整, 1000.0000万元, 欧元260万), dates
(2019年3月5日, 二〇一一年十一月一日, 2026-10) and counts (5,832, 1.2万). Each returns a value or raises
ValueParseError; nothing else escapes."""
from __future__ import annotations

import datetime as dt
import re
import unicodedata
from decimal import Decimal, InvalidOperation

import cn2an

from pipeline.errors import EvidenceError
from pipeline.models import ErrorCode, Strict


class ValueParseError(EvidenceError):
    def __init__(self, message: str):
        super().__init__(ErrorCode.EXTRACTION_FAILED, message)


class Money(Strict):
    amount: Decimal
    currency: str  # ISO 4217


CURRENCIES = {
    "人民币": "CNY", "RMB": "CNY", "CNY": "CNY", "¥": "CNY", "欧元": "EUR", "EUR": "EUR", "美元": "USD", "USD": "USD",
    "港元": "HKD", "港币": "HKD", "HKD": "HKD", "日元": "JPY", "JPY": "JPY", "英镑": "GBP", "GBP": "GBP",
}
_UNITS = {"万": Decimal(10_000), "亿": Decimal(100_000_000), "千": Decimal(1_000)}
_CN_DIGITS = "零〇一二三四五六七八九壹贰叁肆伍陆柒捌玖两拾佰仟十百千"
_ARABIC = re.compile(r"\d[\d,]*(?:\.\d+)?")
_CHINESE_NUMBER = re.compile(f"[{_CN_DIGITS}]+")
_NO_VALUE = {"无", "-", "—", "/", "不适用"}


def normalise(text: str) -> str:
    """NFKC (full-width ￥（）and digits to ASCII), with every kind of space removed."""
    return re.sub(r"\s+", "", unicodedata.normalize("NFKC", text))


_BRACKETS = {"(": ")", "[": "]", "【": "】", "《": "》", "〔": "〕"}


def unpaired_brackets(text: str) -> bool:
    """Whether a bracket in `text` opens without closing or closes without opening (阿里巴巴云计算（北京有限公司,
    …平台[): a printed name's brackets always pair, so OCR lost or misread one."""
    stack: list[str] = []
    for char in unicodedata.normalize("NFKC", text):
        if char in _BRACKETS:
            stack.append(_BRACKETS[char])
        elif char in _BRACKETS.values():
            if not stack or stack.pop() != char:
                return True
    return bool(stack)


def registered_name(text: str) -> str:
    """An organisation name as registered: Chinese names are registered with full-width brackets （）, which
    NFKC turns half-width."""
    return text.replace("(", "（").replace(")", "）")


def parse_money(text: str) -> Money | None:
    """A registered capital. None when the document says there is none (无)."""
    compact = normalise(text).strip("()[]:：")
    if compact in _NO_VALUE:
        return None
    currency = _currency_of(compact)
    for word in CURRENCIES:
        compact = re.sub(re.escape(word), "", compact, flags=re.IGNORECASE)
    compact = re.sub(r"[()（）]|(?i:yuan)$", "", compact)
    amount = _amount_of(_english_scale(compact))
    return Money(amount=amount, currency=currency)


_ENGLISH_SCALES = {"million": "000000", "thousand": "000", "billion": "000000000"}


def _english_scale(compact: str) -> str:
    """5million → 5000000 (an English translation's capital); 1.5million → 1500000."""
    match = re.fullmatch(r"(?i)(\d+(?:\.\d+)?)(million|thousand|billion)", compact)
    if not match:
        return compact
    zeros = len(_ENGLISH_SCALES[match.group(2).lower()])
    return str(int(Decimal(match.group(1)) * Decimal(10) ** zeros))


def _currency_of(compact: str) -> str:
    found = {code for word, code in CURRENCIES.items() if word.upper() in compact.upper()}
    if len(found) > 1:
        raise ValueParseError(f"two currencies in one amount: {compact!r}")
    return found.pop() if found else "CNY"


def _amount_of(compact: str) -> Decimal:
    body = re.sub(r"(元|圆)?整?$", "", compact.replace("元整", "元").replace("圆整", "圆"))
    match = re.fullmatch(r"(\d[\d,]*(?:\.\d+)?)([万亿千]?)(?:元|圆)?", body)
    if match:
        return _decimal(match.group(1).replace(",", "")) * _UNITS.get(match.group(2), Decimal(1))
    match = re.fullmatch(f"([{_CN_DIGITS}万亿]+)(?:元|圆)?", body)
    if match:
        return _chinese_amount(match.group(1))
    match = re.fullmatch(f"([{_CN_DIGITS}万亿]+)[元圆](?:零|([{_CN_DIGITS}])角)?(?:([{_CN_DIGITS}])分)?", body)
    if match:  # 肆仟玖佰零捌元捌角肆分 (an invoice's 价税合计 大写)
        cents = [_chinese_amount(d) if d else Decimal(0) for d in match.group(2, 3)]
        return _chinese_amount(match.group(1)) + cents[0] / 10 + cents[1] / 100
    raise ValueParseError(f"not an amount: {compact!r}")


def _decimal(digits: str) -> Decimal:
    try:
        return Decimal(digits)
    except InvalidOperation as exc:
        raise ValueParseError(f"not a number: {digits!r}") from exc


def _chinese_amount(numerals: str) -> Decimal:
    try:
        value = cn2an.cn2an(numerals.replace("圆", ""), "normal")
    except (ValueError, KeyError, IndexError, TypeError, AttributeError) as exc:
        raise ValueParseError(f"not a Chinese-numeral amount: {numerals!r}") from exc
    return Decimal(str(value))


def parse_count(text: str) -> int:
    """A count as a dashboard prints it: 5832, 5,832, 1.2万, 3.5w."""
    compact = normalise(text).replace("，", ",")
    match = re.fullmatch(r"(\d[\d,]*(?:\.\d+)?)([万wW亿]?)人?", compact)
    if not match:
        raise ValueParseError(f"not a count: {text!r}")
    number = _decimal(match.group(1).replace(",", ""))
    unit = {"万": 10_000, "w": 10_000, "W": 10_000, "亿": 100_000_000}.get(match.group(2), 1)
    value = number * unit
    if value != value.to_integral_value():
        raise ValueParseError(f"a count must be whole: {text!r}")
    return int(value)


_MONTH = re.compile(r"(\d{4})\s*[年\-/.]?\s*(\d{1,2})\s*月?")


def parse_date(text: str) -> dt.date:
    """The first date printed in `text`, in any printed form (extractors/dates.py); raises ValueParseError."""
    from extractors.dates import parse_date as first_date

    return first_date(text)


def parse_month(text: str) -> str:
    """A payment month (202610, 2026-10, 2026年10月) as YYYY-MM."""
    compact = normalise(text)
    match = re.fullmatch(r"(\d{4})(\d{2})", compact) or _MONTH.fullmatch(compact)
    if not match or not 1 <= int(match.group(2)) <= 12:
        raise ValueParseError(f"not a month: {text!r}")
    return f"{int(match.group(1)):04d}-{int(match.group(2)):02d}"
