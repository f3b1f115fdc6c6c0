"""The engine registry. Engines are created lazily, once per process and thread, and reused."""
from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Protocol, runtime_checkable

import numpy as np

from pipeline.errors import UsageError
from pipeline.models import ErrorCode, TextBlock


@runtime_checkable
class OcrEngine(Protocol):
    name: str

    @property
    def version(self) -> str: ...

    def recognize(self, image: np.ndarray) -> list[TextBlock]:
        """Read an RGB image (H x W x 3, uint8); boxes are in the image's pixel coordinates."""
        ...


@runtime_checkable
class LineReader(Protocol):
    """An engine that can also read a picture known to hold one line of text (a table cell) without looking for
    lines first: on a small crop a text detector is unstable, the recogniser alone is not."""

    def recognize_line(self, image: np.ndarray) -> TextBlock | None: ...


EngineFactory = Callable[[int], OcrEngine]

_factories: dict[str, EngineFactory] = {}
_instances: dict[tuple[str, int, int], OcrEngine] = {}


def register_engine(name: str, factory: EngineFactory, *, replace: bool = False) -> None:
    if name in _factories and not replace:
        raise ValueError(f"OCR engine {name!r} is already registered; pass replace=True to override it")
    _factories[name] = factory
    for key in [k for k in _instances if k[0] == name]:
        del _instances[key]


def unregister_engine(name: str) -> None:
    _factories.pop(name, None)
    for key in [k for k in _instances if k[0] == name]:
        del _instances[key]


def available_engines() -> list[str]:
    _register_builtin()
    return sorted(_factories)


def get_engine(name: str, threads: int = 2) -> OcrEngine:
    _register_builtin()
    if name not in _factories:
        raise UsageError(
            ErrorCode.OCR_FAILED,
            f"unknown OCR engine {name!r}; choose one of: {', '.join(sorted(_factories))}",
        )
    key = (name, threads, threading.get_ident())  # one instance per thread: a batch verifies bundles in threads
    if key not in _instances:
        _instances[key] = _factories[name](threads)
    return _instances[key]


def engine_version(name: str, threads: int = 2) -> str:
    """The version that keys the OCR cache, read without loading models where the engine allows it."""
    _register_builtin()
    describe = getattr(_factories.get(name), "describe_version", None)
    return describe() if describe is not None else get_engine(name, threads).version


def _register_builtin() -> None:
    if "rapidocr" in _factories and "tesseract" in _factories:
        return
    from pipeline.ocr.rapid import RapidOcrEngine
    from pipeline.ocr.tesseract import TesseractEngine

    _factories.setdefault("rapidocr", RapidOcrEngine)
    _factories.setdefault("tesseract", TesseractEngine)
