"""Pictures cleaned before OCR, with OpenCV: the steps that phone photos and scans of real uploads need.

Each step is one pure function of the image; the steps a run applies are a setting (`Settings.preprocess`), part
of the OCR cache key, so changing them re-reads the pages. `make bench` measures each step on and off.

- `perspective`: find the sheet's four corners in a photo and undo the perspective;
- `deskew`: turn a scan whose lines run slightly askew level (projection profiles);
- `shadow`: flatten uneven light and shadows (divide by the background, estimated by a closing);
- `seal`: whiten red seals and stamps (large, round red blobs) so that the text under them reads; red text
  lines (an invoice's labels) are kept;
- `watermark`: whiten light ink (tiled 仅供…使用 watermarks, security backgrounds) that is much lighter than
  the text.

Geometry-changing steps return the mapping from the cleaned picture back to the picture as it was given, so a
block's box stays in the page's own coordinates (provenance)."""
from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

import cv2
import numpy as np

from pipeline.models import BBox

STEPS = ("perspective", "deskew", "shadow", "seal", "watermark")
LIGHT_INK = 185  # after shadow flattening: ink lighter than this is a watermark or a security background
_WORK_SIDE = 900  # pixels: geometry is estimated on a copy this large


@dataclass
class Prepared:
    image: np.ndarray
    homographies: list[np.ndarray] = field(default_factory=list)  # original -> cleaned, in the order applied
    applied: list[str] = field(default_factory=list)

    def to_original(self, bbox: BBox) -> BBox:
        """A box of the cleaned picture in the coordinates of the picture as it was given."""
        if not self.homographies:
            return bbox
        inverse = np.linalg.inv(_compose(self.homographies))
        x0, y0, x1, y1 = bbox
        corners = np.array([[[x0, y0], [x1, y0], [x1, y1], [x0, y1]]], dtype=np.float64)
        mapped = cv2.perspectiveTransform(corners, inverse)[0]
        return (float(mapped[:, 0].min()), float(mapped[:, 1].min()), float(mapped[:, 0].max()), float(mapped[:, 1].max()))


def _compose(matrices: Sequence[np.ndarray]) -> np.ndarray:
    out = np.eye(3)
    for matrix in matrices:
        out = matrix @ out
    return out


def prepare(image: np.ndarray, steps: Sequence[str]) -> Prepared:
    unknown = [s for s in steps if s not in STEPS]
    if unknown:
        raise ValueError(f"unknown preprocessing steps {unknown}; known: {', '.join(STEPS)}")
    prepared = Prepared(image)
    for step in STEPS:  # a fixed order, whatever order the setting lists them in
        if step in steps:
            _STEP[step](prepared)
    return prepared


def describe(steps: Sequence[str]) -> str:
    """The steps as they key the OCR cache."""
    return "+".join(s for s in STEPS if s in steps) or "none"


# ------------------------------------------------------------------------------------------------ geometry


def _perspective(prepared: Prepared) -> None:
    image = prepared.image
    quad = find_sheet(image)
    if quad is None:
        return
    width = int(max(np.linalg.norm(quad[1] - quad[0]), np.linalg.norm(quad[2] - quad[3])))
    height = int(max(np.linalg.norm(quad[3] - quad[0]), np.linalg.norm(quad[2] - quad[1])))
    target = np.array([[0, 0], [width - 1, 0], [width - 1, height - 1], [0, height - 1]], dtype=np.float32)
    matrix = cv2.getPerspectiveTransform(quad.astype(np.float32), target)
    prepared.image = cv2.warpPerspective(image, matrix, (width, height), flags=cv2.INTER_CUBIC,
                                         borderMode=cv2.BORDER_REPLICATE)
    prepared.homographies.append(matrix)
    prepared.applied.append("perspective")


def find_sheet(image: np.ndarray) -> np.ndarray | None:
    """The four corners (top-left, top-right, bottom-right, bottom-left) of a sheet photographed on a
    background, or None when the picture is the sheet itself (a scan, a screenshot) or no sheet stands out."""
    h, w = image.shape[:2]
    scale = _WORK_SIDE / max(h, w)
    small = cv2.resize(image, (int(w * scale), int(h * scale)), interpolation=cv2.INTER_AREA) if scale < 1 else image
    scale = min(scale, 1.0)
    gray = cv2.GaussianBlur(cv2.cvtColor(small, cv2.COLOR_RGB2GRAY), (5, 5), 0)
    edges = cv2.dilate(cv2.Canny(gray, 40, 120), np.ones((3, 3), np.uint8))
    contours, _ = cv2.findContours(edges, cv2.RETR_EXTERNAL, cv2.CHAIN_APPROX_SIMPLE)
    area = small.shape[0] * small.shape[1]
    for contour in sorted(contours, key=cv2.contourArea, reverse=True)[:5]:
        hull = cv2.convexHull(contour)
        approx = cv2.approxPolyDP(hull, 0.02 * cv2.arcLength(hull, True), True)
        share = cv2.contourArea(approx) / area
        if len(approx) == 4 and 0.3 <= share <= 0.93:
            quad = _ordered(approx.reshape(4, 2).astype(np.float64) / scale)
            if _skewed(quad, w, h):
                return quad
    return None


