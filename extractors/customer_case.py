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
from functools import lru_cache, reduce

from pydantic import BaseModel, ConfigDict
from rapidfuzz import fuzz

from extractors.registry import FunctionExtractor
from extractors.dates import find_months
from extractors.labels import LabelHit, labels_in_texts as find_labels
from extractors.name_shapes import find_organisations
from pipeline.names import likely_same_company
from extractors.layout import BELOW, RIGHT, SAME_BLOCK, block_below, blocks_right_of
from extractors.specs import load_fields, load_options
from extractors.lines import group_lines, join_pieces, normalise_line
from extractors.tables import TableRow, read_table
from extractors.values import normalise, registered_name
from pipeline.models import BBox, Document, DocumentKind, Fact, Page, TextBlock

NAME = "customer_case"
KIND = DocumentKind.CUSTOMER_CASE
CASE, COUNT_IN_DOCUMENT, COUNT, WELL_KNOWN = ("customer_case", "customer_case_count_in_document",
                                               "customer_case_count", "well_known_client")
DOUBTFUL = 0.6  # the confidence of a value that fails its format check
NEAR_MATCH = 0.85  # a count that relied on taking two nearly equal entries as one case
BRAND_CLIENT = 0.95  # a client printed by its brand (顺丰速运), not its registered name: still a client
CASE_FIELDS = ("client", "project", "period")
_BULLET = re.compile(r"[\d一二三四五六七八九十]{1,2}[.、．)）]|[（(][\d一二三四五六七八九十]{1,2}[)）]|[•·●■◆*\-]")
_EDGE_PUNCT = " ：:;；，,。.、|"


class CaseOptions(BaseModel):
    model_config = ConfigDict(extra="forbid")

    heading_patterns: list[str]
    table_project_columns: list[str]
    short_label_length: int
    table_min_columns: int
    org_suffixes: list[str]
    same_case_similarity: float
    well_known_names: list[str]
    well_known_mentions: list[str]


def options() -> CaseOptions:
    return load_options(NAME, CaseOptions)


@lru_cache(maxsize=2)
def _columns(project_described: bool = False) -> dict[str, list[str]]:
    """The table columns: the fields' labels; with `project_described`, a 项目内容 / 建设内容 column names the
    project (a table with no 项目名称 column)."""
    if not project_described:
        return {name: spec.labels for name, spec in load_fields(NAME).fields.items()}
    described = options().table_project_columns
    columns = {name: [label for label in labels if label not in described] for name, labels in _columns().items()}
    columns["project"] = columns["project"] + described
    return columns


@dataclass(frozen=True)
class Part:
    """One field's printed value and where it was read."""

    text: str
    page: int
    bbox: BBox
    confidence: float


@dataclass
class Draft:
    """A case as its lines are collected: the labelled parts, its heading line, all its text (for 500强 mentions)
    and its lines as read (for a case told in prose: its client, project and months by their shapes)."""

    parts: dict[str, Part] = field(default_factory=dict)
    context: list[str] = field(default_factory=list)
    heading: Part | None = None
    blocks: list[tuple[int, TextBlock]] = field(default_factory=list)  # (page, block)


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
    front: list[TextBlock] = []  # what the document prints before its first case: its title and author
    for page in document.pages:  # a case cut by a page break continues on the next page
        rows = case_table_rows(document, page)
        if rows:
            drafts = table_drafts(rows, drafts)
        else:
            if not drafts:
                front += _before_first_heading(page)
            drafts = section_drafts(page, drafts)
            headings += count_headings(page)
    drafts = [from_prose(d, _authors(front, drafts)) for d in _without_contents(drafts)]
    cases = distinct_cases([read_case(d) for d in drafts if "project" in d.parts or _names_a_client(d)])
    facts = [case_fact(document, case) for case in cases]
    facts.append(count_fact(document, cases, headings))
    return facts + [well_known_fact(document, case) for case in cases if is_well_known(case)]


