"""组织架构 / 通讯录: 企业微信 and 钉钉 admin screens and apps, and exported member sheets. Facts: the headcount and how it
was found (`org_chart_headcount`, `org_chart_headcount_method`), the members shown as not joined or not activated
(`org_chart_not_joined`, reported apart: they count only when an analyst signs them off), and the organisation's
name as the screen shows it (`org_chart_organisation`, compared with the license by the validators).

In order of preference, the headcount is what the screen states (the joined figure; a 成员数 / 员工人数 figure less
the not-joined one; the root node's (N人)), else the members a list names, else the sum of the department counts."""
from __future__ import annotations

import re
from dataclasses import dataclass, replace
from enum import StrEnum

from pydantic import BaseModel, ConfigDict

from extractors.cell_values import value_role
from extractors.field_reading import FieldReading, read_document, reading_fact
from extractors.lines import Line, page_lines
from extractors.name_shapes import find_organisations
from extractors.registry import KindExtractor
from extractors.tables import Record, document_rows, read_records
from extractors.values import registered_name
from pipeline.models import BBox, Document, DocumentKind, Fact

NAME = "org_chart"
KIND = DocumentKind.ORG_CHART
EXACT_CONFIDENCE = 0.97  # a number in a text layer or a cell
NODE_CONFIDENCE = 0.9  # the root of a tree read by OCR: digits on a clean screen are rarely misread
DEPARTMENT_SUM_CONFIDENCE = 0.82  # members of two departments count twice; members outside any are missed
MEMBERS_CONFIDENCE = 0.85
BREADCRUMB_CONFIDENCE = 0.85  # the app names the organisation by the short name its admin chose
TITLE_CONFIDENCE = 0.7  # a phone screen's title bar: the organisation's name on the contacts tab, else a page's
DOUBTFUL_CONFIDENCE = 0.6
SCREEN_RATIO = 1.5  # a page this many times taller than wide is a phone screen
TITLE_BAR_SHARE = 0.15  # of the screen's height: where its title bar ends


class Method(StrEnum):
    TOTAL_SHOWN = "total_shown"
    ROOT_NODE = "root_node"
    MEMBERS_LISTED = "members_listed"
    DEPARTMENT_SUM = "department_sum"


class OrgChartOptions(BaseModel):
    model_config = ConfigDict(extra="forbid")

    node_pattern: str
    total_pattern: str
    breadcrumb_pattern: str
    screen_titles: list[str]
    verified_badges: list[str]
    department_suffixes: list[str]
    member_columns: dict[str, list[str]]
    min_header_columns: int
    role_words: dict[str, list[str]]
    shapes: list[str]
    not_joined_words: list[str]
    left_words: list[str]


@dataclass(frozen=True)
class Count:
    """A headcount and what it rests on."""

    value: int
    method: Method
    page: int
    bbox: BBox
    text: str
    confidence: float
    evidence: tuple[str, ...]
    warnings: tuple[str, ...] = ()


@dataclass(frozen=True)
class Node:
    name: str
    count: int
    line: Line


