"""The typed field layer: a field's value is read by its shape, its label and the document's priors, and trusted
as far as they agree.

1. Shape: every value of the field's type on the page (extractors/field_types.py), wherever it is printed.
2. Label: a label of the field (Chinese or English, matched exactly or fuzzily: extractors/labels.py) on the same
   line just before the value, or on the line above it (or below, for dashboard cards), in page geometry.
3. Prior: where the document puts the value when no label is printed (extractors/priors.py): the name printed
   largest on a certificate, the end of a printed range, the date after 有效期 / Valid until …

Confidence is the agreement of the three: each present evidence removes part of the doubt the others leave. A
value found by one of them stays below the confidence gate (0.8); two make it usable; all three make it sure.
A labelled identifier that fits no known format is kept as printed, at 0.5, with a warning."""
from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from typing import Any

from extractors.field_types import FieldSpec, FieldType, Found, find_values
from extractors.labels import LabelHit, find_labels
from extractors.lines import Line, below_within, continues, make_line, page_lines
from extractors.shapes import BAD_CHECK_CONFIDENCE, IdFormat, Lookalikes
from extractors.values import normalise, unpaired_brackets
from pipeline.models import BBox, Document, Fact, Page
from pipeline.names import pinyin_match

SHAPE_WEIGHT, LABEL_WEIGHT, PRIOR_WEIGHT = 0.7, 0.8, 0.7
GENERIC_FORMAT_CONFIDENCE = 0.6  # an identifier that fits only the general form of a number
CONTESTED, CONTESTED_CAP = 0.8, 0.75  # a rival value read this surely caps the best one at the cap
SECOND_CANDIDATE = 0.85  # the second value after a label on its line is less likely its value
BELOW, ABOVE = 0.9, 0.85  # a value under (over) its label, rather than after it on its line
BESIDE = 0.93  # a value right of its label on a baseline of its own
_BESIDE = 0.3  # the share of the smaller height a value beside its label overlaps it by
_REACH = 12.0  # label heights a value beside its label may be away
MAX_LINES_AWAY = 2.6  # line heights between a label and a value under or over it
_PUNCTUATION = ":：;；,，|/ "
_TOUCH = 0.5  # line heights two neighbouring lines' boxes may overlap by (a tilted photo's close rows)


@dataclass(frozen=True)
class Segment:
    """A piece of a line between labels and hard boundaries, and the label printed just before it, if any."""

    line: Line
    start: int
    end: int
    after: LabelHit | None
    join: int | None = None  # in two lines joined (a paragraph's line break), where the second starts

    @property
    def text(self) -> str:
        return self.line.text[self.start:self.end]


@dataclass
class Candidate:
    field: str
    found: Found
    segment: Segment
    rank: int  # the value's place among the values of its type in its segment
    label: float = 0.0
    label_how: str = ""
    prior: float = 0.0
    prior_how: str = ""

    @property
    def start(self) -> int:
        return self.segment.start + self.found.start

    @property
    def end(self) -> int:
        return self.segment.start + self.found.end

    @property
    def line(self) -> Line:
        return self.segment.line

    @property
    def bbox(self) -> BBox:
        return self.line.bbox_of(self.start, self.end)

    @property
    def height(self) -> float:
        box = self.bbox
        return box[3] - box[1]

    @property
    def printed(self) -> str:
        return self.line.text[self.start:self.end]

    def add_label(self, weight: float, how: str) -> None:
        if weight > self.label:
            self.label, self.label_how = weight, how

    def add_prior(self, weight: float, how: str) -> None:
        if weight > self.prior:
            self.prior, self.prior_how = weight, how

    @property
    def agreement(self) -> float:
        doubt = (1 - SHAPE_WEIGHT * self.found.strength) * (1 - LABEL_WEIGHT * self.label) * (1 - PRIOR_WEIGHT * self.prior)
        return 1 - doubt


