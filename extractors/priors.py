"""Document-level priors: where a value sits when no label is printed. A kind's data file names them per field:

- `largest` (optionally `centred`): the one value of its type printed clearly larger than the others of as strong a
  shape, e.g. the holder's name on a certificate;
- `after_words`: the first value of its type after one of `words` (有效期至, Valid until …) on its line, or at
  the end of the line above;
- `before_words`: a value followed closely by one of `words` (…公司于…开发完成; an addressee's 公司：);
- `range_end` / `range_start`: an end of a printed range (有效期：X 至 Y);
- `only`: the only value of its type on the page;
- `same_shape`: one of several different values of one exact shape (a certificate number per certificate);
- `last`: the value printed lowest on the page (an issuer at the foot, by its seal);
- `own_line`: a value that is all its line prints (a title in 《》);
- `earliest` / `latest`: of exactly two distinct dates on the page, the earlier / the later.
"""
from __future__ import annotations

import re
import statistics
from collections.abc import Callable

from extractors.dates import RangeRole
from extractors.field_reading import Candidate, PageContext
from extractors.field_types import FieldSpec, PriorSpec
from extractors.lines import below_within

LARGER = 1.25  # the largest value's height over the next one's
ABOVE_TEXT = 1.3  # the largest value's height over the page's median line
CENTRED = 0.2  # share of the page width the value's centre may be off the page's axis

Prior = Callable[[PriorSpec, list[Candidate], PageContext], None]


def _largest(spec: PriorSpec, candidates: list[Candidate], context: PageContext) -> None:
    usable = [c for c in candidates if c.found.valid]
    if not usable:
        return
    ranked = sorted(usable, key=lambda c: -c.height)
    top = ranked[0]
    # a value of a weaker shape (UI words read as a Latin name: Exam Records) is no rival to a stronger one
    others = [c.height for c in ranked[1:] if c.found.value != top.found.value and c.found.strength >= top.found.strength]
    # text size is the blocks' own height: a line's box grows with every block it joins on a tilted photo
    median = statistics.median(block.bbox[3] - block.bbox[1] for line in context.lines for block in line.blocks)
    if (others and top.height < LARGER * max(others)) or top.height < ABOVE_TEXT * median:
        return
    if spec.centred:
        centre = (top.bbox[0] + top.bbox[2]) / 2
        if abs(centre - context.page.width / 2) > CENTRED * context.page.width:
            return
    for candidate in usable:
        if candidate.found.value == top.found.value:
            candidate.add_prior(1.0, "printed largest" + (" and centred" if spec.centred else "") + " on the page")


def _after_words(spec: PriorSpec, candidates: list[Candidate], context: PageContext) -> None:
    seen_lines: set[int] = set()
    for candidate in sorted(candidates, key=lambda c: (c.line.index, c.start)):
        if candidate.line.index in seen_lines:
            continue
        word = context.words_before(candidate, spec.words)
        if word is not None:
            candidate.add_prior(1.0, f"the first after {word!r}")
            seen_lines.add(candidate.line.index)


def _before_words(spec: PriorSpec, candidates: list[Candidate], context: PageContext) -> None:
    """The value followed, within `window` characters (running on into the next line) and in the same item of a
    list, by one of `words`: the owner in 南京…公司于二〇二〇年…开发完成, the addressee in 济南…公司：经评估…"""
    for candidate in candidates:
        after = candidate.line.text[candidate.end:]
        following = [line for line in context.lines if line.index == candidate.line.index + 1]
        if following and below_within(candidate.line, following[0], 1.5):
            after += following[0].text
        for word in spec.words:
            at = after.find(word)
            if 0 <= at <= spec.window and not _LIST_SEPARATOR.search(after[:at]):
                candidate.add_prior(1.0, f"followed by {word!r}")
                break


_LIST_SEPARATOR = re.compile(r"[·•|｜;；]")  # items of a list set apart (已加入 20 人 · 未加入 2 人): the next item's words


def _own_line(spec: PriorSpec, candidates: list[Candidate], context: PageContext) -> None:
    """The value is all its line prints: a title line such as 《星图供应链协同系统V1.0》."""
    for candidate in candidates:
        if len(candidate.printed) >= 0.9 * len(candidate.line.text):
            candidate.add_prior(0.8, "printed alone on its line")


