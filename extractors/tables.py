"""Tables read by content, one code path for every medium: a ruled PDF table (pdfplumber), xlsx or docx cells, a
text layer without ruling lines, a scan or a photo (OCR boxes, levelled first: extractors/lines.py).

1. Every page becomes rows of cells (`grid_rows`).
2. The header row is found wherever it is (after title rows, under a merged cell, repeated on every page): the
   row naming most known columns; a row just above or below it that names more of them is part of it (a
   two-row header under merged cells). A table may have no header at all.
3. Each cell's role (name, identity number, month …) is its header column's, and, where the header is unknown
   or missing, the role its value shows (extractors/cell_values.py). A role seen only in the values is taken
   when the values of its column agree. Under a header cell naming no known column (参保日期), a value takes
   the role it shows only when no other column is named for that role.
4. A document may hold several tables (a summary by month, then the list), each read by its own header; a line
   holding part of a row (a name over its pinyin) joins that row; a row holding the columns twice (a roster in
   two halves side by side) gives two records.
Rows that repeat the header (lists running over several pages) are skipped."""
from __future__ import annotations

import re
from bisect import bisect
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from rapidfuzz import fuzz

from extractors.cell_values import LIST_NUMBER
from extractors.lines import caption_span, group_lines, join_pieces, level, normalise_line, union
from pipeline.models import BBox, Document, Page, TextBlock, TextSource, centre_in

HEADER_FUZZ = 88.0  # rapidfuzz score for a header cell read with a wrong character
_HEADER_EXTRA = 6  # characters a header cell may hold beyond its label (单位缴纳(元), 身份证号码/护照号)
AGREE = 0.6  # share of a column's values that must show one role for the column to take it


@dataclass(frozen=True)
class Cell:
    text: str  # normalised (extractors.lines.normalise_line)
    bbox: BBox
    confidence: float
    col: int | None = None  # the grid column, where the medium gives one (xlsx, docx, ruled PDF tables)


@dataclass(frozen=True)
class GridRow:
    page: int
    index: int
    cells: tuple[Cell, ...]
    exact: bool  # a text layer or cells, not OCR

    @property
    def bbox(self) -> BBox:
        return union([c.bbox for c in self.cells])

    @property
    def confidence(self) -> float:
        return min(c.confidence for c in self.cells)

    def placed_confidence(self, ceiling: float = 0.95) -> float:
        """The trust in a cell placed by its column header, as in a value right of its label: `ceiling` on a text
        layer, the row's OCR confidence up to it otherwise."""
        return ceiling if self.exact else min(self.confidence, ceiling)

    @property
    def text(self) -> str:
        return " | ".join(c.text for c in self.cells)


# ------------------------------------------------------------------------------------------------ rows


def grid_rows(page: Page) -> list[GridRow]:
    """The page as rows of cells, top to bottom."""
    if page.source is TextSource.CELLS:
        return _cell_rows(page)
    rows = []
    inside: list[BBox] = []
    for table in page.tables:
        inside.append(table.bbox)
        for i, cells in enumerate(table.rows):
            box = table.row_bboxes[i] if i < len(table.row_bboxes) else table.bbox
            width = (box[2] - box[0]) / max(len(cells), 1)
            found = tuple(Cell(normalise_line(text), (box[0] + j * width, box[1], box[0] + (j + 1) * width, box[3]), 0.99, j)
                          for j, text in enumerate(cells) if text and text.strip())
            if found:
                rows.append(GridRow(page.number, 0, found, True))
    loose = [b for b in page.blocks if not any(centre_in(b.bbox, box) for box in inside)]
    rows += _line_rows(page, loose)
    rows.sort(key=lambda r: (r.bbox[1] + r.bbox[3]) / 2)
    return [GridRow(r.page, i, r.cells, r.exact) for i, r in enumerate(rows)]


