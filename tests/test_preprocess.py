"""The OpenCV steps before OCR (pipeline/preprocess.py) on drawn pictures, and the OCR cache keyed by them."""
from __future__ import annotations

import cv2
import numpy as np

from pipeline.image_text import ocr_page
from pipeline.models import TextBlock
from pipeline.ocr_cache import OcrCache
from pipeline.preprocess import LIGHT_INK, find_sheet, prepare, seal_mask


def _white(h: int = 800, w: int = 1000) -> np.ndarray:
    return np.full((h, w, 3), 255, np.uint8)


def test_a_round_seal_is_whitened_and_a_red_text_line_kept() -> None:
    image = _white()
    cv2.circle(image, (700, 400), 120, (220, 30, 30), 8)  # a seal's ring
    cv2.putText(image, "RED LABEL TEXT", (40, 100), cv2.FONT_HERSHEY_SIMPLEX, 1.2, (220, 30, 30), 3)
    mask = seal_mask(image)
    assert mask[400, 580:590].any() or mask[280:290, 700].any()  # the ring
    assert not mask[60:110, 40:400].any()  # the red text line


def test_light_ink_goes_and_dark_ink_stays() -> None:
    image = _white()
    cv2.putText(image, "WATERMARK", (100, 300), cv2.FONT_HERSHEY_SIMPLEX, 3, (210, 210, 225), 8)
    cv2.putText(image, "TEXT", (100, 600), cv2.FONT_HERSHEY_SIMPLEX, 3, (20, 20, 20), 8)
    cleaned = prepare(image, ["watermark"]).image
    assert cleaned[250:310, 100:700].min() > LIGHT_INK
    assert cleaned[550:610, 100:400].min() < 60


def test_a_photographed_sheet_is_found_and_boxes_map_back() -> None:
    canvas = np.full((900, 1200, 3), 60, np.uint8)
    corners = np.array([[250, 120], [980, 160], [940, 800], [210, 760]], np.int32)
    cv2.fillConvexPoly(canvas, corners, (245, 245, 245))
    quad = find_sheet(canvas)
    assert quad is not None and np.abs(quad - corners).max() < 15
    prepared = prepare(canvas, ["perspective"])
    assert prepared.applied == ["perspective"]
    x0, y0, x1, y1 = prepared.to_original((0, 0, 10, 10))
    assert abs(x0 - 250) < 20 and abs(y0 - 120) < 20


class _CountingEngine:
    name = "counting"
    version = "counting-1"

    def __init__(self) -> None:
        self.calls = 0

    def recognize(self, image: np.ndarray) -> list[TextBlock]:
        self.calls += 1
        return [TextBlock(text="营业执照", bbox=(10, 10, 200, 60), confidence=0.99)]


def test_the_cache_key_holds_the_steps(tmp_path) -> None:
    engine, cache, image = _CountingEngine(), OcrCache(tmp_path), _white()
    ocr_page(image, 1, engine, cache, ())
    ocr_page(image, 1, engine, cache, ())
    assert engine.calls == 1
    ocr_page(image, 1, engine, cache, ("shadow", "watermark"))
    assert engine.calls == 2  # other steps: the page is read again
