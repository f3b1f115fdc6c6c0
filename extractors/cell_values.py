"""The role a table cell's value shows by itself, for tables whose header is unknown or missing: an identity
number (whole or masked), a person's name, a month or period, a 险种, an amount, a status word. The words are the
kind's data (its `options`); the shapes are here."""
from __future__ import annotations

import re
from collections.abc import Mapping, Sequence

from extractors.dates import find_months
from extractors.name_shapes import chinese_person, find_latin_persons

ID_NUMBER = re.compile(r"\d{6}[\d*＊]{8}[\d*＊]{3}[\dXx*＊]|\d{2,6}[*＊]{4,14}\d{1,4}[\dXx]|\d{17}[\dXx]")
LIST_NUMBER = re.compile(r"^(?:\d{1,3}[.、．)）]|[(（]\d{1,3}[)）])")  # 1. 袁诺鹏, 2、梁杰, (3)任超
AMOUNT = re.compile(r"-?[¥￥]?(?:\d{1,3}(?:,\d{3})+|\d+)\.\d{1,2}|[¥￥]\d+")
MOBILE = re.compile(r"(?:\+?86-?)?1[3-9]\d{9}")


def is_id_number(text: str) -> bool:
    return ID_NUMBER.fullmatch(text.replace(" ", "")) is not None


def is_month(text: str) -> bool:
    """A cell that is a month or a period, and nothing else. A number with one digit after its point (2081.5) is
    an amount: a month printed with a point has two (2026.09, 2026.10)."""
    if re.fullmatch(r"\d{4}\.\d", text.strip()):
        return False
    months = find_months(text)
    if not months:
        return False
    covered = sum(m.end - m.start for m in months)
    return covered >= 0.6 * len(text.replace(" ", ""))


def is_person(text: str) -> bool:
    if text.rstrip().endswith((":", "：")):
        return False  # 经办人：, a form's label waiting for a signature
    text = LIST_NUMBER.sub("", text)
    if chinese_person(text) is not None:
        return True
    latin = find_latin_persons(text)
    return len(latin) == 1 and latin[0].strength >= 0.7 and latin[0].end - latin[0].start >= 0.8 * len(text)


def value_role(text: str, words: Mapping[str, Sequence[str]], shapes: Sequence[str]) -> str | None:
    """The first role of `words` (a role and its words: 险种 names, status words …) whose word the cell holds, else
    the first of `shapes` (id_number, month, amount, mobile, name) its value has; None when it shows none."""
    compact = text.replace(" ", "")
    if not compact:
        return None
    for role, listed in words.items():
        if len(compact) <= 16 and any(w in compact for w in listed):
            return role
    for shape in shapes:
        if _SHAPES[shape](compact):
            return shape
    return None


_SHAPES = {
    "id_number": is_id_number,
    "month": is_month,
    "amount": lambda t: AMOUNT.fullmatch(t) is not None,
    "mobile": lambda t: MOBILE.fullmatch(t) is not None,
    "name": is_person,
}
