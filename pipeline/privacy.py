"""Resident ID numbers (身份证号) never leave the pipeline in full: reports and logs show 4403**********1234."""
from __future__ import annotations

import re

# 6-digit area, an 8-digit birth date that looks real, 3-digit sequence, check character. Matching the date
# part, not the checksum, also masks IDs that OCR misread, and leaves all-digit credit codes alone.
_RESIDENT_ID = re.compile(
    r"(?<![0-9A-Za-z])(\d{4})(\d{2}(?:19|20)\d{2}(?:0[1-9]|1[0-2])(?:0[1-9]|[12]\d|3[01])\d{3})([0-9Xx])(?![0-9A-Za-z])"
)


def mask_id_number(number: str) -> str:
    """4403 + ten stars + the last four characters."""
    return f"{number[:4]}{'*' * (len(number) - 8)}{number[-4:]}" if len(number) > 8 else "*" * len(number)


def mask_id_numbers(text: str) -> str:
    return _RESIDENT_ID.sub(lambda m: mask_id_number(m.group(0)), text)


# Column headers under which social-security lists print ID numbers (the report blurs that whole column).
ID_COLUMN_HEADERS = ("身份证", "证件号码", "公民身份号码", "证件号")
_MASKED_ID = re.compile(r"\d{2,6}\s*\*{4,}\s*\d{2,4}[\dXx]?")


def id_spans(text: str) -> list[re.Match[str]]:
    """Where `text` holds a resident ID number: whole (even misread by OCR) or masked (4403**********1234)."""
    return [*_RESIDENT_ID.finditer(text), *_MASKED_ID.finditer(text)]
