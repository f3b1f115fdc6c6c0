"""Images and scanned pages to text blocks: load safely, fix orientation, OCR once (cached)."""
from __future__ import annotations

import unicodedata
from collections.abc import Callable, Sequence
from functools import lru_cache
from typing import BinaryIO
from pathlib import Path

import cv2
import numpy as np
from PIL import Image, ImageOps, ImageSequence, UnidentifiedImageError

from pipeline.config import IngestLimits
from pipeline.errors import UnreadableDocument
from pipeline.form_gaps import SURE as VALUE_SURE, unread_cell_places, unread_value_places
from pipeline.models import ErrorCode, Page, TextBlock, TextSource, centre_in
from pipeline.ocr import OcrEngine
from pipeline.ocr.registry import LineReader
from pipeline.ocr_cache import CachedOcr, OcrCache
from pipeline.preprocess import describe, prepare, seal_mask

# A line read sideways shows up as boxes much taller than wide. When most multi-character boxes look like
# that, the page is turned 90 or 270 degrees and both are tried.
_SIDEWAYS_SHARE = 0.5


def load_image_frames(path: Path | BinaryIO, limits: IngestLimits) -> list[np.ndarray]:
    """RGB frames of an image file (several for a multi-page TIFF), EXIF orientation applied."""
    try:
        with Image.open(path) as image:
            _check_pixels(image, limits)
            frames = [_to_rgb(frame) for frame, _ in zip(ImageSequence.Iterator(image), range(limits.max_pdf_pages))]
    except Image.DecompressionBombError as exc:
        raise UnreadableDocument(ErrorCode.IMAGE_TOO_LARGE, f"the image is too large to decode safely ({exc})") from exc
    except UnidentifiedImageError as exc:
        raise UnreadableDocument(ErrorCode.CORRUPT_IMAGE, f"not a readable image ({exc}); re-export it as PNG or JPEG") from exc
    except (OSError, SyntaxError, ValueError) as exc:
        raise UnreadableDocument(
            ErrorCode.CORRUPT_IMAGE, f"the image is damaged or truncated ({exc}); ask the applicant to upload it again"
        ) from exc
    return frames


def _check_pixels(image: Image.Image, limits: IngestLimits) -> None:
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
    tiles = "|tiles" if _is_long(image) else ""  # long screenshots: read in tiles since this change
    key = OcrCache.key_for(image, f"{engine.version}|{describe(steps)}{tiles}")
    cached = cache.get(key)
    if cached is not None and not cached.oriented and (cached.rotation or _looks_sideways(cached.blocks)):
        cached = None  # a sideways page read before its orientation was decided as it is now: read it again
    if cached is None:
        try:
            cached = _read_upright(image, engine, steps)
        except Exception as exc:  # noqa: BLE001 - an engine crash is this document's error, not the bundle's
            raise UnreadableDocument(
                ErrorCode.OCR_FAILED, f"the OCR engine failed on page {number} ({type(exc).__name__}: {exc}); try --engine tesseract or re-run"
            ) from exc
        cache.put(key, cached)
    upright = rotate_image(image, cached.rotation)
    read = _unsure_lines_read_again(upright, _lines_under_seals_read_again(upright, without_watermark(cached.blocks), engine, cache),
                                    engine, cache)
    found = read + _unread_values(upright, cached.model_copy(update={"blocks": read}), engine, cache)
    blocks = [_with_text(b, simplified(b.text)) for b in found]
    return Page(number=number, width=cached.width, height=cached.height, source=TextSource.OCR, rotation=cached.rotation,
                blocks=blocks)


def _with_text(block: TextBlock, text: str) -> TextBlock:
    """The block with its text respelled; its characters' confidences kept only while they still line up."""
    kept = block.character_confidences if block.character_confidences and len(text) == len(block.text) else None
    return block.model_copy(update={"text": text, "character_confidences": kept})


