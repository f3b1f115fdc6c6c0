"""Each bundle file becomes a Document of pages of text blocks. A file that cannot be read becomes a
Document carrying its error; nothing here raises for one bad file."""
from __future__ import annotations

from pathlib import Path

import numpy as np

from pipeline.config import Settings
from pipeline.errors import UnreadableDocument
from pipeline.image_text import load_image_frames, ocr_page, one_line
from pipeline.models import BundleFile, Document, ErrorCode, FileType, Page, TextSource
from pipeline.ocr import OcrEngine, engine_version, get_engine
from pipeline.ocr_cache import OcrCache
from pipeline.office_text import read_docx, read_plain_text, read_xlsx
from pipeline.pdf_text import read_pdf


class PageReader:
    """Holds what reading needs across documents: the settings, the OCR cache, and a lazily loaded engine
    (loading RapidOCR costs time and ~1 GB, so a bundle of digital PDFs never pays it)."""

    def __init__(self, settings: Settings, engine_name: str | None = None):
        self.settings = settings
        self.engine_name = engine_name or settings.engine
        self.cache = OcrCache(settings.ocr_cache_dir)
        self.ocr_calls = 0

    @property
    def engine(self) -> OcrEngine:
        return get_engine(self.engine_name, self.settings.ocr_threads)

    def ocr(self, image: np.ndarray, number: int) -> Page:
        self.ocr_calls += 1
        return ocr_page(image, number, _LazyEngine(self), self.cache, self.settings.preprocess)

    def read(self, file: BundleFile) -> Document:
        document = Document(path=file.path, sha256=file.sha256, file_type=file.file_type)
        try:
            document.pages = self._pages(file, document.warnings)
        except UnreadableDocument as exc:
            document.error = exc.as_bundle_error(file.path)
            return document
        except Exception as exc:  # noqa: BLE001 - a hostile file must never crash the bundle
            document.error = UnreadableDocument(
                ErrorCode.EXTRACTION_FAILED, f"reading failed unexpectedly ({type(exc).__name__}: {exc})"
            ).as_bundle_error(file.path)
            return document
        document.text_source = summarise_source(document.pages)
        return document

    def _pages(self, file: BundleFile, warnings: list[str]) -> list[Page]:
        path = Path(file.local_path)
        limits = self.settings.limits
        if file.file_type is FileType.PDF:
            return read_pdf(path, limits, self.settings.render_dpi, self.ocr)
        if file.file_type.is_image:
            return [self.ocr(frame, n) for n, frame in enumerate(load_image_frames(path, limits), start=1)]
        if file.file_type is FileType.XLSX:
            return read_xlsx(path, limits)
        if file.file_type is FileType.DOCX:
            return read_docx(path, limits, self.ocr, warnings)
        if file.file_type in (FileType.TEXT, FileType.JSON):
            return read_plain_text(path, delimited=file.file_type is FileType.TEXT)
        return []


class _LazyEngine:
    """Defers engine loading until a page misses the cache, so a fully cached run loads no model."""

    def __init__(self, reader: PageReader):
        self._reader = reader

    @property
    def version(self) -> str:
        return engine_version(self._reader.engine_name, self._reader.settings.ocr_threads)

    def recognize(self, image: np.ndarray):
        return self._reader.engine.recognize(image)

    def recognize_as_turned(self, image: np.ndarray):
        engine = self._reader.engine
        return getattr(engine, "recognize_as_turned", engine.recognize)(image)

    def recognize_line(self, image: np.ndarray):
        """The engine's reading of one line by its recogniser alone; an engine without one reads the picture
        whole, and its one block is the line."""
        line = one_line(self._reader.engine, image)
        return line[0] if line else None


def summarise_source(pages: list[Page]) -> TextSource:
    sources = {p.source for p in pages if p.source is not TextSource.NONE}
    if not sources:
        return TextSource.NONE
    return sources.pop() if len(sources) == 1 else TextSource.MIXED