def _cell_rows(page: Page) -> list[GridRow]:
    by_row: dict[int, list[Cell]] = {}
    for block in page.blocks:
        by_row.setdefault(int(block.bbox[1]), []).append(
            Cell(normalise_line(block.text), block.bbox, block.confidence, int(block.bbox[0])))
    return [GridRow(page.number, i, tuple(sorted(by_row[r], key=lambda c: c.bbox[0])), True)
            for i, r in enumerate(sorted(by_row))]


def _line_rows(page: Page, blocks: list[TextBlock]) -> list[GridRow]:
    exact = not page.read_by_ocr
    blocks = [piece for block in blocks for piece in _between_rules(block)]
    levelled = blocks if exact else level(blocks, page.width)
    original = {id(moved): block for moved, block in zip(levelled, blocks)}
    rows = []
    for line in group_lines(levelled):
        cells = tuple(Cell(normalise_line(b.text), original.get(id(b), b).bbox, b.confidence) for b in line if b.text.strip())
        if cells:
            rows.append(GridRow(page.number, 0, cells, exact))
    return rows


_RULE = re.compile(r"\s*[|│┃｜]+\s*")  # a table's column rule printed as a character (a dot-matrix print's |)


def _between_rules(block: TextBlock) -> list[TextBlock]:
    """A block holding column rules printed as characters (|282608 | |8669885227|王重兰: two bars, or one at its
    edge): the cells between them, each with its share of the block's box."""
    rules = list(_RULE.finditer(block.text))
    if not rules or (len(rules) == 1 and 0 < rules[0].start() and rules[0].end() < len(block.text)):
        return [block]  # one bar inside a cell is the cell's own separator (上海|标准型S5 2核4GB), no column rule
    x0, y0, x1, y1 = block.bbox
    step = (x1 - x0) / max(len(block.text), 1)
    out, start = [], 0
    for rule in [*rules, None]:
        end = rule.start() if rule else len(block.text)
        cell = block.text[start:end]
        if cell.strip():
            lead = len(cell) - len(cell.lstrip())
            sure = block.character_confidences
            out.append(block.model_copy(update={
                "text": cell.strip(), "bbox": (x0 + start * step, y0, x0 + end * step, y1),
                "character_confidences": sure[start + lead:start + lead + len(cell.strip())] if sure else None}))
        start = rule.end() if rule else end
    return out or [block]


def document_rows(document: Document) -> list[GridRow]:
    """The document's rows, page after page. Screenshots of one scrolling list overlap: a page that starts (under
    the phone's status bar and the app's title) with the rows the page before ended on shows them once."""
    out: list[GridRow] = []
    previous: list[GridRow] = []
    for page in document.pages:
        rows = grid_rows(page)
        start, count = _scrolled_overlap(previous, rows)
        out += rows[:start] + rows[start + count:]
        previous = rows
    return out


_CHROME_ROWS = 4  # rows a screenshot may print above its list: the status bar, the app's title, a filter
_ALIKE, _SAME = 45, 80  # rapidfuzz scores of a row read again: a cut or blurred copy, and a clean one


def _scrolled_overlap(previous: list[GridRow], rows: list[GridRow]) -> tuple[int, int]:
    """Where `rows` (OCR'd) repeat the end of `previous`, and how many: (start, count), count 0 when they do
    not. The repeat runs to `previous`'s last row or the one before it (a row cut by the screen's bottom edge);
    at least two rows, the same (`_same_row`) but for the first, which the top edge may cut (or cut so much that OCR reads
    nothing like it: a row between the rows every screenshot prints above its list and the repeat)."""
    if not previous or not rows or any(r.exact for r in previous + rows):
        return 0, 0
    texts = [_compact(r) for r in previous]
    best = (0, 0)
    for start in range(min(_CHROME_ROWS, len(rows))):
        for end in (len(previous), len(previous) - 1):
            for count in range(min(end, len(rows) - start), max(best[1], 1), -1):
                pairs = [(texts[end - count + i], _compact(rows[start + i])) for i in range(count)]
                if fuzz.ratio(*pairs[0]) >= _ALIKE and all(_same_row(a, b) for a, b in pairs[1:]):
                    best = (start, count)
                    break
    start, count = best
    chrome = next((i for i in range(min(start, len(previous))) if fuzz.ratio(texts[i], _compact(rows[i])) < _ALIKE), start)
    if count and start - chrome == 1:  # a row between the screen's chrome and the repeat: the repeat's first, cut
        return chrome, count + 1
    return best


