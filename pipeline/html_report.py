"""The analyst's HTML report of one bundle, and the batch index: static, self-contained files (Jinja2, inline
CSS and a few lines of inline script, no CDN), so they open offline from a folder or a share.

Layout of a bundle's folder: index.html, img/page-<doc>-<n>.jpg (each page as read, ID numbers blurred),
img/thumb-<doc>-<n>.jpg, img/fact-<id>.png (a crop around each fact's box). Every text passes through
mask_id_numbers, and the finished HTML once more; the test account's password is never among the facts."""
from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from jinja2 import Environment, PackageLoader, select_autoescape

from pipeline.config import Settings
from pipeline.models import Document, Fact, Report, RequirementStatus, Verdict, jsonable
from pipeline.page_images import PageImage, crop_around, render_page, text_card
from pipeline.privacy import mask_id_numbers

STATUS_LABELS = {
    RequirementStatus.PASS: "pass", RequirementStatus.FAIL: "fail", RequirementStatus.NEEDS_REVIEW: "needs review",
    RequirementStatus.MISSING: "missing", RequirementStatus.MANUAL: "manual sign-off", RequirementStatus.EXEMPT: "exempt",
}
VERDICT_ORDER = {Verdict.INELIGIBLE: 0, Verdict.NEEDS_REVIEW: 1, Verdict.INCOMPLETE: 2, Verdict.ELIGIBLE: 3}
PAGE_MAX_WIDTH, THUMB_WIDTH = 1400, 220


@dataclass
class PageView:
    id: str
    src: str
    thumb: str
    width: int
    height: int


@dataclass
class FactView:
    id: str
    name: str
    value: str
    confidence: float
    document: str
    page: int | None
    extractor: str
    warnings: list[str]
    crop: str
    view: PageView | None = None
    box: tuple[float, float, float, float] | None = None  # left, top, width, height in % of the page view
    correction: dict[str, Any] | None = None
    field_confidence: dict[str, float] = field(default_factory=dict)  # a record's fields read below the gate


@dataclass
class DocumentView:
    path: str
    kind: str
    text_source: str
    pages: list[PageView] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    error: str | None = None


@dataclass(frozen=True)
class CorrectionView:
    """One entry of the audit trail as the report shows it."""

    kind: str
    target: str
    old_value: Any
    new_value: Any
    reason: str
    by: str
    at: str


def _environment() -> Environment:
    env = Environment(loader=PackageLoader("pipeline", "templates"), autoescape=select_autoescape(["html", "j2"]),
                      trim_blocks=True, lstrip_blocks=True)
    env.filters["masked"] = lambda value: mask_id_numbers("" if value is None else str(value))
    env.filters["shown"] = show_value
    return env


def show_value(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, (dict, list)):
        return mask_id_numbers(json.dumps(jsonable(value), ensure_ascii=False))
    return mask_id_numbers(f"{value:,}" if isinstance(value, int) and not isinstance(value, bool) else str(value))


def write_bundle_report(reports: Sequence[Report], out: Path, files: dict[str, Path], settings: Settings,
                        corrections: Sequence[CorrectionView] = ()) -> Path:
    """Write the bundle's report folder `out` from its reports (one per market); `files` maps a document's
    path in the bundle to its file on disk (absent: no page images). Returns index.html."""
    out.mkdir(parents=True, exist_ok=True)
    (out / "img").mkdir(exist_ok=True)
    first = reports[0]
    pictures, documents = _pages(first.documents, files, out, settings)
    facts = [_fact_view(f, pictures, out, corrections) for f in first.facts]
    listed = {d.path for d in first.documents}
    unreadable = [e for e in first.errors if e.document not in listed]
    context = {
        "bundle": first.bundle, "name": Path(first.bundle.path).name, "as_of": first.as_of,
        "rules_version": first.rules_version, "company": _fact_value(first.facts, "company_name", corrections),
        "credit_code": _fact_value(first.facts, "credit_code", corrections), "reports": reports,
        "labels": STATUS_LABELS, "facts": facts, "fact_index": {f.id: f for f in facts}, "documents": documents,
        "errors": first.errors, "unreadable": unreadable, "signals": first.signals,
        "sign_offs": {c.target: c for c in corrections if c.kind == "requirement"}, "corrections": list(corrections),
    }
    html = _environment().get_template("report.html.j2").render(**context)
    index = out / "index.html"
    index.write_text(mask_id_numbers(html), encoding="utf-8")
    return index