def _unread_values(upright: np.ndarray, page: CachedOcr, engine: OcrEngine, cache: OcrCache) -> list[TextBlock]:
    """The values a form prints where the page's reading found only their labels, and the cells a table row lacks
    under its neighbours' (pipeline/form_gaps.py): each place cropped and read by itself (cached by the crop), the
    boxes read surely moved onto the page."""
    out: list[TextBlock] = []
    for place, line_height in unread_value_places(page.blocks, page.width, page.height):
        out += [b for b in _read_crop(upright, place, engine, cache, "value-place") or []
                if b.confidence >= VALUE_SURE and len(b.text.strip()) >= 2 and not _slanted(b)
                and abs((b.bbox[3] - b.bbox[1]) - line_height) <= 0.35 * line_height  # the line's print, not a watermark's
                and not any(centre_in(b.bbox, other.bbox) for other in page.blocks)]  # a box read the first time
    for place, line_height in unread_cell_places(page.blocks, page.width, page.height):
        if any(centre_in(b.bbox, place) for b in out):
            continue  # a form's value beside its label, read already
        cell = _read_cell(upright, place, line_height, engine, cache)
        if cell is not None and cell.confidence >= VALUE_SURE and len(cell.text.strip()) >= 2:
            out.append(cell)
    return out


def _read_cell(upright: np.ndarray, cell: tuple[float, float, float, float], line_height: float, engine: OcrEngine,
               cache: OcrCache) -> TextBlock | None:
    """A table cell's one line, read by the recogniser alone where the engine can (cached by the crop); the box
    is the cell's place. None when the engine reads nothing there."""
    pad = 0.3 * line_height
    box = (cell[0] - pad, cell[1] - pad, cell[2] + pad, cell[3] + pad)
    read = _read_crop(upright, box, engine, cache, "table-cell-line", lambda crop: one_line(engine, crop))
    return read[0].model_copy(update={"bbox": cell}) if read else None


def one_line(engine: OcrEngine, image: np.ndarray) -> list[TextBlock]:
    """The one line a picture holds: by the recogniser alone where the engine can; an engine that only reads
    whole pictures gives it when it finds exactly one block there."""
    if isinstance(engine, LineReader):
        line = engine.recognize_line(image)
        return [line] if line else []
    blocks = engine.recognize(image)
    return blocks if len(blocks) == 1 else []


UNSURE_LINE = 0.75  # a line of text read less surely than this is read again from its own crop
REREAD_GAIN = 0.15  # …and that reading replaces it when it is surer by this much, and sure (VALUE_SURE) throughout
REREADS_PER_PAGE = 12  # the least sure lines of a page read again, at most
_LINE_SHAPE = 3.0  # box widths over heights: a line of text, not an icon or a stray mark


def _unsure_lines_read_again(upright: np.ndarray, blocks: list[TextBlock], engine: OcrEngine, cache: OcrCache) -> list[TextBlock]:
    """Lines OCR read with little confidence on the whole page (a crowded console row read as `RP l n g z ).`)
    read again from a crop of their own, which the engine often reads cleanly; the surer reading replaces the line."""
    unsure = sorted((b for b in blocks if b.confidence < UNSURE_LINE and len(b.text.strip()) >= 4
                     and b.bbox[2] - b.bbox[0] >= _LINE_SHAPE * (b.bbox[3] - b.bbox[1])), key=lambda b: b.confidence)
    again: dict[int, list[TextBlock]] = {}
    for block in unsure[:REREADS_PER_PAGE]:
        x0, y0, x1, y1 = block.bbox
        pad = 0.3 * (y1 - y0)
        read = [b for b in _read_crop(upright, (x0 - pad, y0 - pad, x1 + pad, y1 + pad), engine, cache, "unsure-line") or []
                if x0 <= (b.bbox[0] + b.bbox[2]) / 2 <= x1 and y0 <= (b.bbox[1] + b.bbox[3]) / 2 <= y1]
        if (read and min(b.confidence for b in read) >= VALUE_SURE
                and sum(b.confidence for b in read) / len(read) >= block.confidence + REREAD_GAIN):
            again[id(block)] = read
    return [line for block in blocks for line in again.get(id(block), [block])]


