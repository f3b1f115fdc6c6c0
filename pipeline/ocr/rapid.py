"""RapidOCR (PP-OCR ONNX models shipped in the `rapidocr` wheel). Nothing is downloaded at run time:
the model paths are passed explicitly, which skips RapidOCR's download-and-verify code."""
from __future__ import annotations

from importlib.metadata import version as package_version
from pathlib import Path

import numpy as np

from pipeline.models import TextBlock

_MODELS = {
    "Det.model_path": "PP-OCRv6_det_small.onnx",
    "Rec.model_path": "PP-OCRv6_rec_small.onnx",
    "Cls.model_path": "ch_ppocr_mobile_v2.0_cls_mobile.onnx",
}


class RapidOcrEngine:
    name = "rapidocr"

    def __init__(self, threads: int = 2):
        import rapidocr
        from rapidocr import RapidOCR

        root = Path(rapidocr.__file__).parent / "models"
        params: dict[str, object] = {key: str(root / file) for key, file in _MODELS.items()}
        params["Global.log_level"] = "warning"
        params["EngineConfig.onnxruntime.intra_op_num_threads"] = threads
        params["EngineConfig.onnxruntime.inter_op_num_threads"] = 1
        self._ocr = RapidOCR(params=params)

    @staticmethod
    def describe_version() -> str:
        return f"rapidocr-{package_version('rapidocr')}-ppocrv6-small"

    @property
    def version(self) -> str:
        return self.describe_version()

    def recognize(self, image: np.ndarray) -> list[TextBlock]:
        return self._read(image, use_cls=True)

    def recognize_as_turned(self, image: np.ndarray) -> list[TextBlock]:
        """Read with no line turned over by the line classifier: an upside-down page reads as garbage, which
        tells the two turns of a sideways page apart."""
        return self._read(image, use_cls=False)

    def recognize_line(self, image: np.ndarray) -> TextBlock | None:
        """The one line of text the whole image holds, by the recogniser alone (no detection); its box is the
        image's."""
        result = self._ocr(image[:, :, ::-1].copy(), use_det=False, use_cls=False, use_rec=True,
                           return_word_box=False, return_single_char_box=False)
        if not result.txts or not result.txts[0].strip():
            return None
        return TextBlock(text=result.txts[0].strip(), bbox=(0.0, 0.0, float(image.shape[1]), float(image.shape[0])),
                         confidence=round(float(min(max(result.scores[0], 0.0), 1.0)), 4))

    def _read(self, image: np.ndarray, use_cls: bool) -> list[TextBlock]:
        # RapidOCR keeps the switches of a call for the next ones: each call names all of them
        result = self._ocr(image[:, :, ::-1].copy(), use_det=True, use_cls=use_cls, use_rec=True,  # BGR, like OpenCV
                           return_word_box=True, return_single_char_box=True)
        if result.boxes is None or result.txts is None:
            return []
        characters = _character_confidences(result.txts, result.word_results or ())
        return [
            TextBlock(text=text, bbox=_bbox_of(box), confidence=round(float(min(max(score, 0.0), 1.0)), 4), slope=_slope_of(box),
                      character_confidences=sure)
            for box, text, score, sure in zip(result.boxes, result.txts, result.scores, characters)
            if text.strip()
        ]


def _character_confidences(texts: tuple[str, ...], words: tuple) -> list[list[float] | None]:
    """Each line's per-character recognition confidences, aligned with its text (1.0 for a space), or None where
    the engine's character list does not spell the line (RapidOCR drops lines with no character box from it)."""
    out: list[list[float] | None] = []
    at = 0
    for text in texts:
        found = None
        for j in range(at, min(at + 4, len(words))):
            if "".join(str(w[0]) for w in words[j]) == "".join(text.split()):
                confidences = iter(float(w[1]) for w in words[j])
                found = [1.0 if ch.isspace() else round(next(confidences), 2) for ch in text]
                at = j + 1
                break
        out.append(found)
    return out


def _bbox_of(quad: np.ndarray) -> tuple[float, float, float, float]:
    xs, ys = quad[:, 0], quad[:, 1]
    return (float(xs.min()), float(ys.min()), float(xs.max()), float(ys.max()))


def _slope_of(quad: np.ndarray) -> float | None:
    """The mean slope of the quadrilateral's top and bottom edges (corners clockwise from the top left)."""
    slopes = [(float(b[1] - a[1]) / float(b[0] - a[0])) for a, b in ((quad[0], quad[1]), (quad[3], quad[2])) if b[0] - a[0] > 0]
    return round(sum(slopes) / len(slopes), 4) if slopes else None
