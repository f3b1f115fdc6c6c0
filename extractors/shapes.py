"""Identifiers found by their shape: the USCC (credit code, check character by python-stdnum), the 15-digit 注册号
(ISO 7064 MOD 11,10), and numbers in a format a kind's data file declares (certificate numbers, 登记号 …).

A value is never rewritten to fit a format. Only the letters and digits OCR confuses (O/0, I/1, S/5, B/8 …) are
swapped, in place, where the format wants the other class; no character is inserted or dropped, and a separator
must be printed where the format has one. A value that fits no format is kept as printed, marked invalid."""
from __future__ import annotations

import re
from dataclasses import dataclass

from pydantic import BaseModel, ConfigDict
from stdnum.cn import ric, uscc
from stdnum.iso7064 import mod_11_10

from extractors.values import normalise

BAD_CHECK_CONFIDENCE = 0.5  # a code printed but failing its check digit or format: shown, never trusted
_DASHES = re.compile(r"[—–_一~－‐-]")


class _Spec(BaseModel):
    model_config = ConfigDict(extra="forbid")


class Lookalikes(_Spec):
    """The letters and digits OCR swaps: what a letter stands for in a digit slot, and the reverse."""

    digit_for: dict[str, str] = {"O": "0", "Q": "0", "D": "0", "I": "1", "L": "1", "Z": "2", "S": "5", "B": "8", "G": "6"}
    letter_for: dict[str, str] = {"0": "O", "1": "I", "2": "Z", "5": "S", "8": "B", "6": "G"}
    chinese_for: dict[str, str] = {}  # a Chinese character OCR reads in another form (粵 for 粤)


class IdFormat(_Spec):
    """One printed form of a number. `template`: L a letter, D a digit, A either, X either or a dash, C a Chinese
    character (a province's abbreviation: 粤RQ-…); a class followed by + takes one or more; any other character is
    a separator that must be printed there. `pattern`, when given, is what the
    repaired value must also match (fixed words, years, ranges)."""

    template: str
    pattern: str | None = None
    strength: float = 1.0  # how much fitting this format says: a generic form says less than a specific one


@dataclass(frozen=True)
class IdReading:
    value: str
    valid: bool  # fits one of the formats
    repaired: bool  # a confused letter or digit was swapped to get there
    start: int = 0  # where the printed run sits in the text it was found in
    end: int = 0
    strength: float = 1.0  # the format's strength (0 when it fits none)


def printed_form(raw: str) -> str:
    """An identifier as printed, normalised: NFKC, upper case, no spaces, one kind of dash."""
    return _DASHES.sub("-", normalise(raw).upper())


def _slots(template: str, length: int) -> list[str] | None:
    tokens = re.findall(r"[LDAXC]\+|.", template)
    variable = [t for t in tokens if t.endswith("+")]
    extra = length - (len(tokens) - len(variable))
    if len(variable) > 1 or (not variable and extra != 0) or (variable and extra < 1):
        return None
    return [slot for t in tokens for slot in ([t[0]] * extra if t.endswith("+") else [t])]


def repair_in_place(printed: str, template: str, lookalikes: Lookalikes) -> str | None:
    """`printed` with each confused character swapped for its lookalike where the template wants the other class;
    None when the printed characters cannot fill the template's slots one for one."""
    slots = _slots(template, len(printed))
    if slots is None:
        return None
    out = []
    for char, slot in zip(printed, slots):
        if slot == "D":
            char = lookalikes.digit_for.get(char, char)
            if not char.isdigit():
                return None
        elif slot == "L":
            char = lookalikes.letter_for.get(char, char)
            if not ("A" <= char <= "Z"):
                return None
        elif slot == "A":
            if not char.isalnum():
                return None
        elif slot == "X":
            if not (char.isalnum() or char == "-"):
                return None
        elif slot == "C":
            char = lookalikes.chinese_for.get(char, char)
            if not "\u4e00" <= char <= "\u9fff":
                return None
        elif char != slot:
            return None
        out.append(char)
    return "".join(out)


def match_formats(raw: str, formats: list[IdFormat], lookalikes: Lookalikes) -> IdReading:
    """`raw` as the first format that accepts it after in-place repair; else as printed, marked invalid."""
    printed = printed_form(raw)
    for fmt in formats:
        fixed = repair_in_place(printed, fmt.template, lookalikes)
        if fixed is not None and (fmt.pattern is None or re.fullmatch(fmt.pattern, fixed)):
            return IdReading(fixed, True, fixed != printed, strength=fmt.strength)
    return IdReading(printed, False, False, strength=0.0)