# --- tables: one row per case -----------------------------------------------------------------------------

def case_table_rows(document: Document, page: Page) -> list[TableRow]:
    """The rows under a case table's header on this page; none when no row names a client or a project."""
    one_page = document.model_copy(update={"pages": [page]})
    rows = read_table(one_page, _columns(), options().table_min_columns)
    if rows and not any("project" in row.cells for row in rows):
        rows = read_table(one_page, _columns(project_described=True), options().table_min_columns)
    return rows if any("client" in row.cells or "project" in row.cells for row in rows) else []


def table_drafts(rows: list[TableRow], drafts: list[Draft]) -> list[Draft]:
    """Table rows as cases, after `drafts`. A row starts a case when it has a 序号 (or, in a table without
    one, a client); any other row continues the case above it (a wrapped cell)."""
    indexed = any(row.cells.get("index") for row in rows)
    drafts = list(drafts)
    gaps = sorted(b.bbox[1] - a.bbox[1] for a, b in zip(rows, rows[1:]) if a.page == b.page and b.bbox[1] > a.bbox[1])
    pitch = gaps[len(gaps) // 2] if gaps else None
    previous = None
    for row in rows:
        detached = (pitch is not None and previous is not None and previous.page == row.page
                    and row.bbox[1] - previous.bbox[1] > 2.5 * pitch)
        if detached and not row.cells.get("index"):
            continue  # below the table: a note (注：以上项目均可提供合同…), a signature line
        previous = row
        # a row whose 序号 OCR lost still starts a case when it names a second client
        second_client = (bool(find_organisations(normalise(row.cells.get("client", "")))) and bool(drafts)
                         and "client" in drafts[-1].parts and bool(find_organisations(normalise(drafts[-1].parts["client"].text))))
        starts = (bool(row.cells.get("index")) or second_client) if indexed else bool(row.cells.get("client"))
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
        heading = is_heading(block.text)
        if heading or (hit and _starts_case(hit.field, drafts)):
            drafts.append(Draft())
            if heading:
                drafts[-1].heading = Part(block.text, page.number, block.bbox, block.confidence)
        if not drafts:
            continue
        drafts[-1].context.append(block.text)
        drafts[-1].blocks.append((page.number, block))
        if hit is not None and hit.field not in drafts[-1].parts:
            part = labelled_value(page, block, hit, block_hits)
            if part is not None:
                drafts[-1].parts[hit.field] = part
    return drafts


def _before_first_heading(page: Page) -> list[TextBlock]:
    blocks = [b for line in group_lines(page.blocks) for b in line]
    first = next((i for i, b in enumerate(blocks) if is_heading(b.text)), len(blocks))
    return blocks[:first]


def _authors(front: list[TextBlock], drafts: list[Draft]) -> set[str]:
    """Organisations that are not a case's client: the document's author, named before the first case (its
    title page) or in the page header above most cases."""
    authors = {m.value for b in front for m in find_organisations(normalise(b.text))}
    seen: dict[str, int] = {}
    for draft in drafts:
        for name in {m.value for _, b in draft.blocks for m in find_organisations(normalise(b.text))}:
            seen[name] = seen.get(name, 0) + 1
    return authors | {name for name, n in seen.items() if len(drafts) >= 3 and n >= 0.6 * len(drafts)}


PROSE = 0.85  # a client, project or period read from a case told in prose, by its shape alone


def from_prose(draft: Draft, authors: set[str]) -> Draft:
    """A case told in prose, without labels: its client is the first organisation named that is not the
    document's author; its project is its heading's words; its period the first and last month it names."""
    if not draft.blocks or draft.heading is None:
        return draft
    parts = dict(draft.parts)
    body = draft.blocks[1:]  # the heading names the project; the client is named in the text under it
    if "client" not in parts:
        for page, block in body:
            names = [m for m in find_organisations(normalise(block.text)) if m.value not in authors and m.strength >= 0.7]
            if names:
                parts["client"] = Part(names[0].value, page, block.bbox, block.confidence * PROSE)
                break
    if "client" not in parts and body:  # a slide names its client alone on the line under the heading (珠海市图书馆)
        page, block = body[0]
        name = _clean(block.text)
        if len(name) <= 30 and _ends_like_organisation(name) and name not in authors:
            parts["client"] = Part(name, page, block.bbox, block.confidence * PROSE)
    title = _heading_words(draft.heading.text)
    if "project" not in parts and len(title) >= 4:
        parts["project"] = Part(title, draft.heading.page, draft.heading.bbox, draft.heading.confidence * PROSE)
    if "period" not in parts:
        months = [(page, block, m) for page, block in draft.blocks for m in find_months(normalise_line(block.text))]
        if months:
            first, last = months[0], months[-1]
            span = first[2].value if first[2].value == last[2].value else f"{first[2].value}/{last[2].value}"
            parts["period"] = Part(span, first[0], first[1].bbox, min(first[1].confidence, last[1].confidence) * PROSE)
    return Draft(parts, draft.context, draft.heading, draft.blocks)


def _without_contents(drafts: list[Draft]) -> list[Draft]:
    """A document telling its cases under labels may list them first, one heading line each (1.远航文旅扫码点单
    小程序 …, a screenshot's caption under some): that list is its contents, not more cases."""
    if not any(d.parts for d in drafts):
        return drafts
    by_labels = any(d.heading is None and d.parts for d in drafts)  # cases that start at a 客户 label, not a heading
    contents = [d for d in drafts if not d.parts and d.heading is not None and (len(d.blocks) == 1 or by_labels)]
    kept = [d for d in drafts if d not in contents]
    for draft in kept:  # a contents line naming a case's client names its project
        client = _clean(draft.parts["client"].text) if "client" in draft.parts else ""
        line = next((d.heading for d in contents if client and _heading_words(d.heading.text).startswith(client)), None)
        if line is not None and "project" not in draft.parts:
            words = _heading_words(line.text)
            words = words[len(client):] if words.startswith(client * 2) else words  # 金桥服饰金桥服饰门店巡检…
            draft.parts["project"] = Part(words, line.page, line.bbox, line.confidence * PROSE)
    return kept


def _names_a_client(draft: Draft) -> bool:
    """A draft with a client and nothing else is a case only when the client looks like an organisation: a
    table's footnote row (注：以上项目均可提供合同…) is none."""
    client = draft.parts.get("client")
    return client is not None and ("period" in draft.parts or _ends_like_organisation(_clean(client.text)))


def _heading_words(text: str) -> str:
    compact = normalise(text)
    for pattern in options().heading_patterns:
        compact = re.sub(pattern, "", compact)
    return compact.strip(_EDGE_PUNCT)


def _starts_case(field_name: str, drafts: list[Draft]) -> bool:
    """A client or project label starts a case when the case being read has one already, or when the cases
    read so far are headings alone (a contents list: the labelled cases come after it)."""
    if field_name not in ("client", "project"):
        return not drafts
    contents = len(drafts) >= 2 and all(d.heading is not None and not d.parts for d in drafts[-2:])
    return not drafts or field_name in drafts[-1].parts or contents


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
        text = reduce(join_pieces, (normalise(b.text) for b in joined[1:]), rest)
        return _part(page, text, joined, SAME_BLOCK if len(joined) == 1 else RIGHT)
    if right and not _is_label_line(right[0]):  # the block to its right, and any block OCR split off it
        joined = [right[0], *_ocr_continuation(page, right[0], right[1:])]
        return _part(page, reduce(join_pieces, (normalise(b.text) for b in joined), "").strip(_EDGE_PUNCT), joined, RIGHT)
    below = block_below(page, label)
    if below is not None and not _is_label_line(below):
        return _part(page, normalise(below.text).strip(_EDGE_PUNCT), [below], BELOW)
    return None


def _is_label_line(block: TextBlock) -> bool:
    return leading_label(normalise(block.text), find_labels([block.text], NAME)[0]) is not None


def _ocr_continuation(page: Page, label: TextBlock, right: list[TextBlock]) -> list[TextBlock]:
    """Blocks of an OCR line that broke apart: each less than two line heights after the one before and not
    a label of its own. Cells and text-layer lines never break, so they get none."""
    if not page.read_by_ocr:
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
    brand_only = bool(warnings) and all(w.startswith("client") for w in warnings) and not _anonymised(client or "")
    confidence = min(p.confidence for p in used) * (BRAND_CLIENT if brand_only else DOUBTFUL if warnings else 1.0)
    anchor = draft.parts.get("client") or draft.parts["project"]
    return CaseReading(client, project or None, period, round(confidence, 4), tuple(warnings), anchor, "".join(draft.context))


def _anonymised(client: str) -> bool:
    """某知名连锁餐饮品牌, 某银行, 张**: a client the document will not name."""
    return client.startswith("某") or "知名" in client or "*" in client


def _clean(text: str) -> str:
    """NFKC, no spaces, no stray punctuation at the ends; brackets back to the full-width ones names use."""
    return registered_name(normalise(text).strip(_EDGE_PUNCT))


def _ends_like_organisation(name: str) -> bool:
    """A registered name's ending (公司, 医院, 图书馆 …): an organisation, not a brand or an anonymised client."""
    return name.endswith(tuple(options().org_suffixes))


def _checked_client(part: Part | None, warnings: list[str]) -> str | None:
    if part is None:
        return None
    client = _clean(part.text)
    if not _ends_like_organisation(client):
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
    spaced = re.sub(r"(?<=\d)(?i:to)(?=[A-Za-z])", " to ", normalise_line(text))  # April2024toFebruary2025
    months = [m.value for m in find_months(spaced)]
    if not months or len(months) > 2:
        raise ValueError(f"project time {text!r} is not a month or a range of months")
    if len(months) == 2 and months[1] < months[0]:
        raise ValueError(f"project time {text!r} ends before it starts")
    return "/".join(months)


# --- distinct cases and the facts -------------------------------------------------------------------------

def case_key(client: str | None, project: str | None) -> tuple[str, str]:
    """What identifies a case: client and project in NFKC, without spaces or punctuation."""
    return _bare(client), _bare(project)


def _bare(text: str | None) -> str:
    return re.sub(r"[\W_]", "", normalise(text or ""))


def same_case(a: tuple[str, str], b: tuple[str, str]) -> bool:
    """Two entries name one case when what both print (client, project) is alike: a contents line naming only
    the project is the case told in full further on."""
    limit = options().same_case_similarity
    shared = [(x, y) for x, y in zip(a, b) if x and y]
    if bool(shared) and all(x == y or fuzz.ratio(x, y) >= limit for x, y in shared):
        return True
    # one project, its client printed by brand in one document (鲜丰地产) and by registered name in another; two
    # registered names are two clients
    brand = bool(a[0] and b[0]) and (not _ends_like_organisation(a[0]) or not _ends_like_organisation(b[0]))
    return brand and bool(a[1] and b[1]) and fuzz.ratio(a[1], b[1]) >= limit and likely_same_company(a[0], b[0])


def distinct_cases(cases: list[CaseReading]) -> list[CaseReading]:
    """One reading per case, the one printing most of it."""
    kept: list[CaseReading] = []
    for case in cases:
        key = case_key(case.client, case.project)
        match = next((i for i, k in enumerate(kept) if same_case(key, case_key(k.client, k.project))), None)
        if match is None:
            kept.append(case)
        elif sum(v is not None for v in case.value.values()) > sum(v is not None for v in kept[match].value.values()):
            kept[match] = case
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