SEAL_SHARE = 0.03  # a line whose box is this much a seal's red ink is read again through the red channel
SEAL_KEEPS = 0.7  # …keeping this much of the line's length at least (seal strokes read as characters drop out)
SEAL_MARGIN = 0.05  # …and that reading replaces it when sure and no more than this less sure than the first


def _lines_under_seals_read_again(upright: np.ndarray, blocks: list[TextBlock], engine: OcrEngine,
                                  cache: OcrCache) -> list[TextBlock]:
    """Lines a red seal is stamped over (an issuer's name, a date) read again from the picture's red channel,
    where the seal's red ink turns as pale as the paper and the black print under it stays dark: OCR of the
    colour picture reads strokes of the seal into the characters (继续 as 继卖) or loses them, surely all the
    same, and its detector may miss such a line altogether. The red channel's reading of a line by the recogniser
    alone replaces it when it is sure; the lines found only in the red channel of a seal's place are added."""
    seal = seal_mask(upright)
    if not seal.any():
        return blocks
    again: dict[int, list[TextBlock]] = {}
    for block in blocks:
        x0, y0, x1, y1 = (max(int(v), 0) for v in block.bbox)
        if (len(block.text.strip()) < 2 or x1 <= x0 or y1 <= y0 or seal[y0:y1, x0:x1].mean() < SEAL_SHARE
                or not _black_print(upright[y0:y1, x0:x1])):
            continue  # no seal over it, or a line printed in red (the seal's own words, red print) itself
        pad = 0.3 * (y1 - y0)
        read = _read_crop(upright, (x0 - pad, y0 - pad, x1 + pad, y1 + pad), engine, cache, "seal-red-line",
                          lambda crop: one_line(engine, _red_channel(crop)))
        if (read and read[0].confidence >= max(VALUE_SURE, block.confidence - SEAL_MARGIN)
                and len(read[0].text) >= SEAL_KEEPS * len(block.text)):  # not a line cut short
            again[id(block)] = [read[0].model_copy(update={"bbox": block.bbox, "slope": block.slope})]
    kept = [line for block in blocks for line in again.get(id(block), [block])]
    return kept + _lines_hidden_by_seals(upright, seal, kept, engine, cache)


SEALS_PER_PAGE = 4  # seals whose places are read again through the red channel, at most (the largest)
SEAL_LARGEST = 0.4  # a seal's size over the page's longer side, at most: a red border round the page is no seal
SEAL_REACH = 1.0  # seal widths each side of a seal that its place runs to: the line under it runs on past it


def _lines_hidden_by_seals(upright: np.ndarray, seal: np.ndarray, blocks: list[TextBlock], engine: OcrEngine,
                           cache: OcrCache) -> list[TextBlock]:
    """Lines of black print that the first reading did not find where a seal is stamped, found in the red
    channel of the seal's place: each read surely, whole (clear of the place's sides) and where no box is."""
    grown = cv2.dilate(seal.astype(np.uint8), np.ones((15, 15), np.uint8))
    count, _, stats, _ = cv2.connectedComponentsWithStats(grown)
    found: list[TextBlock] = []
    side = max(upright.shape[:2])
    seals = [k for k in range(1, count) if max(stats[k][2], stats[k][3]) <= SEAL_LARGEST * side]  # not a red frame
    for label in sorted(seals, key=lambda k: -stats[k][4])[:SEALS_PER_PAGE]:
        x, y, w, h = (int(v) for v in stats[label][:4])
        place = (max(x - SEAL_REACH * w, 0), y, min(x + w + SEAL_REACH * w, upright.shape[1]), y + h)
        for block in _read_crop(upright, place, engine, cache, "seal-red-place",
                                lambda crop: engine.recognize(_red_channel(crop))) or []:
            x0, y0, x1, y1 = block.bbox
            clear = x0 - place[0] > 0.5 * (y1 - y0) and place[2] - x1 > 0.5 * (y1 - y0)
            if (clear and block.confidence >= VALUE_SURE and len(block.text.strip()) >= 2
                    and _black_print(upright[int(y0):int(y1), int(x0):int(x1)])  # not the seal's own words
                    and not any(centre_in(block.bbox, b.bbox) or centre_in(b.bbox, block.bbox) for b in blocks + found)):
                found.append(block)
    return found


