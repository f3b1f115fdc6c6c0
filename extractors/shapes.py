"""Identifiers with a known shape: repair the letters and digits OCR swaps, by position, and accept only
what passes the shape and the check digit (python-stdnum)."""
from __future__ import annotations

import re

from stdnum.cn import uscc
from stdnum.iso7064 import mod_11_10

from extractors.fields import Reading
from extractors.values import normalise

BAD_CHECK_CONFIDENCE = 0.5  # a code printed but failing its check digit: shown, never trusted

# OCR confusions seen on certificates and licenses: letter read for digit and back.
_TO_DIGIT = str.maketrans({"O": "0", "Q": "0", "D": "0", "I": "1", "L": "1", "Z": "2", "S": "5", "B": "8", "G": "6"})
# Letters that a USCC never contains (GB 32100-2015 leaves out I, O, S, V, Z).
_USCC_FORBIDDEN = str.maketrans({"I": "1", "O": "0", "S": "5", "V": "U", "Z": "2"})
_USCC_RUN = re.compile(r"(?<![0-9A-Z])[0-9A-Z]{18}(?![0-9A-Z])")
_REGNO_RUN = re.compile(r"(?<![0-9A-Z])[0-9A-Z]{15}(?![0-9A-Z])")


def repair_uscc(raw: str) -> str:
    """Positions 3-8 are an area code (digits only); the rest may not hold I, O, S, V or Z."""
    raw = raw.upper()
    return (raw[:2].translate(_USCC_FORBIDDEN) + raw[2:8].translate(_TO_DIGIT) + raw[8:].translate(_USCC_FORBIDDEN))


def find_credit_codes(text: str) -> list[tuple[str, bool, bool]]:
    """(code, check digit valid, repaired) for each 18-character run in the text."""
    found = []
    for run in _USCC_RUN.findall(normalise(text).upper()):
        if uscc.is_valid(run):
            found.append((run, True, False))
            continue
        fixed = repair_uscc(run)
        valid = uscc.is_valid(fixed)
        found.append((fixed if valid else run, valid, valid))
    return found


def find_registration_numbers(text: str) -> list[tuple[str, bool]]:
    """(number, ISO 7064 MOD 11,10 valid) for each 15-digit run: the 注册号 of licenses before 2015."""
    found = []
    for run in _REGNO_RUN.findall(normalise(text).upper()):
        digits = run.translate(_TO_DIGIT)
        if digits.isdigit():
            found.append((digits, mod_11_10.is_valid(digits)))
    return found


def read_credit_code(text: str, fact_name: str) -> list[Reading]:
    """The first 18-character run as a credit-code reading: repaired by position when that makes the check
    digit pass; kept with low confidence and a warning when the check digit fails."""
    codes = find_credit_codes(text)
    if not codes:
        return []
    code, valid, repaired = codes[0]
    if not valid:
        warning = f"credit code {code} fails its check digit: misread, or not a genuine code"
        return [Reading(fact_name, code, BAD_CHECK_CONFIDENCE, (warning,))]
    return [Reading(fact_name, code, 0.97 if repaired else 1.0, ("OCR letters/digits repaired by position",) if repaired else ())]
