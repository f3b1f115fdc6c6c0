"""`make bench`: figures written to bench/results.json. Ratios matter more than seconds on noisy machines.

- seconds per page and key-field accuracy for each OCR engine, on the fixture license images;
- the pipeline's time on a scanned page against the raw engine's time on the same image (target <= 1.10);
- a second (cached) run of a bundle against the first;
- the fixed start-up cost of one `evidence verify` on a bundle holding only application.json;
- the operations flows: a batch on one worker against two, and reverify against the first verification;
- peak RSS;
- `blind_accuracy`: the blind corpus (fixtures/blind/) read and scored per kind and family, and the verdicts
  of its whole applications (bench/blind.py);
- `preprocessing`: each OpenCV step before OCR on and off, on the real licenses and the blind pictures.
"""
from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import platform
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path


from extractors import business_license
from fixtures.generate import generate_all
from flows import stages
from pipeline.config import Settings
from pipeline.image_text import load_image_frames
from pipeline.ingest import ingest_bundle
from pipeline.models import BundleFile
from pipeline.ocr import available_engines, get_engine
from pipeline.pages import PageReader
from pipeline.sniff import sniff_file_type
from validators.rules import load_rules

KEY_FIELDS = ("credit_code", "registered_capital_cny", "established_on")
DIGITAL_BUNDLE = "cloud_cvm_pdf"
SCANNED_BUNDLE = "team_ss_beijing_scan"


def license_images(fixtures: Path) -> list[tuple[Path, dict]]:
    """(image, truth facts) for every license image in the generated bundles."""
    found = []
    for truth_file in sorted((fixtures / "truth").glob("*.json")):
        truth = json.loads(truth_file.read_text(encoding="utf-8"))
        for name, doc in truth.get("documents", {}).items():
            path = fixtures / "bundles" / truth["bundle"] / name
            if doc.get("kind") == "business_license" and sniff_file_type(path).is_image:
                found.append((path, doc["facts"]))
    return found


def as_file(path: Path) -> BundleFile:
    return BundleFile(path=path.name, local_path=str(path), sha256="-", size=path.stat().st_size, file_type=sniff_file_type(path))


def measure_engine(name: str, images: list[tuple[Path, dict]], home: Path) -> dict:
    engine = get_engine(name)
    frames = [load_image_frames(path, Settings().limits)[0] for path, _ in images]
    engine.recognize(frames[0])  # load models before timing
    started = time.perf_counter()
    for frame in frames:
        engine.recognize(frame)
    per_page = (time.perf_counter() - started) / len(frames)
    reader = PageReader(Settings(home=home / name), name)
    right = total = 0
    for path, truth in images:
        facts = {f.name: f.value for f in business_license.extract(reader.read(as_file(path)))}
        for field in KEY_FIELDS:
            total += 1
            right += facts.get(field) == truth.get(field)
    return {"seconds_per_page": round(per_page, 3), "key_field_accuracy": round(right / total, 4), "pages": len(frames)}


def measure_overhead(image: Path, home: Path) -> dict:
    """Pipeline (load, EXIF, hash, orientation, OCR, cache write) vs the raw engine on the same image."""
    engine = get_engine("rapidocr")
    frame = load_image_frames(image, Settings().limits)[0]
    engine.recognize(frame)
    raw, pipeline = [], []
    for attempt in range(3):
        started = time.perf_counter()
        engine.recognize(frame)
        raw.append(time.perf_counter() - started)
        reader = PageReader(Settings(home=home / f"overhead-{attempt}"))
        started = time.perf_counter()
        reader.read(as_file(image))
        pipeline.append(time.perf_counter() - started)
    return {"raw_engine_s": round(min(raw), 3), "pipeline_s": round(min(pipeline), 3), "ratio": round(min(pipeline) / min(raw), 3)}


def run_stages(bundle: Path, settings: Settings) -> float:
    started = time.perf_counter()
    ingested = ingest_bundle(bundle, settings)
    documents = [stages.read_document(f, settings) for f in ingested.files]
    application, app_file, _ = stages.find_application(ingested)
    _, facts, _ = stages.extract_facts(documents, application, app_file.path if app_file else "")
    stages.evaluate_reports(ingested, documents, facts, [], load_rules(), ["api"], __import__("datetime").date(2026, 11, 28))
    return time.perf_counter() - started