@dataclass(frozen=True)
class FieldReading:
    """A field's value as read, with what it rests on."""

    field: str
    value: Any
    confidence: float
    page: int
    bbox: BBox
    text: str
    evidence: tuple[str, ...]
    warnings: tuple[str, ...] = ()

    def with_value(self, value: Any, *evidence: str) -> FieldReading:
        """The same reading holding a value derived from the printed one (brackets as registered, a repair)."""
        return replace(self, value=value, evidence=(*self.evidence, *evidence))


@dataclass
class PageContext:
    """What priors may look at: the page, its lines, and every label found on it."""

    page: Page
    lines: list[Line]
    hits: dict[int, list[LabelHit]] = field(default_factory=dict)  # line index -> hits

    def words_before(self, candidate: Candidate, words: Sequence[str]) -> str | None:
        """One of `words` printed before the candidate on its line, or at the end of the line above."""
        lowered = [w.lower() for w in words]
        before = candidate.line.text[:candidate.start].lower()
        for word in lowered:
            if word in before:
                return word
        above = [line for line in self.lines if line.index == candidate.line.index - 1]
        if above and _close_below(above[0], candidate.line):
            tail = above[0].text.lower()
            return next((w for w in lowered if tail.endswith(w) or tail.endswith(w + ":")), None)
        return None


def _close_below(upper: Line, lower: Line) -> bool:
    return below_within(upper, lower, MAX_LINES_AWAY)


class FieldReader:
    """Reads the typed fields a kind's data file declares, on a page or part of one."""

    def __init__(self, fields: dict[str, FieldSpec], formats: dict[str, list[IdFormat]], lookalikes: Lookalikes):
        self.fields = fields
        self.formats = formats
        self.lookalikes = lookalikes
        self.labels = tuple((name, label) for name, spec in fields.items() for label in spec.labels)

    def context(self, page: Page) -> PageContext:
        lines = page_lines(page)
        return PageContext(page, lines, {line.index: [hit for hit in find_labels(line, self.labels) if not self._word_start(line, hit)]
                                         for line in lines})

    def _word_start(self, line: Line, hit: LabelHit) -> bool:
        """A two-character label glued to the Chinese words after it, in its block, that hold no value of its
        field's type: the start of a word (企业资源计划平台 is a product, not 企业 and a company)."""
        spec = self.fields.get(hit.field)
        if spec is None or spec.type is FieldType.NONE or len(hit.label) > 2 or not _CJK_CHAR.match(line.text[hit.end:hit.end + 1]):
            return False
        block_end = next(end for start, end in line.spans if start <= hit.start < end)
        glued = line.text[hit.end:block_end]
        return bool(glued) and not find_values(glued, spec, self.formats, self.lookalikes)

    def read_page(self, page: Page, wanted: Sequence[str] | None = None) -> dict[str, list[FieldReading]]:
        """Every typed field's readings on the page, most trusted first."""
        from extractors.priors import apply_priors

        context = self.context(page)
        segments = [s for line in context.lines for s in _segments(line, context.hits[line.index])]
        wrapped: dict[int, list[Segment]] = {}
        out = {}
        for name, spec in self.fields.items():
            if spec.type is FieldType.NONE or (wanted is not None and name not in wanted):
                continue
            candidates = self._candidates(name, spec, segments)
            if spec.wraps or (spec.wraps is None and spec.type in _WRAPPING):
                if spec.wrap_lines not in wrapped:
                    wrapped[spec.wrap_lines] = _wrapped(context, spec.wrap_lines)
                joined = _longest_runs(self._candidates(name, spec, wrapped[spec.wrap_lines]))
                # a value hanging onto the next line is read whole: its upper part alone is no reading of its own
                cut = {id(c.segment.after) for c in joined if _crosses(c) and _hangs(c)}
                candidates = [c for c in candidates if id(c.segment.after) not in cut]
                candidates += [c for c in joined if (_crosses(c) and (id(c.segment.after) in cut or not self._ends_at_join(c, spec)))
                               or _range_end_below(c, spec)]
            if spec.never:
                never = {normalise(v) for v in spec.never}
                candidates = [c for c in candidates if normalise(str(c.found.value)) not in never]
            self._label_evidence(name, spec, candidates, context)
            apply_priors(spec, candidates, context)
            out[name] = _readings(name, spec, candidates, page.number)
        return out

    def _candidates(self, name: str, spec: FieldSpec, segments: list[Segment]) -> list[Candidate]:
        out = []
        for segment in segments:
            found = find_values(segment.text, spec, self.formats, self.lookalikes)
            if spec.range is not None:  # a field taking one end of a range never takes the other end
                found = [f for f in found if f.role in (None, spec.range)]
            if spec.type is FieldType.ORGANISATION:
                found = [_from_its_own_block(f, segment, spec) for f in found]
            elif spec.one_cell:
                found = [_within_its_block(f, segment) for f in found]
            out += [Candidate(name, f, segment, rank) for rank, f in enumerate(found)
                    if not segment.line.crosses_hard(segment.start + f.start, segment.start + f.end)]
        return out

    def _ends_at_join(self, candidate: Candidate, spec: FieldSpec) -> bool:
        """The upper line already ends in a whole value of the type (名称 武汉…有限公司 | 类型 有限责任公司…): the
        line break cut nothing, and a value running on over it joins two."""
        join = candidate.segment.join
        upper = candidate.line.text[candidate.start:join].rstrip()
        return any(f.end == len(upper) for f in find_values(upper, spec, self.formats, self.lookalikes))

    def _label_evidence(self, name: str, spec: FieldSpec, candidates: list[Candidate], context: PageContext) -> None:
        # A label followed on its own line by a value of the field's type has its value: it reaches no further.
        answered = {id(c.segment.after) for c in candidates if c.segment.after is not None and c.segment.after.field == name}
        own = [(line, hit) for line in context.lines for hit in context.hits[line.index]
               if hit.field == name and id(hit) not in answered]
        for candidate in candidates:
            after = candidate.segment.after
            if after is not None and after.field == name:
                weight = after.score * (1.0 if candidate.rank == 0 else SECOND_CANDIDATE)
                candidate.add_label(weight, f"label {after.label} before it on its line")
                continue
            if after is not None:
                continue  # the value another label introduces is not this field's
            for line, hit in own:
                if _leads_into(line, hit, candidate, spec):
                    candidate.add_label(hit.score * BELOW, f"label {hit.label} ending the line above")
                    continue
                placed = _placed(line, hit, candidate, spec, context)
                if placed and (placed[0] == BESIDE or _aligned_label(candidate, line, context, placed[0] == ABOVE) is hit):
                    candidate.add_label(hit.score * placed[0], f"label {hit.label} {placed[1]}")