def _ordered(points: np.ndarray) -> np.ndarray:
    s, d = points.sum(axis=1), np.diff(points, axis=1).ravel()
    return np.array([points[np.argmin(s)], points[np.argmin(d)], points[np.argmax(s)], points[np.argmax(d)]])


def _skewed(quad: np.ndarray, w: int, h: int) -> bool:
    """Worth warping: the corners are not already those of an upright rectangle."""
    frame = np.array([[quad[0][0], quad[0][1]], [quad[1][0], quad[0][1]], [quad[1][0], quad[2][1]], [quad[0][0], quad[2][1]]])
    return float(np.abs(quad - frame).max()) > 0.01 * max(w, h)


def _deskew(prepared: Prepared) -> None:
    angle = skew_angle(prepared.image)
    if abs(angle) < 0.3:
        return
    h, w = prepared.image.shape[:2]
    rotation = cv2.getRotationMatrix2D((w / 2, h / 2), angle, 1.0)
    prepared.image = cv2.warpAffine(prepared.image, rotation, (w, h), flags=cv2.INTER_CUBIC, borderMode=cv2.BORDER_REPLICATE)
    prepared.homographies.append(np.vstack([rotation, [0, 0, 1]]))
    prepared.applied.append("deskew")


def skew_angle(image: np.ndarray, limit: float = 6.0, step: float = 0.25) -> float:
    """The rotation (degrees) that makes text rows sharpest: the projection profile's variance is largest."""
    gray = cv2.cvtColor(image, cv2.COLOR_RGB2GRAY)
    scale = _WORK_SIDE / max(gray.shape)
    if scale < 1:
        gray = cv2.resize(gray, None, fx=scale, fy=scale, interpolation=cv2.INTER_AREA)
    ink = cv2.threshold(gray, 0, 255, cv2.THRESH_BINARY_INV + cv2.THRESH_OTSU)[1]
    h, w = ink.shape
    best, best_score = 0.0, -1.0
    for angle in np.arange(-limit, limit + step / 2, step):
        rotation = cv2.getRotationMatrix2D((w / 2, h / 2), float(angle), 1.0)
        rows = cv2.warpAffine(ink, rotation, (w, h)).sum(axis=1, dtype=np.float64)
        score = float(np.var(rows))
        if score > best_score:
            best, best_score = float(angle), score
    return best


# ------------------------------------------------------------------------------------------------ colour


def _shadow(prepared: Prepared) -> None:
    prepared.image = flatten_light(prepared.image)
    prepared.applied.append("shadow")


def flatten_light(image: np.ndarray) -> np.ndarray:
    """Each channel divided by its background (a closing wider than the strokes, smoothed): white paper under
    uneven light and shadows becomes white, ink keeps its darkness."""
    h, w = image.shape[:2]
    size = max(15, (min(h, w) // 40) | 1)
    kernel = cv2.getStructuringElement(cv2.MORPH_ELLIPSE, (size, size))
    out = []
    for channel in cv2.split(image):
        background = cv2.medianBlur(cv2.morphologyEx(channel, cv2.MORPH_CLOSE, kernel), 21)
        out.append(cv2.divide(channel, background, scale=255))
    return cv2.merge(out)


def _seal(prepared: Prepared) -> None:
    mask = seal_mask(prepared.image)
    if mask.any():
        image = prepared.image.copy()
        image[mask] = 255
        prepared.image = image
        prepared.applied.append("seal")


def seal_mask(image: np.ndarray) -> np.ndarray:
    """The red pixels of seals and stamps: red ink that, dilated, forms a large roughly round or square blob (a
    seal's ring and its arc of characters). Red text lines form long thin blobs and are kept."""
    hsv = cv2.cvtColor(image, cv2.COLOR_RGB2HSV)
    hue, saturation, value = cv2.split(hsv)
    red = (((hue <= 12) | (hue >= 160)) & (saturation > 60) & (value > 80)).astype(np.uint8)
    if red.mean() < 0.0005:
        return red.astype(bool)
    side = max(image.shape[:2])
    grown = cv2.dilate(red, np.ones((max(3, side // 150),) * 2, np.uint8))
    count, labels, stats, _ = cv2.connectedComponentsWithStats(grown)
    keep = np.zeros(count, dtype=bool)
    for label in range(1, count):
        x, y, w, h, _ = stats[label]
        if min(w, h) >= 0.06 * side and 0.6 <= w / max(h, 1) <= 1.7:
            keep[label] = True
    return keep[labels] & red.astype(bool)


def _watermark(prepared: Prepared) -> None:
    gray = cv2.cvtColor(prepared.image, cv2.COLOR_RGB2GRAY)
    light = gray > LIGHT_INK
    image = prepared.image.copy()
    image[light] = 255
    prepared.image = image
    prepared.applied.append("watermark")


_STEP: dict[str, Callable[[Prepared], None]] = {
    "perspective": _perspective, "deskew": _deskew, "shadow": _shadow, "seal": _seal, "watermark": _watermark,
}
