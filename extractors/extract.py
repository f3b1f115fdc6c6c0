"""Classify each document and run the extractor of its kind. One module per kind; each exposes
`KIND`, `NAME` and `extract(document) -> list[Fact]`."""
from __future__ import annotations

from types import ModuleType

from extractors import business_license
from extractors.classify import classify
from pipeline.models import Document, DocumentKind, Fact

EXTRACTORS: dict[DocumentKind, ModuleType] = {module.KIND: module for module in (business_license,)}


def classify_document(document: Document) -> Document:
    if document.error is not None or document.kind is DocumentKind.APPLICATION:
        return document
    kind, score = classify(document)
    return document.model_copy(update={"kind": kind, "kind_score": score})


def extract_document(document: Document) -> list[Fact]:
    module = EXTRACTORS.get(document.kind)
    return module.extract(document) if module is not None else []


def number_facts(facts: list[Fact]) -> list[Fact]:
    """Stable ids (f1, f2, ...) in reading order, so requirements can cite them."""
    return [fact.model_copy(update={"id": f"f{n}"}) for n, fact in enumerate(facts, start=1)]