def measure_bundle(bundle: Path, home: Path) -> dict:
    """One bundle through every stage (no Prefect), cold, then again with the OCR cache warm."""
    settings = Settings(home=home / f"bundle-{bundle.name}")
    first = run_stages(bundle, settings)
    second = run_stages(bundle, settings)
    files = sum(1 for p in bundle.rglob("*") if p.is_file())
    return {"bundle": bundle.name, "files": files, "first_s": round(first, 3), "cached_s": round(second, 3),
            "cached_vs_first": round(second / first, 4)}


def measure_pdf_speed(home: Path, pages: int = 50) -> dict:
    """Pages per second of PDF text: a 50-page PDF read by pdfplumber (its text layer is fine) against one
    read by pypdfium2 (pdfplumber returns it empty). No OCR in either."""
    import random as _random

    from fixtures import pdfs
    from fixtures.companies import make_company
    from fixtures.license_text import license_text
    from pipeline.pdf_text import read_pdf

    company = make_company(_random.Random(1))
    text = license_text(company, _random.Random(2))
    samples = {"pdfplumber_path": _repeat_pages(pdfs.digital(text), pages), "pypdfium2_path": pdfs.cff_cid(text, pages=pages)}
    out = {}
    for name, data in samples.items():
        path = home / f"{name}.pdf"
        path.write_bytes(data)
        started = time.perf_counter()
        read = read_pdf(path, Settings().limits, 200, _no_ocr)
        out[name] = {"pages": len(read), "pages_per_second": round(len(read) / (time.perf_counter() - started), 1)}
    return out


def _no_ocr(image, number):
    raise RuntimeError(f"page {number} of a digital PDF went to OCR")


def _repeat_pages(data: bytes, pages: int) -> bytes:
    """The one-page digital PDF repeated `pages` times, merged with pypdfium2."""
    import pypdfium2 as pdfium

    source = pdfium.PdfDocument(data)
    merged = pdfium.PdfDocument.new()
    for _ in range(pages):
        merged.import_pages(source)
    buffer = __import__("io").BytesIO()
    merged.save(buffer)
    return buffer.getvalue()


def measure_startup(home: Path) -> dict:
    """A cold `evidence verify` on a bundle that holds only application.json: Prefect + imports + rules."""
    bundle = home / "startup-bundle"
    bundle.mkdir(parents=True, exist_ok=True)
    (bundle / "application.json").write_text(json.dumps({"company_name": "测试有限公司", "markets": ["api"]}, ensure_ascii=False), encoding="utf-8")
    evidence = shutil.which("evidence") or str(Path(sys.executable).parent / "evidence")
    env = {**os.environ, "EVIDENCE_HOME": str(home / "startup-home")}
    times = []
    for _ in range(2):
        started = time.perf_counter()
        subprocess.run([evidence, "verify", str(bundle), "--as-of", "2026-11-28"], check=True, env=env, capture_output=True)
        times.append(time.perf_counter() - started)
    return {"cold_verify_s": round(min(times), 2), "runs": [round(t, 2) for t in times], "prefect_api_url_set": bool(os.environ.get("PREFECT_API_URL"))}


def measure_operations(home: Path) -> dict:
    """The operations flows on the whole generated applications (fixtures/plan_markets.py): a batch with one
    worker against two (each with a cold OCR cache and its own store), and reverify's time per bundle
    against the first verification's. Prefect's start-up is paid once before anything is timed."""
    from fixtures.generate import write_bundles
    from fixtures.plan_markets import BUNDLES
    from flows.batch import verify_batch
    from flows.reverify import reverify

    inbox = home / "operations" / "bundles"
    write_bundles(BUNDLES, home / "operations", 7)
    reverify(settings=Settings(home=home / "warm-up", db_url=None))
    walls = {}
    for workers in (1, 2):
        settings = Settings(home=home / f"batch-{workers}", db_url=None)
        started = time.perf_counter()
        outcomes = verify_batch(str(inbox), as_of=dt.date(2026, 11, 28), workers=workers, settings=settings)
        walls[workers] = time.perf_counter() - started
        assert all(o.status == "verified" for o in outcomes), outcomes
    started = time.perf_counter()
    changes = reverify(as_of=dt.date(2027, 3, 1), settings=Settings(home=home / "batch-1", db_url=None))
    reverify_s = time.perf_counter() - started
    n = len(BUNDLES)
    return {
        "bundles": n,
        "batch_wall_s": {"1_worker": round(walls[1], 2), "2_workers": round(walls[2], 2),
                         "two_vs_one": round(walls[2] / walls[1], 3)},
        "first_verification_s_per_bundle": round(walls[1] / n, 3),
        "reverify_s_per_bundle": round(reverify_s / n, 3),
        "reverify_vs_first_verification": round(reverify_s / walls[1], 4),
        "reverify_verdict_changes": len(changes),
    }