BLACK_PRINT = 0.15  # share of a line's ink that is grey or black, over which the line is printed in black
_INK, _GREY = 180, 50  # below _INK in some channel is ink, not paper; channels within _GREY of each other, no colour


def _black_print(box: np.ndarray) -> bool:
    """Whether a line's own print is black (a seal stamped over it adds the red), not red or coloured itself; a
    faint scan's black is grey, still of no colour."""
    box = box.astype(np.int16)
    ink = box.min(axis=2) < _INK
    return bool(ink.any()) and (box.max(axis=2) - box.min(axis=2) < _GREY)[ink].mean() >= BLACK_PRINT


def _red_channel(image: np.ndarray) -> np.ndarray:
    """The picture's red channel as a grey picture of three channels, the shape the engines take."""
    red = image[:, :, 0]
    return np.ascontiguousarray(np.stack([red, red, red], axis=2))


def _read_crop(upright: np.ndarray, box: tuple[float, float, float, float], engine: OcrEngine, cache: OcrCache,
               purpose: str, read_with: Callable[[np.ndarray], list[TextBlock]] | None = None) -> list[TextBlock] | None:
    """The blocks of one place of the page read by itself (by the engine, or `read_with`; cached by the crop),
    boxes in page coordinates; None when the place is too small to read or the engine fails (the page stays as
    first read)."""
    x0, y0 = max(int(box[0]), 0), max(int(box[1]), 0)
    crop = np.ascontiguousarray(upright[y0:max(int(box[3]), y0), x0:max(int(box[2]), x0)])
    if crop.shape[0] < 8 or crop.shape[1] < 8:
        return None
    key = OcrCache.key_for(crop, f"{engine.version}|{purpose}")
    read = cache.get(key)
    if read is None:
        try:
            blocks = (read_with or engine.recognize)(crop)
            read = CachedOcr(rotation=0, width=crop.shape[1], height=crop.shape[0], blocks=blocks, oriented=True)
        except Exception:  # noqa: BLE001 - a second look that fails leaves the page as first read
            return None
        cache.put(key, read)
    return [b.model_copy(update={"bbox": (b.bbox[0] + x0, b.bbox[1] + y0, b.bbox[2] + x0, b.bbox[3] + y0)}) for b in read.blocks]


@lru_cache(maxsize=1)
def _to_simplified():
    import opencc

    return opencc.OpenCC("t2s")


def simplified(text: str) -> str:
    """OCR text in simplified characters: the recognition model reads some simplified glyphs (a 楷体 print above
    all) as their traditional forms, 視頻會議 for 视频会议. The applicants' documents are mainland ones."""
    if text.isascii():
        return text
    return _to_simplified().convert(text)


# A watermark (本复印件仅用于云市场资质审核，他用无效) is printed slanted over the page, again and again. OCR reads it in
# pieces whose boxes are far taller than a line of their text is, and whose words recur in the other pieces.
# Such pieces are dropped: they are no one's evidence, and a large slanted 印件仅用 looks like a name.
SLANT_RATIO = 0.45  # box width over the width its text would take on one level line, below which it is slanted
WATERMARK_REPEATS = 3  # other blocks holding most of a piece's character pairs


def without_watermark(blocks: list[TextBlock]) -> list[TextBlock]:
    pairs = [{block.text[i:i + 2] for i in range(len(block.text) - 1)} - {""} for block in blocks]
    seen: dict[str, int] = {}
    for block_pairs in pairs:
        for pair in block_pairs:
            seen[pair] = seen.get(pair, 0) + 1

    def watermark(block: TextBlock, block_pairs: set[str]) -> bool:
        if len(block_pairs) < 1 or not _slanted(block):
            return False
        recurring = sum(1 for pair in block_pairs if seen[pair] - 1 >= WATERMARK_REPEATS)
        return recurring >= 0.5 * len(block_pairs)

    return [b for b, block_pairs in zip(blocks, pairs) if not watermark(b, block_pairs)]