class OrgChart(KindExtractor):
    kind = KIND
    Options = OrgChartOptions

    def extract(self, document: Document) -> list[Fact]:
        fields = read_document(self.reader, document.pages)
        nodes = self._nodes(document)
        named, named_pending = self._members(document)
        # a list names members when it names two or more; one name under the departments is a direct member
        members, pending = (named, named_pending) if len(named) + len(named_pending) >= 2 else ([], [])
        not_joined = fields.get("not_joined")
        departments = [n for n in nodes if self._is_department(n.name)]
        headcount = (self._stated(fields) or self._total_words(document) or self._root(nodes, departments)
                     or self._with_direct_members(departments, named, document)
                     or self._listed(members) or self._departments(departments, document))
        headcount = _against_departments(_less_not_joined(headcount, not_joined), departments)
        facts = []
        if headcount is not None:
            facts += _count_facts(document, headcount)
        if not_joined is not None:
            facts.append(reading_fact(document, not_joined, "org_chart_not_joined", NAME))
        elif ((pending or any(m.get("status") for m in members)) and headcount is not None
              and headcount.method is Method.MEMBERS_LISTED):  # a status column where all joined says 0
            facts.append(Fact(name="org_chart_not_joined", value=len(pending), confidence=headcount.confidence,
                              document=document.path, page=headcount.page, bbox=headcount.bbox,
                              text=f"{len(pending)} members marked as not joined", extractor=NAME,
                              evidence=["the member list's status"]))
        organisation = (fields.get("organisation") or self._root_name(nodes, departments) or self._breadcrumb(document)
                        or _department_root([*members, *pending]) or self._badged_row(document) or self._title_bar(document))
        if organisation is not None:
            facts.append(reading_fact(document, organisation, "org_chart_organisation", NAME, registered_name(organisation.value)))
        return facts

    # --- stated figures -----------------------------------------------------------------------------------

    def _stated(self, fields: dict[str, FieldReading]) -> Count | None:
        joined, total, pending = fields.get("joined"), fields.get("total"), fields.get("not_joined")
        if joined is not None:
            return _from_reading(joined, joined.value, f"the joined members the screen states ({joined.text})")
        if total is None:
            return None
        if pending is not None and pending.value <= total.value:
            return _from_reading(total, total.value - pending.value,
                                 f"the members the screen states ({total.value}) less the not joined ({pending.value})",
                                 min(total.confidence, pending.confidence))
        return _from_reading(total, total.value, f"the members the screen states ({total.text})")

    # --- a tree of departments ----------------------------------------------------------------------------

    def _nodes(self, document: Document) -> list[Node]:
        pattern = re.compile(self.options.node_pattern)
        labels = [label.lower() for _, label in self.reader.labels]
        found = []
        for page in document.pages:
            lines = page_lines(page)
            for line in lines:
                for piece in _pieces(line):
                    match = pattern.fullmatch(piece)
                    if match and not any(label in match.group("name").lower() for label in labels):
                        found.append(Node(match.group("name").strip(" -·"), int(match.group("n") or match.group("m")), line))
            for above, line in zip(lines, lines[1:]):
                found += [node for node in _counts_under_names(above, line)
                          if not any(label in node.name.lower() for label in labels)]
        return found

    def _is_department(self, name: str) -> bool:
        return any(name.endswith(suffix) for suffix in self.options.department_suffixes)

    def _total_words(self, document: Document) -> Count | None:
        pattern = re.compile(self.options.total_pattern)
        for page in document.pages:
            for line in page_lines(page):
                match = pattern.search(line.text.replace(" ", ""))
                if match:
                    confidence = min(NODE_CONFIDENCE, line.confidence_of(0, len(line.text)))
                    return Count(int(match.group("n")), Method.TOTAL_SHOWN, page.number, line.bbox, line.text, confidence,
                                 (f"the total the screen prints: {match.group(0)}",))
        return None

    def _root(self, nodes: list[Node], departments: list[Node]) -> Count | None:
        """The top of the tree: a node that is no department, whose count is at least every department's."""
        roots = [n for n in nodes if n not in departments and all(n.count >= d.count for d in departments)]
        if not roots:
            return None
        top = max(roots, key=lambda n: (n.count, -n.line.bbox[1]))
        if not departments and not self._named_like_organisation(top.name):
            return None
        confidence = min(NODE_CONFIDENCE, top.line.confidence_of(0, len(top.line.text)))
        return Count(top.count, Method.ROOT_NODE, top.line.page, top.line.bbox, top.line.text, confidence,
                     (f"the root of the contact tree: {top.name}({top.count}人)",))

    def _named_like_organisation(self, name: str) -> bool:
        """A registered name, or a short Chinese one (泰恒数字); a Latin word alone (Settings 6, a menu's badge)
        is none."""
        return bool(find_organisations(name, latin=True)) or (len(name) >= 4 and re.search(r"[\u4e00-\u9fff]", name) is not None)

    def _departments(self, departments: list[Node], document: Document) -> Count | None:
        """The sum of the departments' counts. A department listed among them whose count cannot be read leaves
        the sum short: it is kept, doubted."""
        if not departments:
            return None
        first = departments[0].line
        total = sum(n.count for n in departments)
        confidence = min(DEPARTMENT_SUM_CONFIDENCE, min(n.line.confidence_of(0, len(n.line.text)) for n in departments))
        uncounted = self._uncounted_departments(document, departments)
        warnings = (f"no count read for {', '.join(uncounted)}: the sum may be short",) if uncounted else ()
        if _levels_of_a_chart(departments):
            warnings += ("the counts stand side by side and under one another, as an org chart's boxes do: teams "
                         "inside a department may be counted with it, or departments missed; check the sum",)
        return Count(total, Method.DEPARTMENT_SUM, first.page, first.bbox, "; ".join(f"{n.name}({n.count})" for n in departments),
                     min(confidence, DOUBTFUL_CONFIDENCE) if warnings else confidence,
                     ("the sum of the departments' counts, no total being shown",), warnings)

    def _with_direct_members(self, departments: list[Node], members: list[Record], document: Document) -> Count | None:
        """A level of the tree as the apps show it: its departments with their counts, then the members placed
        directly under it (成员（1）: the manager, outside every department), listed below the last department.
        The members listed are then not the organisation's list but its direct members: the count is the
        departments' sum plus them."""
        if not departments or not members:
            return None
        last = max(n.line.bbox[3] for n in departments)
        page = departments[0].line.page
        below = [m for m in members if m.row.page == page and m.row.bbox[1] > last]
        if len(below) != len(members):
            return None  # a member list beside the tree (the admin's right pane) lists a department's members
        count = self._departments(departments, document)
        if count is None:
            return None
        names = "、".join(m.get("name") for m in below)
        return replace(count, value=count.value + len(below), text=f"{count.text}; {names}",
                       evidence=(f"the sum of the departments' counts, and the {len(below)} members listed directly under "
                                 "the organisation, below its departments",))

    def _uncounted_departments(self, document: Document, departments: list[Node]) -> list[str]:
        """Lines between the first and the last counted department that hold only a department's name."""
        page = departments[0].line.page
        top, bottom = min(n.line.bbox[1] for n in departments), max(n.line.bbox[3] for n in departments)
        return [line.text for p in document.pages if p.number == page for line in page_lines(p)
                if top < (line.bbox[1] + line.bbox[3]) / 2 < bottom
                and len(line.text) <= 12 and self._is_department(line.text) and not re.search(r"\d", line.text)]

    def _root_name(self, nodes: list[Node], departments: list[Node]) -> FieldReading | None:
        root = self._root(nodes, departments)
        if root is None:
            return None
        node = next(n for n in nodes if n.count == root.value and n.line.text == root.text)
        return FieldReading("organisation", node.name, root.confidence, node.line.page, node.line.bbox, node.line.text,
                            ("the root of the contact tree",))

    def _breadcrumb(self, document: Document) -> FieldReading | None:
        """The organisation the app's breadcrumb names (通讯录〉泰恒数字), the first step after the contacts."""
        pattern = re.compile(self.options.breadcrumb_pattern)
        for page in document.pages:
            for line in page_lines(page):
                match = pattern.search(line.text)
                if match:
                    confidence = min(BREADCRUMB_CONFIDENCE, line.confidence_of(*match.span("name")))
                    return FieldReading("organisation", match.group("name"), confidence, page.number, line.bbox, line.text,
                                        ("the app's breadcrumb (通讯录 > organisation)",))
        return None

    def _badged_row(self, document: Document) -> FieldReading | None:
        """The organisation's row in the app, its name followed by a verification badge (诚航云计算技术 已认证); an
        avatar printing the name's first characters before it is not part of the name."""
        for page in document.pages:
            lines = page_lines(page)
            for i, line in enumerate(lines):
                badge = next((b for b in self.options.verified_badges if line.text.endswith(b)), None)
                named = line if badge is not None else None
                if badge is None:  # an organisation card: the badge opens the line under the name (已认证 成员10)
                    badge = next((b for b in self.options.verified_badges if line.text.startswith(b)), None)
                    named = _line_above(lines[:i], line) if badge is not None else None
                if badge is None or named is None:
                    continue
                # the name runs back from the badge to the line's last hard boundary (a search box or an avatar
                # further left on the same line is not part of it)
                end = len(named.text) - len(badge) if named is line else len(named.text)
                printed = named.text[max((h for h in named.hard if h <= end), default=0):end]
                name = _without_avatar(printed.strip(" ·|"))
                if re.fullmatch(r"[\u4e00-\u9fffA-Za-z()（）·& ]{2,40}", name) and not self._is_department(name):
                    return FieldReading("organisation", name, min(BREADCRUMB_CONFIDENCE, named.confidence_of(0, len(named.text))),
                                        page.number, named.bbox, named.text, (f"the organisation's row, badged {badge}",))
        return None

    def _title_bar(self, document: Document) -> FieldReading | None:
        """A phone screen's title, alone on the first line under its status bar: on the app's contacts tab, the
        organisation's (short) name. A page's own title (通讯录, 我的企业) or a department's name is none; the
        reading stays below the gate, for the analyst to compare with the license."""
        page = document.pages[0] if document.pages else None
        if page is None or page.height < SCREEN_RATIO * page.width:
            return None
        for line in page_lines(page):
            if line.bbox[1] > TITLE_BAR_SHARE * page.height:
                return None
            text = line.text.strip()
            if not re.search(r"[\u4e00-\u9fff]{2}|[A-Za-z]{3}", text):
                continue  # the status bar: the time, the signal, the battery
            if (len(line.blocks) > 1 or re.search(r"\d", text) or text in self.options.screen_titles or self._is_department(text)
                    or not re.fullmatch(r"[\u4e00-\u9fffA-Za-z()（）·& ]{2,30}", text)):
                return None
            return FieldReading("organisation", text, round(min(TITLE_CONFIDENCE, line.confidence_of(0, len(text))), 4),
                                page.number, line.bbox, line.text, ("the screen's title bar",))
        return None

    # --- a member list ------------------------------------------------------------------------------------

    def _members(self, document: Document) -> tuple[list[Record], list[Record]]:
        """The members a list names (distinct names) that joined, and those marked not joined. A phone's tab bar
        (消息 日历 云文档 工作台 通讯录) names no one."""
        _, records = read_records(document_rows(document), self.options.member_columns,
                                  lambda text: value_role(text, self.options.role_words, self.options.shapes),
                                  self.options.min_header_columns)
        tabs = set(self.options.screen_titles)
        named = [r for r in records if r.get("name") and _is_member_name(r.get("name"))
                 and sum(c.text.strip() in tabs for c in r.row.cells) < 2
                 and not any(w in r.get("status") for w in self.options.left_words)  # an export keeps who left
                 and not r.get("left_on").strip(" -—–/无")]  # a leaving date or reason filled in ('-' for those who stay)
        members = distinct_members(named, self.options.not_joined_words)
        pending = [r for r in members if _not_joined(r, self.options.not_joined_words)]
        joined = [r for r in members if r not in pending]
        return joined, pending

    def _listed(self, members: list[Record]) -> Count | None:
        if not members:
            return None
        rows = [m.row for m in members]
        exact = all(r.exact for r in rows)
        guessed = any("name" in m.from_values for m in members)
        confidence = EXACT_CONFIDENCE if exact and not guessed else min(MEMBERS_CONFIDENCE, min(r.confidence for r in rows))
        box = rows[0].bbox
        return Count(len(members), Method.MEMBERS_LISTED, rows[0].page, box, f"{len(members)} members listed",
                     confidence, ("the members the list names, each once" + (" (names read by shape)" if guessed else ""),))


