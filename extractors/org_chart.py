"""组织架构 / 通讯录 (企业微信, 钉钉 screenshots, exported member lists): the headcount, and how it was found.

In order of preference: the total the app shows (全部成员（35）, 共35人); else the sum of the department counts
(技术部（12）, 研发中心 12人); else the distinct members a member list names. The method is its own fact,
`org_chart_headcount_method`, so a reader sees which one stands behind the number.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from enum import StrEnum
from functools import lru_cache

from pydantic import BaseModel, ConfigDict

from extractors.fields import Reading, make_fact
from extractors.layout import Candidate, blocks_right_of, union_bbox
from extractors.specs import load_options
from extractors.tables import TableRow, read_table
from extractors.values import normalise
from pipeline.models import BBox, Document, DocumentKind, Fact, Page, TextBlock, TextSource

NAME = "org_chart"
KIND = DocumentKind.ORG_CHART
EXACT_CONFIDENCE = 0.97  # a number in a text layer or a cell
OCR_TOTAL_CONFIDENCE = 0.9  # a total read by OCR: digits on a clean screen are rarely misread
DEPARTMENT_SUM_CONFIDENCE = 0.85  # members of two departments count twice; members outside any are missed
OCR_MEMBERS_CONFIDENCE = 0.85
DOUBTFUL_CONFIDENCE = 0.6
_MOBILE = re.compile(r"1[3-9]\d{9}")
_COUNT_ONLY = re.compile(r"[(（]?\d{1,5}人?[)）]?[>〉›]?")


class Method(StrEnum):
    TOTAL_SHOWN = "total_shown"
    DEPARTMENT_SUM = "department_sum"
    MEMBERS_LISTED = "members_listed"


class OrgChartOptions(BaseModel):
    model_config = ConfigDict(extra="forbid")

    total_labels: list[str]
    department_suffixes: list[str]
    member_columns: dict[str, list[str]]
    min_header_columns: int
    name_pattern: str


def options() -> OrgChartOptions:
    return load_options(NAME, OrgChartOptions)


@dataclass(frozen=True)
class Headcount:
    value: int
    method: Method
    page: int
    bbox: BBox
    text: str
    confidence: float
    warnings: tuple[str, ...] = ()


@dataclass(frozen=True)
class Shown:
    """A count printed next to what it counts: a department, or the whole company."""

    label: str
    value: int
    page: Page
    blocks: tuple[TextBlock, ...]

    @property
    def text(self) -> str:
        return "".join(b.text for b in self.blocks)


def extract(document: Document) -> list[Fact]:
    headcount = from_total(document) or from_departments(document) or from_members(document)
    return _facts(document, headcount) if headcount else []


# --- what the page shows -------------------------------------------------------------------------------------

def _units(page: Page) -> list[tuple[str, tuple[TextBlock, ...]]]:
    """Each block's text, and the block joined to a bare count on its right ("研发中心" … "12人")."""
    units = []
    for block in page.blocks:
        units.append((normalise(block.text), (block,)))
        right = blocks_right_of(page, block)
        if right and _COUNT_ONLY.fullmatch(normalise(right[0].text)):
            units.append((normalise(block.text) + normalise(right[0].text), (block, right[0])))
    return units


@lru_cache(maxsize=1)
def _patterns() -> tuple[re.Pattern[str], re.Pattern[str]]:
    spec = options()
    labels = "|".join(re.escape(label) for label in sorted(spec.total_labels, key=len, reverse=True))
    suffixes = "|".join(re.escape(s) for s in sorted(spec.department_suffixes, key=len, reverse=True))
    # (12) with the closing bracket perhaps lost by OCR, 12人, or :12
    count = r"(?:[(（](?P<n>\d{1,6})人?[)）]?|[:：]?(?P<m>\d{1,6})人|[:：](?P<k>\d{1,6}))[>〉›]?"
    total = re.compile(rf"(?P<label>{labels}){count}")
    department = re.compile(rf"(?P<label>[^\d()（）:：]{{0,20}}?(?:{suffixes})){count}")
    return total, department


def shown_counts(document: Document, pattern: re.Pattern[str]) -> list[Shown]:
    found: dict[str, Shown] = {}
    for page in document.pages:
        for text, blocks in _units(page):
            match = pattern.fullmatch(text)
            if match and match.group("label") not in found:
                value = int(match.group("n") or match.group("m") or match.group("k"))
                found[match.group("label")] = Shown(match.group("label"), value, page, blocks)
    return list(found.values())


