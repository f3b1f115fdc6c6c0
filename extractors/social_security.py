"""社保缴纳清单 / 参保证明 / 人员名单: the employer, the latest month the list covers, and the distinct persons insured
in that month.

The table is read by content (extractors/tables.py), whatever the medium: a header that names known columns
raises the confidence; without one, each cell's role comes from its value (an identity number, a name, a month,
a 险种, a status word). A person is counted once however many 险种 rows they have; someone only in earlier months,
or marked 停缴 / 减员 in the latest month, has left; subtotal rows do not count. A list whose months are column
groups (one merged header per month) is read by those columns. A certificate that only states the count gives it
from its label (参保人数 25 人). Persons are told apart by name, with the visible ID digits as a tie-breaker,
never by the masked ID string, which OCR does not read exactly. Full ID numbers are masked before they reach a
fact."""
from __future__ import annotations

import re
from collections import Counter
from collections.abc import Sequence
from itertools import combinations
from dataclasses import dataclass, replace

import numpy as np
from pydantic import BaseModel, ConfigDict
from rapidfuzz.distance import Levenshtein
from stdnum.cn import ric

from extractors.cell_values import LIST_NUMBER, value_role
from extractors.dates import RangeRole, find_months
from extractors.field_reading import FieldReading, best, most_trusted, read_pages, reading_fact
from extractors.lines import one_char_apart
from extractors.name_shapes import chinese_person, find_latin_persons
from extractors.registry import KindExtractor
from extractors.tables import Cell, Columns, GridRow, Header, Record, document_rows, header_role, read_records
from extractors.values import registered_name
from pipeline.models import BBox, Document, DocumentKind, Fact
from pipeline.privacy import mask_id_numbers

NAME = "social_security_list"
KIND = DocumentKind.SOCIAL_SECURITY_LIST
TEXT_CONFIDENCE = 0.97  # text layer or cells: the rows are what the bureau printed
OCR_CONFIDENCE = 0.88  # OCR'd rows: a misread name could split or merge a person
NO_HEADER_CONFIDENCE = 0.85  # roles read from the values alone
UNCLEAN_CONFIDENCE = 0.7  # some rows could not be parsed: the count may be off
STATED_CONFIDENCE = 0.9  # a count the document states in words
GUESSED_MONTH_CONFIDENCE = 0.6  # a month taken from the print date, the list printing none
_DIGITS = str.maketrans({"O": "0", "o": "0", "D": "0", "I": "1", "l": "1", "L": "1", "S": "5", "B": "8", "Z": "2"})
_MASK = re.compile(r"[*＊]+")


class SocialSecurityOptions(BaseModel):
    model_config = ConfigDict(extra="forbid")

    columns: dict[str, list[str]]
    min_header_columns: int
    role_words: dict[str, list[str]]
    shapes: list[str]
    leaver_words: list[str]
    issuer_words: list[str]


# ------------------------------------------------------------------------------------------------ persons


@dataclass(frozen=True)
class VisibleId:
    """What an ID cell shows: the leading area digits and the last four, as printed (masked or not)."""

    head: str | None
    tail: str | None
    check_ok: bool | None = None  # a full number's check digit; None when the number is masked
    printed_tail: str = ""  # the whole visible run after the mask as OCR read it (98555: a digit read twice)

    @property
    def masked(self) -> str:
        return f"{self.head or '****'}{'*' * 10}{self.tail or '****'}"


@dataclass(frozen=True)
class InsuredRow:
    name: str | None
    id: VisibleId | None
    months: tuple[str, ...]  # YYYY-MM: the months the row shows the person insured in
    insurance: str
    left: bool  # the row says the person left (停缴, 减员 …)
    row: GridRow
    problems: tuple[str, ...] = ()
    ongoing: bool = False  # insured since a month with no end month: insured in whatever month the list is for
    header: Header | None = None  # the header of the row's table
    status_shown: bool = False  # the row prints a status of its own (正常, 停缴 …)
    paid: bool = False  # its months are months paid (a 所属期 column, a tick per month), not an end of insurance
    heads_section: bool = False  # a form's line naming the person (姓名 | 何博宇): the rows after it are theirs

    @property
    def exact(self) -> bool:
        return self.row.exact