def _same_row(a: str, b: str) -> bool:
    """A row read again: alike in its words, and the same in its figures (a table's next person's 险种 rows are
    alike in their words, never in their figures)."""
    return fuzz.ratio(a, b) >= _SAME and re.findall(r"\d", a) == re.findall(r"\d", b)


def _compact(row: GridRow) -> str:
    return "".join(c.text for c in row.cells).replace(" ", "")


# ------------------------------------------------------------------------------------------------ headers


Columns = dict[str, list[str]]  # role -> header labels


def header_role(text: str, columns: Columns) -> str | None:
    """Which known column a header cell names: the longest label it contains, else one it matches fuzzily. A
    bilingual caption (姓名Name, 有效期至 Valid Until) names the column its Chinese or its English part names."""
    compact = text.replace(" ", "").lower()
    if not compact or len(compact) > 40:
        return None
    bilingual = re.fullmatch(r"([\u4e00-\u9fff（）()/]+)([a-z][a-z.()/]+)|([a-z][a-z.()/]+)([\u4e00-\u9fff（）()/]+)", compact)
    if bilingual and len(compact) > 8:
        parts = [part for part in bilingual.groups() if part]
        return next((role for part in sorted(parts, key=lambda p: p.isascii()) if (role := _caption_role(part, columns))), None)
    return _caption_role(compact, columns) if len(compact) <= 24 else None


def _caption_role(compact: str, columns: Columns) -> str | None:
    best = max(((label, role) for role, labels in columns.items() for label in labels
                if (wanted := label.replace(" ", "").lower()) in compact and len(compact) <= len(wanted) + _HEADER_EXTRA
                and not _with_its_value(compact, wanted)),
               key=lambda pair: len(pair[0]), default=None)
    if best is not None:
        return best[1]
    scored = [(fuzz.ratio(label.replace(" ", "").lower(), compact), role)
              for role, labels in columns.items() for label in labels if len(label) >= 3]
    score, role = max(scored, default=(0.0, None))
    if score >= HEADER_FUZZ:
        return role
    # a photo's caption that is a label with one character misread (有效需至, 积证日期), and nothing more (缴费人员信息
    # is no misread 缴费人数): when it can be only one column's
    misread = {role for role, labels in columns.items() for label in labels
               if len(compact) == len(label) and caption_span(compact, label.lower())}
    return misread.pop() if len(misread) == 1 else None


def _with_its_value(compact: str, label: str) -> bool:
    """A caption printed with a number beside it (所属期202611, 缴费基数27,690) is a form's line, a label and its
    value, not a column's header."""
    return sum(ch.isdigit() for ch in compact.replace(label, "", 1)) >= 4


@dataclass(frozen=True)
class Header:
    row: GridRow
    rows: tuple[GridRow, ...]  # the header's rows: its own, and a neighbour naming further columns
    roles: tuple[tuple[str, BBox, int | None], ...]  # (role, the header cell's box, its grid column); UNNAMED:
    # a column the header names but no known role has, so its values never run into a neighbour's

    @property
    def names(self) -> set[str]:
        return {role for role, _, _ in self.roles if role != UNNAMED}


UNNAMED = ""  # the role of a header cell naming no known column (参保日期 beside 所属期)


def find_header(rows: Sequence[GridRow], columns: Columns, min_columns: int) -> Header | None:
    """The row naming the most known columns (at least `min_columns`), joined with a neighbouring row that names
    further ones (a two-row header under merged cells)."""
    named = [(sum(1 for c in r.cells if header_role(c.text, columns)), r) for r in rows]
    best = max(named, key=lambda pair: pair[0], default=(0, None))
    if best[0] < min_columns:
        return None
    return _header_of(best[1], rows, columns)


