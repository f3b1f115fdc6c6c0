"""Names found by their shape: persons (a Chinese surname and one or two given characters, checked against jieba's
part-of-speech tags where the text runs on; Latin-letter names whose words are pinyin) and organisations (a company
suffix; the 个体工商户 forms 经营部/销售部/店/坊/工作室 … only where a label or prior says a name is there).

The word lists are data (extractors/data/common/shapes.yaml)."""
from __future__ import annotations

from collections.abc import Iterator

import logging
import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import yaml
from pydantic import BaseModel, ConfigDict

_DATA = Path(__file__).parent / "data" / "common" / "shapes.yaml"
_CJK = "\u4e00-\u9fff"
_MIN_NAME = 3  # characters an organisation's name holds before its suffix
_CONNECTIVES = "与和及、的为向由在是于"  # never inside an organisation's name in running text


class _Spec(BaseModel):
    model_config = ConfigDict(extra="forbid")


class OrganisationSuffixes(_Spec):
    company: list[str]
    shop: list[str]


class NameShapes(_Spec):
    version: int
    surnames: str
    compound_surnames: list[str]
    name_followers: list[str]
    name_leaders: list[str]
    not_names: list[str]
    latin_not_names: list[str]
    latin_name_leaders: list[str]
    organisation_suffixes: OrganisationSuffixes
    latin_organisation_suffixes: list[str]
    software_version: str
    not_organisations: list[str]


@lru_cache(maxsize=1)
def shapes() -> NameShapes:
    with _DATA.open(encoding="utf-8") as handle:
        return NameShapes.model_validate(yaml.safe_load(handle))


@dataclass(frozen=True)
class NameMention:
    value: str
    start: int
    end: int
    strength: float  # how sure the shape alone is
    latin: bool = False


# ------------------------------------------------------------------------------------------------ persons


def _surname_at(text: str, i: int) -> int:
    """The length of the surname starting at text[i] (2 for 欧阳), or 0."""
    spec = shapes()
    if text[i:i + 2] in spec.compound_surnames:
        return 2
    return 1 if text[i] in spec.surnames else 0


@lru_cache(maxsize=1)
def _jieba():
    import jieba
    import jieba.posseg

    jieba.setLogLevel(logging.WARNING)
    return jieba.posseg


def jieba_words(text: str) -> list[str]:
    """`text` cut into words by jieba."""
    return [pair.word for pair in _jieba().cut(text)]


def _is_name_word(name: str) -> bool:
    return not any(word in name for word in shapes().not_names)


def chinese_person(text: str) -> NameMention | None:
    """`text` itself as a name: 2-4 Chinese characters (and a middle dot) starting with a surname."""
    compact = text.strip(":：,，。;； ")
    if not re.fullmatch(rf"[{_CJK}·]{{2,6}}", compact) or "·" not in compact and len(compact) > 4:
        return None
    surname = _surname_at(compact, 0)
    if not surname or len(compact) - surname < 1 or not _is_name_word(compact):
        return None
    strength = 0.8 if len(compact) <= 3 else 0.6
    if _one_other_word(compact):
        strength = WORD_NOT_NAME
    return NameMention(compact, text.find(compact), text.find(compact) + len(compact), strength)


WORD_NOT_NAME = 0.5  # a block that is one word of another kind (云市: a place; 方圆: a noun) is a weak name


def _one_other_word(text: str) -> bool:
    """jieba reads `text` as one word, and tags it as no person's name (nr…)."""
    words = list(_jieba().cut(text))
    return len(words) == 1 and not words[0].flag.startswith("nr")


def find_chinese_persons(text: str) -> list[NameMention]:
    """Names inside running text: after a leader word (兹证明) or at the start, ending before a follower word (同志,
    已通过) or at the end of the run of Chinese characters; jieba's `nr` tag confirms the length when it can."""
    whole = chinese_person(text)
    if whole is not None:
        return [whole]
    spec = shapes()
    found = []
    for run in re.finditer(rf"[{_CJK}·]{{2,}}", text):
        chunk = run.group(0)
        starts = [0] + [chunk.find(w) + len(w) for w in spec.name_leaders if w in chunk]
        for start in sorted(set(starts)):
            mention = _name_from(chunk, start)
            if mention is not None:
                found.append(NameMention(mention.value, run.start() + mention.start, run.start() + mention.end,
                                         mention.strength))
    return found


def _name_from(chunk: str, start: int) -> NameMention | None:
    if start >= len(chunk) or not _surname_at(chunk, start):
        return None
    rest = chunk[start:]
    ends = [rest.find(w) for w in shapes().name_followers if rest.find(w) >= 2]
    if ends:
        length = min(ends)
    elif len(rest) <= 4:
        length = len(rest)
    else:
        length = _jieba_length(rest)
    name = rest[:length]
    if not 2 <= length <= 4 or not _is_name_word(name):
        return None
    return NameMention(name, start, start + length, 0.7 if ends or len(rest) == length else 0.5)