_COUNT_ONLY = re.compile(r"[(（]?\d{1,5}人?[)）]?[>〉›]?")
_PEOPLE_ONLY = re.compile(r"[(（]?(?P<n>\d{1,5})人[)）]?(?:[(（][\u4e00-\u9fff]{1,6}\d{1,5}人?[)）])?")  # 10人（编制11）


def _counts_under_names(above: Line, line: Line) -> list[Node]:
    """Cards printing their counts on a line of their own, each centred under its name (深圳市云栖…有限公司 over
    (21人); a chart's boxes side by side, 销售部 | 研发中心 over 10人（编制11） | 6人（编制6））: the node of each name
    whose block spans its count, on the line just above."""
    if line.bbox[1] - above.bbox[3] > 2 * line.height:
        return []
    nodes = []
    for start, end in line.spans:
        match = _PEOPLE_ONLY.fullmatch(line.text[start:end].replace(" ", ""))
        if match is None:
            return []  # a line of other words: no line of counts
        box = line.bbox_of(start, end)
        centre = (box[0] + box[2]) / 2
        for a, b in above.spans:
            over = above.bbox_of(a, b)
            name = above.text[a:b].strip()
            if over[0] <= centre <= over[2] and len(re.findall(r"[\u4e00-\u9fffA-Za-z]", name)) >= 2:
                nodes.append(Node(name, int(match.group("n")), above))
                break
    return nodes


