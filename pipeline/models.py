"""Typed models that cross every stage boundary (DESIGN.md sections 1 and 4)."""
from __future__ import annotations

import datetime as dt
from enum import StrEnum
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

BBox = tuple[float, float, float, float]


def centre_in(inner: BBox, outer: BBox) -> bool:
    """Whether the centre of box `inner` lies in box `outer`."""
    cx, cy = (inner[0] + inner[2]) / 2, (inner[1] + inner[3]) / 2
    return outer[0] <= cx <= outer[2] and outer[1] <= cy <= outer[3]


class FileType(StrEnum):
    PDF = "pdf"
    PNG = "png"
    JPEG = "jpeg"
    TIFF = "tiff"
    BMP = "bmp"
    WEBP = "webp"
    GIF = "gif"
    XLSX = "xlsx"
    DOCX = "docx"
    ZIP = "zip"
    JSON = "json"
    TEXT = "text"
    UNKNOWN = "unknown"

    @property
    def is_image(self) -> bool:
        return self in {FileType.PNG, FileType.JPEG, FileType.TIFF, FileType.BMP, FileType.WEBP, FileType.GIF}


class DocumentKind(StrEnum):
    BUSINESS_LICENSE = "business_license"
    SOCIAL_SECURITY_LIST = "social_security_list"
    ORG_CHART = "org_chart"
    OPS_CERTIFICATE = "ops_certificate"
    CVM_ORDER = "cvm_order"
    MINIPROGRAM_STATS = "miniprogram_stats"
    SOFTWARE_COPYRIGHT = "software_copyright"
    CUSTOMER_CASE = "customer_case"
    APPLICATION = "application"
    QUALIFICATION_CERTIFICATE = "qualification_certificate"
    OTHER_CERTIFICATE = "other_certificate"
    CLOUD_CONSOLE = "cloud_console"
    UNKNOWN = "unknown"


class TextSource(StrEnum):
    TEXT_LAYER = "text_layer"
    OCR = "ocr"
    CELLS = "cells"
    MIXED = "mixed"
    NONE = "none"


class ErrorCode(StrEnum):
    """Stable codes for the report's `errors`. Values never change once released."""

    BUNDLE_NOT_FOUND = "bundle_not_found"
    CORRUPT_ZIP = "corrupt_zip"
    UNSAFE_PATH = "unsafe_path"
    SYMLINK_ENTRY = "symlink_entry"
    TOO_MANY_ENTRIES = "too_many_entries"
    BUNDLE_TOO_LARGE = "bundle_too_large"
    ENTRY_TOO_LARGE = "entry_too_large"
    COMPRESSION_RATIO = "compression_ratio"
    NESTED_ZIP_TOO_DEEP = "nested_zip_too_deep"
    ENCRYPTED_ENTRY = "encrypted_entry"
    EMPTY_FILE = "empty_file"
    UNKNOWN_FILE_TYPE = "unknown_file_type"
    CORRUPT_IMAGE = "corrupt_image"
    IMAGE_TOO_LARGE = "image_too_large"
    CORRUPT_PDF = "corrupt_pdf"
    ENCRYPTED_PDF = "encrypted_pdf"
    TOO_MANY_PAGES = "too_many_pages"
    CORRUPT_OFFICE = "corrupt_office"
    BAD_APPLICATION = "bad_application"
    OCR_FAILED = "ocr_failed"
    EXTRACTION_FAILED = "extraction_failed"
    BAD_RULES = "bad_rules"
    BAD_USAGE = "bad_usage"


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class TextBlock(Strict):
    """A line or cell of text with its box in page coordinates (pixels for images, points for PDFs)."""

    text: str
    bbox: BBox
    confidence: float = Field(ge=0.0, le=1.0)
    # the line's own slope (dy/dx) as OCR found its box, a turned quadrilateral: a tilted photo's lines are
    # levelled by it (extractors/lines.level). None where the reader gives level boxes only (a text layer, Tesseract).
    slope: float | None = None
    # the recognition confidence of each character of `text` (None where the reader gives none): a line read
    # surely as a whole can hold one glyph the model hesitated over (l or 1, 圆 or 图), and a value resting on it is not sure
    character_confidences: list[float] | None = None