@dataclass(frozen=True)
class Person:
    name: str | None  # None: a row whose ID was read but not its name
    id: VisibleId | None


MERGED_CELL_ROWS = 2  # how many 险种 rows away a merged ID cell may be printed from its merged name cell


def visible_id(cell: str) -> VisibleId | None:
    if len(re.findall(r"[\u4e00-\u9fff]", cell)) > 2:  # words around the digits: a sentence (合计：2026年11月…32人)
        return None
    compact = re.sub(r"[^0-9A-Za-z*＊]", "", cell)
    if re.fullmatch(r"\d{17}[\dXx]", compact):
        return VisibleId(compact[:4], compact[-4:].upper(), _check_digit_ok(compact))
    parts = _MASK.split(compact)
    if len(parts) >= 2:
        head, tail = parts[0], parts[-1]
    elif len(compact) == 8:  # the stars dropped by OCR, the two visible runs left
        head, tail = compact[:4], compact[4:]
    else:
        return None
    return VisibleId(head[:4].translate(_DIGITS) if len(head) >= 4 else None, _tail(tail[-4:]) if len(tail) >= 4 else None,
                     printed_tail=tail.upper())


def _check_digit_ok(number: str) -> bool:
    """The resident ID's check character (python-stdnum's algorithm; its validate() also looks the birthplace up
    in a table that lacks newer districts, and raises for them)."""
    return ric.calc_check_digit(number[:17]) == number[17].upper()


def _tail(text: str) -> str:
    """The last four: three digits and a check character that may be X."""
    return text[:3].translate(_DIGITS) + (text[3].upper() if text[3] in "Xx" else text[3].translate(_DIGITS))


def person_name(cell: str) -> tuple[str | None, str]:
    """The name in a name cell, and what trails it (OCR glues a short name to its ID: 宋娜1101**…). A cell
    printing the name in both scripts (Feng Wen 冯文) gives the Chinese one."""
    match = re.fullmatch(r"\d*([\u4e00-\u9fff·]{2,6})((?:[0-9*＊][0-9A-Za-z*＊]*)?)", LIST_NUMBER.sub("", cell.replace(" ", "")))
    if match and chinese_person(match.group(1)) is not None:
        return match.group(1), match.group(2)
    runs = re.findall(r"[\u4e00-\u9fff·]+", cell)  # the name's one Chinese run (Feng Wen 冯文), not a label's
    if len(runs) == 1 and 2 <= len(runs[0]) <= 6 and chinese_person(runs[0]) is not None:
        return runs[0], ""
    latin = find_latin_persons(cell)
    if latin:
        return latin[0].value, ""
    return None, ""


def _name_after_number(cell: str) -> str | None:
    """A name OCR read into the number column before it (a tilted photo's 4 6391887804 邓强: the list number and
    the staff number, then the name), where the name column holds nothing."""
    match = re.fullmatch(r"[\d\s.、]*\d\s*([\u4e00-\u9fff·]{2,6})", cell)
    return match.group(1) if match and chinese_person(match.group(1)) is not None else None


SECTION_TITLE = 12  # characters at most in a section's title (本期减少人员), not a sentence (合计：…本期减少1人…)
_SECTION_NUMBER = re.compile(r"^\s*(?:[一二三四五六七八九十]+[、.．]|[(（][一二三四五六七八九十\d]+[)）]|第[一二三四五六七八九十\d]+部分)\s*")


def _loose_words(cells: Sequence[Cell]) -> list[str]:
    """Words OCR did not read as cells of their own: glued behind a number (0.00停缴: the last amount and the
    status beside it), or split into one cell per character (停 | 缴)."""
    words = [m.group(1) for c in cells for m in [re.search(r"\d\s*([\u4e00-\u9fff]{2,4})$", c.text)] if m]
    run = ""
    for cell in [*cells, None]:
        if cell is not None and re.fullmatch(r"[\u4e00-\u9fff]", cell.text.strip()):
            run += cell.text.strip()
            continue
        if len(run) >= 2:
            words.append(run)
        run = ""
    return words