def _pieces(line: Line) -> list[str]:
    """Each block's text, and a block joined to a count printed apart on its right (研发中心 … 12人>, 产品部 … 6 >)
    as name(count): a tree node is one of them."""
    blocks = [line.text[a:b] for a, b in line.spans]
    joined = [f"{a}({re.search(r'[0-9]+', b).group(0)})" for a, b in zip(blocks, blocks[1:])
              if _COUNT_ONLY.fullmatch(b) and not _COUNT_ONLY.fullmatch(a)]
    return blocks + joined


_MOBILE = re.compile(r"1[3-9]\d{9}")


def distinct_members(records: list[Record], not_joined_words: list[str]) -> list[Record]:
    """One record per member: a member listed under two departments counts once; one name with two different
    valid mobiles is two people, and so is one name shown both joined and not joined; a name without a valid
    mobile is one."""
    out: dict[tuple[str, str, bool], Record] = {}
    for record in records:
        mobile = _MOBILE.search(record.get("mobile").replace(" ", ""))
        out.setdefault((record.get("name"), mobile.group(0) if mobile else "", _not_joined(record, not_joined_words)), record)
    named_with_mobile = {name for name, mobile, _ in out if mobile}
    return [r for (name, mobile, _), r in out.items() if mobile or name not in named_with_mobile]


