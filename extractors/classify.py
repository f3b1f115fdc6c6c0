"""Scored classification by content, with keywords kept as data (the `classify` section of each
extractors/data/<kind>.yaml)."""
from __future__ import annotations

from extractors.specs import load_kinds
from extractors.values import normalise
from pipeline.models import Document, DocumentKind


def classify(document: Document) -> tuple[DocumentKind, float]:
    text = normalise(document.text).lower()
    if not text:
        return DocumentKind.UNKNOWN, 0.0
    scores = {kind: spec.score(text) for kind, spec in load_kinds().items()}
    best = max(scores, key=scores.__getitem__)
    if scores[best] < load_kinds()[best].min_score:
        return DocumentKind.UNKNOWN, scores[best]
    return DocumentKind(best), scores[best]