def _cards_joined(rows: list[InsuredRow | None]) -> list[InsuredRow | None]:
    """A list of cards, one per person (an app's 参保人员 page): the card's first line names the person (and their
    status), the next prints the ID (身份证号 …) and no name. The ID line is that person's, whatever its status:
    a leaver's ID line is never a person of its own. A card cut by the foot of one screenshot goes on at the top
    of the next."""
    out: list[InsuredRow | None] = []
    last = None  # the place in `out` of the latest row
    for row in rows:
        previous = out[last] if last is not None else None
        if (row is not None and row.id is not None and not row.name and not row.insurance and previous is not None
                and previous.name and previous.id is None and row.row.page - previous.row.page in (0, 1)):
            out[last] = replace(previous, id=row.id, months=previous.months + row.months, ongoing=previous.ongoing or row.ongoing)
            out.append(None)
            continue
        if row is not None:
            last = len(out)
        out.append(row)
    return out


_GENDERS = ("男", "女")


def _without_glued_gender(rows: list[InsuredRow | None]) -> list[InsuredRow | None]:
    """Names that OCR read with the gender after them (丁明婷男, 杨敏女), when most of the list's names end so:
    a name's own last character is seldom 男 and hardly ever 女, so a list where most do prints a gender there."""
    names = [r.name for r in rows if r is not None and r.name]
    glued = [n for n in names if len(n) >= 3 and n.endswith(_GENDERS) and chinese_person(n[:-1]) is not None]
    if not names or len(glued) < 0.5 * len(names):
        return rows
    return [replace(r, name=r.name[:-1]) if r is not None and r.name in glued else r for r in rows]


def distinct_people(rows: list[InsuredRow]) -> list[Person]:
    """The persons of one month's rows, by name. A name read one character off that only fills a gap in a
    similar name's 险种 rows is that person, misread. The visible ID digits tell apart people of one name."""
    groups: dict[str, list[InsuredRow]] = {}
    for row in rows:
        if row.name:
            groups.setdefault(row.name, []).append(row)
    for name in sorted(groups, key=lambda n: len(groups[n])):
        target = next((other for other in groups if _is_misreading(groups[name], name, groups[other], other)), None)
        if target is not None:
            groups[target] += groups.pop(name)
    people = [person for name, group in groups.items() for person in _people_of(name, group)]
    return people + _unnamed_people(rows, people)


def _unnamed_people(rows: list[InsuredRow], named: list[Person]) -> list[Person]:
    """Rows whose name OCR could not read but whose ID shows both its visible runs: one person per last four
    that no named person of the month has. Their name stays empty; the row's problem lowers the count's confidence."""
    known = {p.id.tail for p in named if p.id and p.id.tail}
    tails: dict[str, VisibleId] = {}
    for row in rows:
        if not row.name and identified(row) and row.id.tail not in known:
            tails.setdefault(row.id.tail, row.id)
    return [Person(None, ident) for ident in tails.values()]


def identified(row: InsuredRow) -> bool:
    """A row that names a person by its ID alone: the area digits and the last four both visible."""
    return row.id is not None and bool(row.id.head) and bool(row.id.tail)


def _people_of(name: str, rows: list[InsuredRow]) -> list[Person]:
    """Exact digits (text layer, cells): one person per distinct last four. OCR'd digits are not exact, so
    there the count is how often the name holds one 险种 in the month (one row per person and 险种), and the
    digits read most often go with it; but no more persons than the last fours differ by more than a digit,
    when every row shows one (a person shown twice by overlapping screenshots is one)."""
    readings = [r.id for r in rows if r.id and r.id.tail]
    tails = Counter(reading.tail for reading in readings)
    if all(r.exact for r in rows) and len(readings) == len(rows):
        count = len(tails)
    elif len(readings) == len(rows):  # every row shows the ID: its last four tell the persons apart, a digit misread
        count = min(_structural_count(rows), len(_tail_groups(readings)))  # aside (one screen shot twice: one person)
    else:
        count = _structural_count(rows)
    ids = [_best_reading(readings, tail) for tail, _ in tails.most_common(count)]
    return [Person(name, ids[i] if i < len(ids) else None) for i in range(count)]


