"""Documents holding one fact per item (a certificate, a copyright registration): the page cut into one region per
item, each region's fields read by the field layer and assembled into one fact, and an item printed over two
pages (front and back) joined back into one."""
from __future__ import annotations

from bisect import bisect
from collections.abc import Callable, Mapping, Sequence
from collections import Counter
from dataclasses import dataclass, replace

from extractors.field_reading import FieldReader, FieldReading, read_document
from extractors.lines import union
from extractors.name_shapes import chinese_person
from pipeline.models import BBox, Document, Fact, Page, TextBlock

MISSING_CONFIDENCE = 0.5  # an item with a required field not read
GUTTER = 1.5  # line heights: the narrowest empty stretch that can part two columns of items
_SURE = 0.8  # a field read with less is named in the item's warnings
ONLY_ON_THE_PAGE = 0.75  # a shared field no item prints, taken from the page's one reading of it


@dataclass(frozen=True)
class Item:
    """The readings of one item's fields, and the pages they came from."""

    fields: dict[str, FieldReading]
    pages: tuple[int, ...]
    text: str = ""  # the item's own text (its region of the page), for what it prints besides its fields
    region: Page | None = None  # its region of the page, for words to be read by their place (a card's status)

    def value(self, name: str):
        reading = self.fields.get(name)
        return reading.value if reading is not None else None


def regions(page: Page, reader: FieldReader, anchors: Sequence[str], bias: float = 0.5) -> list[Page]:
    """The page cut into one region per item. The anchors are the distinct values of the first of `anchors`
    fields found twice or more (extractors.items._anchor_points). Anchors one above the other cut the page
    across, at `bias` of the way from one anchor to the next (0.5 halfway; more when an item's lines run on
    below its anchor, as a list row's second line does); anchors side by side cut it down; anchors in a grid
    (cards) take the blocks nearest to them."""
    points = _anchor_points(page, reader, anchors)
    parts = split_at(page, points, bias)
    if len(parts) < 2 or len(anchors) < 2:
        return parts
    # items side by side whose anchor stands at their far side (a certificate's number in a panel at its right)
    # are cut by the gutter inside an item: then each block goes to the nearest anchor, when that leaves more
    # regions holding every anchor field (a holder, a title, a number, an expiry each)
    complete = _complete(parts, reader, anchors)
    if complete == len(parts):
        return parts
    nearest = _by_owner(page, _nearest(points))
    return nearest if _complete(nearest, reader, anchors) > complete else parts


def _complete(parts: list[Page], reader: FieldReader, anchors: Sequence[str]) -> int:
    """How many of the regions read every anchor field."""
    return sum(len(read_document(reader, [part], anchors)) == len(anchors) for part in parts)


COLUMN_APART = 6.0  # line heights between anchors of two columns: a list's ids in one column shift with the
# name printed before them on their line (taiheng-web-01 ins-… | gitlab ins-…), cards stand further apart