def _header_of(row: GridRow, rows: Sequence[GridRow], columns: Columns) -> Header:
    roles = [(header_role(c.text, columns) or UNNAMED, c.bbox, c.col) for c in row.cells]
    joined = [row]
    position = next(i for i, r in enumerate(rows) if r is row)
    for neighbour in rows[max(0, position - 1):position] + rows[position + 1:position + 2]:
        extra = [(role, c.bbox, c.col) for c in neighbour.cells
                 if (role := header_role(c.text, columns)) and role not in {r for r, _, _ in roles}]
        if extra and len(extra) >= len(neighbour.cells) / 2:
            roles += extra
            joined.append(neighbour)
    return Header(row, tuple(joined), tuple(_one_caption_per_column(roles)))


def _one_caption_per_column(roles: list[tuple[str, BBox, int | None]]) -> list[tuple[str, BBox, int | None]]:
    """A caption printed over two lines (本单位参保 above 起始年月) is one column's: the line naming no known
    role is dropped where a named line sits straight above or below it, so the column's values never fall to it."""
    def stacked(a: BBox, b: BBox) -> bool:
        across = min(a[2], b[2]) - max(a[0], b[0])
        upright = min(a[3], b[3]) - max(a[1], b[1])
        return across >= 0.5 * min(a[2] - a[0], b[2] - b[0]) and upright < 0.5 * min(a[3] - a[1], b[3] - b[1])
    return [(role, box, col) for role, box, col in roles
            if role != UNNAMED or not any(other != UNNAMED and stacked(box, other_box) for other, other_box, _ in roles)]


def named_roles(row: GridRow, columns: Columns) -> set[str]:
    return {role for c in row.cells if (role := header_role(c.text, columns))}


def is_header_repeat(row: GridRow, header: Header, columns: Columns) -> bool:
    """A row naming most of the header's columns again: the header of the next page."""
    return len(named_roles(row, columns) & header.names) >= max(2, round(0.6 * len(header.names)))


# ------------------------------------------------------------------------------------------------ records


@dataclass(frozen=True)
class Record:
    """One data row: each role's text (cells of one role joined), with the row it came from."""

    values: dict[str, str]
    row: GridRow
    from_values: frozenset[str]  # roles read from values alone, with no header naming them
    header: Header | None = None  # the header of the record's table
    form: bool = False  # a form's line of captions and their values (姓名 | 何博宇 | 性别 | 男), not a table's row
    cell_roles: tuple[str | None, ...] = ()  # each of the row's cells' role, None for a cell of no known column

    def get(self, role: str, default: str = "") -> str:
        return self.values.get(role, default)


ValueRole = Callable[[str], str | None]  # the role a cell's value shows, or None


TABLE_COLUMNS = 3  # known columns a row must name to head a further table of the document


def read_records(rows: Sequence[GridRow], columns: Columns, value_role: ValueRole, min_columns: int = 2,
                 header: Header | None = None) -> tuple[Header | None, list[Record]]:
    """The data rows as records, with the document's main header (the one naming most columns). Rows above the
    first header are title rows, not data. A document may hold several tables (a summary by month, then the
    list of persons): a row naming TABLE_COLUMNS known columns that is not the current header again heads a
    table of its own, whose rows take their roles from it."""
    main = header or find_header(rows, columns, min_columns)
    if main is None:
        column_roles = _agreeing_roles(rows, value_role)
        return None, _join_wrapped([record for row in rows for record in _records(row, None, value_role, column_roles)])
    records: list[Record] = []
    current: Header | None = None
    for row in rows:
        form = None if row is main.row else _form_line(row, columns)
        if form is not None:
            records.append(form)
        elif row is main.row:
            current = main
        elif header is None and _heads_table(row, current, columns, min_columns):
            current = _header_of(row, rows, columns)
        elif current is not None and not any(row is r for r in current.rows) and not is_header_repeat(row, current, columns):
            records += _records(row, current, value_role, {})
    return main, _join_wrapped(records)


