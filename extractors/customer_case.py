"""客户案例: the client cases a document describes, one `customer_case` fact per distinct case, valued
`{client, project, period}` (client as printed, null where absent; period `YYYY-MM` or `YYYY-MM/YYYY-MM`).

A page whose lines hold a table header (序号 | 客户名称 | 项目名称 | 上线时间 ...) is read row by row, rows that
only continue a wrapped cell joined to their case; any other page is read as labelled sections, a case
starting at a heading (案例一 / 1. / 【案例1】) or at a second client. Per document it also states
`customer_case_count_in_document` (cross-checked against the headings) and `well_known_client` (bonus
evidence). `bundle_case_count` makes the bundle's `customer_case_count`: distinct cases across documents.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import lru_cache

from pydantic import BaseModel, ConfigDict
from rapidfuzz import fuzz

from extractors.registry import FunctionExtractor
from extractors.labels import LabelHit, labels_in_texts as find_labels
from extractors.layout import BELOW, RIGHT, SAME_BLOCK, block_below, blocks_right_of
from extractors.specs import load_fields, load_options
from extractors.lines import group_lines
from extractors.tables import TableRow, read_table
from extractors.values import normalise, registered_name
from pipeline.models import BBox, Document, DocumentKind, Fact, Page, TextBlock, TextSource

NAME = "customer_case"
KIND = DocumentKind.CUSTOMER_CASE
CASE, COUNT_IN_DOCUMENT, COUNT, WELL_KNOWN = ("customer_case", "customer_case_count_in_document",
                                               "customer_case_count", "well_known_client")
DOUBTFUL = 0.6  # the confidence of a value that fails its format check
NEAR_MATCH = 0.85  # a count that relied on taking two nearly equal entries as one case
CASE_FIELDS = ("client", "project", "period")
_BULLET = re.compile(r"[\d一二三四五六七八九十]{1,2}[.、．)）]|[（(][\d一二三四五六七八九十]{1,2}[)）]|[•·●■◆*\-]")
_MONTH = re.compile(r"((?:19|20)\d{2})[年./\-]([01]?\d)")
_EDGE_PUNCT = " ：:;；，,。.、|"


class CaseOptions(BaseModel):
    model_config = ConfigDict(extra="forbid")

    heading_patterns: list[str]
    short_label_length: int
    table_min_columns: int
    org_suffixes: list[str]
    same_case_similarity: float
    well_known_names: list[str]
    well_known_mentions: list[str]


def options() -> CaseOptions:
    return load_options(NAME, CaseOptions)


@lru_cache(maxsize=1)
def _columns() -> dict[str, list[str]]:
    return {name: spec.labels for name, spec in load_fields(NAME).fields.items()}


@dataclass(frozen=True)
class Part:
    """One field's printed value and where it was read."""

    text: str
    page: int
    bbox: BBox
    confidence: float


@dataclass
class Draft:
    """A case as its lines are collected: the labelled parts and all its text (for 500强 mentions)."""

    parts: dict[str, Part] = field(default_factory=dict)
    context: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class CaseReading:
    client: str | None
    project: str | None
    period: str | None
    confidence: float
    warnings: tuple[str, ...]
    anchor: Part  # the client's part, else the project's
    context: str

    @property
    def value(self) -> dict[str, str | None]:
        return {"client": self.client, "project": self.project, "period": self.period}


def extract(document: Document) -> list[Fact]:
    drafts: list[Draft] = []
    headings = 0
    for page in document.pages:  # a case cut by a page break continues on the next page
        rows = case_table_rows(document, page)
        if rows:
            drafts = table_drafts(rows, drafts)
        else:
            drafts = section_drafts(page, drafts)
            headings += count_headings(page)
    cases = distinct_cases([read_case(d) for d in drafts if "client" in d.parts or "project" in d.parts])
    facts = [case_fact(document, case) for case in cases]
    facts.append(count_fact(document, cases, headings))
    return facts + [well_known_fact(document, case) for case in cases if is_well_known(case)]


# --- tables: one row per case -----------------------------------------------------------------------------