def _tail_groups(readings: list[VisibleId]) -> list[list[str]]:
    """Last fours grouped where they are one OCR misreading apart: a digit misread (…8680, …8688), or, behind a
    mask whose stars OCR miscounts, a digit read twice or dropped (98555 and 9855 end in 8555 and 9855)."""
    groups: list[list[VisibleId]] = []
    for reading in readings:
        group = next((g for g in groups if any(_one_misreading_apart(reading, r) for r in g)), None)
        if group is None:
            groups.append([reading])
        else:
            group.append(reading)
    return [[r.tail for r in g if r.tail] for g in groups]


def _one_misreading_apart(a: VisibleId, b: VisibleId) -> bool:
    if a.tail == b.tail or one_char_apart(a.tail or "", b.tail or ""):
        return True
    return bool(a.printed_tail and b.printed_tail) and Levenshtein.distance(a.printed_tail, b.printed_tail) <= 1


def _best_reading(readings: list[VisibleId], tail: str | None) -> VisibleId:
    same = [reading for reading in readings if reading.tail == tail]
    return next((reading for reading in same if reading.head), same[0])


def _structural_count(rows: list[InsuredRow]) -> int:
    return max(Counter(r.insurance for r in rows).values())


def _is_misreading(rows: list[InsuredRow], name: str, others: list[InsuredRow], other: str) -> bool:
    """Only OCR misreads names; a text layer's two names are two people."""
    if not one_char_apart(name, other) or len(others) < len(rows):
        return False
    if all(r.exact for r in rows + others) or _other_ids(rows, others):
        return False
    return _structural_count(rows + others) == _structural_count(others)


def _other_ids(rows: list[InsuredRow], others: list[InsuredRow]) -> bool:
    """Two groups whose visible ID digits differ by more than one misread digit are two people (李杰俊 …7444
    and 李杰伟 …5616), however alike their names."""
    tails = {r.id.tail for r in rows if r.id and r.id.tail}
    other_tails = {r.id.tail for r in others if r.id and r.id.tail}
    return bool(tails and other_tails) and all(sum(a != b for a, b in zip(t, o)) > 1 for t in tails for o in other_tails)


# ------------------------------------------------------------------------------------------------ the extractor