def _aligned_label(candidate: Candidate, line: Line, context: PageContext, over: bool) -> LabelHit | None:
    """The label the value sits most squarely under (or over), among everything `line` prints: a row of column
    headers (CERTIFICATE NO. | ISSUED ON | VALID UNTIL) gives each value below it to its own column, and a figure
    printed `over` a caption that is no label (部门, 管理员) belongs to that caption, not to the label beside it.
    Under a label, what follows the label on its line is the label's own (a value's second line, under it)."""
    box = candidate.bbox
    centre = (box[0] + box[2]) / 2

    def distance(span: tuple[int, int]) -> float:
        label = line.bbox_of(*span)
        overlap = min(box[2], label[2]) - max(box[0], label[0])
        return -overlap if overlap > 0 else abs((label[0] + label[2]) / 2 - centre)

    hits = context.hits[line.index]
    captions = [s for s in line.spans if not any(h.start < s[1] and s[0] < h.end for h in hits)]
    pieces = {(h.start, h.end): h for h in hits}
    headers = len(hits) >= 2  # a row of column headers: a caption among the labels heads a column of its own (部门数)
    for caption in captions:
        if headers and not any(c.isdigit() for c in line.text[caption[0]:caption[1]]):
            pieces[caption] = None
            continue
        owner = None if over else max((h for h in hits if h.end <= caption[0]), key=lambda h: h.end, default=None)
        if owner is not None and not any(owner.end <= c[0] < caption[0] for c in captions):
            pieces[caption] = owner  # the label's value, printed after it on its line
        else:
            pieces[caption] = None
    nearest = min(pieces, key=distance, default=None)
    return pieces.get(nearest) if nearest is not None else None