def case_table_rows(document: Document, page: Page) -> list[TableRow]:
    """The rows under a case table's header on this page; none when no row names a client or a project."""
    rows = read_table(document.model_copy(update={"pages": [page]}), _columns(), options().table_min_columns)
    return rows if any("client" in row.cells or "project" in row.cells for row in rows) else []


def table_drafts(rows: list[TableRow], drafts: list[Draft]) -> list[Draft]:
    """Table rows as cases, after `drafts`. A row starts a case when it has a 序号 (or, in a table without
    one, a client); any other row continues the case above it (a wrapped cell)."""
    indexed = any(row.cells.get("index") for row in rows)
    drafts = list(drafts)
    for row in rows:
        starts = bool(row.cells.get("index")) if indexed else bool(row.cells.get("client"))
        if starts or not drafts:
            drafts.append(Draft())
        _add_row(drafts[-1], row.cells, Part("", row.page, row.bbox, row.confidence))
    return drafts


def _add_row(draft: Draft, cells: dict[str, str], where: Part) -> None:
    """A row's cells, appended to what the case already holds (a wrapped cell continues on the next line)."""
    for name, text in cells.items():
        old = draft.parts.get(name)
        if old is None:
            draft.parts[name] = Part(text, where.page, where.bbox, where.confidence)
        elif old.page == where.page:
            draft.parts[name] = Part(old.text + text, old.page, _union(old.bbox, where.bbox), min(old.confidence, where.confidence))
    draft.context.extend(cells.values())


# --- sections: labelled lines under headings --------------------------------------------------------------

def section_drafts(page: Page, drafts: list[Draft]) -> list[Draft]:
    """The page's labelled lines as cases, continuing the last of `drafts`. A heading starts a case, and so
    does a client (or project) label when the case being read already has one."""
    blocks = [b for line in group_lines(page.blocks) for b in line]
    hits = find_labels([b.text for b in blocks], NAME)
    drafts = list(drafts)
    for block, block_hits in zip(blocks, hits):
        hit = leading_label(normalise(block.text), block_hits)
        if is_heading(block.text) or (hit and _starts_case(hit.field, drafts)):
            drafts.append(Draft())
        if not drafts:
            continue
        drafts[-1].context.append(block.text)
        if hit is not None and hit.field not in drafts[-1].parts:
            part = labelled_value(page, block, hit, block_hits)
            if part is not None:
                drafts[-1].parts[hit.field] = part
    return drafts


def _starts_case(field_name: str, drafts: list[Draft]) -> bool:
    if field_name not in ("client", "project"):
        return not drafts
    return not drafts or field_name in drafts[-1].parts


def leading_label(compact: str, hits: list[LabelHit]) -> LabelHit | None:
    """The label a line starts with (after a bullet), if it reads as a label: 客户：… yes, 客户搭建… no."""
    first = min(hits, key=lambda h: h.start, default=None)
    if first is None or (first.start and not _BULLET.fullmatch(compact[: first.start])):
        return None
    after = compact[first.end :]
    short = first.end - first.start <= options().short_label_length
    return first if not short or not after or after[0] in ":：" else None


def labelled_value(page: Page, label: TextBlock, hit: LabelHit, hits: list[LabelHit]) -> Part | None:
    """The label's value: the rest of its line (with any block OCR split off to the right), else the block
    to its right, else the block below it (a docx cell or a label printed above its value)."""
    compact = normalise(label.text)
    following = [h.start for h in hits if h.start >= hit.end and compact[h.end : h.end + 1] in (":", "：")]
    rest = compact[hit.end : min(following, default=len(compact))].strip(_EDGE_PUNCT)
    right = blocks_right_of(page, label)
    if rest:
        joined = [label, *_ocr_continuation(page, label, right)] if not following else [label]
        text = rest + "".join(normalise(b.text) for b in joined[1:])
        return _part(page, text, joined, SAME_BLOCK if len(joined) == 1 else RIGHT)
    candidates = [(b, RIGHT) for b in right[:1]] + [(block_below(page, label), BELOW)]
    for block, weight in candidates:
        if block is not None and not _is_label_line(block):
            return _part(page, normalise(block.text).strip(_EDGE_PUNCT), [block], weight)
    return None