def _slanted(block: TextBlock) -> bool:
    height = block.bbox[3] - block.bbox[1]
    level_width = height * sum(1.0 if unicodedata.east_asian_width(c) in "WF" else 0.5 for c in block.text if not c.isspace())
    return level_width > 0 and (block.bbox[2] - block.bbox[0]) < SLANT_RATIO * level_width


def _read_upright(image: np.ndarray, engine: OcrEngine, steps: Sequence[str]) -> CachedOcr:
    """The page read the right way up. A page that reads sideways is turned both ways and read with no line
    turned over (RapidOCR's line classifier would read an upside-down page's lines right, and hide it): the
    turn that reads better is the upright one."""
    blocks = _recognize(image, engine.recognize, steps)
    if not _looks_sideways(blocks):
        return CachedOcr(rotation=0, width=image.shape[1], height=image.shape[0], blocks=blocks, oriented=True)
    read_as_turned = getattr(engine, "recognize_as_turned", engine.recognize)
    candidates = []
    for rotation in (90, 270):
        turned = np.ascontiguousarray(np.rot90(image, k=rotation // 90))
        candidates.append(CachedOcr(rotation=rotation, width=turned.shape[1], height=turned.shape[0],
                                    blocks=_recognize(turned, read_as_turned, steps), oriented=True))
    return max(candidates, key=lambda c: _reading_score(c.blocks))


# A long phone screenshot (a member list scrolled over several screens) shrunk whole to the engine's input size
# leaves its text a few pixels high. Pictures taller than LONG_RATIO widths are read in tiles of TILE_RATIO widths
# that overlap by TILE_OVERLAP of a tile, more than any line of text is high.
LONG_RATIO = 2.5
TILE_RATIO = 1.5
TILE_OVERLAP = 0.15


def _is_long(image: np.ndarray) -> bool:
    return image.shape[0] > LONG_RATIO * image.shape[1]


def _recognize(image: np.ndarray, read: Callable[[np.ndarray], list[TextBlock]], steps: Sequence[str]) -> list[TextBlock]:
    """OCR of the cleaned picture, each box mapped back onto the picture as given."""
    if not steps:
        return _recognize_tiled(image, read)
    prepared = prepare(image, steps)
    blocks = _recognize_tiled(prepared.image, read)
    if not prepared.homographies:
        return blocks
    # a box mapped back through a turn or a warp keeps no slope of its own: the lines are levelled by their pairs
    return [b.model_copy(update={"bbox": prepared.to_original(b.bbox), "slope": None}) for b in blocks]


def _recognize_tiled(image: np.ndarray, read: Callable[[np.ndarray], list[TextBlock]]) -> list[TextBlock]:
    """The whole picture at once, or a long one tile by tile. Each tile keeps the boxes centred in its own part
    (its share of each overlap), so a line in an overlap is read once, from a tile that holds all of it."""
    height, width = image.shape[:2]
    if not _is_long(image):
        return read(image)
    tile = int(TILE_RATIO * width)
    overlap = int(TILE_OVERLAP * tile)
    starts = list(range(0, max(height - tile, 0), tile - overlap)) + [max(height - tile, 0)]
    blocks: list[TextBlock] = []
    for i, top in enumerate(starts):
        own_from = 0 if i == 0 else (top + starts[i - 1] + tile) / 2  # the middle of the overlap with the tile above
        own_to = height if i == len(starts) - 1 else (starts[i + 1] + top + tile) / 2
        for block in read(np.ascontiguousarray(image[top:top + tile])):
            x0, y0, x1, y1 = block.bbox
            if own_from <= top + (y0 + y1) / 2 < own_to:
                blocks.append(block.model_copy(update={"bbox": (x0, y0 + top, x1, y1 + top)}))
    return blocks


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
