"""Classify each document and run the extractor of its kind. One module per kind; each exposes
`KIND`, `NAME` and `extract(document) -> list[Fact]`."""
from __future__ import annotations

import importlib
from functools import lru_cache
from types import ModuleType

from extractors.classify import classify
from pipeline.models import Document, DocumentKind, Fact

# One line per document kind. Add yours here.
EXTRACTOR_MODULES: tuple[str, ...] = (
    "extractors.customer_case",
    "extractors.ops_certificate",
    "extractors.software_copyright",
    "extractors.business_license",
    "extractors.social_security",
    "extractors.org_chart",
    "extractors.cvm_order",
    "extractors.miniprogram_stats",
    "extractors.qualification_certificate",
)


@lru_cache(maxsize=1)
def extractors() -> dict[DocumentKind, ModuleType]:
    modules = [importlib.import_module(name) for name in EXTRACTOR_MODULES]
    return {module.KIND: module for module in modules}


def classify_document(document: Document) -> Document:
    if document.error is not None or document.kind is DocumentKind.APPLICATION:
        return document
    kind, score = classify(document)
    return document.model_copy(update={"kind": kind, "kind_score": score})


def extract_document(document: Document) -> list[Fact]:
    module = extractors().get(document.kind)
    return module.extract(document) if module is not None else []


def bundle_facts(facts: list[Fact]) -> list[Fact]:
    """Facts that span documents (the distinct customer cases over every case file), from each kind's
    optional `bundle_facts(facts)`."""
    return [f for module in extractors().values() if hasattr(module, "bundle_facts") for f in module.bundle_facts(facts)]


def number_facts(facts: list[Fact]) -> list[Fact]:
    """Stable ids (f1, f2, ...) in reading order, so requirements can cite them."""
    return [fact.model_copy(update={"id": f"f{n}"}) for n, fact in enumerate(facts, start=1)]
