"""Values a form or a table prints that OCR's text detector missed. A line holding only a short label (名 称, 地域)
where the lines around it, starting at the same place, run on to their values, had its value there too: a
watermark crossing it or a stamp over it can hide the line from the detector, while the recogniser reads it well
once the place is cropped and given to it alone. So had a table row that prints a cell in every column its
neighbouring rows print but one (a two-character name 马博 lost to a compressed screenshot's blur). Such places are
found from the page's boxes, read again by themselves, and what reads surely is added to the page.
"""
from __future__ import annotations

import re
from statistics import median

from pipeline.models import BBox, TextBlock

LABEL = re.compile(r"[\u4e00-\u9fff]{2,6}[:：]?|[A-Za-z][A-Za-z .]{1,20}[:：]")  # 名称, 注册资本, 地域, Region:
MAX_GAPS = 8  # places read again per page, at most
ROW_COLUMNS = 3  # cells a row must share, by their left edges, with a neighbouring row for the two to be one table's
SURE = 0.85  # a box read again counts only when read at least this surely
NEIGHBOUR_LINES = 3.0  # line heights within which a neighbouring line shows where values run to
VALUE_REACH = 4.0  # line heights a neighbour must run past the label's line for the gap to be a value's place
COLUMN_GAP = 4.0  # line heights of empty space that part two columns of a line


def _lines(blocks: list[TextBlock]) -> list[list[TextBlock]]:
    """The blocks in lines: a block joins the line whose vertical middle it straddles."""
    lines: list[list[TextBlock]] = []
    for block in sorted(blocks, key=lambda b: (b.bbox[1] + b.bbox[3]) / 2):
        centre = (block.bbox[1] + block.bbox[3]) / 2
        line = lines[-1] if lines else None
        if line and min(b.bbox[1] for b in line) <= centre <= max(b.bbox[3] for b in line):
            line.append(block)
        else:
            lines.append([block])
    return [sorted(line, key=lambda b: b.bbox[0]) for line in lines]


def _segments(line: list[TextBlock]) -> list[list[TextBlock]]:
    """A line cut where it leaves a wide gap: the columns of a two-column form (名称 … | 注册资本 …)."""
    h = median(b.bbox[3] - b.bbox[1] for b in line)
    out = [[line[0]]]
    for block in line[1:]:
        if block.bbox[0] - out[-1][-1].bbox[2] > COLUMN_GAP * h:
            out.append([])
        out[-1].append(block)
    return out


def unread_value_places(blocks: list[TextBlock], width: float, height: float) -> list[tuple[BBox, float]]:
    """Places right of a label that stands alone in its column of a line, where the neighbouring lines of the
    same column print their values and no box was found; each with the height of the label's line."""
    rows = [_segments(line) for line in _lines(blocks)]
    places: list[tuple[BBox, float]] = []
    for i, segments in enumerate(rows):
        for k, segment in enumerate(segments):
            text = "".join(b.text for b in segment).replace(" ", "")
            if not LABEL.fullmatch(text):
                continue
            top, bottom = min(b.bbox[1] for b in segment), max(b.bbox[3] for b in segment)
            left, right = segment[0].bbox[0], segment[-1].bbox[2]
            h = median(b.bbox[3] - b.bbox[1] for b in segment)
            near = [other for row in rows[max(0, i - 2):i] + rows[i + 1:i + 3] for other in row
                    if abs(min(b.bbox[1] for b in other) - top) <= NEIGHBOUR_LINES * h and abs(other[0].bbox[0] - left) <= h]
            reach = max((other[-1].bbox[2] for other in near), default=right)
            if reach - right < VALUE_REACH * h:
                continue
            end = segments[k + 1][0].bbox[0] - 0.5 * h if k + 1 < len(segments) else reach + VALUE_REACH * h
            place = (right + 0.5 * h, max(top - 0.3 * h, 0.0), min(end, width), min(bottom + 0.3 * h, height))
            if place[2] - place[0] < 2 * h or any(
                    place[0] <= (b.bbox[0] + b.bbox[2]) / 2 <= place[2] and place[1] <= (b.bbox[1] + b.bbox[3]) / 2 <= place[3]
                    for b in blocks):
                continue  # no room, or something was read there
            places.append((place, h))
    return places[:MAX_GAPS]


def unread_cell_places(blocks: list[TextBlock], width: float, height: float) -> list[tuple[BBox, float]]:
    """Cells a table row lacks: the place in the row under a cell of a neighbouring row (one or two rows away)
    where the row itself has no box, when the two rows share at least ROW_COLUMNS columns by their cells' left
    edges; each with the row's line height, at most MAX_GAPS."""
    lines = _lines(blocks)
    places: list[tuple[BBox, float, int]] = []
    for i, line in enumerate(lines):
        if len(line) < ROW_COLUMNS:
            continue
        h = median(b.bbox[3] - b.bbox[1] for b in line)
        top, bottom = min(b.bbox[1] for b in line), max(b.bbox[3] for b in line)
        for neighbour in lines[max(0, i - 2):i] + lines[i + 1:i + 3]:
            shared = sum(any(abs(b.bbox[0] - n.bbox[0]) <= h for n in neighbour) for b in line)
            if shared < ROW_COLUMNS:
                continue
            for cell in neighbour:
                if any(b.bbox[0] < cell.bbox[2] and cell.bbox[0] < b.bbox[2] for b in line):
                    continue
                place = (cell.bbox[0], top, min(cell.bbox[2], width), bottom)
                if not any(abs(place[0] - p[0]) < h and abs(place[1] - p[1]) < h for p, _, _ in places):
                    places.append((place, h, shared))
    # the rows of the widest tables first: a list's rows share many columns, a row of tiles or tabs few
    return [(place, h) for place, h, _ in sorted(places, key=lambda p: -p[2])][:MAX_GAPS]
