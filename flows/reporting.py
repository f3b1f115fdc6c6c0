"""HTML reports from a verification just made, or from the store later (`evidence report`), and the batch index.

Page images come from the bundle's files: the private work folder of its last ingestion, or the bundle's
source again when the work folder is gone. Documents are read again for their text blocks (the OCR cache makes
that free), so ID numbers on the page images can be found and blurred."""
from __future__ import annotations

from pathlib import Path

from flows import stages
from pipeline.config import Settings
from pipeline.errors import EvidenceError
from pipeline.html_report import BatchRow, CorrectionView, write_batch_index, write_bundle_report
from pipeline.ingest import ingest_bundle
from pipeline.models import BundleError, BundleInfo, Document, Report, RequirementResult, RequirementStatus, Verdict
from pipeline.pages import PageReader
from pipeline.store import BundleRow, BundleStatus, Store


def bundle_files(settings: Settings, sha256: str, source: str) -> dict[str, Path]:
    """The bundle's files by their path in the bundle: from the work folder, else unpacked again from source."""
    root = settings.work_dir / sha256[:16]
    if not root.is_dir() and Path(source).exists():
        try:
            ingested = ingest_bundle(Path(source), settings)
        except EvidenceError:
            return {}
        if ingested.sha256 != sha256:  # the source changed since: its files are not this bundle's
            return {}
    if not root.is_dir():
        return {}
    return {p.relative_to(root).as_posix(): p for p in root.rglob("*") if p.is_file()}


def corrections_view(store: Store, sha256: str) -> list[CorrectionView]:
    return [CorrectionView(c.target_kind, c.target, c.old_value, c.new_value, c.reason, c.by, f"{c.at:%Y-%m-%d %H:%M} UTC")
            for c in store.corrections(sha256)]


def write_report_folder(reports: list[Report], out: Path, settings: Settings, store: Store) -> Path:
    """index.html of freshly made reports (their documents still hold page text) under `out`."""
    sha = reports[0].bundle.sha256
    return write_bundle_report(reports, out, bundle_files(settings, sha, reports[0].bundle.path), settings,
                               corrections_view(store, sha))


def stored_reports(store: Store, row: BundleRow, settings: Settings, files: dict[str, Path]) -> list[Report]:
    """The latest verification of each market of a stored bundle, rebuilt as reports; `files` are the bundle's
    files on disk (bundle_files), read again for their page text."""
    documents = [_reread(d, files, settings) for d in store.documents(row.sha256)]
    facts = store.facts(row.sha256)
    info = BundleInfo(path=row.source, sha256=row.sha256, files=row.files)
    errors = [BundleError.model_validate(e) for e in row.errors]
    return [Report(bundle=info, market=v.market, as_of=v.as_of, rules_version=v.rules_version, verdict=Verdict(v.verdict),
                   requirements=[RequirementResult.model_validate(r) for r in v.requirements], facts=facts,
                   documents=documents, signals=list(v.signals), errors=errors)
            for v in store.latest_verifications(row.sha256).values()]


def _reread(stored: Document, files: dict[str, Path], settings: Settings) -> Document:
    """The stored document with its page text back (for blurring IDs on page images), read from its file."""
    path = files.get(stored.path)
    if path is None or stored.error is not None or not stored.pages:
        return stored
    from pipeline.models import BundleFile

    file = BundleFile(path=stored.path, local_path=str(path), sha256=stored.sha256, size=path.stat().st_size,
                      file_type=stored.file_type)
    fresh = PageReader(settings).read(file)
    return stored.model_copy(update={"pages": fresh.pages}) if fresh.error is None else stored


def write_stored_report(store: Store, row: BundleRow, out: Path, settings: Settings) -> Path | None:
    files = bundle_files(settings, row.sha256, row.source)  # may unpack the bundle again: once per report
    reports = stored_reports(store, row, settings, files)
    if not reports:
        return None
    return write_bundle_report(reports, out, files, settings, corrections_view(store, row.sha256))


def folder_name(row: BundleRow) -> str:
    return f"{stages.bundle_name(row.source)}-{row.sha256[:8]}"


def write_batch_overview(store: Store, rows: list[BundleRow], out: Path, settings: Settings,
                         folders: dict[str, Path] | None = None) -> Path:
    """The batch index over `rows`, writing each verified bundle's report unless `folders` already has it."""
    folders = dict(folders or {})
    entries: list[BatchRow] = []
    for row in rows:
        name = stages.bundle_name(row.source)
        if row.status == BundleStatus.FAILED:
            entries.append(BatchRow(name, row.sha256, "", "", 0, None, "failed", row.error))
            continue
        if row.sha256 not in folders and write_stored_report(store, row, out / folder_name(row), settings):
            folders[row.sha256] = out / folder_name(row)
        link = f"{folders[row.sha256].relative_to(out).as_posix()}/index.html" if row.sha256 in folders else None
        for market, v in store.latest_verifications(row.sha256).items():
            review = sum(r["status"] == RequirementStatus.NEEDS_REVIEW for r in v.requirements)
            entries.append(BatchRow(name, row.sha256, market, v.verdict, review, link, "verified", None))
    return write_batch_index(entries, out)


def screenshot(index: Path, png: Path, width: int = 1300, height: int = 1000) -> Path:
    """A picture of a report's first screen, taken by headless Chromium (Debian's /usr/bin/chromium through
    Playwright, a dev dependency), offline."""
    from playwright.sync_api import sync_playwright

    png.parent.mkdir(parents=True, exist_ok=True)
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path="/usr/bin/chromium", args=["--no-sandbox"])
        page = browser.new_context(offline=True, viewport={"width": width, "height": height}).new_page()
        page.goto(index.resolve().as_uri())
        page.screenshot(path=str(png))
        browser.close()
    return png
