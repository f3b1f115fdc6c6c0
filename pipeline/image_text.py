"""Images and scanned pages to text blocks: load safely, fix orientation, OCR once (cached)."""
from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import numpy as np
from PIL import Image, ImageOps, ImageSequence, UnidentifiedImageError

from pipeline.config import IngestLimits
from pipeline.errors import UnreadableDocument
from pipeline.models import ErrorCode, Page, TextBlock, TextSource
from pipeline.ocr import OcrEngine
from pipeline.ocr_cache import CachedOcr, OcrCache
from pipeline.preprocess import describe, prepare

# A line read sideways shows up as boxes much taller than wide. When most multi-character boxes look like
# that, the page is turned 90 or 270 degrees and both are tried.
_SIDEWAYS_SHARE = 0.5


def load_image_frames(path: Path, limits: IngestLimits) -> list[np.ndarray]:
    """RGB frames of an image file (several for a multi-page TIFF), EXIF orientation applied."""
    try:
        with Image.open(path) as image:
            _check_pixels(image, path, limits)
            frames = [_to_rgb(frame) for frame, _ in zip(ImageSequence.Iterator(image), range(limits.max_pdf_pages))]
    except UnidentifiedImageError as exc:
        raise UnreadableDocument(ErrorCode.CORRUPT_IMAGE, f"not a readable image ({exc}); re-export it as PNG or JPEG") from exc
    except (OSError, SyntaxError, ValueError) as exc:
        raise UnreadableDocument(
            ErrorCode.CORRUPT_IMAGE, f"the image is damaged or truncated ({exc}); ask the applicant to upload it again"
        ) from exc
    return frames


def _check_pixels(image: Image.Image, path: Path, limits: IngestLimits) -> None:
    width, height = image.size
    if width * height > limits.max_image_pixels:
        raise UnreadableDocument(
            ErrorCode.IMAGE_TOO_LARGE,
            f"{width}x{height} pixels is over the limit of {limits.max_image_pixels:,}; "
            "ask for a smaller scan or raise limits.max_image_pixels",
        )


def _to_rgb(frame: Image.Image) -> np.ndarray:
    frame = ImageOps.exif_transpose(frame)
    frame.load()
    return np.asarray(frame.convert("RGB"))


def ocr_page(image: np.ndarray, number: int, engine: OcrEngine, cache: OcrCache, steps: Sequence[str] = ()) -> Page:
    """The page's text blocks: OCR of the picture cleaned by `steps` (pipeline/preprocess.py), boxes in the
    picture's own coordinates. Cached by the picture, the engine and the steps."""
    key = OcrCache.key_for(image, f"{engine.version}|{describe(steps)}")
    cached = cache.get(key)
    if cached is None:
        try:
            cached = _read_upright(image, engine, steps)
        except Exception as exc:  # noqa: BLE001 - an engine crash is this document's error, not the bundle's
            raise UnreadableDocument(
                ErrorCode.OCR_FAILED, f"the OCR engine failed on page {number} ({type(exc).__name__}: {exc}); try --engine tesseract or re-run"
            ) from exc
        cache.put(key, cached)
    return Page(number=number, width=cached.width, height=cached.height, source=TextSource.OCR, rotation=cached.rotation,
                blocks=cached.blocks)


def _read_upright(image: np.ndarray, engine: OcrEngine, steps: Sequence[str]) -> CachedOcr:
    blocks = _recognize(image, engine, steps)
    best = CachedOcr(rotation=0, width=image.shape[1], height=image.shape[0], blocks=blocks)
    if not _looks_sideways(blocks):
        return best
    for rotation in (90, 270):
        turned = np.ascontiguousarray(np.rot90(image, k=rotation // 90))
        candidate = CachedOcr(
            rotation=rotation, width=turned.shape[1], height=turned.shape[0], blocks=_recognize(turned, engine, steps)
        )
        if _reading_score(candidate.blocks) > _reading_score(best.blocks):
            best = candidate
    return best


def _recognize(image: np.ndarray, engine: OcrEngine, steps: Sequence[str]) -> list[TextBlock]:
    """OCR of the cleaned picture, each box mapped back onto the picture as given."""
    if not steps:
        return engine.recognize(image)
    prepared = prepare(image, steps)
    blocks = engine.recognize(prepared.image)
    if not prepared.homographies:
        return blocks
    return [b.model_copy(update={"bbox": prepared.to_original(b.bbox)}) for b in blocks]


def _looks_sideways(blocks: list[TextBlock]) -> bool:
    lines = [b for b in blocks if len(b.text) >= 3]
    if not lines:
        return False
    tall = sum(1 for b in lines if (b.bbox[3] - b.bbox[1]) > 1.5 * (b.bbox[2] - b.bbox[0]))
    return tall / len(lines) >= _SIDEWAYS_SHARE


def _reading_score(blocks: list[TextBlock]) -> float:
    return sum(b.confidence * len(b.text) for b in blocks if (b.bbox[2] - b.bbox[0]) >= (b.bbox[3] - b.bbox[1]))


def rotate_image(image: np.ndarray, rotation: int) -> np.ndarray:
    """The page image as it was read, for crops and rendering."""
    return np.ascontiguousarray(np.rot90(image, k=rotation // 90)) if rotation else image