def _leads_into(line: Line, hit: LabelHit, candidate: Candidate, spec: FieldSpec) -> bool:
    """A label closing its line with a colon (…and has achieved their:) introduces the next line, wherever that
    line starts: running text read on, not a column under the label."""
    return (spec.below and line.text[hit.end:].strip() in (":", "：") and candidate.line.index == line.index + 1
            and _close_below(line, candidate.line))


def _other_label_over(line: Line, hit: LabelHit, box: BBox, context: PageContext) -> bool:
    """Another label of the line stands between the label and the value, or over the value: in a row of column
    headers (ISSUED ON | VALID UNTIL) a value right of one header, on a tilted photo, is the next header's."""
    for other in context.hits[line.index]:
        if other is hit:
            continue
        other_box = line.bbox_of(other.start, other.end)
        if other_box[0] < box[2] and line.bbox_of(hit.start, hit.end)[2] <= other_box[0]:
            return True
    return False


def _placed(line: Line, hit: LabelHit, candidate: Candidate, spec: FieldSpec, context: PageContext) -> tuple[float, str] | None:
    """How a value under (or over) a label sits in relation to it: (weight, words), or None. Under a label
    means under the label or under what follows it on its line up to the next label (a value's second line,
    its Chinese form under an English one)."""
    label_box = line.bbox_of(hit.start, hit.end)
    following = min((h.start for h in context.hits[line.index] if h.start >= hit.end), default=len(line.text))
    column = line.bbox_of(hit.start, following) if following > hit.end else label_box
    box = candidate.bbox
    height = max(label_box[3] - label_box[1], 1.0)
    overlap = min(box[3], label_box[3]) - max(box[1], label_box[1])
    if (overlap >= _BESIDE * min(height, box[3] - box[1]) and 0 <= box[0] - label_box[2] + height <= _REACH * height
            and not _other_label_over(line, hit, box, context)):
        return BESIDE, "beside it, off its line"
    reach = (column[0] - 2 * height, column[2] + 2 * height)
    overlaps = box[0] < reach[1] and reach[0] < box[2]
    if not overlaps:
        return None
    if spec.below and candidate.line.index > line.index and -_TOUCH * height <= box[1] - label_box[3] <= MAX_LINES_AWAY * height:
        return BELOW, "above it"
    if spec.above and candidate.line.index < line.index and -_TOUCH * height <= label_box[1] - box[3] <= MAX_LINES_AWAY * height:
        return ABOVE, "below it"
    return None


_WRAPPING = (FieldType.DATE, FieldType.MONTH, FieldType.ORGANISATION)  # values a paragraph's line break may cut


LEADING = 1.6  # a gap this many times the paragraph's widest so far ends it


def _wrapped(context: PageContext, most: int = 2) -> list[Segment]:
    """Each line of running text joined to the next (a date or a name cut by the line break:
    …于二〇二〇年 | 十二月二十八日开发完成; 被评为“20 | 25年度诚信示范企业”), and on to the lines after while they
    continue the paragraph, `most` lines at most (a title set narrow on a card: Tencent Cloud | Certified |
    Professional - | Operations): one segment per run of close lines, from the upper line's last label on (that
    label before it) to the end of the lowest line, the lines below holding none."""
    out = []
    for at, upper in enumerate(context.lines):
        last = max(context.hits[upper.index], key=lambda h: h.end, default=None)
        blocks, above, taken, gaps = list(upper.blocks), upper, 1, []
        for whole in context.lines[at + 1:at + 2 * most]:
            if taken >= most:
                break
            # what the lower line prints under the upper one: an avatar or a menu left of the paragraph is no part
            # of it, and a line printing nothing under it (a badge's caption further left) is passed over
            under = [b for b in whole.blocks if b.bbox[2] > upper.bbox[0]]
            if not under and most > 2:
                continue
            if context.hits[whole.index] or not under:
                break
            lower = whole if len(under) == len(whole.blocks) else make_line(whole.page, whole.index, under)
            if not continues(above, lower):
                break
            gap = lower.bbox[1] - above.bbox[3]
            if gaps and gap > LEADING * max(max(gaps), 0.1 * (above.bbox[3] - above.bbox[1])):
                break  # a paragraph's lines are evenly led: a wider gap starts something else (a status pill)
            gaps.append(gap)
            joined = make_line(lower.page, lower.index, [*blocks, *lower.blocks])
            start = _offset_in(joined, upper, last.end) if last is not None else 0
            start += len(joined.text[start:]) - len(joined.text[start:].lstrip(_PUNCTUATION))
            out.append(Segment(joined, start, len(joined.text), last, joined.spans[len(upper.blocks)][0]))
            blocks, above, taken = [*blocks, *lower.blocks], lower, taken + 1
    return out


