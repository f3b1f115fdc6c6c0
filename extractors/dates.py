"""Dates in every printed form, found by shape anywhere in a text: 2019年3月5日, 2019-03-05, 2019/3/5, 2019.03.05,
二〇一九年三月五日, Mar 5, 2019, 5 March 2019, 05/03/2019; and ranges (X至Y, X - Y, X to Y, X至长期).

Texts are normalised first (NFKC, no spaces), so every pattern is written without spaces. A day-first or
month-first numeric date whose day and month are both 12 or less cannot be told apart: it is found with a low
strength and a warning, never guessed silently."""
from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from enum import StrEnum

import cn2an

from extractors.lines import normalise_line
from extractors.values import ValueParseError

OPEN_ENDED = ("长期有效", "长期", "永久", "无固定期限", "不约定期限", "永续经营", "long-term", "long term", "longterm",
              "permanent", "perpetual", "indefinite", "no fixed term", "unlimited")


class RangeRole(StrEnum):
    START = "start"
    END = "end"


@dataclass(frozen=True)
class DateMention:
    """A date printed in a text: its value, where it is (offsets in the normalised text), how sure the shape is."""

    value: dt.date | str  # a date, or "长期" for an open end of a range
    start: int
    end: int
    strength: float  # 1.0 unambiguous; lower when day and month could be swapped
    role: RangeRole | None = None  # the date's place in a printed range
    warnings: tuple[str, ...] = ()


_CN = "〇零一二三四五六七八九十○OΟ"
_MONTHS = {name: n for n, names in enumerate(
    (("jan", "january"), ("feb", "february"), ("mar", "march"), ("apr", "april"), ("may",), ("jun", "june"),
     ("jul", "july"), ("aug", "august"), ("sep", "sept", "september"), ("oct", "october"), ("nov", "november"),
     ("dec", "december")), start=1) for name in names}
_MONTH_WORD = "|".join(sorted(_MONTHS, key=len, reverse=True))
_YEAR = r"(?:19|20)\d{2}"
_PATTERNS: tuple[tuple[str, re.Pattern[str]], ...] = (
    # the day may run on into a time OCR printed without a space (2026-11-2418:59:59)
    ("ymd", re.compile(rf"(?<!\d)(?P<y>{_YEAR})(?P<s1>[年\-/.])(?P<m>\d{{1,2}})(?P<s2>[月\-/.])(?P<d>\d{{1,2}})(?:(?!\d)|(?<=\d\d)(?=\d{{1,2}}:\d\d))日?")),
    ("cn", re.compile(rf"(?P<y>[{_CN}]{{4}})年(?P<m>[{_CN}]{{1,3}})月(?P<d>[{_CN}]{{1,3}})日")),
    # Aug 9, 2029 (OCR may read the comma as a point: Jan 16.2026)
    ("mdy_word", re.compile(rf"(?i)(?<![a-z])(?P<m>{_MONTH_WORD})\.? ?(?P<d>\d{{1,2}})(?:st|nd|rd|th)?[,.]? ?(?P<y>{_YEAR})(?!\d)")),
    # 9 August 2029, 09-Aug-2029 (Huawei), 9th of Aug. 2029
    ("dmy_word", re.compile(rf"(?i)(?<!\d)(?P<d>\d{{1,2}})(?:st|nd|rd|th)?[ \-/]?(?:of ?)?(?P<m>{_MONTH_WORD})\.?,?[ \-/]?(?P<y>{_YEAR})(?!\d)")),
    ("numeric", re.compile(rf"(?<![\d.\-/])(?P<a>\d{{1,2}})(?P<s1>[/.\-])(?P<b>\d{{1,2}})(?P=s1)(?P<y>{_YEAR})(?!\d)")),
)
_YMD_SEPARATORS = {("年", "月"), ("-", "-"), ("/", "/"), (".", ".")}
_YEAR_DIGITS = {c: str(i) for i, c in enumerate("〇一二三四五六七八九")} | {"零": "0", "○": "0", "O": "0", "Ο": "0"}
_RANGE_JOINERS = ("至", "到", "~", "～", "-", "—", "–", "to", "through", "until", "till")


