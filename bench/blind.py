"""`blind_accuracy` for `make bench`: the blind corpus (fixtures/blind/, layouts written without reading
extractors/) read through the pipeline and compared with its truth: facts right per kind and per layout family
(holdout families apart), false values read above the confidence gate, and verdicts right on whole blind
applications. The expected verdict of a whole application is what the rules decide on its truth facts; the
pipeline's is what they decide on the facts it reads.

Also the OpenCV preprocessing steps, each on and off, on the real licenses and the blind corpus's pictures."""
from __future__ import annotations

import datetime as dt
import json
from collections import defaultdict
from pathlib import Path

from bench.scoring import CorpusScore, score_corpus, truths
from extractors.application import Application, application_facts
from extractors.extract import number_facts
from extractors.ops_certificate import EXTRACTOR as OPS, first_listed
from flows import stages
from pipeline.config import Settings
from pipeline.ingest import ingest_bundle
from pipeline.models import Fact
from validators.evaluate import evaluate_market
from validators.rules import load_rules

GOALS = {"business_license": 0.95, "ops_certificate": 0.95, "software_copyright": 0.95, "qualification_certificate": 0.95,
         "cvm_order": 0.95, "social_security_list": 0.95, "org_chart": 0.95, "cloud_console": 0.95,
         "miniprogram_stats": 0.95}


def truth_facts(documents: dict, application: dict | None) -> list[Fact]:
    """The truth of a whole application as facts, each read surely (confidence 1.0)."""
    facts = []
    for path, doc in documents.items():
        for name, value in doc["facts"].items():
            items = value if isinstance(value, list) and name != "social_security_roster" else [value]
            for item in items:
                if item is None:
                    continue
                if name == "ops_certificate":  # the truth names the title; the level and track come from its words
                    item = {**item, "level": item.get("level") or first_listed(item.get("title") or "", OPS.options.levels),
                            "track": first_listed(item.get("title") or "", OPS.options.tracks)}
                facts.append(Fact(name=name, value=item, confidence=1.0, document=path))
    if application is not None:
        facts += application_facts(Application.model_validate(application), "application.json")
    return number_facts(facts)


def whole_verdicts(corpus: Path, settings: Settings) -> dict:
    rules = load_rules()
    right = total = 0
    rows, wrong = [], []
    for truth in truths(corpus):
        if not truth["markets"]:
            continue
        as_of = dt.date.fromisoformat(truth["as_of"])
        bundle = ingest_bundle(corpus / "bundles" / truth["bundle"], settings)
        reports = stages.extract_and_evaluate(bundle, [stages.read_document(f, settings) for f in bundle.files],
                                              truth["markets"], as_of, rules)
        expected = truth_facts(truth["documents"], truth["application"])
        for report in reports:
            want, _ = evaluate_market(expected, rules, report.market, as_of)
            ok = report.verdict == want
            right, total = right + ok, total + 1
            rows.append({"bundle": truth["bundle"], "market": report.market, "holdout": truth["holdout"],
                         "verdict": str(report.verdict), "expected": str(want)})
            if not ok:
                wrong.append(f"{truth['bundle']} {report.market}: read {report.verdict}, truth {want}")
    return {"right": right, "total": total, "share": round(right / total, 4) if total else None, "wrong": wrong,
            "eligible_when_truth_is_not": [w for w in wrong if "read eligible" in w], "bundles": rows}


def _table(tally, keys) -> dict:
    return {k: {"right": tally.right[k], "total": tally.total[k], "share": round(tally.share(k), 4)} for k in sorted(keys)}


def summarise(score: CorpusScore, holdout_families: set[str]) -> dict:
    kinds = _table(score.by_kind, score.by_kind.total)
    for kind, row in kinds.items():
        if kind in GOALS:
            row["goal"] = GOALS[kind]
            row["met"] = row["share"] >= GOALS[kind]
    families = _table(score.by_family, score.by_family.total)
    for family, row in families.items():
        row["holdout"] = family in holdout_families
    right, total = score.by_name.overall
    return {"facts_right": right, "facts_total": total, "share": round(right / total, 4) if total else None,
            "per_kind": kinds, "per_family": families, "per_fact": _table(score.by_name, score.by_name.total),
            "misclassified": score.wrong_kind, "errors": score.errors,
            "false_values_above_gate": score.by_name.confident_false}


def measure_blind(home: Path, seed: int = 7) -> dict:
    from fixtures.blind.corpus import FAMILIES, load_families, write_corpus

    corpus = home / "blind"
    write_corpus(corpus, seed)
    load_families()
    holdout = {key for key, fam in FAMILIES.items() if fam.holdout}
    settings = Settings(home=home / "blind-home")
    singles = [t for t in truths(corpus) if t["family"]]
    seen = [t for t in singles if not t["holdout"]]
    held = [t for t in singles if t["holdout"]]
    return {
        "seed": seed,
        "families": summarise(score_corpus(corpus, settings, seen), holdout),
        "holdout_families": summarise(score_corpus(corpus, settings, held), holdout),
        "whole_applications": whole_verdicts(corpus, settings),
    }


def measure_preprocessing(home: Path, real_samples: Path | None) -> dict:
    """Facts right with no OpenCV step, with each step alone, and with the colour steps together, on the real
    licenses and the blind corpus's license and certificate pictures (each configuration reads the pages anew)."""
    from fixtures.blind.corpus import write_corpus
    from pipeline.preprocess import STEPS

    corpus = home / "blind-pictures"
    write_corpus(corpus, 7, holdout=False, kinds=["business_license", "ops_certificate"], whole=False)
    configurations = {"none": (), **{step: (step,) for step in STEPS}, "shadow+seal+watermark": ("shadow", "seal", "watermark")}
    out = {}
    for name, steps in configurations.items():
        settings = Settings(home=home / f"prep-{name}", preprocess=steps)
        blind = score_corpus(corpus, settings)
        row = {"blind_facts_right": blind.by_name.overall[0], "blind_facts_total": blind.by_name.overall[1]}
        if real_samples is not None:
            row["real_license_fields_right"], row["real_license_fields_total"] = real_license_fields(real_samples, settings)
        out[name] = row
    return out


REAL_FIELDS = {"company_name": "name", "credit_code": "credit_code", "registration_no": "registration_no",
               "registered_capital_cny": "registered_capital_cny", "established_on": "established_on",
               "business_term_until": "business_term_until"}


def real_license_fields(real_samples: Path, settings: Settings) -> tuple[int, int]:
    """Fields right on the real licenses (../shared/real-samples/business_license), every field each prints."""
    from bench.scoring import same
    from extractors.business_license import extract
    from pipeline.models import BundleFile, FileType
    from pipeline.pages import PageReader

    folder = real_samples / "business_license"
    truth = json.loads((folder / "truth.json").read_text(encoding="utf-8"))
    reader = PageReader(settings)
    right = total = 0
    for name, expected in truth.items():
        document = reader.read(BundleFile(path=name, local_path=str(folder / name), sha256="-", size=0, file_type=FileType.JPEG))
        facts = defaultdict(list)
        for fact in extract(document):
            facts[fact.name].append(fact.value)
        for fact_name, key in REAL_FIELDS.items():
            if expected.get(key) is None:
                continue
            total += 1
            right += bool(facts[fact_name]) and same(facts[fact_name][0], expected[key])
    return right, total