def _longest_runs(joined: list[Candidate]) -> list[Candidate]:
    """Of the values read from runs of lines starting at the same place, the one read over the most lines: a
    title over four lines is not also its first three."""
    def run(c: Candidate) -> tuple[int, int]:
        return c.segment.line.blocks[0].bbox[1], len(c.segment.line.blocks)
    return [c for c in joined if not any(run(o)[0] == run(c)[0] and run(o)[1] > run(c)[1]
                                         and str(o.found.value).startswith(str(c.found.value)) for o in joined)]


def _offset_in(joined: Line, upper: Line, offset: int) -> int:
    """An offset of the upper line's text in the text of the upper and lower lines joined (the join may add a
    space between the lines' blocks, never inside the upper line)."""
    return offset if joined.text.startswith(upper.text) else joined.text.find(upper.text[offset:])


def _range_end_below(candidate: Candidate, spec: FieldSpec) -> bool:
    """The end of a range printed over two lines (经营期限 自2021年06月17日 | 至2041年06月16日): the lower line's
    date takes its role from the line above."""
    join = candidate.segment.join
    return spec.range is not None and candidate.found.role is spec.range and join is not None and candidate.start >= join


def _hangs(candidate: Candidate) -> bool:
    """A value that runs on under itself (软件名称：基于…平台[简称：…]V | 1.1, the lower line starting where the value
    starts, right of its label): the line break cut it, however whole the upper part reads. Running text starts
    its next line at the paragraph's margin instead."""
    join, line = candidate.segment.join, candidate.line
    if join is None or candidate.start >= join or candidate.segment.after is None:
        return False
    start = line.bbox_of(candidate.start, candidate.start + 1)[0]  # a share of its block by characters: slack
    lower = line.bbox_of(join, join + 1)
    height = lower[3] - lower[1]
    return lower[0] > line.bbox[0] + 2 * height and abs(lower[0] - start) <= 2 * height


_CJK_CHAR = re.compile(r"[\u4e00-\u9fff]")


def _crosses(candidate: Candidate) -> bool:
    """A value found in two joined lines that runs across the join (one inside a line is found there)."""
    join = candidate.segment.join
    return join is not None and candidate.start < join < candidate.end


def _segments(line: Line, hits: list[LabelHit]) -> list[Segment]:
    """The line cut at its labels and hard boundaries; a segment remembers the label just before it (through
    a hard boundary too: a label column and its value column)."""
    cuts = sorted({0, len(line.text), *line.hard, *(h.start for h in hits), *(h.end for h in hits)})
    out = []
    previous: LabelHit | None = None
    for start, end in zip(cuts, cuts[1:]):
        hit = next((h for h in hits if h.start == start and h.end == end), None)
        if hit is not None:
            previous = hit
            continue
        text = line.text[start:end]
        lead = len(text) - len(text.lstrip(_PUNCTUATION))
        if not text.strip(_PUNCTUATION):
            continue
        out.append(Segment(line, start + lead, end, previous))
        previous = None
    return out


