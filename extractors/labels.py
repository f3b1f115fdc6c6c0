"""Labels found on a line: spaCy is the home of exact label spotting (`spacy.blank("zh")` with an entity_ruler whose
phrase patterns are a kind's labels, matched on lower-cased text so English labels match in any case); rapidfuzz
finds the labels OCR misread by a character (统一社会信用代吗, Certifcate No.). No model is downloaded.

A letter-spaced label (名　　称) whose first character OCR put on another line leaves its last character in front
of the value (称 上海…有限公司): such a tail is a weak label hit."""
from __future__ import annotations

import re
import warnings
from dataclasses import dataclass
from functools import lru_cache

import spacy
from rapidfuzz import fuzz

from extractors.lines import Line, normalise_line

FUZZY_CUTOFF = 86.0  # rapidfuzz partial-ratio score for a label read with a wrong character
FUZZY_MIN_LENGTH = 4  # shorter labels must be read exactly
TAIL_SCORE = 0.7  # a letter-spaced label's last character alone


@dataclass(frozen=True)
class LabelHit:
    field: str
    start: int  # offsets in the line's text
    end: int
    score: float  # 1.0 exact, lower when matched fuzzily or by its tail
    label: str  # the label as listed


# Labels are phrase patterns only, so the ruler's token matcher is empty by design; spaCy says so (W036).
warnings.filterwarnings("ignore", message=r"\[W036\]", category=UserWarning)


@lru_cache(maxsize=None)
def _nlp(labels: tuple[tuple[str, str], ...]) -> spacy.language.Language:
    nlp = spacy.blank("zh")  # character segmentation: a label is a run of character tokens
    ruler = nlp.add_pipe("entity_ruler", config={"overwrite_ents": True, "phrase_matcher_attr": "LOWER"})
    ruler.add_patterns([{"label": field, "pattern": normalise_line(label)} for field, label in labels])
    return nlp


def find_labels(line: Line, labels: tuple[tuple[str, str], ...]) -> list[LabelHit]:
    """The labels of `labels` ((field, label) pairs) on a line: exact hits (longest wins where they overlap),
    then fuzzy hits where nothing exact was found, then a letter-spaced label's tail at the line's start."""
    text = line.text
    if not labels:
        return []  # a reader of values by shape and prior alone (and no empty ruler for spaCy to warn about)
    listed = {normalise_line(label).lower(): (field, label) for field, label in labels}
    hits = [LabelHit(ent.label_, ent.start_char, ent.end_char, 1.0, listed.get(ent.text.lower(), (ent.label_, ent.text))[1])
            for ent in _nlp(labels)(text).ents]
    hits += _fuzzy(text, labels, hits)
    hits += _caption_cells(line, labels, hits)
    alone = [h for h in hits if _stands_alone(line, h) and not _in_address(text, h) and not _in_company_name(text, h)
             and not _in_aside(text, h, hits)]
    # a bilingual label (姓名Name, 认证名称Certification): the second half follows the first directly
    alone += [h for h in hits if h not in alone and any(_follows(text, first, h) for first in alone)]
    hits = alone
    if not any(h.start == 0 for h in hits):
        hits += _tail(line, labels)
    return sorted(hits, key=lambda h: h.start)


def _caption_cells(line: Line, labels: tuple[tuple[str, str], ...], hits: list[LabelHit]) -> list[LabelHit]:
    """A label listed only with its colon (持证人:, since prose prints 持证人已通过…) also labels a block that holds
    the label and nothing else: a caption over its value in a card's grid is no prose."""
    colon = {normalise_line(label).rstrip(":：").lower(): (field, label) for field, label in labels
             if label.endswith((":", "："))}
    out = []
    for start, end in line.spans:
        piece = line.text[start:end]
        word = piece.strip().lower()
        if word in colon and not any(h.start < end and start < h.end for h in hits):
            at = start + piece.index(piece.strip())
            field, label = colon[word]
            out.append(LabelHit(field, at, at + len(word), 1.0, label))
    return out


_CJK = re.compile(r"[\u4e00-\u9fff]")
_OPENERS = set(":：;；,，。.、|/()（）[]【】<>《》 \"'“”")


def _stands_alone(line: Line, hit: LabelHit) -> bool:
    """A label starts a block or follows punctuation, or a colon, a number or 为 follows it (共有在职员工25人): the
    same words inside a value (企业 in 云智企业协同办公软件) are not a label."""
    starts = {start for start, _ in line.spans}
    before = line.text[hit.start - 1] if hit.start else ""
    after = line.text[hit.end:hit.end + 1]
    if after in (":", "："):
        # …but a two-character label closing a longer word (招标编号：, 合同编号：) is that word's tail
        return not (len(normalise_line(hit.label)) <= 2 and _CJK.match(before) and hit.start not in starts)
    if hit.label.isascii() and re.match(r" ?[a-z]", line.text[hit.end:hit.end + 2]):
        return False  # …the AWS Certification requirements…: an English word in running text
    # …or prose states it with 为 (上述企业证书的发证日期为2023年12月12日，有效期为三年)
    return hit.start in starts or before in _OPENERS or after.isdigit() or not before or after == "为"


