"""Scored classification by content, with keywords kept as data (the `classify` section of each
extractors/data/<kind>.yaml). A keyword is matched within a line, or across the break of a paragraph or a title
(高新技术企业 | 证书, in one size of letters), never across two unrelated lines: a subtitle and the title under it
(认证与培训 | 证书) make no word of their own."""
from __future__ import annotations

from extractors.lines import continues, page_lines
from extractors.specs import load_kinds
from extractors.values import normalise
from pipeline.models import Document, DocumentKind, TextBlock, TextSource


def classify(document: Document) -> tuple[DocumentKind, float]:
    text = document_words(document)
    if not text.strip():
        return DocumentKind.UNKNOWN, 0.0
    scores = {kind: spec.score(text) for kind, spec in load_kinds().items()}
    best = max(scores, key=scores.__getitem__)
    if scores[best] < load_kinds()[best].min_score:
        return DocumentKind.UNKNOWN, scores[best]
    return DocumentKind(best), scores[best]


def document_words(document: Document) -> str:
    """The document's text, normalised and lower-cased, its lines joined where one runs on into the next and
    kept apart by a line break elsewhere; a sheet's rows kept apart, and its cells too (a bill's order id is
    no continuation of the amount in the row above)."""
    out = []
    for page in document.pages:
        if page.source is TextSource.CELLS:  # a sheet: each row a line of its own, each cell a word of its own
            rows: dict[float, list[TextBlock]] = {}
            for block in page.blocks:
                rows.setdefault(block.bbox[1], []).append(block)
            out += ["\n" + "|".join(normalise(b.text).lower() for b in sorted(row, key=lambda b: b.bbox[0]))
                    for _, row in sorted(rows.items())]
            continue
        lines = page_lines(page)
        for upper, lower in zip([None, *lines], lines):
            joined = upper is not None and continues(upper, lower)
            out.append(("" if joined else "\n") + normalise(lower.text).lower())
    return "".join(out)