def _jieba_length(text: str) -> int:
    """The length of the person name jieba tags at the start of `text` (surname + given name); 0 when it starts
    with a word of another kind (申请 | 纸质 | 证书: a button, not 申请纸); else 3."""
    words = list(_jieba().cut(text[:8]))
    if words and words[0].flag != "nr" and len(words[0].word) >= 2:
        return 0
    if words and words[0].flag == "nr" and len(words[0].word) >= 2:
        length = len(words[0].word)
        # jieba often cuts the last given character off (叶轩 | 远): take a single following character too
        if length == 2 and len(words) > 1 and len(words[1].word) == 1 and words[1].flag not in ("x", "uj", "p", "d"):
            length = 3
        return length
    return 3


@lru_cache(maxsize=1)
def pinyin_syllables() -> frozenset[str]:
    from pypinyin.pinyin_dict import pinyin_dict

    out = set()
    for readings in pinyin_dict.values():
        for reading in readings.split(","):
            # ü (lǚ, nǚ) is written v in ASCII pinyin and yu on passports (吕 LV, LYU); its tone mark goes
            decomposed = unicodedata.normalize("NFD", reading.lower()).replace("u\u0308", "v")
            plain = "".join(c for c in decomposed if not unicodedata.combining(c))
            out.update({plain, plain.replace("v", "yu")} if "v" in plain else {plain})
    return frozenset(s for s in out if re.fullmatch("[a-z]+", s))


def is_pinyin(word: str) -> bool:
    """Whether `word` splits into pinyin syllables (Weiqiang → wei + qiang)."""
    word = word.lower().replace("ü", "v")
    syllables = pinyin_syllables()
    reachable = [True] + [False] * len(word)
    for i in range(len(word)):
        if reachable[i]:
            for j in range(i + 1, min(len(word), i + 6) + 1):
                if word[i:j] in syllables:
                    reachable[j] = True
    return reachable[-1]


_LATIN_WORD = r"(?:[A-Z][a-z]+|[A-Z]{2,})(?:-[A-Za-z]+)?"
_LATIN_NAME = re.compile(rf"(?<![A-Za-z])({_LATIN_WORD})(?: ?({_LATIN_WORD}))(?: ({_LATIN_WORD}))?(?![A-Za-z])")
_CAMEL = re.compile(r"(?<![A-Za-z])([A-Z][a-z]+)([A-Z][a-z]+)(?![A-Za-z])")


def find_latin_persons(text: str) -> list[NameMention]:
    """Two or three capitalised words that are not certificate vocabulary: ZHANG Wei, Weiqiang Zhang (also run
    together by OCR: WeiqiangZhang). Words that are all pinyin make a strong name."""
    stop = set(shapes().latin_not_names) | set(shapes().latin_name_leaders)
    found = []
    for match in list(_after_leaders(_LATIN_NAME, text)) + list(_CAMEL.finditer(text)):
        words = [w for w in match.groups() if w]
        if any(w.lower().replace("-", "") in stop for w in words) or len("".join(words)) < 4:
            continue
        parts = [p for w in words for p in w.split("-")]
        if any(len(p) < 2 or not re.search(r"[aeiouvAEIOUV]", p) for p in parts):
            continue  # CERT-T CP-OPS: codes, not names (every syllable of a name has a vowel)
        if any(m.start < match.end() and match.start() < m.end for m in found):
            continue
        pinyin = all(is_pinyin(w.replace("-", "")) for w in words)
        if not pinyin and match.re is _LATIN_NAME and " " not in match.group(0):
            continue  # one capitalised word cut in two (CERTIFICA TE) is a name only when its parts are pinyin
        value = " ".join(words) if match.re is _LATIN_NAME else match.group(0)
        found.append(NameMention(value, match.start(), match.end(), 0.7 if pinyin else 0.4, latin=True))
    return found


def _after_leaders(pattern: re.Pattern[str], text: str) -> Iterator[re.Match[str]]:
    """The pattern's matches; a match that starts with a word a name follows (Dear Weiqiang Ouyang) is looked
    for again after that word."""
    leaders = set(shapes().latin_name_leaders)
    position = 0
    while (match := pattern.search(text, position)) is not None:
        yield match
        first = match.group(1)
        position = match.start(1) + len(first) if first.lower() in leaders else match.end()


def find_persons(text: str) -> list[NameMention]:
    return sorted(find_chinese_persons(text) + find_latin_persons(text), key=lambda m: m.start)


# ------------------------------------------------------------------------------------------------ organisations


_BADGES = r"(?:企业|个人|组织)?认证|已认证|未认证|已验证"