def split_at(page: Page, points: list[tuple[float, float]], bias: float = 0.5) -> list[Page]:
    """Anchors in one column cut the page across (at `bias` of the way from one to the next); anchors in a row or
    a grid (cards) cut it along the empty gutters between their columns and rows; anchors scattered otherwise
    take the blocks nearest to them."""
    if len(points) < 2:
        return [page]
    heights = sorted(b.bbox[3] - b.bbox[1] for b in page.blocks) or [1.0]
    line = heights[len(heights) // 2]
    columns = _clusters([p[0] for p in points], COLUMN_APART * line)
    rows = _clusters([p[1] for p in points], 2 * line)
    if len(columns) == 1:
        owner = _row_cutter(page, sorted(p[1] for p in points), bias, line)
    elif len(columns) * len(rows) >= len(points) and _one_per_cell(points, columns, rows):
        x_cuts = _column_cuts(page, points, columns, line)
        y_cuts = _gutters(page, rows, 1, _span(columns, 0.5 * _pitch(columns))) if len(rows) > 1 else []
        owner = lambda centre: (bisect(y_cuts, centre[1]), bisect(x_cuts, centre[0]))  # noqa: E731
    else:
        owner = _nearest(points)
    return _by_owner(page, owner)


def _by_owner(page: Page, owner) -> list[Page]:
    """The page's blocks grouped by the region `owner` gives each block's centre, in the regions' order."""
    groups: dict[object, list[TextBlock]] = {}
    for block in page.blocks:
        centre = ((block.bbox[0] + block.bbox[2]) / 2, (block.bbox[1] + block.bbox[3]) / 2)
        groups.setdefault(owner(centre), []).append(block)
    return [page.model_copy(update={"blocks": groups[k]}) for k in sorted(groups)]


def _clusters(values: list[float], gap: float) -> list[float]:
    """The centres of runs of values no more than `gap` apart, in order."""
    runs: list[list[float]] = []
    for value in sorted(values):
        if runs and value - runs[-1][-1] <= gap:
            runs[-1].append(value)
        else:
            runs.append([value])
    return [sum(run) / len(run) for run in runs]


def _one_per_cell(points: list[tuple[float, float]], columns: list[float], rows: list[float]) -> bool:
    cells = {(min(range(len(columns)), key=lambda i: abs(columns[i] - x)), min(range(len(rows)), key=lambda j: abs(rows[j] - y)))
             for x, y in points}
    return len(cells) == len(points)


def _pitch(centres: list[float]) -> float:
    return min(b - a for a, b in zip(centres, centres[1:]))


def _span(centres: list[float], margin: float) -> tuple[float, float]:
    return centres[0] - margin, centres[-1] + margin


def _column_cuts(page: Page, points: list[tuple[float, float]], columns: list[float], line: float) -> list[float]:
    """Between each two neighbouring columns of items: in the right-most empty stretch (at least GUTTER line
    heights wide) left of where the right-hand item's anchor line starts (its label, 实例ID). A card's wide inner
    gap (values on the left, its status on the right) lies further left than the gap between two cards."""
    rows = [p[1] for p in points]
    band = (min(rows) - 10 * line, max(rows) + 10 * line)
    covered = sorted((b.bbox[0], b.bbox[2]) for b in page.blocks if band[0] <= (b.bbox[1] + b.bbox[3]) / 2 <= band[1])
    cuts = []
    for left, right in zip(columns, columns[1:]):
        anchor = min((p for p in points if abs(p[0] - right) <= 3 * line), key=lambda p: abs(p[0] - right))
        start = _line_start(page, anchor, left, line)
        gaps = [g for g in _empty_stretches(covered, left, start) if g[1] - g[0] >= GUTTER * line]
        cuts.append(sum(gaps[-1]) / 2 if gaps else start - line)
    return cuts


def _line_start(page: Page, anchor: tuple[float, float], floor: float, line: float) -> float:
    """The left edge of the run of blocks that ends in the anchor, on the anchor's line, no further left than
    `floor`: blocks less than three line heights apart are one run."""
    same_line = sorted((b for b in page.blocks if b.bbox[1] <= anchor[1] <= b.bbox[3] and b.bbox[0] > floor),
                       key=lambda b: b.bbox[0])
    start = anchor[0]
    for block in reversed([b for b in same_line if b.bbox[0] <= anchor[0]]):
        if block.bbox[2] < start - 3 * line and block.bbox[0] < start:
            break
        start = min(start, block.bbox[0])
    return start


def _gutters(page: Page, centres: list[float], axis: int, across: tuple[float, float]) -> list[float]:
    """Between each two neighbouring anchor rows (axis 1) or columns (axis 0): the middle of the widest stretch
    no block covers, among the blocks lying across the anchors' span; halfway where none is empty."""
    other = 1 - axis
    covered = sorted((b.bbox[axis], b.bbox[axis + 2]) for b in page.blocks
                     if across[0] <= (b.bbox[other] + b.bbox[other + 2]) / 2 <= across[1])
    cuts = []
    for a, b in zip(centres, centres[1:]):
        widest = max(_empty_stretches(covered, a, b), key=lambda g: g[1] - g[0], default=None)
        cuts.append((widest[0] + widest[1]) / 2 if widest is not None else (a + b) / 2)
    return cuts


def _row_cutter(page: Page, centres: list[float], bias: float, line: float):
    """Items one above the other: cut in the empty band between them when one band stands out (cards, with
    space between them: 1.5 times the usual gap between lines, and most of a line high); else at `bias` of the
    way from one anchor to the next (rows of a list, evenly spaced)."""
    covered = sorted((b.bbox[1], b.bbox[3]) for b in page.blocks)
    cuts = []
    for a, b in zip(centres, centres[1:]):
        gaps = [(end - start, (start + end) / 2) for start, end in _empty_stretches(covered, a, b)]
        widest = max(gaps, default=(0.0, 0.0))
        usual = sorted(g for g, _ in gaps)[len(gaps) // 2] if gaps else 0.0
        clear = len(gaps) >= 2 and widest[0] >= max(1.5 * usual, 0.8 * line)
        cuts.append(widest[1] if clear else a + bias * (b - a))
    return lambda centre: bisect(cuts, centre[1])


def _empty_stretches(covered: list[tuple[float, float]], low: float, high: float) -> list[tuple[float, float]]:
    """The stretches between `low` and `high` that none of the `covered` intervals (sorted by start) covers."""
    out, edge = [], low
    for start, end in covered:
        if end <= edge or start >= high:
            continue
        if start > edge:
            out.append((edge, start))
        edge = max(edge, end)
    if high > edge:
        out.append((edge, high))
    return out


def _nearest(points: list[tuple[float, float]]):
    return lambda centre: min(range(len(points)), key=lambda i: (points[i][0] - centre[0]) ** 2 + (points[i][1] - centre[1]) ** 2)


def _anchor_points(page: Page, reader: FieldReader, anchors: Sequence[str]) -> list[tuple[float, float]]:
    """Where the distinct values of the first anchor field that has two or more of them are printed (values read
    next to their label, or trusted by shape and prior)."""
    readings = reader.read_page(page, anchors)
    for field in anchors:
        places: dict[object, BBox] = {}
        for reading in readings.get(field, []):
            if reading.value not in places and (_labelled(reading) or reading.confidence >= 0.8 or _one_per_item(reading)):
                places[reading.value] = reading.bbox
        if len(places) >= 2:
            return [_centre(box) for box in places.values()]
    return []


def _one_per_item(reading: FieldReading) -> bool:
    return any(e.startswith("prior: one of") for e in reading.evidence)


def _labelled(reading: FieldReading) -> bool:
    return any(e.startswith("label") for e in reading.evidence)


def _centre(box: BBox) -> tuple[float, float]:
    return (box[0] + box[2]) / 2, (box[1] + box[3]) / 2


ENTRY_BIAS = 0.9  # entries led by their titles: each cut just above the next title


def read_items(document: Document, reader: FieldReader, anchors: Sequence[str], fields: Sequence[str],
               min_fields: int, bias: float = 0.5, shared: Sequence[str] = (),
               entries: Callable[[Page], list[tuple[float, float]]] | None = None) -> list[Item]:
    """One item per region of each page with at least `min_fields` fields read; an item missing what the next
    page's item has (and sharing no field that disagrees) is joined with it: a certificate's front and back.
    A `shared` field printed once for all the page's items (the holder over a list of one person's
    certificates) goes to each item that does not print its own; items printing the same value of the first
    anchor field (a certificate number in a cover letter and on the scan after it) are one. `entries` gives, on a
    page listing entries one under another each led by its title (a profile's certifications of several vendors),
    where the titles stand: the page is cut just above each, whatever the anchors say."""
    items = []
    for page in document.pages:
        titles = entries(page) if entries is not None else []
        parts = split_at(page, titles, ENTRY_BIAS) if len(titles) >= 2 else regions(page, reader, anchors, bias)
        page_items = []
        for region in parts:
            found = read_document(reader, [region], fields)
            if len(found) >= (1 if len(titles) >= 2 else min_fields):  # an entry is led by its title
                page_items.append(Item(found, (page.number,), region.text, region))
        page_items = _with_shared(page, reader, page_items, shared) if len(parts) > 1 else page_items
        items += [_name_as_printed_most(page, item, shared) for item in page_items]
    return _one_per_identity(_join_split(items), anchors[0])


def _name_as_printed_most(page: Page, item: Item, shared: Sequence[str]) -> Item:
    """A shared name (the holder) that the page prints more often one character otherwise (田宁远 in the title bar
    and on the next card, 田宁选 once in small print) is that name misread: the page's spelling is taken. A
    one-character variant printed as often as the reading leaves it doubted: two people, or one misread."""
    fields = dict(item.fields)
    for name in shared:
        reading = fields.get(name)
        value = reading.value if reading is not None else None
        if not isinstance(value, str) or len(value) < 3 or chinese_person(value) is None:
            continue
        counts = _variants_on_page(page, value)
        own = counts.pop(value, 0)
        variant, times = max(counts.items(), key=lambda pair: pair[1], default=(None, 0))
        if variant is None or own > times:
            continue
        if times >= 2 and times > own:
            fields[name] = reading.with_value(variant, f"printed {times} times on the page as {variant}; read once as {value}")
        else:
            fields[name] = replace(reading, confidence=min(reading.confidence, MISSING_CONFIDENCE),
                                   warnings=(*reading.warnings, f"the page also prints {variant}, one character off {value}"))
    return Item(fields, item.pages, item.text, item.region)


def _variants_on_page(page: Page, name: str) -> Counter:
    """How often the page prints `name`, and each name that differs from it in one Chinese character."""
    counts: Counter = Counter()
    for block in page.blocks:
        text = block.text
        for start in range(len(text) - len(name) + 1):
            window = text[start:start + len(name)]
            differing = [i for i, (a, b) in enumerate(zip(window, name)) if a != b]
            if len(differing) <= 1 and all('\u4e00' <= window[i] <= '\u9fff' for i in differing) \
                    and chinese_person(window) is not None:
                counts[window] += 1
    return counts


def _one_per_identity(items: list[Item], identity: str) -> list[Item]:
    """Items printing the same identity (a certificate number named in a cover letter and shown on the scan after
    it) are one item: each field from the reading trusted most."""
    out: list[Item] = []
    for item in items:
        value = item.value(identity)
        twin = next((i for i, other in enumerate(out) if value is not None and other.value(identity) == value), None)
        if twin is None:
            out.append(item)
            continue
        first = out[twin]
        fields = dict(first.fields)
        for name, reading in item.fields.items():
            if name not in fields or reading.confidence > fields[name].confidence:
                fields[name] = reading
        out[twin] = Item(fields, tuple(dict.fromkeys(first.pages + item.pages)), first.text + "\n" + item.text, first.region)
    return out


def _with_shared(page: Page, reader: FieldReader, items: list[Item], shared: Sequence[str]) -> list[Item]:
    """Each item missing a `shared` field takes the value the other items read, when they all read the same one
    and it is the page's best reading of the field (one holder over the list, not one of several holders)."""
    if not shared or all(all(name in item.fields for name in shared) for item in items):
        return items
    page_best = read_document(reader, [page], shared)
    out = []
    for item in items:
        fields = dict(item.fields)
        for name in shared:
            values = {other.fields[name].value for other in items if name in other.fields}
            best = page_best.get(name)
            if name not in fields and best is not None and values == {best.value}:
                fields[name] = best.with_value(best.value, "printed once for every item of the page")
            elif name not in fields and best is not None and not values:
                # no item prints its own (an English CV's certificates under the name at its head): the page's one
                # reading stands for each, below the gate, as nothing but the page ties it to them
                reading = best.with_value(best.value, "the page's only reading, no item printing its own")
                fields[name] = replace(reading, confidence=min(reading.confidence, ONLY_ON_THE_PAGE))
        out.append(Item(fields, item.pages, item.text, item.region))
    return out


def _join_split(items: list[Item]) -> list[Item]:
    out: list[Item] = []
    for item in items:
        previous = out[-1] if out else None
        if previous is not None and _complements(previous, item):
            out[-1] = Item({**previous.fields, **item.fields}, previous.pages + item.pages, previous.text + "\n" + item.text,
                           previous.region)
        else:
            out.append(item)
    return out


def _complements(first: Item, second: Item) -> bool:
    """Two partial items of consecutive pages that read different fields and agree where both read one."""
    if second.pages[0] != first.pages[-1] + 1:
        return False
    shared = set(first.fields) & set(second.fields)
    new = set(second.fields) - set(first.fields)
    return bool(new) and all(first.fields[f].value == second.fields[f].value for f in shared) and len(shared) < len(new)


def item_fact(document: Document, name: str, item: Item, keys: Sequence[str], extractor: str,
              required: Sequence[str] = (), extra: Mapping[str, object] | None = None,
              warnings: Sequence[str] = ()) -> Fact:
    """One fact whose value is a dict of the item's fields (None where not read), trusted as much as its least
    sure required field (the fields a decision rests on); a required field not read caps it, and another field
    read with doubt is named in a warning. Evidence: each field's, prefixed by its name."""
    found = [item.fields[k] for k in keys if k in item.fields]
    missing = [k for k in required if k not in item.fields]
    deciding = [item.fields[k] for k in (required or keys) if k in item.fields] or found
    confidence = min(r.confidence for r in deciding)
    notes = [w for r in found for w in r.warnings] + list(warnings)
    unsure = [r for r in found if r not in deciding and r.confidence < _SURE]
    notes += [f"{r.field} {r.value} read with confidence {r.confidence:.2f}" for r in unsure]
    if missing:
        confidence = min(confidence, MISSING_CONFIDENCE)
        notes.append(f"not read: {', '.join(missing)}")
    first_page = [r for r in found if r.page == item.pages[0]] or found
    value = {k: (item.fields[k].value if k in item.fields else None) for k in keys} | dict(extra or {})
    return Fact(
        name=name, value=value, confidence=round(confidence, 4), document=document.path, page=item.pages[0],
        bbox=union([r.bbox for r in first_page]), text=" | ".join(f"{k}: {item.fields[k].text}" for k in keys if k in item.fields),
        extractor=extractor, warnings=list(dict.fromkeys(notes)),
        evidence=[f"{k}: {'; '.join(item.fields[k].evidence)}" for k in keys if k in item.fields],
        field_confidence={r.field: round(r.confidence, 4) for r in unsure},
    )


def doubt(fact: Fact, cap: float, warning: str) -> Fact:
    return fact.model_copy(update={"confidence": min(fact.confidence, cap), "warnings": [*fact.warnings, warning]})
