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

    def _read(self, image: np.ndarray, use_cls: bool) -> list[TextBlock]:
        result = self._ocr(image[:, :, ::-1].copy(), use_cls=use_cls)  # RapidOCR takes BGR like OpenCV
        if result.boxes is None or result.txts is None:
            return []
        return [
            TextBlock(text=text, bbox=_bbox_of(box), confidence=round(float(min(max(score, 0.0), 1.0)), 4), slope=_slope_of(box))
            for box, text, score in zip(result.boxes, result.txts, result.scores)
            if text.strip()
        ]


def _bbox_of(quad: np.ndarray) -> tuple[float, float, float, float]:
    xs, ys = quad[:, 0], quad[:, 1]
    return (float(xs.min()), float(ys.min()), float(xs.max()), float(ys.max()))


def _slope_of(quad: np.ndarray) -> float | None:
    """The mean slope of the quadrilateral's top and bottom edges (corners clockwise from the top left)."""
    slopes = [(float(b[1] - a[1]) / float(b[0] - a[0])) for a, b in ((quad[0], quad[1]), (quad[3], quad[2])) if b[0] - a[0] > 0]
    return round(sum(slopes) / len(slopes), 4) if slopes else None