def _is_label_line(block: TextBlock) -> bool:
    return leading_label(normalise(block.text), find_labels([block.text], NAME)[0]) is not None


def _ocr_continuation(page: Page, label: TextBlock, right: list[TextBlock]) -> list[TextBlock]:
    """Blocks of an OCR line that broke apart: each less than two line heights after the one before and not
    a label of its own. Cells and text-layer lines never break, so they get none."""
    if page.source is not TextSource.OCR:
        return []
    out, edge, height = [], label.bbox[2], label.bbox[3] - label.bbox[1]
    for block in right:
        if block.bbox[0] - edge > 2 * height or _is_label_line(block):
            break
        out.append(block)
        edge = block.bbox[2]
    return out


def _part(page: Page, text: str, blocks: list[TextBlock], weight: float) -> Part | None:
    if not text:
        return None
    bbox = (min(b.bbox[0] for b in blocks), min(b.bbox[1] for b in blocks),
            max(b.bbox[2] for b in blocks), max(b.bbox[3] for b in blocks))
    return Part(text, page.number, bbox, min(b.confidence for b in blocks) * weight)


def is_heading(text: str) -> bool:
    compact = normalise(text)
    return any(re.match(pattern, compact) for pattern in options().heading_patterns)


def count_headings(page: Page) -> int:
    return sum(1 for block in page.blocks if is_heading(block.text))


# --- from a draft to a checked case -----------------------------------------------------------------------

def read_case(draft: Draft) -> CaseReading:
    warnings: list[str] = []
    client = _checked_client(draft.parts.get("client"), warnings)
    project = _clean(draft.parts["project"].text) if "project" in draft.parts else None
    period = _checked_period(draft.parts.get("period"), warnings)
    used = [draft.parts[name] for name in CASE_FIELDS if name in draft.parts]
    confidence = min(p.confidence for p in used) * (DOUBTFUL if warnings else 1.0)
    anchor = draft.parts.get("client") or draft.parts["project"]
    return CaseReading(client, project or None, period, round(confidence, 4), tuple(warnings), anchor, "".join(draft.context))


def _clean(text: str) -> str:
    """NFKC, no spaces, no stray punctuation at the ends; brackets back to the full-width ones names use."""
    return registered_name(normalise(text).strip(_EDGE_PUNCT))


def _checked_client(part: Part | None, warnings: list[str]) -> str | None:
    if part is None:
        return None
    client = _clean(part.text)
    if not client.endswith(tuple(options().org_suffixes)):
        warnings.append(f"client {client!r} does not end like an organisation's name: anonymised, or misread")
    return client or None


def _checked_period(part: Part | None, warnings: list[str]) -> str | None:
    if part is None:
        return None
    try:
        return parse_period(part.text)
    except ValueError as exc:
        warnings.append(str(exc))
        return None


def parse_period(text: str) -> str:
    """2023年3月 / 2023.03-2023.09 / 2023-03至2023-09 / 2023年3月12日 -> 2023-03 or 2023-03/2023-09."""
    compact = normalise(text)
    months = [(int(y), int(m)) for y, m in _MONTH.findall(compact)]
    if not months or len(months) > 2 or not all(1 <= m <= 12 for _, m in months):
        raise ValueError(f"project time {text!r} is not a month or a range of months")
    if len(months) == 2 and months[1] < months[0]:
        raise ValueError(f"project time {text!r} ends before it starts")
    return "/".join(f"{y:04d}-{m:02d}" for y, m in months)


# --- distinct cases and the facts -------------------------------------------------------------------------

def case_key(client: str | None, project: str | None) -> tuple[str, str]:
    """What identifies a case: client and project in NFKC, without spaces or punctuation."""
    return _bare(client), _bare(project)


def _bare(text: str | None) -> str:
    return re.sub(r"[\W_]", "", normalise(text or ""))


def same_case(a: tuple[str, str], b: tuple[str, str]) -> bool:
    limit = options().same_case_similarity
    return all(x == y or (x and y and fuzz.ratio(x, y) >= limit) for x, y in zip(a, b))