def _readings(name: str, spec: FieldSpec, candidates: list[Candidate], page: int) -> list[FieldReading]:
    out = []
    for candidate in candidates:
        found = candidate.found
        if not found.valid and not candidate.label:
            continue  # an identifier fitting no format is kept only where its label says it is one
        if not candidate.label and not candidate.prior:
            continue  # a value of the right shape somewhere on the page is not yet this field's
        confidence = candidate.agreement * candidate.line.confidence_of(candidate.start, candidate.end)
        warnings = list(found.warnings)
        what = spec.labels[0] if spec.labels else name
        if not found.valid:
            confidence = min(confidence, BAD_CHECK_CONFIDENCE)
            warnings.append(f"{what} {found.value} matches no known format: misread, or not genuine; kept as printed")
        elif isinstance(found.value, str) and spec.type in _NAMED and unpaired_brackets(found.value):
            confidence = min(confidence, BAD_CHECK_CONFIDENCE)
            warnings.append(f"{what} {found.value} has a bracket that is not paired: a character is misread or lost; kept as printed")
        elif spec.type is FieldType.IDENTIFIER and found.strength < 1.0:
            confidence = min(confidence, GENERIC_FORMAT_CONFIDENCE)
            warnings.append(f"{what} {found.value} matches no known format, only the general form of a number; kept as printed")
        evidence = [f"shape: {spec.type} ({found.strength:.2f})"]
        if candidate.label:
            evidence.append(candidate.label_how)
        if candidate.prior:
            evidence.append(f"prior: {candidate.prior_how}")
        out.append(FieldReading(name, _unjoined(candidate), round(confidence, 4), page, candidate.bbox, candidate.printed,
                                tuple(evidence), tuple(warnings)))
    return disagreeing(sorted(out, key=lambda r: -r.confidence))


_NAMED = (FieldType.ORGANISATION, FieldType.TEXT, FieldType.PERSON)  # names and titles: their brackets pair


def _from_its_own_block(found: Found, segment: Segment, spec: FieldSpec) -> Found:
    """A name found running on from earlier blocks into its own (a top bar's English | 广州…有限公司; 帮助中心 |
    成都…有限公司, apart on a menu bar): the name starts with its own block, when the block before it is Latin
    words, or a word of its own (two characters or more, not a letter-spaced name's one) standing apart by half a
    character or more (text runs on without gaps), and the later blocks alone hold the whole name."""
    start, end = segment.start + found.start, segment.start + found.end
    line = segment.line
    if not isinstance(found.value, str):
        return found
    for i in reversed(range(len(line.spans) - 1)):
        block_start, block_end = line.spans[i]
        if not (start < line.spans[i + 1][0] < end and block_end > start):
            continue
        words = line.text[max(block_start, start):block_end]
        if re.fullmatch(r"[A-Za-z ]+", words) and re.search(r"[\u4e00-\u9fff]", found.value):
            return replace(found, value=found.value[block_end - start:].strip(), start=found.start + block_end - start)
        cut = line.spans[i + 1][0] - start
        left, right = line.blocks[i].bbox, line.blocks[i + 1].bbox
        apart = len(words) >= 2 and right[0] - left[2] >= 0.5 * (right[3] - right[1])
        own = [f for f in find_values(line.text[start + cut:end], spec, {}, Lookalikes()) if f.start == 0]
        if apart and own and own[0].end == end - start - cut and len(own[0].value) >= 6:
            return replace(own[0], start=found.start + cut, end=found.end)
    return found


def _within_its_block(found: Found, segment: Segment) -> Found:
    """A patterned text (a product's name and the words it may go on with) ends with the block it starts in where
    the next block stands apart, half a character or more, or goes on in words rather than a code (CVM, (CVM)):
    the next column's cell (Cloud Virtual Machine | Renewed instance: ins-…, 云服务器CVM | 1 | 3), not more of
    the name."""
    start, end = segment.start + found.start, segment.start + found.end
    line = segment.line
    for i, (block_start, block_end) in enumerate(line.spans[:-1]):
        after = line.spans[i + 1][0]
        if not (start < after < end and block_start <= start < block_end + 1):
            continue
        left, right = line.blocks[i].bbox, line.blocks[i + 1].bbox
        apart = right[0] - left[2] >= 0.5 * (right[3] - right[1])
        if (apart or not re.fullmatch(r"[A-Z0-9()（） .-]+", line.text[after:end])) and isinstance(found.value, str):
            value = line.text[start:block_end].strip()
            if value:
                return replace(found, value=value, end=found.start + len(line.text[start:block_end].rstrip()))
    return found