_ASIDE = {"(": ")", "（": "）", "[": "]", "【": "】"}


def _in_aside(text: str, hit: LabelHit, hits: list[LabelHit]) -> bool:
    """A label opening a bracketed aside inside a value (基于云计算的项目进度平台[简称:极光进度]V1.1; …有限公司（以下简称
    甲方）): the value runs on through the brackets. A label's own translation in brackets (姓名(Name)) is none."""
    if hit.start < 2 or text[hit.start - 1] not in _ASIDE or _ASIDE[text[hit.start - 1]] not in text[hit.end:]:
        return False
    before = text[hit.start - 2]
    return (before.isalnum() or bool(_CJK.match(before))) and not any(h.end == hit.start - 1 for h in hits)


def _follows(text: str, first: LabelHit, second: LabelHit) -> bool:
    return first.field == second.field and first.end <= second.start and not text[first.end:second.start].strip(" /")


_ADDRESS = re.compile(r"\S*(?:://|www\.|\w\.(?:com|cn|net|org|gov)\b)\S*", re.IGNORECASE)


def in_web_address(text: str, start: int, end: int) -> bool:
    """Whether text[start:end] lies inside a web address (edu.aliyun.com/certification, …/detail?id=ins-…)."""
    return any(m.start() <= start and end <= m.end() for m in _ADDRESS.finditer(text))


def _in_address(text: str, hit: LabelHit) -> bool:
    """A label's words inside a web address are no label."""
    return in_web_address(text, hit.start, hit.end)


def _in_company_name(text: str, hit: LabelHit) -> bool:
    """A label's words inside a Latin company name (CTIC (Beijing) Certification Co., Ltd.; Huaxin Zhengyuan
    Certification Center Co., Ltd.) are no label; a label opening the run of capitalised words (Name Guangzhou …
    Co., Ltd.) is one."""
    from extractors.name_shapes import latin_organisations

    return any(name.start < hit.start and hit.end <= name.end for name in latin_organisations(text))


def _fuzzy(text: str, labels: tuple[tuple[str, str], ...], exact: list[LabelHit]) -> list[LabelHit]:
    found: list[LabelHit] = []
    lowered = text.lower()
    for field, label in labels:
        wanted = normalise_line(label).lower()
        if len(wanted) < FUZZY_MIN_LENGTH or len(lowered) < len(wanted) or wanted in lowered or wanted.isascii():
            continue  # English labels are matched exactly: one wrong letter makes another word (No. / OF)
        aligned = fuzz.partial_ratio_alignment(wanted, lowered, score_cutoff=FUZZY_CUTOFF)
        if aligned is None:
            continue
        start, end = aligned.dest_start, aligned.dest_end
        if end - start < len(wanted) - 1:
            continue
        taken = exact + found
        if any(h.start < end and start < h.end for h in taken):
            continue
        found.append(LabelHit(field, start, end, aligned.score / 100 * 0.95, label))
    return found


def _tail(line: Line, labels: tuple[tuple[str, str], ...]) -> list[LabelHit]:
    """称 / 型 / 所 … at the start of a line, the last character of a two-character label spaced out wide."""
    first = line.text[:1]
    if _starts_a_word(line.text):
        return []  # the character is the first of a word (域名注册续费): no label's tail
    for field, label in labels:
        wanted = normalise_line(label)
        if len(wanted) == 2 and first == wanted[1] and len(line.text) > 2:
            return [LabelHit(field, 0, 1, TAIL_SCORE, label)]
    return []


def _starts_a_word(text: str) -> bool:
    """jieba reads the line's first character as part of a longer word (域名 in 域名注册续费, not 称 in 称广州市…)."""
    from extractors.name_shapes import jieba_words

    words = jieba_words(text[:12])
    return bool(words) and len(words[0]) > 1


def kind_labels(kind: str) -> tuple[tuple[str, str], ...]:
    from extractors.specs import load_fields

    return tuple((name, label) for name, spec in load_fields(kind).fields.items() for label in spec.labels)


def labels_in_texts(texts: list[str], kind: str) -> list[list[LabelHit]]:
    """The label hits of each text (a block or a cell) on its own, offsets in its normalised form."""
    from extractors.lines import make_line
    from pipeline.models import TextBlock

    labels = kind_labels(kind)
    return [find_labels(make_line(0, 0, [TextBlock(text=t, bbox=(0, 0, 1, 1), confidence=1.0)]), labels) for t in texts]