class SocialSecurityList(KindExtractor):
    kind = KIND
    Options = SocialSecurityOptions

    def extract(self, document: Document) -> list[Fact]:
        by_page = read_pages(self.reader, document.pages, ("employer_credit_code", "printed_on", "period", "insured_count"))
        fields = most_trusted(by_page)
        periods = {number: r.value for number, readings in by_page.items() if (r := best(readings.get("period", []))) is not None}
        facts = [reading_fact(document, r, f"social_security_{name}", NAME)
                 for name, r in fields.items() if name in ("employer_credit_code", "printed_on")]
        employer = self._employer(document)
        if employer is not None:
            facts.append(reading_fact(document, employer, "social_security_employer", NAME, registered_name(employer.value)))
        rows = document_rows(document)
        _, records = read_records(rows, self.options.columns, self._value_role, self.options.min_header_columns)
        insured = self._insured(records, rows)
        roster = self._roster_facts(document, insured, records, fields, periods)
        return facts + (roster or self._stated_count(document, records, fields))

    def _value_role(self, text: str) -> str | None:
        return value_role(text, self.options.role_words, self.options.shapes)

    def _employer(self, document: Document) -> FieldReading | None:
        """The best organisation read as the employer that is not the issuing office (its seal, its footer)."""
        readings = [r for page in document.pages for r in self.reader.read_page(page, ("employer",)).get("employer", [])]
        issuer = self.options.issuer_words
        return max((r for r in readings if not any(w in r.value for w in issuer)), key=lambda r: r.confidence, default=None)

    # --- rows -------------------------------------------------------------------------------------------------

    def _under_section_headings(self, records: list[Record], rows: list[GridRow]) -> list[Record]:
        """A list printed in sections under headings of their own: one per 险种 (基本养老保险 over the first
        table's header, 二、基本医疗保险(续) on a later page), each repeating the same persons, so that a section's
        rows that print no 险种 hold their heading's and a person is counted once per 险种, not once per section;
        or a section of leavers (本期减少人员 under the roster), whose rows are leavers whatever they print. Heading
        rows are no one's."""
        headings: dict[tuple[int, int], tuple[str, str]] = {}
        captions = self.options.columns["insurance"]
        for row in rows:
            texts = [c.text.strip() for c in row.cells if c.text.strip()]
            if len(texts) == 2 and _SECTION_NUMBER.fullmatch(texts[0]):  # 二、 | 基本医疗保险: the number a cell apart
                texts = ["".join(texts)]
            if len(texts) != 1:
                continue
            bare = re.sub(r"[(（][^)）]*[)）]", "", LIST_NUMBER.sub("", _SECTION_NUMBER.sub("", texts[0])))
            if any(bare.endswith(w) for w in self.options.role_words["insurance"]) and not any(c in bare for c in captions):
                # a 险种's name, not its caption and value (二、参保险种情况, 参保险种养老医疗失业工伤 head no section);
                # (含生育保险)(续) said aside
                headings[(row.page, row.index)] = ("insurance", _SECTION_NUMBER.sub("", texts[0]).strip())
            elif len(bare) <= SECTION_TITLE and any(w in bare for w in self.options.leaver_words):
                headings[(row.page, row.index)] = ("status", bare)
        if not headings:
            return records
        out = []
        for record in records:
            at = (record.row.page, record.row.index)
            if at in headings:
                continue
            before = [h for h in headings if h < at]
            role, heading = headings[max(before)] if before else ("", "")
            if (heading and not (role == "insurance" and record.get("insurance")) and not record.form
                    and (person_name(record.get("name"))[0] or visible_id(record.get("id_number")))):
                record = replace(record, values={**record.values, role: " ".join([heading, record.get(role)]).strip()})
            out.append(record)
        return out

    def _insured(self, records: list[Record], rows: list[GridRow]) -> list[InsuredRow]:
        """The list's rows as insured rows. A 险种 row printed without the person (under a merged name cell, the
        name centred among its rows) belongs to the nearest row that names someone, the earlier one on a tie."""
        month_columns = {id(h): _month_columns(h, rows, self.options.columns) for h in {id(r.header): r.header for r in records}.values()}
        subtotal = self.options.role_words["subtotal"]
        parsed = [self._insured_row(r, month_columns[id(r.header)]) for r in self._under_section_headings(records, rows)
                  if "subtotal" not in r.values and not any(w.lower() in r.row.text.lower() for w in subtotal)
                  and not (r.get("count") and not r.get("name") and not r.get("id_number"))]  # a 险种汇总 row: N人
        parsed = _without_glued_gender(_cards_joined(parsed))
        named = [i for i, row in enumerate(parsed) if row is not None and (row.name or row.id)]
        with_name = [i for i in named if parsed[i].name]
        out = []
        for i, row in enumerate(parsed):
            if row is None:
                continue
            if not (row.name or row.id):
                section = max((n for n in named if n < i), default=None)
                if (section is not None and parsed[section].heads_section and (row.months or row.ongoing)
                        and len(row.row.cells) > 1):
                    # a person's proof: the rows of their own tables (a note under a table, one line of prose
                    # however many months it names, is no row of it: 2026年11月起暂停参保)
                    owner = parsed[section]
                    out.append(replace(row, name=owner.name, id=owner.id, left=row.left if row.status_shown else owner.left))
                    continue
                if not row.insurance or not named:
                    continue
                owner = parsed[min(named, key=lambda n: (abs(n - i), n > i))]
                # the person's row, and their status where the row prints none (a card's 已减员 on its first line)
                row = replace(row, name=owner.name, id=owner.id, left=row.left if row.status_shown else owner.left)
            elif not row.name and row.insurance and with_name:  # the ID's merged cell centred lower than the name's
                nearest = min(with_name, key=lambda n: (abs(n - i), n > i))
                owner = parsed[nearest]
                if owner.id is None and owner.insurance and abs(nearest - i) <= MERGED_CELL_ROWS:
                    row = replace(row, name=owner.name, problems=())
            out.append(row)
        return out

    def _insured_row(self, record: Record, month_columns: dict[int, str]) -> InsuredRow | None:
        name, trailing = person_name(record.get("name"))
        if name is None and not record.get("name"):
            name = _name_after_number(record.get("seq"))
        ident = visible_id(trailing + record.get("id_number"))
        printed = insured_month_text(record)
        months = tuple(m.value for m in find_months(printed) if m.role is not RangeRole.START)
        repaired = _repaired_month(printed) if printed and not months else None
        months = months or ((repaired,) if repaired else ())
        months = months or tuple(sorted({month for cell in record.row.cells if cell.col in month_columns
                                         and _paid(cell.text) for month in [month_columns[cell.col]]}))
        paid = bool(months)
        until = find_months(record.get("insured_until"))
        months = months or tuple(m.value for m in until[-1:])
        ongoing = bool(find_months(record.get("insured_since"))) and not until and not months  # a paid month says more
        # the status column's words, and a status word wherever the row prints it (a card's 已减员 tag beside the name,
        # a status glued behind the last amount or split into its characters)
        status = " ".join([record.get("status"), *(c.text for c in record.row.cells if self._value_role(c.text) == "status"),
                           *(word for word in _loose_words(record.row.cells) if self._value_role(word) == "status")])
        left = any(w in status for w in self.options.leaver_words)
        problems = ()
        if name is None and (ident or record.get("name")):
            cell = record.get("name")
            problems = (f"{cell!r} is not a name (page {record.row.page})" if cell else f"no name on page {record.row.page}",)
        if printed and not months:
            problems += (f"month {printed!r} unreadable (page {record.row.page})",)
        elif repaired:
            problems += (f"month {printed!r} read as {repaired}: a dot-matrix 0 read as 8 or 6 (page {record.row.page})",)
        return InsuredRow(name, ident, months, record.get("insurance"), left, record.row, problems, ongoing, record.header,
                          bool(status.strip()), paid, record.form)

    # --- facts ------------------------------------------------------------------------------------------------

    def _roster_facts(self, document: Document, insured: list[InsuredRow], records: list[Record],
                      fields: dict[str, FieldReading], periods: dict[int, str]) -> list[Fact]:
        people_rows = [r for r in insured if r.name or identified(r)]
        if not people_rows:
            return []
        header = people_rows[0].header
        if header is None or not header.names & {"month", "paid_month"}:
            undated = [r.id is not None and bool(r.name) and r.name in r.row.text and not r.heads_section  # a person's own row
                       and not r.months and not r.ongoing and not any(p.startswith("month ") for p in r.problems)
                       for r in people_rows]
            people_rows = _payment_months(people_rows)
            if "period" in fields and any(r.months for r in people_rows):
                # a list for the one month the document states (费款所属期) prints no month in its persons' rows; the
                # months another table under the same header prints (本期人员增减变动's 变动所属期) leave them of that month
                people_rows = [replace(r, ongoing=True) if none else r for r, none in zip(people_rows, undated)]
            people_rows = _months_of_their_pages(periods, people_rows)
        months = sorted({m for r in people_rows for m in r.months})
        warnings: list[str] = []
        if any(r.ongoing for r in people_rows):
            month, month_confidence, _ = self._month_of_document(fields, warnings)
            paid = max((m for r in people_rows if r.paid for m in r.months), default=None)
            if paid is not None and (month is None or paid > month):  # a month paid says more than a caption's
                month, month_confidence = paid, None  # (a proof's 费款所属期 over its first row, 2025-11 of twelve)
            month = month or (months[-1] if months else None)
            latest = [r for r in people_rows if (r.ongoing or month in r.months) and not r.left]
        elif months:
            month, month_confidence = months[-1], None
            latest = [r for r in people_rows if month in r.months and not r.left]
        else:
            month, month_confidence, latest = self._month_of_document(fields, warnings)
            latest = [r for r in people_rows if not r.left]
        if not latest or month is None:
            return []
        people = distinct_people(latest)
        problems = [p for r in insured for p in r.problems]
        confidence, warnings = _confidence(latest, problems, header is not None, warnings)
        stated = _stated_count(records, fields, month)
        if stated is not None and stated != len(people):
            warnings.append(f"the document states {stated} insured in {month} but {len(people)} are read from its rows")
            confidence = min(confidence, UNCLEAN_CONFIDENCE)
        box, page, text = _rows_box(latest), latest[0].row.page, f"{month}: {len(people)} persons in {len(latest)} rows"
        roster = [{"name": p.name, "id_masked": p.id.masked if p.id else None} for p in people]
        roster_warnings = warnings + _check_digit_warnings(people)
        month_text = mask_id_numbers(latest[0].row.text)
        return [
            self._fact(document, "social_security_month", month, page, latest[0].row.bbox, month_text,
                       min(confidence, month_confidence or 1.0), warnings),
            self._fact(document, "social_security_headcount", len(people), page, box, text, confidence, warnings),
            self._fact(document, "social_security_roster", roster, page, box, text, confidence, roster_warnings),
        ]

    def _month_of_document(self, fields: dict[str, FieldReading], warnings: list[str]) -> tuple[str | None, float | None, list]:
        """A list whose rows print no month: the month it says it is for; else the month it was printed in."""
        period, printed = fields.get("period"), fields.get("printed_on")
        if period is not None:
            return period.value, period.confidence, []
        if printed is not None:
            warnings.append(f"the list prints no month; the month it was printed ({printed.value[:7]}) stands in")
            return printed.value[:7], GUESSED_MONTH_CONFIDENCE, []
        return None, None, []

    def _stated_count(self, document: Document, records: list[Record], fields: dict[str, FieldReading]) -> list[Fact]:
        """A certificate stating the count: a table of months and counts (the latest month's count), or a count
        printed after its label with the month the certificate is for."""
        counted = _counts_by_month(records)
        if counted:
            month, count, record = max(counted, key=lambda t: t[0])
            text = mask_id_numbers(record.row.text)
            confidence = TEXT_CONFIDENCE if record.row.exact else min(OCR_CONFIDENCE, record.row.confidence)
            return [self._fact(document, "social_security_month", month, record.row.page, record.row.bbox, text, confidence, []),
                    self._fact(document, "social_security_headcount", count, record.row.page, record.row.bbox, text,
                               confidence, [])]
        stated, period = fields.get("insured_count"), fields.get("period")
        if stated is None:
            return []
        facts = [reading_fact(document, stated, "social_security_headcount", NAME,
                              confidence=min(stated.confidence, STATED_CONFIDENCE))]
        if period is not None:
            facts.append(reading_fact(document, period, "social_security_month", NAME))
        return facts

    @staticmethod
    def _fact(document: Document, name: str, value: object, page: int, bbox: BBox, text: str, confidence: float,
              warnings: list[str]) -> Fact:
        return Fact(name=name, value=value, confidence=round(confidence, 4), document=document.path, page=page,
                    bbox=bbox, text=mask_id_numbers(text), extractor=NAME, warnings=list(warnings),
                    evidence=["table read by " + ("its header" if "header" in text else "content")])