def _is_exact(page: Page) -> bool:
    return page.source is not TextSource.OCR


def _read_confidence(shown: list[Shown]) -> float:
    """How sure the reading itself is: a text layer or cell is exact, OCR says how sure it was."""
    return min(EXACT_CONFIDENCE, *(1.0 if _is_exact(s.page) else b.confidence for s in shown for b in s.blocks))


def from_total(document: Document) -> Headcount | None:
    total_pattern, department_pattern = _patterns()
    totals = shown_counts(document, total_pattern)
    if not totals:
        return None
    total = totals[0]
    cap = EXACT_CONFIDENCE if _is_exact(total.page) else OCR_TOTAL_CONFIDENCE
    confidence, warnings = min(cap, _read_confidence([total])), ()
    largest = max((d.value for d in shown_counts(document, department_pattern)), default=0)
    if total.value < largest:
        confidence = min(confidence, DOUBTFUL_CONFIDENCE)
        warnings = (f"the total {total.value} is smaller than a department of {largest}: misread?",)
    return Headcount(total.value, Method.TOTAL_SHOWN, total.page.number, union_bbox(total.blocks), total.text,
                     confidence, warnings)


def from_departments(document: Document) -> Headcount | None:
    departments = shown_counts(document, _patterns()[1])
    if not departments:
        return None
    first = [d for d in departments if d.page.number == departments[0].page.number]
    text = "; ".join(d.text for d in departments)
    return Headcount(sum(d.value for d in departments), Method.DEPARTMENT_SUM, first[0].page.number,
                     union_bbox(tuple(b for d in first for b in d.blocks)), text,
                     min(DEPARTMENT_SUM_CONFIDENCE, _read_confidence(departments)))


# --- a member list ---------------------------------------------------------------------------------------------

def from_members(document: Document) -> Headcount | None:
    spec = options()
    rows = read_table(document, spec.member_columns, spec.min_header_columns)
    named = [r for r in rows if re.fullmatch(spec.name_pattern, r.cells.get("name", ""))]
    if not named:
        return None
    members = distinct_members(named)
    nameless = len(rows) - len(named)
    exact = all(_is_exact(p) for p in document.pages if p.number in {r.page for r in named})
    confidence = EXACT_CONFIDENCE if exact else min(OCR_MEMBERS_CONFIDENCE, min(r.confidence for r in named))
    warnings: tuple[str, ...] = ()
    if nameless:
        confidence = min(confidence, DOUBTFUL_CONFIDENCE)
        warnings = (f"{nameless} member rows have no readable name; the count may be off",)
    on_page = [r for r in named if r.page == named[0].page]
    return Headcount(members, Method.MEMBERS_LISTED, named[0].page, _rows_bbox(on_page),
                     f"{members} members in {len(named)} rows", confidence, warnings)


def distinct_members(rows: list[TableRow]) -> int:
    """A member listed under two departments counts once. One name with two different valid mobiles is two
    people; a name without a valid mobile is one."""
    mobiles: dict[str, set[str]] = {}
    for row in rows:
        found = _MOBILE.fullmatch(normalise(row.cells.get("mobile", "")))
        mobiles.setdefault(row.cells["name"], set()).update([found.group(0)] if found else [])
    return sum(max(1, len(numbers)) for numbers in mobiles.values())


def _rows_bbox(rows: list[TableRow]) -> BBox:
    return (min(r.bbox[0] for r in rows), min(r.bbox[1] for r in rows),
            max(r.bbox[2] for r in rows), max(r.bbox[3] for r in rows))


# --- facts ---------------------------------------------------------------------------------------------------

def _facts(document: Document, headcount: Headcount) -> list[Fact]:
    page = next(p for p in document.pages if p.number == headcount.page)
    block = TextBlock(text=headcount.text, bbox=headcount.bbox, confidence=headcount.confidence)
    candidate = Candidate(headcount.text, (block,), 1.0)
    return [
        make_fact(document, page, candidate,
                  Reading("org_chart_headcount", headcount.value, 1.0, headcount.warnings), NAME),
        make_fact(document, page, candidate, Reading("org_chart_headcount_method", str(headcount.method)), NAME),
    ]
