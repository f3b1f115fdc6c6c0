"""Classify each document and run the extractor of its kind, from the registry (extractors/registry.py)."""
from __future__ import annotations

from extractors.classify import classify
from extractors.registry import registry
from pipeline.models import Document, DocumentKind, Fact


def classify_document(document: Document) -> Document:
    if document.error is not None or document.kind is DocumentKind.APPLICATION:
        return document
    kind, score = classify(document)
    return document.model_copy(update={"kind": kind, "kind_score": score})


def extract_document(document: Document) -> list[Fact]:
    extractor = registry().get(document.kind)
    return extractor.extract(document) if extractor is not None else []


def bundle_facts(facts: list[Fact]) -> list[Fact]:
    """Facts that span documents (the distinct customer cases over every case file), from each extractor's
    optional `bundle_facts(facts)`."""
    return [f for e in registry().all() if hasattr(e, "bundle_facts") for f in e.bundle_facts(facts)]


def number_facts(facts: list[Fact]) -> list[Fact]:
    """Stable ids (f1, f2, ...) in reading order, so requirements can cite them."""
    return [fact.model_copy(update={"id": f"f{n}"}) for n, fact in enumerate(facts, start=1)]