def insured_month_text(record: Record) -> str:
    """The month a row's person is insured in: the period its payment is for, else the month it was paid in."""
    return record.get("month") or record.get("paid_month")


def _counts_by_month(records: list[Record]) -> list[tuple[str, int, Record]]:
    """A table of months and counts (参保人数 by 费款所属期): (month, count, its row)."""
    return [(m.value, int(c.group(0)), r) for r in records if (c := re.search(r"\d+", r.get("count")))
            for m in find_months(insured_month_text(r))[-1:]]


def _stated_count(records: list[Record], fields: dict[str, FieldReading], month: str) -> int | None:
    """The count the document states for `month`, if it states one: in a table of months and counts, or after
    its label (参保人数 25 人) in a document stating no other month."""
    for counted_month, count, _ in _counts_by_month(records):
        if counted_month == month:
            return count
    stated, period = fields.get("insured_count"), fields.get("period")
    if stated is None or (period is not None and period.value != month):
        return None
    return stated.value


_DOT_MATRIX = {"8": "0", "6": "0"}  # a dot-matrix print's 0, read as 8 or 6
_YEARS = range(1990, 2040)


def _repaired_month(cell: str) -> str | None:
    """A month column's cell that reads as no month (282610 for 202610): the one valid month that the fewest
    repairs of dot-matrix confusions in place give, else None. Never a character added or dropped."""
    compact = cell.strip()
    if not re.fullmatch(r"\d{6}", compact) or find_months(compact):
        return None
    places = [i for i, c in enumerate(compact) if c in _DOT_MATRIX]
    for repairs in range(1, len(places) + 1):
        found = set()
        for chosen in combinations(places, repairs):
            chars = [_DOT_MATRIX[c] if i in chosen else c for i, c in enumerate(compact)]
            year, month = int("".join(chars[:4])), int("".join(chars[4:]))
            if year in _YEARS and 1 <= month <= 12:
                found.add(f"{year:04d}-{month:02d}")
        if found:
            return found.pop() if len(found) == 1 else None
    return None