def _not_joined(record: Record, words: list[str]) -> bool:
    return any(w in record.get("status") for w in words)


def _without_avatar(text: str) -> str:
    """A name without the avatar before it that prints its first one to four characters (诚航 诚航云计算技术)."""
    for size in range(4, 0, -1):
        if len(text) > 2 * size and text[size:].startswith(text[:size]):
            return text[size:]
    return text


def _levels_of_a_chart(departments: list[Node]) -> bool:
    """Counted departments side by side on one line and others on further lines: a chart of levels (a poster's
    departments, their teams below them), whose counts a sum of all would take twice; an app lists its departments
    one per line (a menu's 我的群组 0 beside one counts nothing)."""
    counted = [n for n in departments if n.count > 0]
    per_line = [sum(1 for n in counted if n.line is line) for line in {id(n.line): n.line for n in counted}.values()]
    return len(per_line) >= 2 and max(per_line) >= 2


def _department_root(members: list[Record]) -> FieldReading | None:
    """The organisation an exported member list names as the root of every member's department path
    (卓越数字技术/研发中心, 卓越数字技术/行政人事部)."""
    paths = [m.get("department").replace(" ", "") for m in members]
    roots = {p.split("/")[0] for p in paths if "/" in p}
    if len(roots) != 1 or sum("/" in p for p in paths) < max(2, len(paths) // 2):
        return None
    row = next(m.row for m in members if "/" in m.get("department"))
    return FieldReading("organisation", roots.pop(), min(MEMBERS_CONFIDENCE, row.confidence), row.page, row.bbox, row.text,
                        ("the root of every member's department path",))


def _line_above(lines: list[Line], line: Line) -> Line | None:
    """The line printed right above another (touching it: an avatar beside the title reaches lower) and overlapping
    it across the page: a card's title over its tags."""
    height = line.bbox[3] - line.bbox[1]
    above = [a for a in lines if line.bbox[1] - a.bbox[3] <= height and a.bbox[1] < line.bbox[1] - height / 2
             and a.bbox[3] < line.bbox[3] and a.bbox[0] < line.bbox[2] and line.bbox[0] < a.bbox[2]]
    return max(above, key=lambda a: a.bbox[3], default=None)


def _is_member_name(text: str) -> bool:
    """A person's name, Chinese or Latin: no digits (a spreadsheet's sheet tab, Sheet1, under the name column)."""
    return 2 <= len(text.replace(" ", "")) <= 24 and not any(c.isdigit() for c in text)


def _against_departments(count: Count | None, departments: list[Node]) -> Count | None:
    """A total smaller than one of its departments is misread somewhere: kept, doubted."""
    largest = max((d.count for d in departments), default=0)
    if count is None or count.method is Method.DEPARTMENT_SUM or count.value >= largest:
        return count
    return Count(count.value, count.method, count.page, count.bbox, count.text, min(count.confidence, DOUBTFUL_CONFIDENCE),
                 count.evidence, (*count.warnings, f"the total {count.value} is smaller than a department of {largest}: misread?"))


def _less_not_joined(count: Count | None, not_joined: FieldReading | None) -> Count | None:
    """A tree's counts (the root's 16人, its departments') include the members who have not activated: the screen's
    未激活成员（4） are taken off, never counted without an analyst's sign-off (a stated total is taken off in
    `_stated`; a listed member's status is read with the list)."""
    if (count is None or not_joined is None or count.method not in (Method.ROOT_NODE, Method.DEPARTMENT_SUM)
            or not 0 < not_joined.value <= count.value):
        return count
    return replace(count, value=count.value - not_joined.value, confidence=min(count.confidence, not_joined.confidence),
                   evidence=(*count.evidence, f"less the {not_joined.value} not joined the screen shows ({not_joined.text})"))


def _from_reading(reading: FieldReading, value: int, how: str, confidence: float | None = None) -> Count:
    return Count(value, Method.TOTAL_SHOWN, reading.page, reading.bbox, reading.text,
                 min(reading.confidence if confidence is None else confidence, EXACT_CONFIDENCE), (*reading.evidence, how),
                 reading.warnings)


def _count_facts(document: Document, count: Count) -> list[Fact]:
    exact = all(not p.read_by_ocr for p in document.pages if p.number == count.page)
    confidence = count.confidence if not exact else max(count.confidence, min(EXACT_CONFIDENCE, count.confidence + 0.05))
    common = dict(confidence=round(confidence, 4), document=document.path, page=count.page, bbox=count.bbox,
                  text=count.text, extractor=NAME, evidence=list(count.evidence))
    return [Fact(name="org_chart_headcount", value=count.value, warnings=list(count.warnings), **common),
            Fact(name="org_chart_headcount_method", value=str(count.method), **common)]


EXTRACTOR = OrgChart()
extract = EXTRACTOR.extract