@lru_cache(maxsize=2)
def _organisation_pattern(shops: bool) -> re.Pattern[str]:
    spec = shapes().organisation_suffixes
    suffixes = spec.company + (spec.shop if shops else [])
    alternatives = "|".join(re.escape(s) for s in sorted(suffixes, key=len, reverse=True))
    char = rf"(?![{_CONNECTIVES}])[{_CJK}（）()A-Za-z0-9&]"
    # a bracket after the suffix is the name's (分公司, a place) unless it counts (15人), introduces a short name
    # (以下简称…) or is a badge an app prints after it ((企业认证), (已认证))
    return re.compile(rf"(?:{char}){{2,60}}(?:{alternatives})"
                      rf"(?:[（(](?![\d\s]+人?[）)]|以下|下称|简称|{_BADGES})[^）)]{{1,12}}[）)])?")


def find_organisations(text: str, *, shops: bool = False, latin: bool = False) -> list[NameMention]:
    """Organisation names in `text`: the longest run of name characters (no connective such as 与 or 的) that
    ends in a suffix. With `shops`, the 个体工商户 endings count too, weakly; with `latin`, names in Latin letters
    ending in Co., Ltd., Inc. … count too (Huawei Technologies Co., Ltd.)."""
    found = latin_organisations(text) if latin else []
    company = shapes().organisation_suffixes.company
    for match in _organisation_pattern(shops).finditer(text):
        value, start = match.group(0), match.start()
        while value[:1] in "(（" and value.count(value[:1]) > value.count(")" if value[:1] == "(" else "）"):
            value, start = value[1:], start + 1  # Co.,Ltd.(广州市…有限公司): the Chinese name in brackets
        suffix = next(s for s in sorted(shapes().organisation_suffixes.company + shapes().organisation_suffixes.shop, key=len, reverse=True)
                      if re.sub(r"[（(][^）)]*[）)]$", "", value).endswith(s))
        if re.fullmatch(r"[\d()（）]+.*", value[:1]) or len(value) - len(suffix) < _MIN_NAME:
            continue  # 总公司: a word, not a name
        if any(value.endswith(word) for word in shapes().not_organisations):
            continue  # 订单管理·费用中心: a page of an app
        is_company = (any(value.endswith(s) or re.search(rf"{re.escape(s)}[（(]", value) for s in company)
                      or re.search(r"[（(]个体工商户[）)]$", value) is not None)  # …商行（个体工商户）: a registered shop
        place = _PLACE.search(value)
        if place is not None and place.start() >= 2 and not _PLACE.match(value):
            start, value = start + place.start(), value[place.start():]  # 集团账号…费用 北京市华宏…有限公司: UI words glued in front
        strength = 0.8 if is_company else 0.4
        if value.count("（") + value.count("(") != value.count("）") + value.count(")"):
            strength -= 0.3  # 阿里巴巴云计算（北京有限公司: a bracket lost, a character or more may be too
        if start != 0 or match.end() != len(text):
            strength -= 0.1  # a name that does not fill its cell or block may carry a neighbour's words
        if strength > 0.2:  # a shop's ending, cut short and with a bracket lost: no name
            found.append(NameMention(value, start, match.end(), strength))
    return found


@lru_cache(maxsize=1)
def _latin_pattern() -> re.Pattern[str]:
    suffixes = "|".join(re.escape(s) for s in sorted(shapes().latin_organisation_suffixes, key=len, reverse=True))
    word = r"(?:[A-Z][A-Za-z&'\-]*|\([A-Z][a-z]+\)|of|and|&)"
    return re.compile(rf"(?<![A-Za-z])(?:{word}[ ,]*){{1,8}}?[A-Z][A-Za-z&'\-]*[ ,]*(?:(?:{suffixes})[ ,]*)+")


def latin_organisations(text: str) -> list[NameMention]:
    out = []
    for match in _latin_pattern().finditer(text):
        value = match.group(0).rstrip(" ,")
        out.append(NameMention(value, match.start(), match.start() + len(value), 0.7, latin=True))
    return out


# A province or city opens most registered names: 北京市…, 广东省…, 深圳前海… (two characters and 省/市/区, or a
# municipality).
_PLACE = re.compile(r"(?<![（(])(?:北京|上海|天津|重庆|[\u4e00-\u9fff]{2}(?:省|市|自治区))")


_VERSION_DIGITS = str.maketrans({"O": "0", "I": "1", "L": "1", "S": "5", "B": "8"})


_SHORT_NAME_ASIDE = re.compile(r"[\[【（(]\s*(?:软件)?简称\s*[:：]?[^\]】）)]*[\]】）)]")


def software_name(name: str) -> str:
    """A software name as registered: without the short name the certificate prints beside it ([简称：极光进度]),
    full-width brackets, and its version's OCR letters read as digits, in place (V1.O → V1.0)."""
    name = _SHORT_NAME_ASIDE.sub("", name).replace("(", "（").replace(")", "）")
    version = re.search(shapes().software_version, name)
    if version is None:
        return name
    return f"{name[:version.start()]}V{version.group('version').upper().translate(_VERSION_DIGITS)}"