def _months_of_their_pages(periods: dict[int, str], rows: list[InsuredRow]) -> list[InsuredRow]:
    """A workbook of one sheet per month (a file of several months' lists, each under its own 费款所属期): rows
    that print no month are of their own page's month (`periods`, by page number), not of whichever month the
    document states first. Only when every page holding such rows states its month and the pages state different
    ones; one month stated on every page is the document's, and a list going on over pages that state none is one
    list."""
    undated = {r.row.page for r in rows if not r.months}
    if len(set(periods.values())) < 2 or not undated <= set(periods):
        return rows
    return [replace(r, months=(periods[r.row.page],), ongoing=False) if not r.months and r.row.page in periods else r
            for r in rows]


def _payment_months(rows: list[InsuredRow]) -> list[InsuredRow]:
    """Months a row shows by their values alone are payment months only when most persons share them (a
    list's month); dates that differ from person to person are when each joined, and are dropped."""
    persons: dict[str, set[str]] = {}  # month -> the names showing it
    for row in rows:
        for month in row.months:
            persons.setdefault(month, set()).add(row.name or "")
    everyone = {row.name for row in rows}
    shared = {m for m, names in persons.items() if len(names) >= 0.5 * len(everyone)}
    return [replace(r, months=tuple(m for m in r.months if m in shared)) for r in rows]