REAL_SAMPLES = Path(os.environ.get("EVIDENCE_REAL_SAMPLES", Path(__file__).resolve().parents[2] / "shared" / "real-samples"))


def measure_blind_accuracy(home: Path) -> dict:
    from bench.blind import measure_blind

    return measure_blind(home)


def measure_preprocessing(home: Path) -> dict:
    from bench.blind import measure_preprocessing as measure

    return measure(home, REAL_SAMPLES if REAL_SAMPLES.is_dir() else None)


def print_blind(results: dict) -> None:
    """The per-kind table with its goals, as the README shows it."""
    blind = results.get("blind_accuracy")
    if not blind:
        return
    print("\nblind corpus, facts right per kind (goal 95%):")
    for kind, row in blind["families"]["per_kind"].items():
        mark = "" if "met" not in row else ("  met" if row["met"] else "  MISSED")
        print(f"  {kind:<28} {row['right']:>4}/{row['total']:<4} {100 * row['share']:5.1f}%{mark}")
    whole = blind["whole_applications"]
    print(f"  whole applications: {whole['right']}/{whole['total']} verdicts right; "
          f"false eligible: {len(whole['eligible_when_truth_is_not'])}")


SECTIONS = {"pdf_text_speed": measure_pdf_speed, "operations": measure_operations,
            "blind_accuracy": measure_blind_accuracy, "preprocessing": measure_preprocessing}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--out", type=Path, default=Path("bench/results.json"))
    parser.add_argument("--only", choices=sorted(SECTIONS), action="append",
                        help="measure only this section (repeatable) and merge it into --out")
    parser.add_argument("--keep", type=Path, help="with --only: work (and keep OCR caches) in this folder, so a re-run "
                        "reads no page twice; accuracy sections only, never timings")
    args = parser.parse_args()
    if args.only:
        results = json.loads(args.out.read_text(encoding="utf-8")) if args.out.exists() else {}
        with tempfile.TemporaryDirectory() as tmp:
            for section in args.only:
                results[section] = SECTIONS[section]((args.keep or Path(tmp)) / section)
                print(json.dumps({section: results[section]}, indent=2, ensure_ascii=False)[:4000])
        print_blind(results)
        args.out.write_text(json.dumps(results, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
        return
    with tempfile.TemporaryDirectory() as tmp:
        home = Path(tmp)
        generate_all(home / "fixtures")
        images = license_images(home / "fixtures")
        scanned = next(path for path, _ in images if "scan" in path.parent.name or "scan" in path.name)
        bundles = home / "fixtures" / "bundles"
        results = {
            "machine": {"cores": os.cpu_count(), "python": platform.python_version()},
            "engines": {name: measure_engine(name, images, home) for name in available_engines()},
            "pipeline_vs_raw_ocr_on_scanned_page": measure_overhead(scanned, home),
            # a digital-only bundle (text PDFs: license and CVM order) and a scanned one (a license scan and a
            # scanned social-security list); the second run of each hits the OCR cache
            "seconds_per_bundle": {
                "digital_only": measure_bundle(bundles / DIGITAL_BUNDLE, home),
                "scanned": measure_bundle(bundles / SCANNED_BUNDLE, home),
            },
            "pdf_text_speed": measure_pdf_speed(home),
            "startup_cost": measure_startup(home),
            "operations": measure_operations(home / "operations-home"),
            "blind_accuracy": measure_blind_accuracy(home / "blind-accuracy"),
            "preprocessing": measure_preprocessing(home / "preprocessing"),
        }
    usage = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss, resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    results["peak_rss_mb"] = {"bench_process": round(usage[0] / 1024), "largest_child": round(usage[1] / 1024)}
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(results, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    print(json.dumps({k: v for k, v in results.items() if k != "blind_accuracy"}, indent=2, ensure_ascii=False))
    print_blind(results)


if __name__ == "__main__":
    main()