def find_dates(compact: str) -> list[DateMention]:
    """Every date printed in a normalised text (`normalise` or `lines.normalise_line`; offsets are into it), in
    order, with its range role when it is one end of a printed range."""
    found: list[DateMention] = []
    taken: list[tuple[int, int]] = []
    # OCR reads the 一 of Chinese-numeral years as a dash (二〇-一年); same length, so offsets hold.
    dashes_as_one = re.sub(r"[—\-－]", "一", compact)
    for style, pattern in _PATTERNS:
        for match in pattern.finditer(dashes_as_one if style == "cn" else compact):
            if any(match.start() < end and start < match.end() for start, end in taken):
                continue
            mention = _mention(style, match)
            if mention is not None:
                found.append(mention)
                taken.append((match.start(), match.end()))
    found.sort(key=lambda m: m.start)
    return _open_words(compact, _lone_ends(compact, _with_ranges(compact, found)))


def _mention(style: str, match: re.Match[str]) -> DateMention | None:
    try:
        if style == "ymd":
            if (match.group("s1"), match.group("s2")) not in _YMD_SEPARATORS:
                return None
            return DateMention(_date(int(match.group("y")), int(match.group("m")), int(match.group("d"))),
                               match.start(), match.end(), 1.0)
        if style == "cn":
            year = "".join(_YEAR_DIGITS.get(c, "?") for c in match.group("y"))
            if "?" in year:
                return None
            return DateMention(_date(int(year), _small_chinese(match.group("m")), _small_chinese(match.group("d"))),
                               match.start(), match.end(), 1.0)
        if style in ("mdy_word", "dmy_word"):
            month = _MONTHS[match.group("m").lower()]
            return DateMention(_date(int(match.group("y")), month, int(match.group("d"))), match.start(), match.end(), 1.0)
        return _numeric(match)
    except ValueParseError:
        return None


def _numeric(match: re.Match[str]) -> DateMention | None:
    """a/b/YYYY: day first when a > 12, month first when b > 12; both readings possible otherwise."""
    a, b, year = int(match.group("a")), int(match.group("b")), int(match.group("y"))
    if a > 12 and b <= 12:
        return DateMention(_date(year, b, a), match.start(), match.end(), 1.0)
    if b > 12 and a <= 12:
        return DateMention(_date(year, a, b), match.start(), match.end(), 1.0)
    if a == b:
        return DateMention(_date(year, a, b), match.start(), match.end(), 1.0)
    day_first = _date(year, b, a)
    warning = f"{match.group(0)} may be {day_first.isoformat()} (day first) or {_date(year, a, b).isoformat()} (month first)"
    return DateMention(day_first, match.start(), match.end(), 0.4, warnings=(warning,))


def _date(year: int, month: int, day: int) -> dt.date:
    try:
        return dt.date(year, month, day)
    except ValueError as exc:
        raise ValueParseError(f"not a real date: {year}-{month}-{day}") from exc


def _small_chinese(numerals: str) -> int:
    try:
        return int(cn2an.cn2an(numerals.replace("○", "〇"), "normal"))
    except (ValueError, KeyError, IndexError, TypeError, AttributeError) as exc:
        raise ValueParseError(f"not a Chinese numeral: {numerals!r}") from exc


def _with_ranges(compact: str, mentions: list[DateMention]) -> list[DateMention]:
    """Mark the two ends of `X至Y` (also -, ~, to …), and an open end `X至长期` as a mention of "长期"."""
    out = list(mentions)
    for i, first in enumerate(mentions):
        gap_start = first.end
        following = mentions[i + 1] if i + 1 < len(mentions) else None
        gap = compact[gap_start:following.start] if following else compact[gap_start:gap_start + 12]
        joiner = _joiner(gap)
        if joiner is None:
            continue
        rest = gap[joiner:]
        if following is not None and rest in ("", "止"):
            out[out.index(first)] = _role(first, RangeRole.START)
            out[out.index(following)] = _role(following, RangeRole.END)
            continue
        for word in OPEN_ENDED:
            if rest.lower().startswith(word):
                start = gap_start + joiner
                out[out.index(first)] = _role(first, RangeRole.START)
                out.append(DateMention("长期", start, start + len(word), 1.0, RangeRole.END))
                break
    return sorted(out, key=lambda m: m.start)


_START_WORDS = ("自", "从", "from", "起始")
_END_WORDS = ("至", "到", "止", "to", "until", "till", "through", "validuntil", "valid until")


