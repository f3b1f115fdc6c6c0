"""Facts read from a corpus of bundles (generated fixtures or the blind corpus), each compared with the truth
beside it: per fact name, per document kind and per layout family, with the false values read above the
confidence gate listed apart. Used by the accuracy tests and by `make bench` (`blind_accuracy`)."""
from __future__ import annotations

import json
import re
import unicodedata
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from flows import stages
from pipeline.config import Settings
from pipeline.ingest import ingest_bundle
from pipeline.models import Document, DocumentKind, Fact

SURE = 0.8  # the confidence gate (validators/rules/markets.yaml confidence_floor)
TRUTH_ONLY = {"registered_capital_currency"}  # annotations in the truth files, not fact names
NAME_SETS = {"social_security_roster"}  # one fact: right when it names the same persons


def _norm(value):
    if isinstance(value, str):
        text = unicodedata.normalize("NFKC", value).replace(" ", "").replace("（", "(").replace("）", ")").lower()
        return re.sub(r"[‐-―−－]", "-", text)  # every dash is one dash
    return value


def _title(value):
    """A certificate's title with or without its trailing 认证 / 证书 is the same title."""
    return re.sub(r"(认证|证书)+$", "", _norm(value)) if isinstance(value, str) else value


def same(a, b, key: str | None = None) -> bool:
    """Whether a read value is the truth's: dicts on the truth's keys, numbers to the cent, strings after NFKC,
    spaces, bracket width and case."""
    if isinstance(a, dict) and isinstance(b, dict):
        return all(same(a.get(k), v, k) for k, v in b.items())
    if key == "title":
        return _title(a) == _title(b)
    if isinstance(a, (int, float)) and isinstance(b, (int, float)) and not isinstance(a, bool):
        return abs(float(a) - float(b)) < 0.005
    return _norm(a) == _norm(b)


@dataclass
class Tally:
    right: dict[str, int] = field(default_factory=lambda: defaultdict(int))
    total: dict[str, int] = field(default_factory=lambda: defaultdict(int))
    misses: list[str] = field(default_factory=list)
    confident_false: list[str] = field(default_factory=list)

    def add(self, key: str, ok: bool) -> None:
        self.total[key] += 1
        self.right[key] += ok

    def share(self, key: str) -> float:
        return self.right[key] / self.total[key] if self.total[key] else 1.0

    @property
    def overall(self) -> tuple[int, int]:
        return sum(self.right.values()), sum(self.total.values())


@dataclass
class CorpusScore:
    """Facts right per fact name, per document kind and per family; misclassified documents; bundles read."""

    by_name: Tally = field(default_factory=Tally)
    by_kind: Tally = field(default_factory=Tally)
    by_family: Tally = field(default_factory=Tally)
    wrong_kind: list[str] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)  # a document the pipeline could not read or extract
    bundles: int = 0
    documents: dict[str, tuple[Document, list[Fact]]] = field(default_factory=dict)

    def record(self, where: str, kind: str, family: str | None, name: str, ok: bool, note: str,
               confident_false: str | None) -> None:
        for tally, key in ((self.by_name, name), (self.by_kind, kind), (self.by_family, family or kind)):
            tally.add(key, ok)
        if not ok:
            self.by_name.misses.append(f"{where}: {note}")
        if confident_false:
            self.by_name.confident_false.append(f"{where}: {confident_false}")


def score_document(score: CorpusScore, where: str, truth: dict, facts: list[Fact]) -> None:
    kind, family = truth["kind"], truth.get("family")
    for name, expected in truth["facts"].items():
        if name in TRUTH_ONLY:
            continue
        named = [f for f in facts if f.name == name]
        if name in NAME_SETS:
            got = {_norm(p.get("name")) for f in named[:1] for p in f.value}
            want = {_norm(p.get("name")) for p in expected}
            score.record(where, kind, family, name, got == want, f"{name}: missing {sorted(want - got, key=str)}, extra {sorted(got - want, key=str)}", None)
        elif isinstance(expected, list):
            _items(score, where, kind, family, name, expected, named)
        elif expected is None:
            wrong = named[0] if named else None
            score.record(where, kind, family, name, wrong is None, f"{name} invented {wrong.value if wrong else None!r}",
                         f"invented {name}={wrong.value!r} at {wrong.confidence}" if wrong and wrong.confidence >= SURE else None)
        else:
            got = max(named, key=lambda f: f.confidence, default=None)
            ok = got is not None and same(got.value, expected)
            false = got is not None and not ok and got.confidence >= SURE
            score.record(where, kind, family, name, ok, f"{name} read {got.value if got else None!r}, truth {expected!r}",
                         f"{name}={got.value!r} at {got.confidence}, truth {expected!r}" if false else None)
    listed = set(truth["facts"])
    for fact in facts:  # a fact the truth does not list at all is invented
        if fact.name not in listed and fact.name in _CONTRACT_NAMES and fact.confidence >= SURE:
            score.by_name.confident_false.append(f"{where}: invented {fact.name}={fact.value!r} at {fact.confidence}")


