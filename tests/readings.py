"""Generated bundles read the way the pipeline reads them (ingest, page text, classify, extract), each document
beside its truth: the shared first half of the per-kind accuracy tests."""
from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from extractors.extract import classify_document, extract_document
from fixtures.generate import write_bundles
from fixtures.plan import BundleSpec
from pipeline.config import Settings
from pipeline.ingest import ingest_bundle
from pipeline.models import Document, DocumentKind, Fact
from pipeline.pages import PageReader


@dataclass(frozen=True)
class Reading:
    where: str  # bundle/path
    bundle: str
    truth_kind: str
    kind: DocumentKind  # as classified
    expected: dict[str, Any]  # the truth's facts of this document
    facts: list[Fact]  # extracted, for documents whose truth kind is one of the kinds asked for
    application: dict | None
    truth: dict[str, Any]  # the document's whole truth entry (kind, facts, layout, roster, ...)
    document: Document

    def first(self, name: str) -> Fact | None:
        return next((f for f in self.facts if f.name == name), None)


def read_bundles(bundles: Sequence[BundleSpec], out: Path, home: Path, kinds: set[str]) -> list[Reading]:
    """Write `bundles` under `out`, read every document, and extract those whose truth kind is in `kinds`."""
    write_bundles(bundles, out, seed=7)
    settings = Settings(home=home)
    reader = PageReader(settings)
    found = []
    for bundle in bundles:
        truth = json.loads((out / "truth" / f"{bundle.name}.json").read_text(encoding="utf-8"))
        files = {f.path: f for f in ingest_bundle(out / "bundles" / bundle.name, settings).files}
        for path, doc in truth["documents"].items():
            document = classify_document(reader.read(files[path]))
            facts = extract_document(document) if doc["kind"] in kinds else []
            found.append(Reading(f"{bundle.name}/{path}", bundle.name, doc["kind"], document.kind, doc["facts"],
                                 facts, truth["application"], doc, document))
    return found


def agreement(value: dict, item: dict) -> int:
    return sum(value.get(k) == v for k, v in item.items())


def pair_items(expected: list[dict], facts: list[Fact]) -> tuple[list[tuple[dict, Fact | None]], list[Fact]]:
    """Each truth item with the extracted item that agrees with it on most fields; the extracted left over."""
    left = list(facts)
    pairs = []
    for item in expected:
        best = max(left, key=lambda f: agreement(f.value, item), default=None)
        if best is not None and agreement(best.value, item) == 0:
            best = None
        if best is not None:
            left.remove(best)
        pairs.append((item, best))
    return pairs, left


def blind_sample(key: str, capture: str):
    """One document of a blind-corpus family (fixtures/blind/) with its truth, as the corpus makes it for seed 7."""
    from fixtures.blind.corpus import FAMILIES, Sample, _rngs, load_families, make_applicant

    load_families()
    rng, np_rng = _rngs(7, key, capture)
    (document,) = FAMILIES[key].make(Sample(make_applicant(rng), capture, rng, np_rng))
    return document


def blind_document(key: str, capture: str, tmp_path):
    """One document of a blind-corpus family, written where a test reads it."""
    document = blind_sample(key, capture)
    path = tmp_path / document.path
    path.write_bytes(document.content)
    return path
