"""OCR engines behind one Protocol, chosen by name from a registry (docling-style factory)."""
from pipeline.ocr.registry import OcrEngine, available_engines, engine_version, get_engine, register_engine

__all__ = ["OcrEngine", "available_engines", "engine_version", "get_engine", "register_engine"]
