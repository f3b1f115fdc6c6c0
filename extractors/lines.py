"""A page as visual lines of text: the blocks of one line joined left to right into one normalised string, with
the offsets of each block, so that a value found anywhere in the string maps back to its blocks and box.

Normalisation keeps a space only between two Latin letters or digits (ZHANG Wei, Mar 5), and drops every other
space (注 册 资 本 → 注册资本). Between two blocks far apart on a line (two columns), a hard boundary is recorded:
a value never runs across it. Letter-spaced single characters (姓　　名, 张　伟) are never split by one."""
from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

import numpy as np

from pipeline.models import BBox, Page, TextBlock, TextSource

_HARD_GAP = 1.2  # line heights: a wider gap between two multi-character blocks separates two columns
_SAME_LINE = 0.6  # vertical centres within this share of the smaller height belong to one line
_SIZE_RATIO = 2.0  # a block this many times taller (or shorter) than a line's blocks is on a line of its own
_VERTICAL = 1.5  # a block taller than this many times its width per two characters is a vertical column


def normalise_line(text: str) -> str:
    text = re.sub(r"\s+", " ", unicodedata.normalize("NFKC", text)).strip()
    return re.sub(r"(?<![A-Za-z0-9]) | (?![A-Za-z0-9])", "", text)


@dataclass(frozen=True)
class Line:
    """One visual line: its blocks left to right, their joined text, and where each block sits in it."""

    page: int
    index: int
    blocks: tuple[TextBlock, ...]
    text: str
    spans: tuple[tuple[int, int], ...]  # each block's [start, end) in `text`
    hard: frozenset[int]  # offsets in `text` where a hard boundary sits

    @property
    def bbox(self) -> BBox:
        return union([b.bbox for b in self.blocks])

    @property
    def height(self) -> float:
        return max(b.bbox[3] - b.bbox[1] for b in self.blocks)

    def crosses_hard(self, start: int, end: int) -> bool:
        return any(start < cut < end for cut in self.hard)

    def block_indexes(self, start: int, end: int) -> list[int]:
        return [i for i, (s, e) in enumerate(self.spans) if s < end and start < e] or [self._nearest(start)]

    def _nearest(self, offset: int) -> int:
        return min(range(len(self.spans)), key=lambda i: abs(self.spans[i][0] - offset))

    def bbox_of(self, start: int, end: int) -> BBox:
        """The box of text[start:end]: within a block, its share of the block's width by character count."""
        boxes = []
        for i in self.block_indexes(start, end):
            s, e = self.spans[i]
            x0, y0, x1, y1 = self.blocks[i].bbox
            width = (x1 - x0) / max(e - s, 1)
            left = x0 + width * max(start - s, 0)
            right = x1 - width * max(e - end, 0)
            boxes.append((left, y0, max(right, left + 1), y1))
        return union(boxes)

    def confidence_of(self, start: int, end: int) -> float:
        return min(self.blocks[i].confidence for i in self.block_indexes(start, end))


_LINE_OVERLAP = 0.3  # line heights a line's box may overlap the box of the line above it (tall script)


def below_within(upper: Line, lower: Line, lines_away: float) -> bool:
    """`lower` is printed under `upper`: its box may overlap `upper`'s a little, and starts no more than
    `lines_away` line heights below it."""
    height = max(upper.height, lower.height)
    return -_LINE_OVERLAP * height <= lower.bbox[1] - upper.bbox[3] <= lines_away * height


def continues(upper: Line, lower: Line) -> bool:
    """`lower` is the next line of `upper`'s paragraph or title: close under it, in letters of the same size. The
    size compared is that of the blocks where the text runs on (the end of `upper`, the start of `lower`): a
    larger label elsewhere on the line (住所 … | 经营期限 自2021年… over 至2041年…) does not part them."""
    last, first = upper.blocks[-1].bbox, lower.blocks[0].bbox
    last_height, first_height = last[3] - last[1], first[3] - first[1]
    height = max(last_height, first_height, 1.0)
    return (below_within(upper, lower, 0.8) and abs(last_height - first_height) <= 0.3 * height
            and -_LINE_OVERLAP * height <= first[1] - last[3] <= 0.8 * height)


