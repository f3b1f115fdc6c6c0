"""Company names compared through the noise of print and OCR: NFKC, no spaces, one form of brackets."""
from __future__ import annotations

import re
import unicodedata


def company_key(name: str) -> str:
    text = unicodedata.normalize("NFKC", name or "")
    return re.sub(r"\s+", "", text).replace("(", "（").replace(")", "）")


def same_company(a: str | None, b: str | None) -> bool:
    return bool(a) and bool(b) and company_key(a) == company_key(b)


_SUFFIXES = ("股份有限公司", "有限责任公司", "有限公司", "公司", "集团")
_PLACE = re.compile(r"^(?:[\u4e00-\u9fff]{2}(?:省|市)|北京|上海|天津|重庆)+")


def likely_same_company(shown: str | None, registered: str | None) -> bool:
    """An app's name for an organisation against the registered one: the same name, or a short name (云帆科技) that
    opens with the registered name's 字号 (深圳市云帆信息技术有限公司): its first two characters, after the place."""
    if same_company(shown, registered):
        return True
    if not shown or not registered:
        return False
    short = _PLACE.sub("", company_key(shown))
    for suffix in _SUFFIXES:
        short = short.removesuffix(suffix)
    return len(short) >= 2 and short[:2] in company_key(registered)


def pinyin_forms(name: str) -> set[str]:
    """A Chinese name in Latin letters as certificates print it, lower case without spaces: surname first or last,
    every reading of each character (pypinyin's heteronyms: 曾 is zeng or ceng)."""
    from itertools import product

    from pypinyin import Style, pinyin

    readings = pinyin(name, style=Style.NORMAL, heteronym=True)
    forms = set()
    for combo in product(*readings[:4]):
        for split in (1, 2) if len(combo) > 2 else (1,):
            surname, given = "".join(combo[:split]), "".join(combo[split:])
            forms |= {surname + given, given + surname}
    return {f.lower().replace("ü", "v") for f in forms}


def pinyin_match(latin: str | None, chinese: str | None) -> bool:
    """Whether a holder printed in Latin letters (ZHANG Weiqiang, Weiqiang Zhang) is this Chinese name."""
    if not latin or not chinese or not re.fullmatch(r"[A-Za-z \-·.]+", latin):
        return False
    return re.sub(r"[^a-z]", "", latin.lower()) in pinyin_forms(chinese)