def _fact_value(facts: Sequence[Fact], name: str, corrections: Sequence[CorrectionView]) -> str:
    found = [f for f in facts if f.name == name]
    if not found:
        return ""
    best = max(found, key=lambda f: f.confidence)
    corrected = [c for c in corrections if c.kind == "fact" and c.target == best.id]
    return show_value(corrected[-1].new_value if corrected else best.value)


def _pages(documents: Sequence[Document], files: dict[str, Path], out: Path,
           settings: Settings) -> tuple[dict[tuple[str, int], tuple[PageImage, PageView]], list[DocumentView]]:
    pictures: dict[tuple[str, int], tuple[PageImage, PageView]] = {}
    views = []
    for number, document in enumerate(documents, start=1):
        view = DocumentView(document.path, str(document.kind), str(document.text_source), warnings=list(document.warnings),
                            error=f"{document.error.code}: {document.error.message}" if document.error else None)
        for page in document.pages:
            try:
                rendered = render_page(files.get(document.path), document, page, settings.render_dpi, settings.limits)
            except Exception as exc:  # noqa: BLE001 - a page that cannot be drawn is noted, the report goes on
                view.warnings.append(f"page {page.number} could not be drawn for the report ({type(exc).__name__})")
                continue
            if rendered is None:
                continue
            page_view = _save_page(rendered, out, f"{number}-{page.number}")
            pictures[(document.path, page.number)] = (rendered, page_view)
            view.pages.append(page_view)
        views.append(view)
    return pictures, views


def _save_page(rendered: PageImage, out: Path, key: str) -> PageView:
    picture = rendered.image
    if picture.width > PAGE_MAX_WIDTH:
        picture = picture.resize((PAGE_MAX_WIDTH, round(picture.height * PAGE_MAX_WIDTH / picture.width)))
    picture.save(out / "img" / f"page-{key}.jpg", quality=82)
    thumb = picture.resize((THUMB_WIDTH, max(1, round(picture.height * THUMB_WIDTH / picture.width))))
    thumb.save(out / "img" / f"thumb-{key}.jpg", quality=80)
    return PageView(f"page-{key}", f"img/page-{key}.jpg", f"img/thumb-{key}.jpg", picture.width, picture.height)


def _fact_view(fact: Fact, pictures: dict, out: Path, corrections: Sequence[CorrectionView]) -> FactView:
    mine = [c for c in corrections if c.kind == "fact" and c.target == fact.id]
    view = FactView(fact.id, fact.name, show_value(fact.value), fact.confidence, fact.document, fact.page,
                    fact.extractor, [mask_id_numbers(w) for w in fact.warnings], f"img/fact-{fact.id}.png",
                    correction=vars(mine[-1]) if mine else None,
                    field_confidence=dict(fact.field_confidence) if not mine else {})
    found = pictures.get((fact.document, fact.page)) if fact.page is not None else None
    if found is not None and fact.bbox is not None:
        rendered, page_view = found
        crop_around(rendered, fact.bbox).save(out / view.crop)
        x0, y0, x1, y1 = rendered.to_pixels(fact.bbox)
        w, h = rendered.image.width, rendered.image.height
        view.view, view.box = page_view, (100 * x0 / w, 100 * y0 / h, 100 * (x1 - x0) / w, 100 * (y1 - y0) / h)
    else:
        card = [f"{fact.document}" + (f", page {fact.page}" if fact.page else ""), f"{fact.name} = {show_value(fact.value)}",
                mask_id_numbers(fact.text or "no page image: the value was declared or read from text")]
        text_card(card).save(out / view.crop)
    return view


@dataclass(frozen=True)
class BatchRow:
    bundle: str
    sha256: str
    market: str
    verdict: str
    needs_review: int
    link: str | None
    status: str
    error: str | None


def write_batch_index(rows: Sequence[BatchRow], out: Path, title: str = "Batch overview") -> Path:
    out.mkdir(parents=True, exist_ok=True)
    ordered = sorted(rows, key=lambda r: (VERDICT_ORDER.get(Verdict(r.verdict), 9) if r.verdict else -1, r.bundle))
    html = _environment().get_template("batch.html.j2").render(rows=ordered, title=title, order=VERDICT_ORDER)
    index = out / "index.html"
    index.write_text(mask_id_numbers(html), encoding="utf-8")
    return index