def _unjoined(candidate: Candidate):
    """A text value read across a line break, without the space that joining the two lines put there (20 | 25年度)."""
    value, join = candidate.found.value, candidate.segment.join
    if not isinstance(value, str) or join is None or not candidate.start < join < candidate.end:
        return value
    at = candidate.printed.find(value)
    cut = join - 1 - candidate.start - at  # the joining space's place in the value
    if at >= 0 and 0 < cut < len(value) - 1 and value[cut] == " " and not (_latin(value[cut - 1]) and _latin(value[cut + 1])):
        return value[:cut] + value[cut + 1:]  # …but a line break between two English words parts them
    return value


def _latin(char: str) -> bool:
    return char.isascii() and char.isalpha()


def disagreeing(readings: list[FieldReading]) -> list[FieldReading]:
    """When another value of the field is read with confidence too, the page disagrees with itself: the best
    reading is capped below the gate and names the other."""
    if len(readings) < 2:
        return readings
    top = readings[0]
    rival = next((r for r in readings[1:] if r.value != top.value and not _one_name(top.value, r.value)), None)
    if rival is None or rival.confidence < CONTESTED:
        return readings
    warning = f"also read {rival.value!r} ({'; '.join(rival.evidence[1:]) or 'by shape'}): check which is right"
    capped = replace(top, confidence=min(top.confidence, CONTESTED_CAP), warnings=(*top.warnings, warning))
    rest = [replace(r, confidence=min(r.confidence, CONTESTED_CAP - 0.01)) if r.value != top.value else r for r in readings[1:]]
    return [capped, *rest]


def _one_name(a: Any, b: Any) -> bool:
    """A name and its pinyin (韩宁飞 (HAN NINGFEI)): one person printed twice, no disagreement."""
    return isinstance(a, str) and isinstance(b, str) and (pinyin_match(a, b) or pinyin_match(b, a))


def best(readings: Sequence[FieldReading]) -> FieldReading | None:
    return max(readings, key=lambda r: r.confidence, default=None)


def read_pages(reader: FieldReader, pages: Sequence[Page], wanted: Sequence[str] | None = None) -> dict[int, dict[str, list[FieldReading]]]:
    """Each page's readings of each field, by page number."""
    return {page.number: reader.read_page(page, wanted) for page in pages}


def most_trusted(by_page: dict[int, dict[str, list[FieldReading]]]) -> dict[str, FieldReading]:
    """The most trusted reading of each field over the pages (a value may be on any page)."""
    found: dict[str, list[FieldReading]] = {}
    for readings_of in by_page.values():
        for name, readings in readings_of.items():
            found.setdefault(name, []).extend(readings)
    return {name: r for name, readings in found.items() if (r := best(readings)) is not None}


def read_document(reader: FieldReader, pages: Sequence[Page], wanted: Sequence[str] | None = None) -> dict[str, FieldReading]:
    """The most trusted reading of each field over the pages (a value may be on any page)."""
    return most_trusted(read_pages(reader, pages, wanted))


def reading_fact(document: Document, reading: FieldReading, name: str, extractor: str, value: Any = None,
                 warnings: Sequence[str] = (), confidence: float | None = None) -> Fact:
    """A Fact from a reading: the value (or a value derived from it), provenance, warnings and evidence."""
    return Fact(
        name=name, value=reading.value if value is None else value,
        confidence=reading.confidence if confidence is None else round(confidence, 4), document=document.path,
        page=reading.page, bbox=reading.bbox, text=reading.text, extractor=extractor,
        warnings=[*reading.warnings, *warnings], evidence=list(reading.evidence),
    )