def distinct_cases(cases: list[CaseReading]) -> list[CaseReading]:
    kept: list[CaseReading] = []
    for case in cases:
        if not any(same_case(case_key(case.client, case.project), case_key(k.client, k.project)) for k in kept):
            kept.append(case)
    return kept


def case_fact(document: Document, case: CaseReading) -> Fact:
    text = " | ".join(f"{k}={v}" for k, v in case.value.items() if v)
    return Fact(name=CASE, value=case.value, confidence=case.confidence, document=document.path, page=case.anchor.page,
                bbox=case.anchor.bbox, text=text, extractor=NAME, warnings=list(case.warnings))


def count_fact(document: Document, cases: list[CaseReading], headings: int) -> Fact:
    warnings = []
    confidence = min((c.confidence for c in cases), default=DOUBTFUL)
    if not cases:
        warnings.append("no case could be read in a document classified as customer cases")
    if headings and headings != len(cases):
        warnings.append(f"{headings} case headings but {len(cases)} cases read: a case may be missed or split")
        confidence = min(confidence, DOUBTFUL)
    first = cases[0].anchor if cases else None
    return Fact(name=COUNT_IN_DOCUMENT, value=len(cases), confidence=round(confidence, 4), document=document.path,
                page=first.page if first else None, bbox=first.bbox if first else None,
                text="; ".join(c.client or c.project or "" for c in cases), extractor=NAME, warnings=warnings)


def is_well_known(case: CaseReading) -> bool:
    spec = options()
    return bool(case.client) and (any(name in case.client for name in spec.well_known_names)
                                  or any(mention in normalise(case.context) for mention in spec.well_known_mentions))


def well_known_fact(document: Document, case: CaseReading) -> Fact:
    return Fact(name=WELL_KNOWN, value=case.client, confidence=case.confidence, document=document.path,
                page=case.anchor.page, bbox=case.anchor.bbox, text=case.context[:200], extractor=NAME,
                warnings=list(case.warnings))


def bundle_facts(facts: list[Fact]) -> list[Fact]:
    count = bundle_case_count(facts)
    return [count] if count is not None else []


def bundle_case_count(facts: list[Fact]) -> Fact | None:
    """The bundle's `customer_case_count`: the distinct cases over every case document (the same client and
    project in two files counts once). None when no document holds cases."""
    cases = [f for f in facts if f.name == CASE]
    if not cases:
        return None
    kept, near_matches = _distinct_case_facts(cases)
    counts = [f for f in facts if f.name == COUNT_IN_DOCUMENT] or cases
    confidence = min(f.confidence for f in counts)
    documents = sorted({f.document for f in cases})
    repeated = f"; {len(cases) - len(kept)} repeated" if len(cases) > len(kept) else ""
    return Fact(
        name=COUNT, value=len(kept), document="; ".join(documents), extractor=NAME,
        confidence=min(confidence, NEAR_MATCH) if near_matches else confidence,
        text=f"{len(kept)} distinct cases from {len(cases)} case entries in {len(documents)} documents{repeated}",
        warnings=[w for f in counts if f.name == COUNT_IN_DOCUMENT for w in f.warnings] + near_matches,
    )


def _distinct_case_facts(cases: list[Fact]) -> tuple[list[Fact], list[str]]:
    """The first fact of each distinct case, and a warning for each pair taken as one though not identical."""
    kept: dict[tuple[str, str], Fact] = {}
    near_matches = []
    for fact in cases:
        key = case_key(fact.value.get("client"), fact.value.get("project"))
        match = next((k for k in kept if same_case(key, k)), None)
        if match is None:
            kept[key] = fact
        elif match != key:
            near_matches.append(f"{''.join(key)} ({fact.document}) taken as the same case as {''.join(match)} "
                                f"({kept[match].document}): nearly the same text")
    return list(kept.values()), near_matches


def _union(a: BBox, b: BBox) -> BBox:
    return (min(a[0], b[0]), min(a[1], b[1]), max(a[2], b[2]), max(a[3], b[3]))


EXTRACTOR = FunctionExtractor(KIND, extract, bundle_facts)