def _form_line(row: GridRow, columns: Columns) -> Record | None:
    """A row naming a person in captions each followed by its value (姓名 | 何博宇 | 性别 | 男; 公民身份号码 | 5101…6917
    | 社会保障号码 | …), anywhere in the document (a person's block above their own tables): a record of the values
    whose captions name known columns, the first of each role. A caption of no known column (性别) keeps its value
    out."""
    cells = row.cells
    if len(cells) < 2 or len(cells) % 2 or not _identity(header_role(cells[0].text, columns) or ""):
        return None
    captions, values = cells[::2], cells[1::2]
    if any(header_role(c.text, columns) is not None for c in values):
        return None  # a value that is itself a caption: a header's row, not a form's
    found: dict[str, str] = {}
    for caption, value in zip(captions, values):
        if (role := header_role(caption.text, columns)) is not None and role not in found:
            found[role] = value.text
    return Record(found, row, frozenset(), None, form=True)


def _heads_table(row: GridRow, current: Header | None, columns: Columns, min_columns: int) -> bool:
    if len(named_roles(row, columns)) < max(min_columns, TABLE_COLUMNS):
        return False
    return current is None or not (any(row is r for r in current.rows) or is_header_repeat(row, current, columns))


def _records(row: GridRow, header: Header | None, value_role: ValueRole, column_roles: dict[int, str]) -> list[Record]:
    """The row's records: one, or several where the row holds the table's columns more than once (a roster
    printed in two halves side by side: 姓名 身份证号 | 姓名 身份证号). The record's first role met again starts
    the next record when another of its roles follows again (the columns repeat); any other role met again
    continues its cell (a name OCR read in two boxes, a second amount, a name and its pinyin). A first role met
    again behind a list number, as the record's own first cell was (6.陈文磊 … 19.王敏), starts the next record too."""
    if header is not None and not row.exact:
        row = GridRow(row.page, row.index, tuple(piece for cell in row.cells for piece in _across_columns(cell, header)),
                      row.exact)
    roles = _stacked_under_their_cells(row.cells, [_cell_role(cell, header, value_role, column_roles) for cell in row.cells])
    parts: list[list[int]] = [[]]
    for i, (role, _) in enumerate(roles):
        seen = [roles[j][0] for j in parts[-1] if roles[j][0] is not None]
        first = next((j for j in parts[-1] if roles[j][0] is not None), None)
        numbered = first is not None and all(LIST_NUMBER.match(row.cells[k].text) for k in (first, i))
        if seen and role == seen[0] and (numbered or ({r for r, _ in roles[i + 1:]} & set(seen)) - {role}):
            parts.append([])
        parts[-1].append(i)
    records = []
    for part in parts:
        cells = tuple(row.cells[i] for i in part)
        values: dict[str, str] = {}
        for i in _reading_order(part, row.cells):
            role = roles[i][0]
            if role is not None:
                values[role] = join_pieces(values.get(role, ""), row.cells[i].text)
        if values:
            part_row = row if len(parts) == 1 else GridRow(row.page, row.index, cells, row.exact)
            records.append(Record(values, part_row, frozenset(roles[i][0] for i in part if roles[i][1]), header,
                                  cell_roles=tuple(roles[i][0] for i in part)))
    return records


ALIGNED = 0.5  # of a line's height: two cells starting this near, one over the other, are one column's


def _stacked_under_their_cells(cells: Sequence[Cell], roles: list[tuple[str | None, bool]]) -> list[tuple[str | None, bool]]:
    """A cell's wrapped line under it, starting where it starts, takes its role (or its lack of one): the 公司
    that ends 南京云栖数字技术有限责任 | 公司, nearer the 姓名 header than its own column's, is no part of the name."""
    out = list(roles)
    for i, cell in enumerate(cells):
        over = _continued(cell, cells)
        if over is not None:
            out[i] = roles[over]
    return out