def _month_columns(header: Header | None, rows: list[GridRow], columns: Columns) -> dict[int, str]:
    """Columns that are months (one merged header per month over its 险种 columns): column -> YYYY-MM. The
    months are in the header row or in a header row of their own next to it, never in a row holding data."""
    if header is None:
        return {}
    position = rows.index(header.row)
    found: dict[int, str] = {}
    for row in rows[max(0, position - 2):position + 2]:
        months = {cell.col: found_months[0].value for cell in row.cells
                  if cell.col is not None and len(found_months := find_months(cell.text)) == 1 and len(cell.text) <= 12}
        if row is header.row or all(cell.col in months or header_role(cell.text, columns) for cell in row.cells):
            found.update(months)
    return found if len(set(found.values())) >= 2 else {}


def _paid(text: str) -> bool:
    """A cell under a month column that shows a payment (a non-zero amount, or a tick)."""
    number = re.sub(r"[,¥￥]", "", text)
    try:
        return float(number) != 0
    except ValueError:
        return text in ("√", "✓", "是", "缴", "正常")


def _rows_box(rows: list[InsuredRow]) -> BBox:
    on_page = [r.row for r in rows if r.row.page == rows[0].row.page]
    return (min(r.bbox[0] for r in on_page), min(r.bbox[1] for r in on_page),
            max(r.bbox[2] for r in on_page), max(r.bbox[3] for r in on_page))


def _confidence(latest: list[InsuredRow], problems: list[str], headed: bool, warnings: list[str]) -> tuple[float, list[str]]:
    ocr = [r.row.confidence for r in latest if not r.exact]
    confidence = min(OCR_CONFIDENCE, float(np.mean(ocr))) if ocr else TEXT_CONFIDENCE
    if not headed:
        confidence = min(confidence, NO_HEADER_CONFIDENCE)
    if not problems:
        return confidence, warnings
    shown = "; ".join(problems[:3]) + (f"; and {len(problems) - 3} more" if len(problems) > 3 else "")
    return min(confidence, UNCLEAN_CONFIDENCE), [*warnings, f"{len(problems)} rows could not be parsed cleanly ({shown}); the count may be off"]


def _check_digit_warnings(people: list[Person]) -> list[str]:
    failing = [p.name or p.id.masked for p in people if p.id is not None and p.id.check_ok is False]
    return [f"ID numbers of {', '.join(failing)} fail their check digit"] if failing else []


EXTRACTOR = SocialSecurityList()
extract = EXTRACTOR.extract