_RUN = re.compile(r"[A-Z0-9][A-Z0-9\-]{4,}[A-Z0-9]")
_PREFIXED_RUN = re.compile(r"[\u4e00-\u9fff]?[A-Z0-9][A-Z0-9\-]{4,}[A-Z0-9]")


def find_identifiers(text: str, formats: list[IdFormat], lookalikes: Lookalikes) -> list[IdReading]:
    """Every run of letters, digits and dashes in `text` (with the Chinese character before it, for formats that
    start with one) that fits a format after in-place repair, with its offsets in `text`."""
    upper = _DASHES.sub("-", text.upper())
    found = []
    for run in _PREFIXED_RUN.finditer(upper):
        start, printed = _after_numero(run.start(), run.group(0))
        reading = match_formats(printed, formats, lookalikes)
        if not reading.valid and not printed[0].isascii():
            start, printed = start + 1, printed[1:]
            reading = match_formats(printed, formats, lookalikes)
        if reading.valid:
            found.append(IdReading(reading.value, True, reading.repaired, start, run.end(), reading.strength))
    return found


def runs(text: str) -> list[IdReading]:
    """Every identifier-like run holding digits, as printed and unvalidated (for a labelled value that fits no
    format)."""
    upper = _DASHES.sub("-", text.upper())
    return [IdReading(printed, False, False, start, m.end(), 0.0) for m in _RUN.finditer(upper)
            for start, printed in [_after_numero(m.start(), m.group(0))]
            if sum(c.isdigit() for c in printed) >= 2]  # a word is not a number


_NUMERO = re.compile(r"NO(?=\d)")  # № (NFKC: No), or No set tight against the digits: the number's mark, not its start


def _after_numero(start: int, printed: str) -> tuple[int, str]:
    """A run read with the numero sign glued to its digits (№2025TCP1060782 read `No2025TCP1060782`) starts after it."""
    mark = _NUMERO.match(printed)
    return (start + mark.end(), printed[mark.end():]) if mark and len(printed) - mark.end() >= 5 else (start, printed)


# ------------------------------------------------------------------------------------------------ USCC, 注册号

_TO_DIGIT = str.maketrans({"O": "0", "Q": "0", "D": "0", "I": "1", "L": "1", "Z": "2", "S": "5", "B": "8", "G": "6"})
# Letters that a USCC never contains (GB 32100-2015 leaves out I, O, S, V, Z).
_USCC_FORBIDDEN = str.maketrans({"I": "1", "O": "0", "S": "5", "V": "U", "Z": "2"})
_USCC_RUN = re.compile(r"(?<![0-9A-Z])[0-9A-Z]{18}(?![0-9A-Z])")
_REGNO_RUN = re.compile(r"(?<![0-9A-Z])[0-9A-Z]{15}(?![0-9A-Z])")


def repair_uscc(raw: str) -> str:
    """Positions 3-8 are an area code (digits only); the rest may not hold I, O, S, V or Z."""
    raw = raw.upper()
    return raw[:2].translate(_USCC_FORBIDDEN) + raw[2:8].translate(_TO_DIGIT) + raw[8:].translate(_USCC_FORBIDDEN)


_RESIDENT_ID = re.compile(r"\d{6}(?:19|20)\d{2}(?:0[1-9]|1[0-2])(?:0[1-9]|[12]\d|3[01])\d{3}[\dX]")


def is_resident_id(value: str) -> bool:
    """A whole 身份证号 (a birth date inside, its check character right): a person's number, never another field's
    identifier, and never shown whole."""
    value = value.upper()
    return bool(_RESIDENT_ID.fullmatch(value)) and ric.calc_check_digit(value[:17]) == value[17]


def find_credit_codes(text: str) -> list[IdReading]:
    """Each 18-character run: valid when its check character passes (after position repair if needed)."""
    found = []
    for run in _USCC_RUN.finditer(text.upper()):
        code = run.group(0)
        if uscc.is_valid(code):
            found.append(IdReading(code, True, False, run.start(), run.end()))
            continue
        fixed = repair_uscc(code)
        valid = uscc.is_valid(fixed)
        found.append(IdReading(fixed if valid else code, valid, valid, run.start(), run.end()))
    return found


def find_registration_numbers(text: str) -> list[IdReading]:
    """Each 15-character run that reads as digits: the 注册号 of licenses before 2015."""
    found = []
    for run in _REGNO_RUN.finditer(text.upper()):
        digits = run.group(0).translate(_TO_DIGIT)
        if digits.isdigit():
            found.append(IdReading(digits, mod_11_10.is_valid(digits), digits != run.group(0), run.start(), run.end()))
    return found
