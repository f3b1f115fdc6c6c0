"""OCR results cached by page-image content hash, engine and engine version, under EVIDENCE_HOME."""
from __future__ import annotations

import hashlib
import os
import tempfile
from pathlib import Path

import numpy as np
from pydantic import ValidationError

from pipeline.models import Strict, TextBlock

CACHE_FORMAT = 3  # 2: blocks carry their slope; 3: and their characters' confidences


class CachedOcr(Strict):
    rotation: int  # degrees counter-clockwise applied before reading
    width: int
    height: int
    blocks: list[TextBlock]
    oriented: bool = False  # read since a sideways page's turn is decided with no line turned over


class OcrCache:
    def __init__(self, directory: Path):
        self.directory = directory
        self.hits = 0
        self.misses = 0

    @staticmethod
    def key_for(image: np.ndarray, engine_version: str) -> str:
        digest = hashlib.sha256()
        digest.update(f"{CACHE_FORMAT}|{engine_version}|{image.shape}|".encode())
        digest.update(np.ascontiguousarray(image).data)
        return digest.hexdigest()

    def _path(self, key: str) -> Path:
        return self.directory / key[:2] / f"{key}.json"

    def get(self, key: str) -> CachedOcr | None:
        path = self._path(key)
        try:
            result = CachedOcr.model_validate_json(path.read_bytes())
        except (OSError, ValidationError, ValueError):
            self.misses += 1
            return None
        self.hits += 1
        return result

    def put(self, key: str, result: CachedOcr) -> None:
        path = self._path(key)
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=path.parent, suffix=".tmp")
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            handle.write(result.model_dump_json())
        os.replace(tmp, path)


