"""One exception family. Library code raises; the CLI and flow boundaries turn these into exit codes or
report `errors` entries. Every message says what is wrong and what to do."""
from __future__ import annotations

from pipeline.models import BundleError, ErrorCode


class EvidenceError(Exception):
    exit_code = 1

    def __init__(self, code: ErrorCode, message: str, document: str = ""):
        super().__init__(message)
        self.code = code
        self.message = message
        self.document = document

    def as_bundle_error(self, document: str | None = None) -> BundleError:
        return BundleError(document=document or self.document, code=self.code, message=self.message)


class UnreadableBundle(EvidenceError):
    """The bundle as a whole cannot be read (missing, not a zip, or its central directory is broken)."""

    exit_code = 3


class UnreadableDocument(EvidenceError):
    """One file cannot be read; the rest of the bundle goes on."""


class UsageError(EvidenceError):
    exit_code = 2