class Table(Strict):
    """A ruled table as the PDF draws it (pdfplumber): rows of cell texts, '' for an empty cell."""

    bbox: BBox
    rows: list[list[str]]
    row_bboxes: list[BBox] = []


class Page(Strict):
    number: int = Field(ge=1)
    width: float
    height: float
    source: TextSource
    rotation: int = 0  # degrees counter-clockwise the page image was turned before it was read (OCR pages)
    blocks: list[TextBlock] = []
    tables: list[Table] = []

    @property
    def text(self) -> str:
        return "\n".join(b.text for b in self.blocks)

    @property
    def read_by_ocr(self) -> bool:
        """Some of the page's text was OCR'd (a scan, a photo, a picture on a text page): its boxes may be
        tilted and its characters misread."""
        return self.source in (TextSource.OCR, TextSource.MIXED)


class BundleError(Strict):
    document: str
    code: ErrorCode
    message: str


class BundleFile(Strict):
    """One file after safe unpacking: where it lives on disk and what its bytes say it is."""

    path: str  # relative to the bundle root, as the applicant named it
    local_path: str  # absolute path in the private work folder
    sha256: str
    size: int
    file_type: FileType


class Document(Strict):
    path: str
    sha256: str
    file_type: FileType
    kind: DocumentKind = DocumentKind.UNKNOWN
    kind_score: float = 0.0
    pages: list[Page] = []
    text_source: TextSource = TextSource.NONE
    warnings: list[str] = []
    error: BundleError | None = None

    @property
    def text(self) -> str:
        return "\n".join(p.text for p in self.pages)


class Provenance(Strict):
    document: str
    page: int | None = None
    bbox: BBox | None = None
    text: str = ""
    confidence: float = Field(ge=0.0, le=1.0)


class Fact(Provenance):
    """A typed value read from evidence. The provenance fields sit flat, as the report contract shows them."""

    id: str = ""
    name: str
    value: Any
    extractor: str = ""
    warnings: list[str] = []
    evidence: list[str] = []  # what the value rests on: its shape, its label, a document prior
    # a record's fields read below the gate that its confidence does not rest on (an instance id, a certificate
    # number: they name the record and decide nothing), each with its own confidence, so that a misread one is
    # never shown as sure
    field_confidence: dict[str, float] = {}


class RequirementStatus(StrEnum):
    PASS = "pass"
    FAIL = "fail"
    NEEDS_REVIEW = "needs_review"
    MISSING = "missing"
    MANUAL = "manual"
    EXEMPT = "exempt"


class Verdict(StrEnum):
    ELIGIBLE = "eligible"
    INELIGIBLE = "ineligible"
    INCOMPLETE = "incomplete"
    NEEDS_REVIEW = "needs_review"


class RequirementResult(Strict):
    id: str
    title: str
    status: RequirementStatus
    threshold: Any = None
    observed: Any = None
    reason: str
    facts: list[str] = []


class BundleInfo(Strict):
    path: str
    sha256: str
    files: int


class Report(Strict):
    schema_version: int = 1
    bundle: BundleInfo
    market: str
    as_of: dt.date
    rules_version: str
    verdict: Verdict
    requirements: list[RequirementResult]
    facts: list[Fact]
    documents: list[Document]
    signals: list[str] = []
    errors: list[BundleError] = []


def decide_verdict(results: list[RequirementResult]) -> Verdict:
    """DESIGN.md section 3: the first rule that applies wins."""
    statuses = {r.status for r in results}
    if RequirementStatus.FAIL in statuses:
        return Verdict.INELIGIBLE
    if RequirementStatus.MISSING in statuses:
        return Verdict.INCOMPLETE
    if RequirementStatus.NEEDS_REVIEW in statuses:
        return Verdict.NEEDS_REVIEW
    return Verdict.ELIGIBLE


def jsonable(value: Any) -> Any:
    """Dates in fact values become ISO strings, so the report is plain JSON."""
    if isinstance(value, (dt.date, dt.datetime)):
        return value.isoformat()
    if isinstance(value, dict):
        return {k: jsonable(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [jsonable(v) for v in value]
    return value
