"""Tesseract through pytesseract, chi_sim+eng. Words are grouped into lines by Tesseract's own
block/paragraph/line numbers."""
from __future__ import annotations

import os

import numpy as np
import pytesseract

from pipeline.models import TextBlock


class TesseractEngine:
    name = "tesseract"
    lang = "chi_sim+eng"
    config = "--psm 3"  # psm 6 dropped whole ruled table bodies in a trial here

    def __init__(self, threads: int = 2):
        # Tesseract's OpenMP threads fight each other on small machines: one thread per call measured 2.6x
        # faster here (11.9 s -> 4.6 s on a 2800x1980 scan). Parallelism comes from processes instead.
        os.environ.setdefault("OMP_THREAD_LIMIT", "1")
        self._threads = threads

    @classmethod
    def describe_version(cls) -> str:
        return f"tesseract-{pytesseract.get_tesseract_version()}-{cls.lang}-{cls.config}"

    @property
    def version(self) -> str:
        return self.describe_version()

    def recognize(self, image: np.ndarray) -> list[TextBlock]:
        data = pytesseract.image_to_data(image, lang=self.lang, config=self.config, output_type=pytesseract.Output.DICT)
        lines: dict[tuple[int, int, int], list[int]] = {}
        for i, word in enumerate(data["text"]):
            if word.strip() and float(data["conf"][i]) >= 0:
                lines.setdefault((data["block_num"][i], data["par_num"][i], data["line_num"][i]), []).append(i)
        return [_line_block(data, idx) for idx in lines.values()]


def _line_block(data: dict, idx: list[int]) -> TextBlock:
    words = [data["text"][i] for i in idx]
    text = _join_words(words)
    x0 = min(data["left"][i] for i in idx)
    y0 = min(data["top"][i] for i in idx)
    x1 = max(data["left"][i] + data["width"][i] for i in idx)
    y1 = max(data["top"][i] + data["height"][i] for i in idx)
    conf = sum(float(data["conf"][i]) for i in idx) / len(idx) / 100.0
    return TextBlock(text=text, bbox=(x0, y0, x1, y1), confidence=round(min(max(conf, 0.0), 1.0), 4))


def _join_words(words: list[str]) -> str:
    """Tesseract splits Chinese into one 'word' per character; join CJK without spaces, keep spaces between
    Latin words."""
    out = words[0]
    for word in words[1:]:
        out += (" " if out[-1].isascii() and word[0].isascii() else "") + word
    return out