def _range(role: RangeRole) -> Prior:
    def prior(spec: PriorSpec, candidates: list[Candidate], context: PageContext) -> None:
        for candidate in candidates:
            if candidate.found.role is role and (not spec.words or context.words_before(candidate, spec.words)):
                candidate.add_prior(1.0, f"the {role} of a printed range")
    return prior


def _only(spec: PriorSpec, candidates: list[Candidate], context: PageContext) -> None:
    """The only value of its type on the page that no other field's label claims (主体类型 有限责任公司 is a type)."""
    chosen = [c for c in candidates if c.found.valid and (spec.script is None or _script(str(c.found.value)) == spec.script)
              and (c.segment.after is None or c.segment.after.field == c.field)]
    shortest = min((str(c.found.value) for c in chosen), key=len, default="")
    if all(_with_a_word_after(str(c.found.value), shortest) for c in chosen):
        chosen = [c for c in chosen if c.found.value == shortest]  # 腾讯云数据库工程师 and …工程师认证: one title
    if len({c.found.value for c in chosen}) == 1:
        where = f"the only {spec.script} value" if spec.script else "the only value"
        for candidate in chosen:
            candidate.add_prior(0.8, f"{where} of its kind on the page")


_WORD_AFTER = 2  # Chinese characters a value may be printed with (…工程师认证) and still be the one value


def _with_a_word_after(value: str, shorter: str) -> bool:
    """`value` is `shorter` itself, or `shorter` printed with a short Chinese word after it."""
    tail = value[len(shorter):]
    return value.startswith(shorter) and len(tail) <= _WORD_AFTER and bool(re.fullmatch(r"[\u4e00-\u9fff]*", tail))


def _last(spec: PriorSpec, candidates: list[Candidate], context: PageContext) -> None:
    """The value of its type printed lowest on the page: who signs and seals (an issuer at the foot)."""
    usable = [c for c in candidates if c.found.valid]
    if not usable:
        return
    lowest = max(usable, key=lambda c: (c.bbox[3], c.bbox[0]))
    for candidate in usable:
        if candidate.found.value == lowest.found.value:
            candidate.add_prior(0.6, "printed lowest on the page, where the issuer signs")


def _same_shape(spec: PriorSpec, candidates: list[Candidate], context: PageContext) -> None:
    """Two or more different values of one exact shape (2024TCP7189800, 2023TCA6094691: four digits, three
    letters, seven digits) on a page of several items: one per item, each its item's."""
    by_shape: dict[str, set[str]] = {}
    for candidate in candidates:
        value = str(candidate.found.value)
        if candidate.found.valid and len(value) >= 6:
            by_shape.setdefault(_shape(value), set()).add(value)
    for candidate in candidates:
        values = by_shape.get(_shape(str(candidate.found.value)), set())
        if len(values) >= 2:
            candidate.add_prior(0.6, f"one of {len(values)} values of the same shape, one per item")


def _shape(value: str) -> str:
    return re.sub(r"[A-Za-z]", "L", re.sub(r"\d", "D", value))


def _script(text: str) -> str:
    return "chinese" if re.search(r"[\u4e00-\u9fff]", text) else "latin"


def _extreme(latest: bool) -> Prior:
    def prior(spec: PriorSpec, candidates: list[Candidate], context: PageContext) -> None:
        values = sorted({c.found.value for c in candidates if c.found.valid and isinstance(c.found.value, str)
                         and c.found.value[:1].isdigit()})
        if len(values) != 2:
            return
        chosen = values[-1] if latest else values[0]
        for candidate in candidates:
            if candidate.found.value == chosen:
                candidate.add_prior(0.6, f"the {'later' if latest else 'earlier'} of the page's two dates")
    return prior


PRIORS: dict[str, Prior] = {
    "largest": _largest,
    "after_words": _after_words,
    "before_words": _before_words,
    "range_end": _range(RangeRole.END),
    "range_start": _range(RangeRole.START),
    "only": _only,
    "same_shape": _same_shape,
    "last": _last,
    "own_line": _own_line,
    "earliest": _extreme(latest=False),
    "latest": _extreme(latest=True),
}


def apply_priors(spec: FieldSpec, candidates: list[Candidate], context: PageContext) -> None:
    for prior in spec.priors:
        PRIORS[prior.prior](prior, candidates, context)


def check_prior_names(names: list[str]) -> list[str]:
    """The names that are not priors, for the data-file loader's message."""
    return [n for n in names if n not in PRIORS]