def union(boxes: list[BBox]) -> BBox:
    return (min(b[0] for b in boxes), min(b[1] for b in boxes), max(b[2] for b in boxes), max(b[3] for b in boxes))


def group_lines(blocks: list[TextBlock]) -> list[list[TextBlock]]:
    """Blocks grouped into visual lines, left to right, top to bottom. A block joins a line when their vertical
    centres are close for the smaller of the two heights and their sizes are alike, so a tall title or a QR
    caption never swallows the rows beside it. A column of spaced characters read as one tall block (名类 for
    名称 over 类型) is cut into its characters first."""
    lines: list[list[TextBlock]] = []
    for block in sorted(split_vertical(blocks), key=_cy):
        for line in reversed(lines[-8:]):
            if _joins(line, block):
                line.append(block)
                break
        else:
            lines.append([block])
    return [sorted(line, key=lambda b: b.bbox[0]) for line in sorted(lines, key=_centre)]


def _cy(block: TextBlock) -> float:
    return (block.bbox[1] + block.bbox[3]) / 2


def _h(block: TextBlock) -> float:
    return max(block.bbox[3] - block.bbox[1], 1e-6)


def _joins(line: list[TextBlock], block: TextBlock) -> bool:
    height = sorted(_h(b) for b in line)[len(line) // 2]
    small, large = sorted((height, _h(block)))
    if large > _SIZE_RATIO * small:
        return False
    return abs(_cy(block) - _centre(line)) <= _SAME_LINE * small


def split_vertical(blocks: list[TextBlock]) -> list[TextBlock]:
    """A block of n characters much taller than wide is n characters one above the other."""
    out = []
    for block in blocks:
        text = re.sub(r"\s+", "", block.text)
        x0, y0, x1, y1 = block.bbox
        if len(text) >= 2 and (y1 - y0) > _VERTICAL * (x1 - x0) * len(text) / 2:
            step = (y1 - y0) / len(text)
            out += [TextBlock(text=c, bbox=(x0, y0 + i * step, x1, y0 + (i + 1) * step), confidence=block.confidence)
                    for i, c in enumerate(text)]
        else:
            out.append(block)
    return out


def _centre(line: list[TextBlock]) -> float:
    return sum(_cy(b) for b in line) / len(line)


def one_char_apart(a: str, b: str) -> bool:
    """Two texts of one length that differ in exactly one character: one OCR misreading apart (李杰俊, 李杰伟)."""
    return len(a) == len(b) and sum(x != y for x, y in zip(a, b)) == 1


def caption_span(text: str, word: str) -> tuple[int, int] | None:
    """Where `text` prints the caption `word`: exactly, else, for a Chinese caption of four characters or more,
    with one character misread (时期时间 for 到期时间, 有效需至 for 有效期至). Shorter captions are too alike to
    allow a misreading (日期, 工期)."""
    at = text.find(word)
    if at >= 0:
        return at, at + len(word)
    if len(word) < 4 or not all("\u4e00" <= c <= "\u9fff" for c in word):
        return None
    n = len(word)
    return next(((i, i + n) for i in range(len(text) - n + 1) if one_char_apart(text[i:i + n], word)), None)


def join_pieces(text: str, piece: str) -> str:
    """Two pieces of one line joined: two Latin words or numbers stay two (2025.07 2025.10), Chinese runs on."""
    if text and piece and text[-1].isascii() and text[-1].isalnum() and piece[0].isascii() and piece[0].isalnum():
        return f"{text} {piece}"
    return text + piece


def make_line(page: int, index: int, blocks: list[TextBlock], cells: bool = False) -> Line:
    """A line of blocks. On a sheet (`cells`) every cell ends where the next starts: no value runs from one cell
    into the next (an e-mail address and the department beside it make no company's name)."""
    text, spans, hard = "", [], set()
    for n, block in enumerate(blocks):
        piece = normalise_line(block.text)
        text = join_pieces(text, piece)
        start = len(text) - len(piece)
        if n and (cells or _is_hard(blocks[n - 1], block, spans[-1][1] - spans[-1][0], len(piece))):
            hard.add(start)
        spans.append((start, len(text)))
    return Line(page, index, tuple(blocks), text, tuple(spans), frozenset(hard))


def _is_hard(left: TextBlock, right: TextBlock, left_chars: int, right_chars: int) -> bool:
    if _is_avatar(left, right):
        return True
    if left_chars <= 1 or right_chars <= 1:
        return False
    height = max(left.bbox[3] - left.bbox[1], right.bbox[3] - right.bbox[1])
    return right.bbox[0] - left.bbox[2] > _HARD_GAP * height


def _is_avatar(left: TextBlock, right: TextBlock) -> bool:
    """An app's avatar: one character that is the first of the name printed beside it (杜 杜梅娜)."""
    a, b = normalise_line(left.text), normalise_line(right.text)
    return len(a) == 1 and len(b) >= 2 and b[0] == a and not a.isascii()


def page_lines(page: Page) -> list[Line]:
    """The page's lines. An OCR page is levelled first (tilted scans and photos), for grouping only: each line
    keeps the blocks' own boxes, so provenance stays on the page as read."""
    if not page.read_by_ocr:
        cells = page.source is TextSource.CELLS
        return [make_line(page.number, i, line, cells) for i, line in enumerate(group_lines(page.blocks))]
    levelled = level(page.blocks, page.width)
    original = {id(moved): block for moved, block in zip(levelled, page.blocks)}
    return [make_line(page.number, i, [original.get(id(b), b) for b in line])
            for i, line in enumerate(group_lines(levelled))]


# ------------------------------------------------------------------------------------------------ nearest words


def nearest_word(region: Page, point: tuple[float, float], table: dict[str, list[str]], one_per_line: bool = False) -> str | None:
    """The key of `table` whose word is printed nearest the point (an instance's or an order's id) in its part of
    the screen (its own row or card): on the point's own line first, then the nearest line: a toolbar's 关机
    button, a region tab or a status filter further up names no item. Lines are counted in their order, not by
    height (a photo's tilt). With `one_per_line`, a line other than the point's own that prints words of two keys
    names none (a notice's 已到期，目前已被隔离（已关机）over a list of instances: which one each is, it does not say)."""
    best: tuple[tuple[int, float, int], str] | None = None
    keys_on: dict[int, set[str]] = {}
    lines = page_lines(region)
    own = lines[line_of(lines, point)].index if lines else 0
    for line in lines:
        lowered = line.text.lower()
        for key, words in table.items():
            for word in words:
                at = _word_at(lowered, word.lower())
                if at < 0 or _in_sentence(line, at):
                    continue
                keys_on.setdefault(line.index, set()).add(key)
                box = line.bbox_of(at, at + len(word))
                dx = max(box[0] - point[0], point[0] - box[2], 0.0)
                ranked = (abs(line.index - own), dx, -len(word))  # 上海金融 before 上海
                if best is None or ranked < best[0]:
                    best = (ranked, key)
    if best is None:
        return None
    if one_per_line and best[0][0] > 0:
        nearest = [index for index in keys_on if abs(index - own) == best[0][0]]
        if any(len(keys_on[index]) > 1 for index in nearest):
            return None
    return best[1]


def _word_at(text: str, word: str) -> int:
    """Where `word` is printed in `text`, -1 if nowhere. A Latin word runs on into no further letters: Expired in
    "ExpiredTime": null (the API's field name) is no status."""
    at = text.find(word)
    while at >= 0 and word[-1:].isascii() and word[-1:].isalpha() and text[at + len(word):at + len(word) + 1].isascii() \
            and text[at + len(word):at + len(word) + 1].isalpha():
        at = text.find(word, at + 1)
    return at


def _in_sentence(line: Line, at: int) -> bool:
    """A word inside a notice's sentence (This instance has expired and will be isolated soon.) says what may be,
    not what the item is: a run of eight words or more. A row of fields set apart by dots or bars (Region North
    China (Beijing) · Availability zone Beijing Zone 5 · …) is no sentence: each field counts alone."""
    span = next(((start, end) for start, end in line.spans if start <= at < end), (at, at))
    block = line.text[span[0]:span[1]]
    offset = at - span[0]
    pieces = re.split(r"[·•|｜]", block)
    start = 0
    for piece in pieces:
        if start <= offset <= start + len(piece):
            return len(piece.split()) >= 8
        start += len(piece) + 1
    return len(block.split()) >= 8


def line_of(lines: list[Line], point: tuple[float, float]) -> int:
    """The position in `lines` of the line printing the point (an id's centre)."""
    holding = [i for i, line in enumerate(lines)
               if any(b.bbox[0] <= point[0] <= b.bbox[2] and b.bbox[1] <= point[1] <= b.bbox[3] for b in line.blocks)]
    if holding:
        return holding[0]
    return min(range(len(lines)), key=lambda i: abs((lines[i].bbox[1] + lines[i].bbox[3]) / 2 - point[1]), default=0)


# ------------------------------------------------------------------------------------------------ levelling

_SLOPE_CHUNK = 5  # neighbour pairs per median when the slope is smoothed down the page
_SLOPE_ROUNDS = 3  # rounds of measuring the pairs again with the slope the last round found
_SLOPE_WINDOW = 0.6  # line heights a neighbour may sit off the line the slope predicts
_NO_TILT = 0.2  # line heights: a tilt moving the page's edges less than this is no tilt
_MAX_SLOPE = 0.2  # a tilt steeper than this (11°) is not a photo's tilt but a misreading


def level(blocks: list[TextBlock], width: float) -> list[TextBlock]:
    """The blocks moved up or down so that the text lines of a tilted scan or photo run level. The slope is
    measured between neighbouring boxes of one line, in runs down the page (a scan's rotation gives one slope, a
    photo's perspective a slope that changes down the page). Boxes keep their order, so `levelled[i]` is
    `blocks[i]` moved."""
    stated = _stated_slopes(blocks)
    slope_at = _measure_slopes(blocks, stated) or stated
    if slope_at is None:
        return blocks
    ys, slopes = slope_at
    line_height = float(np.median([_h(b) for b in blocks]))
    if max(abs(s) for s in slopes) * width / 2 < _NO_TILT * line_height:
        return blocks  # a tilt that moves no box by a fraction of a line is none: the page is left as read
    centre = width / 2
    return [_shift(b, -float(np.interp(_cy(b), ys, slopes)) * ((b.bbox[0] + b.bbox[2]) / 2 - centre)) for b in blocks]


_STATED_LENGTH = 4.0  # line heights a box must be wide for the slope OCR gives it to be measured well


def _stated_slopes(blocks: list[TextBlock]) -> tuple[list[float], list[float]] | None:
    """The slope down the page from the slopes OCR gives the lines it found (their boxes are turned
    quadrilaterals): the lines' own tilt. Pairs of boxes guess it with no such start, and may guess wrong when a
    photo tilts so far that a label's value sits level with the next label (a phone's share poster: 证书编号 over
    颁发日期). The stated slopes are coarse (whole pixels of the engine's input), so pairs measured from them
    refine them where a page has enough pairs."""
    stated = [(_cy(b), b.slope) for b in blocks if b.slope is not None and abs(b.slope) <= _MAX_SLOPE
              and b.bbox[2] - b.bbox[0] >= _STATED_LENGTH * _level_height(b)]
    return _smoothed(stated) if len(stated) >= _SLOPE_CHUNK else None


def _level_height(block: TextBlock) -> float:
    """The height of a turned line's print, its box's height less what its slope adds."""
    return max(_h(block) - abs(block.slope or 0.0) * (block.bbox[2] - block.bbox[0]), 1.0)


def _measure_slopes(blocks: list[TextBlock], first: tuple[list[float], list[float]] | None = None
                    ) -> tuple[list[float], list[float]] | None:
    """The slope down the page, as (heights, slopes). Each round pairs every box with its right neighbour on the
    line the last round's slope predicts, and takes the median of each run of pairs down the page: a pair read
    across two close rows (labels over values) is outvoted in its run, never carried on down the page. The first
    round starts from the slopes OCR stated for its lines where it gave them (`first`), else from a guess."""
    ys, slopes = first or ([0.0], [_first_slope(blocks)])
    for _ in range(_SLOPE_ROUNDS):
        pairs = _pairs(blocks, ys, slopes)
        if len(pairs) < _SLOPE_CHUNK:
            return None
        ys, slopes = _smoothed(pairs)
    return ys, slopes


def _pairs(blocks: list[TextBlock], ys: list[float], slopes: list[float]) -> list[tuple[float, float]]:
    """(height on the page, slope) between each box and its right neighbour on the same line: of the boxes just
    right of it, the one nearest the line the current slope predicts."""
    pairs = []
    for block in blocks:
        height = _h(block)
        slope = float(np.interp(_cy(block), ys, slopes))
        right = [b for b in blocks if 0 < b.bbox[0] - block.bbox[2] + 2 < 8 * height and _cx(b) - _cx(block) > 2 * height]
        near = [b for b in right if abs(_off_line(block, b, slope)) < _SLOPE_WINDOW * height]
        if not near:
            continue
        first = min(b.bbox[0] for b in near)
        other = min((b for b in near if b.bbox[0] < first + height), key=lambda b: abs(_off_line(block, b, slope)))
        measured = (_cy(other) - _cy(block)) / (_cx(other) - _cx(block))
        if abs(measured) <= _MAX_SLOPE:
            pairs.append((_cy(block), measured))
    return pairs


def _off_line(block: TextBlock, other: TextBlock, slope: float) -> float:
    return _cy(other) - _cy(block) - slope * (_cx(other) - _cx(block))


def _first_slope(blocks: list[TextBlock]) -> float:
    """A first guess of the tilt: the median slope between each box and its nearest right neighbour within a
    line height up or down."""
    slopes = []
    for block in blocks:
        height = _h(block)
        right = [b for b in blocks if 2 * height < _cx(b) - _cx(block) and b.bbox[0] - block.bbox[2] < 8 * height
                 and abs(_cy(b) - _cy(block)) < 0.8 * height]
        other = min(right, key=lambda b: b.bbox[0], default=None)
        if other is not None:
            slopes.append((_cy(other) - _cy(block)) / (_cx(other) - _cx(block)))
    return float(np.median(slopes)) if len(slopes) >= _SLOPE_CHUNK else 0.0


def _smoothed(pairs: list[tuple[float, float]]) -> tuple[list[float], list[float]]:
    """Medians of consecutive runs of pairs (about `_SLOPE_CHUNK` each, the last pairs too): the slope as a function
    of the height on the page."""
    ordered = sorted(pairs)
    runs = [ordered[i * len(ordered) // n:(i + 1) * len(ordered) // n] for n in [max(len(ordered) // _SLOPE_CHUNK, 1)] for i in range(n)]
    return ([float(np.median([y for y, _ in r])) for r in runs], [float(np.median([s for _, s in r])) for r in runs])


def _cx(block: TextBlock) -> float:
    return (block.bbox[0] + block.bbox[2]) / 2


def _shift(block: TextBlock, dy: float) -> TextBlock:
    x0, y0, x1, y1 = block.bbox
    return block.model_copy(update={"bbox": (x0, y0 + dy, x1, y1 + dy)})