def _continued(cell: Cell, cells: Sequence[Cell]) -> int | None:
    """The cell above whose wrapped line `cell` is: wider, over it, starting where it starts."""
    height = cell.bbox[3] - cell.bbox[1]
    return next((j for j, other in enumerate(cells) if other.bbox[3] <= cell.bbox[1] + 0.5 * height
                 and abs(other.bbox[0] - cell.bbox[0]) <= ALIGNED * height
                 and other.bbox[2] - other.bbox[0] > cell.bbox[2] - cell.bbox[0]), None)


def _reading_order(indices: list[int], cells: Sequence[Cell]) -> list[int]:
    """The cells in reading order. Cells stacked over each other (a title wrapped onto a second line: Tencent Cloud
    Certified / Associate - Architecture, left-aligned or centred) read top to bottom, even where the second line
    starts further left; stacks side by side (a badge before the title, a name read in two boxes) left to right."""
    def overlap(a: Cell, b: Cell) -> bool:
        shared = min(a.bbox[2], b.bbox[2]) - max(a.bbox[0], b.bbox[0])
        return shared >= 0.5 * min(a.bbox[2] - a.bbox[0], b.bbox[2] - b.bbox[0])

    stacks: list[list[int]] = []
    for i in indices:
        joined = [stack for stack in stacks if any(overlap(cells[i], cells[j]) for j in stack)]
        merged = [i, *(j for stack in joined for j in stack)]
        stacks = [stack for stack in stacks if stack not in joined] + [merged]
    stacks = [sorted(stack, key=lambda j: cells[j].bbox[1]) for stack in stacks]
    return [j for stack in sorted(stacks, key=lambda st: min(cells[j].bbox[0] for j in st)) for j in stack]


ACROSS_OVERLAP = 0.25  # of a header cell's width: a box running over that much of it runs into its column


def _across_columns(cell: Cell, header: Header) -> list[Cell]:
    """An OCR box that ran over two columns (an order id and its date read as one: 2025…072 2025-10-14 19:32; a
    staff number and the name beside it: 3624841242丁佳博) as two cells, cut nearest the gutter between the two
    header cells, at a space (never between a date and its time) or where digits meet Chinese characters, each
    part placed where its characters sit in the box: the cut nearest the gutter that gives the parts two different
    roles, one of them named. Other boxes stay whole."""
    under = sorted((box for _, box, _ in header.roles
                    if min(cell.bbox[2], box[2]) - max(cell.bbox[0], box[0]) > ACROSS_OVERLAP * (box[2] - box[0])),
                   key=lambda box: box[0])
    cuts = [(m.start(), m.end()) for m in re.finditer(" +", cell.text) if not _date_then_time(cell.text, m.start())]
    cuts += [(m.end(), m.end()) for m in _DIGITS_MEET_CHINESE.finditer(cell.text)]
    if len(under) < 2 or not cuts:
        return [cell]
    unit = (cell.bbox[2] - cell.bbox[0]) / max(_display_width(cell.text), 1)
    gutter = (under[0][2] + under[1][0]) / 2  # between the first two columns the box runs over
    for at, resume in sorted(cuts, key=lambda c: abs(cell.bbox[0] + unit * _display_width(cell.text[:c[0]]) - gutter)):
        x = cell.bbox[0] + unit * _display_width(cell.text[:at])
        left = Cell(cell.text[:at], (cell.bbox[0], cell.bbox[1], x, cell.bbox[3]), cell.confidence, cell.col)
        right = Cell(cell.text[resume:], (x, cell.bbox[1], cell.bbox[2], cell.bbox[3]), cell.confidence, cell.col)
        roles = [_header_role_of(part, header) for part in (left, right)]
        if None not in roles and roles[0] != roles[1] and {UNNAMED} != set(roles):
            return [left, right]
    return [cell]


_DIGITS_MEET_CHINESE = re.compile(r"(?<=\d)(?=[\u4e00-\u9fff])|(?<=[\u4e00-\u9fff])(?=\d)")