def _lone_ends(compact: str, mentions: list[DateMention]) -> list[DateMention]:
    """One end of a range printed without the other on this text (the range runs over two lines): a date right
    after 至 / to is an end; a date after 自 / from, or followed by a joiner and nothing readable, is a start."""
    out = []
    for mention in mentions:
        if mention.role is None:
            before = compact[max(0, mention.start - 12):mention.start].lower().rstrip(" :：")
            after = compact[mention.end:mention.end + 3].lower().lstrip(" ")
            if before.endswith(_END_WORDS):
                mention = _role(mention, RangeRole.END)
            elif before.endswith(_START_WORDS) or (after and _joiner(after) is not None and not after.startswith("-")):
                mention = _role(mention, RangeRole.START)
        out.append(mention)
    return out


def _open_words(compact: str, mentions: list[DateMention]) -> list[DateMention]:
    """长期 / 永久 … printed alone (营业期限：长期): an open end, weakly, since the words occur in prose too."""
    out = list(mentions)
    for word in OPEN_ENDED:
        for match in re.finditer(re.escape(word), compact, flags=re.IGNORECASE):
            if not any(m.start <= match.start() < m.end or match.start() <= m.start < match.end() for m in out):
                out.append(DateMention("长期", match.start(), match.end(), 0.5, RangeRole.END))
    return sorted(out, key=lambda m: m.start)


def _joiner(gap: str) -> int | None:
    """The length of the range joiner that `gap` starts with (after an optional 起 / 日起), or None."""
    head = gap[1:] if gap.startswith("起") else gap
    offset = len(gap) - len(head)
    stripped = head.lstrip(" ")
    offset += len(head) - len(stripped)
    for joiner in _RANGE_JOINERS:
        if stripped.lower().startswith(joiner):
            rest = stripped[len(joiner):]
            return offset + len(joiner) + len(rest) - len(rest.lstrip(" "))
    return None


def _role(mention: DateMention, role: RangeRole) -> DateMention:
    return DateMention(mention.value, mention.start, mention.end, mention.strength, role, mention.warnings)


def parse_date(text: str) -> dt.date:
    """The first date printed in `text`; raises ValueParseError when there is none."""
    for mention in find_dates(normalise_line(text)):
        if isinstance(mention.value, dt.date):
            return mention.value
    raise ValueParseError(f"not a date: {text!r}")


@dataclass(frozen=True)
class MonthMention:
    value: str  # YYYY-MM
    start: int
    end: int
    role: RangeRole | None = None


_MONTH_PATTERNS = (
    re.compile(rf"(?<!\d)(?P<y>{_YEAR})(?:年|[\-/.])(?P<m>\d{{1,2}})(?:月|(?![\d]))"),
    re.compile(rf"(?<![\d.])(?P<y>{_YEAR})(?P<m>0[1-9]|1[0-2])(?!\d)"),
    re.compile(rf"(?i)(?<![a-z])(?P<mw>{_MONTH_WORD})\.?,? ?(?P<y>{_YEAR})(?!\d)"),
)


def find_months(compact: str) -> list[MonthMention]:
    """Months printed in a normalised text: 2026年8月, 2026-08, 2026.08, 202608, Oct 2026, and the month of every
    full date; the ends of a printed range keep their roles (2026-08至2026-10: the end is 2026-10)."""
    found = [MonthMention(m.value.strftime("%Y-%m"), m.start, m.end, m.role)
             for m in find_dates(compact) if isinstance(m.value, dt.date)]
    for pattern in _MONTH_PATTERNS:
        for match in pattern.finditer(compact):
            if any(f.start < match.end() and match.start() < f.end for f in found):
                continue
            month = _MONTHS[match.group("mw").lower()] if "mw" in match.groupdict() and match.group("mw") else int(match.group("m"))
            if 1 <= month <= 12:
                found.append(MonthMention(f"{match.group('y')}-{month:02d}", match.start(), match.end()))
    found.sort(key=lambda m: m.start)
    return _month_ranges(compact, found)


def _month_ranges(compact: str, mentions: list[MonthMention]) -> list[MonthMention]:
    out = list(mentions)
    for i, (first, second) in enumerate(zip(mentions, mentions[1:])):
        joiner = _joiner(compact[first.end:second.start])
        if joiner is not None and compact[first.end:second.start][joiner:].strip() in ("", "止"):
            out[i] = MonthMention(first.value, first.start, first.end, RangeRole.START)
            out[i + 1] = MonthMention(second.value, second.start, second.end, RangeRole.END)
    return out
