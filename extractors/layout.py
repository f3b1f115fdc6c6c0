"""Reading values next to their labels from the boxes' geometry: the rest of the label's own block, then
blocks on the same line to its right, then the block just below. No pixel templates."""
from __future__ import annotations

from dataclasses import dataclass

from pipeline.models import Page, TextBlock

SAME_BLOCK, RIGHT, BELOW, ANYWHERE = 1.0, 0.97, 0.93, 0.85  # how much the position itself is trusted
# Labels and values printed in different fonts sit a little off each other's baseline (bl_dev_12).
_SAME_LINE_OVERLAP = 0.35


@dataclass(frozen=True)
class Candidate:
    text: str
    blocks: tuple[TextBlock, ...]
    position_weight: float

    @property
    def confidence(self) -> float:
        return min(b.confidence for b in self.blocks) * self.position_weight


def _height(block: TextBlock) -> float:
    return max(block.bbox[3] - block.bbox[1], 1e-6)


def _vertical_overlap(a: TextBlock, b: TextBlock) -> float:
    top, bottom = max(a.bbox[1], b.bbox[1]), min(a.bbox[3], b.bbox[3])
    return max(0.0, bottom - top) / min(_height(a), _height(b))


def blocks_right_of(page: Page, label: TextBlock) -> list[TextBlock]:
    """Blocks on the label's line, left to right, starting after the label."""
    line = [
        b for b in page.blocks
        if b is not label and _vertical_overlap(label, b) >= _SAME_LINE_OVERLAP
        and (b.bbox[0] + b.bbox[2]) / 2 > label.bbox[2]
    ]
    return sorted(line, key=lambda b: b.bbox[0])


def block_below(page: Page, label: TextBlock, max_lines: float = 2.5) -> TextBlock | None:
    """The nearest block under the label that shares some of its horizontal span."""
    limit = label.bbox[3] + _height(label) * max_lines
    below = [
        b for b in page.blocks
        if b is not label and label.bbox[3] - _height(label) * 0.3 <= b.bbox[1] <= limit
        and b.bbox[0] <= label.bbox[2] + _height(label) and b.bbox[2] >= label.bbox[0]
    ]
    return min(below, key=lambda b: (b.bbox[1], abs(b.bbox[0] - label.bbox[0])), default=None)


def value_candidates(page: Page, label: TextBlock, rest: str) -> list[Candidate]:
    """Where a label's value may be, most trusted first."""
    candidates = []
    if rest:
        candidates.append(Candidate(rest, (label,), SAME_BLOCK))
    right = blocks_right_of(page, label)
    for n in range(1, min(len(right), 3) + 1):
        candidates.append(Candidate(rest + "".join(b.text for b in right[:n]), (label, *right[:n]), RIGHT))
    below = block_below(page, label)
    if below is not None:
        candidates.append(Candidate(below.text, (below,), BELOW))
        candidates.extend(
            Candidate(below.text + "".join(b.text for b in blocks_right_of(page, below)[:n]),
                      (below, *blocks_right_of(page, below)[:n]), BELOW)
            for n in (1, 2) if len(blocks_right_of(page, below)) >= n
        )
    return candidates


def union_bbox(blocks: tuple[TextBlock, ...]) -> tuple[float, float, float, float]:
    return (
        min(b.bbox[0] for b in blocks), min(b.bbox[1] for b in blocks),
        max(b.bbox[2] for b in blocks), max(b.bbox[3] for b in blocks),
    )