_CONTRACT_NAMES = {
    "company_name", "credit_code", "registration_no", "registered_capital_cny", "established_on", "business_term_until",
    "social_security_headcount", "social_security_month", "social_security_employer", "org_chart_headcount",
    "ops_certificate", "other_certificate", "cvm_order", "cloud_order", "cloud_instance", "miniprogram_registered_users",
    "miniprogram_stats_date", "software_copyright", "qualification",
}


def _items(score: CorpusScore, where: str, kind: str, family: str | None, name: str, expected: list, facts: list[Fact]) -> None:
    unmatched, missed = list(facts), []
    for item in expected:
        match = next((f for f in unmatched if same(f.value, item)), None)
        if match is not None:
            unmatched.remove(match)
        else:
            missed.append(item)
        score.record(where, kind, family, name, match is not None, f"{name} item {item!r} not read", None)
    for extra in unmatched:
        # a reading that left some field empty and read every other one right is incomplete, not false
        partial = any(_incomplete(extra.value, item) for item in missed)
        sure = extra.confidence >= SURE and not partial and _wrong_field_sure(extra, missed)
        score.record(where, kind, family, name, False, f"{name} {'incomplete' if partial else 'invented'} {extra.value!r}",
                     f"invented {name}={extra.value!r} at {extra.confidence}" if sure else None)


def _wrong_field_sure(read: Fact, missed: list) -> bool:
    """Whether a record read wrong shows a wrong field as sure: against the truth's item it is nearest to (the most
    fields alike), some field read differently is one the fact does not mark below the gate in its
    field_confidence. A record the truth has no item near is false as a whole."""
    if not isinstance(read.value, dict) or not missed:
        return True
    nearest = max((item for item in missed if isinstance(item, dict)),
                  key=lambda item: sum(same(read.value.get(k), v, k) for k, v in item.items()), default=None)
    if nearest is None:
        return True
    wrong = [k for k, v in nearest.items() if not same(read.value.get(k), v, k)]
    if len(wrong) * 2 > len(nearest):
        return True
    # a field left empty is unread, not false
    return any(read.field_confidence.get(k, read.confidence) >= SURE for k in wrong if read.value.get(k) is not None)


def _incomplete(read, item) -> bool:
    """A read item that matches the truth's item on every field it read, with a field the truth gives left empty."""
    if not isinstance(read, dict) or not isinstance(item, dict):
        return False
    empty = [k for k, v in item.items() if v is not None and read.get(k) is None]
    return bool(empty) and all(same(read.get(k), v, k) for k, v in item.items() if k not in empty)


def truths(corpus: Path) -> list[dict]:
    return [json.loads(p.read_text(encoding="utf-8")) for p in sorted((corpus / "truth").glob("*.json"))]


def score_corpus(corpus: Path, settings: Settings, selected: Iterable[dict] | None = None,
                 engine: str | None = None) -> CorpusScore:
    """Every bundle of `corpus` (its bundles/ and truth/) through ingest, page text, classify and extract."""
    score = CorpusScore()
    for truth in selected if selected is not None else truths(corpus):
        score.bundles += 1
        bundle = ingest_bundle(corpus / "bundles" / truth["bundle"], settings)
        documents = [stages.read_document(f, settings, engine) for f in bundle.files]
        classified, facts, errors = stages.extract_facts(documents, None, "")
        score.errors += [f"{truth['bundle']}/{e.document}: {e.code}: {e.message}" for e in errors]
        score.errors += [f"{truth['bundle']}/{d.path}: {d.error.code}: {d.error.message}" for d in documents if d.error]
        kinds = {d.path: d for d in classified}
        for path, doc in truth["documents"].items():
            where = f"{truth['bundle']}/{path}"
            document = kinds.get(path)
            mine = [f for f in facts if f.document == path]
            score.documents[where] = (document, mine)
            if document is None or document.kind != DocumentKind(doc["kind"]):
                score.wrong_kind.append(f"{where}: classified {document.kind if document else None}, truth {doc['kind']}")
            score_document(score, where, doc, mine)
    return score