def _date_then_time(text: str, space: int) -> bool:
    """A space between a date and its time of day (2025-10-14 19:32): one value, never two cells."""
    return bool(re.search(r"\d{4}[-/.年]\d{1,2}[-/.月]\d{1,2}日?$", text[:space]) and re.match(r"\d{1,2}:\d{2}", text[space + 1:]))


def _display_width(text: str) -> int:
    """Characters as wide as they print: a Chinese character two, others one."""
    return sum(2 if "\u4e00" <= c <= "\u9fff" else 1 for c in text)


def _cell_role(cell: Cell, header: Header | None, value_role: ValueRole, column_roles: dict[int, str]) -> tuple[str | None, bool]:
    """A cell's role, and whether it was read from the value alone (no header naming it)."""
    role = _header_role_of(cell, header) if header is not None else None
    shown = value_role(cell.text)
    if role == UNNAMED:  # under a column of no known role (订单金解, a misread 订单金额; 参保日期): its value's role
        # when the header names that role nowhere else, else nothing (参保日期 beside 所属期 is no payment month)
        taken = header is not None and shown in header.names and shown != "id_number"
        return (None, False) if shown is None or taken else (shown, True)
    if role is None or (shown is not None and shown != role and _identity(shown) and not _identity(role)):
        role = shown or (column_roles.get(cell.col) if cell.col is not None else None)
        return role, role is not None
    return role, False


WRAP_REACH = 0.6  # of the row pitch: how far a line holding one wrapped cell may be from the row it belongs to


