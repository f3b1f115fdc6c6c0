"""The context object that carries options and paths through the stages (no hidden globals)."""
from __future__ import annotations

import os
from pathlib import Path

from pydantic import BaseModel, ConfigDict, Field


class IngestLimits(BaseModel):
    model_config = ConfigDict(extra="forbid")

    max_entries: int = 2_000
    max_total_bytes: int = 512 * 1024 * 1024
    max_entry_bytes: int = 128 * 1024 * 1024
    max_compression_ratio: float = 100.0
    max_nested_depth: int = 1
    max_image_pixels: int = 80_000_000
    max_pdf_pages: int = 300


class Settings(BaseModel):
    model_config = ConfigDict(extra="forbid")

    home: Path = Field(default_factory=lambda: Path(os.environ.get("EVIDENCE_HOME", "~/.evidence")).expanduser())
    db_url: str | None = Field(default_factory=lambda: os.environ.get("EVIDENCE_DB_URL") or None)  # None: SQLite under home
    engine: str = "rapidocr"
    ocr_threads: int = 2
    render_dpi: int = 200
    # OpenCV steps applied to a picture before OCR (pipeline/preprocess.py); part of the OCR cache key.
    preprocess: tuple[str, ...] = Field(default_factory=lambda: tuple(
        s for s in os.environ.get("EVIDENCE_PREPROCESS", "").split(",") if s))
    limits: IngestLimits = Field(default_factory=IngestLimits)

    @property
    def ocr_cache_dir(self) -> Path:
        return self.home / "cache" / "ocr"

    @property
    def work_dir(self) -> Path:
        return self.home / "work"