def _join_wrapped(records: list[Record]) -> list[Record]:
    """A cell printed over several lines (a Chinese name above its pinyin, centred on its row; a title wrapped
    onto a second line) leaves lines that hold only part of a row. Such a line joins the nearest row of its page
    that shows more columns, when the two lie nearer than WRAP_REACH of the distance between rows and share no
    column, or the line holds one column only (the rest of that row's cell, on a line of its own: never the other
    half of a roster printed in two halves side by side)."""
    most = max((len(r.values) for r in records), default=0)
    full = [r for r in records if 2 * len(r.values) >= most]
    centre = {id(r): (r.row.bbox[1] + r.row.bbox[3]) / 2 for r in records}
    gaps = sorted(g for a, b in zip(full, full[1:]) if a.row.page == b.row.page
                  and (g := centre[id(b)] - centre[id(a)]) > 0)
    if not gaps:
        return records
    reach = WRAP_REACH * gaps[len(gaps) // 2]
    joined: dict[int, list[Record]] = {}
    kept = []
    for record in records:
        wider = [r for r in records if r.row.page == record.row.page and len(r.values) > len(record.values)]
        nearest = min(wider, key=lambda r: abs(centre[id(r)] - centre[id(record)]), default=None)
        shared = nearest is not None and set(nearest.values) & set(record.values)
        if (nearest is None or (shared and (len(record.values) > 1 or nearest.row.index == record.row.index))
                or abs(centre[id(nearest)] - centre[id(record)]) > reach):
            kept.append(record)
        else:
            joined.setdefault(id(nearest), []).append(record)
    return [_joined(r, joined[id(r)]) if id(r) in joined else r for r in kept]


def _joined(record: Record, parts: list[Record]) -> Record:
    """The row with the lines of its wrapped cells, each role's pieces in print order: a title wrapped over
    three lines centred on its row (Tencent Cloud Certified | Professional - | Architecture) reads top down."""
    values: dict[str, str] = {}
    for part in sorted([record, *parts], key=lambda p: p.row.bbox[1]):
        for role, text in (part.values if part is record else _continuing(part, record)).items():
            values[role] = (values[role] + " " + text) if role in values else text
    cells = tuple(sorted(record.row.cells + tuple(c for p in parts for c in p.row.cells), key=lambda c: c.bbox[0]))
    row = GridRow(record.row.page, record.row.index, cells, record.row.exact and all(p.row.exact for p in parts))
    return Record(values, row, record.from_values.union(*(p.from_values for p in parts)), record.header)


def _continuing(part: Record, record: Record) -> dict[str, str]:
    """A wrapped line's values, each of its cells of the role of the row's cell it continues (a 公司 on a line of
    its own under 南京云栖数字技术有限责任), else of its own."""
    if len(part.cell_roles) != len(part.row.cells) or len(record.cell_roles) != len(record.row.cells):
        return part.values
    values: dict[str, str] = {}
    for cell, role in zip(part.row.cells, part.cell_roles):
        over = _continued(cell, record.row.cells)
        role = record.cell_roles[over] if over is not None else role
        if role is not None:
            values[role] = join_pieces(values.get(role, ""), cell.text)
    return values


def _identity(role: str) -> bool:
    """Roles a value shows beyond doubt (an identity number, a name), which override a header cell that an OCR
    row was aligned to wrongly. A month does not: tables print other months (起始年月, 截止年月) too."""
    return role in {"id_number", "name"}


def _header_role_of(cell: Cell, header: Header) -> str | None:
    if cell.col is not None and any(col is not None for _, _, col in header.roles):
        return next((role for role, _, col in header.roles if col == cell.col), None)
    overlaps = [(min(cell.bbox[2], box[2]) - max(cell.bbox[0], box[0]), role) for role, box, _ in header.roles]
    best = max(overlaps, key=lambda pair: (pair[0], pair[1] != UNNAMED), default=(0.0, None))  # a known role wins a tie
    if best[0] > 0:
        return best[1]
    # under no header cell: the column whose span holds the cell's centre, columns parting halfway between the
    # centres of neighbouring header cells (a wide value left-aligned under a narrow, centred header)
    centre = (cell.bbox[0] + cell.bbox[2]) / 2
    columns = sorted(header.roles, key=lambda r: (r[1][0] + r[1][2]) / 2)
    if not columns:
        return None
    centres = [(r[1][0] + r[1][2]) / 2 for r in columns]
    at = bisect([(a + b) / 2 for a, b in zip(centres, centres[1:])], centre)
    role, box, _ = columns[at]
    if at + 1 < len(columns) and cell.bbox[0] > box[2] + 0.5 * (box[2] - box[0]):
        # it starts well past the end of that header, by half its width (a company name left-aligned after a
        # narrow 序号, under a centred 企业名称): the next column's
        at += 1
        role, box, _ = columns[at]
    if at in (0, len(columns) - 1):  # the outer columns reach no further than 1.5 widths past their header
        width = max(box[2] - box[0], cell.bbox[3] - cell.bbox[1])
        if abs(centres[at] - centre) > 1.5 * width and not (centres[0] <= centre <= centres[-1]):
            return None
    return role


def _agreeing_roles(rows: Sequence[GridRow], value_role: ValueRole) -> dict[int, str]:
    """With no header: the role most values of each grid column show, when enough of them agree."""
    shown: dict[int, Counter] = {}
    for row in rows:
        for cell in row.cells:
            if cell.col is not None and cell.text:
                shown.setdefault(cell.col, Counter())[value_role(cell.text)] += 1
    out = {}
    for col, counts in shown.items():
        role, n = max(((r, k) for r, k in counts.items() if r is not None), key=lambda p: p[1], default=(None, 0))
        if role is not None and n >= AGREE * sum(counts.values()):
            out[col] = role
    return out


# ------------------------------------------------------------------------------------------------ by header only


@dataclass(frozen=True)
class TableRow:
    """A data row as {role: text}, for readers that take a table by its header alone."""

    cells: dict[str, str]
    page: int
    bbox: BBox
    confidence: float

    @property
    def text(self) -> str:
        return " | ".join(f"{k}={v}" for k, v in self.cells.items())


def read_table(document: Document, columns: Columns, min_columns: int = 2) -> list[TableRow]:
    """The rows under a header naming at least `min_columns` known columns; no header, no rows."""
    header, records = read_records(document_rows(document), columns, lambda text: None, min_columns)
    if header is None:
        return []
    return [TableRow({k: v.replace(" ", "") for k, v in r.values.items()}, r.row.page, r.row.bbox, r.row.confidence)
            for r in records]


