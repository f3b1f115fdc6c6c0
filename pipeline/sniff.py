"""Tell a file's type from its bytes, never from its name (DESIGN.md section 2: a file name is at most a hint).

Magic bytes come from the `filetype` package. Its GIF and BMP matchers only look at "GIF" and "BM", which plain
text can start with, so those two also need their full header here. Office files are zips: xlsx and docx are told
apart from a plain zip by their members. Anything without a known signature is JSON or TEXT when it is UTF-8, and
TEXT when it is Chinese text in GB18030 (a CSV saved by a spreadsheet program in China).
"""
from __future__ import annotations

import codecs
import json
import struct
import zipfile
from pathlib import Path

import filetype

from pipeline.models import FileType

HEAD_BYTES = 8192
CHUNK_BYTES = 1 << 16
MAX_JSON_BYTES = 64 * 1024 * 1024  # larger UTF-8 files are TEXT: parsing them to tell would cost too much memory
ACCEPTED_TYPES = "PDF, PNG, JPEG, TIFF, BMP, WEBP, GIF, XLSX, DOCX, ZIP, JSON, or text (CSV included) in UTF-8 or GBK"

_MAGIC_BY_EXTENSION: tuple[tuple[str, FileType], ...] = (
    ("pdf", FileType.PDF),
    ("png", FileType.PNG),
    ("jpg", FileType.JPEG),
    ("tif", FileType.TIFF),
    ("bmp", FileType.BMP),
    ("webp", FileType.WEBP),
    ("gif", FileType.GIF),
    ("zip", FileType.ZIP),
)
_MATCHERS = tuple((filetype.get_type(ext=ext), kind) for ext, kind in _MAGIC_BY_EXTENSION)
_BMP_DIB_HEADER_SIZES = frozenset({12, 16, 40, 52, 56, 64, 108, 124})
_ZIP_OPEN_ERRORS = (zipfile.BadZipFile, OSError, ValueError, EOFError, UnicodeDecodeError)


def sniff_file_type(path: Path) -> FileType:
    """The file's type by content. An empty file or one with no known signature that is not UTF-8 is UNKNOWN."""
    head = read_head(path)
    if not head:
        return FileType.UNKNOWN
    kind = match_magic(head)
    if kind is FileType.ZIP:
        return sniff_zip_members(path)
    if kind is not None:
        return kind
    return sniff_text(path)


def read_head(path: Path) -> bytes:
    with path.open("rb") as stream:
        return stream.read(HEAD_BYTES)


def match_magic(head: bytes) -> FileType | None:
    for matcher, kind in _MATCHERS:
        if matcher.match(head) and has_full_header(head, kind):
            return kind
    return None


def has_full_header(head: bytes, kind: FileType) -> bool:
    """Tighten the matchers that a text file could satisfy by its first letters."""
    if kind is FileType.GIF:
        return head[:6] in (b"GIF87a", b"GIF89a")
    if kind is FileType.BMP:
        return len(head) >= 18 and struct.unpack_from("<I", head, 14)[0] in _BMP_DIB_HEADER_SIZES
    return True


def sniff_zip_members(path: Path) -> FileType:
    """XLSX or DOCX when the zip holds `[Content_Types].xml` and `xl/` or `word/`; otherwise a plain ZIP.

    A zip that cannot be opened is still ZIP by its signature: the code that opens it reports it as damaged."""
    try:
        with zipfile.ZipFile(path) as archive:
            names = archive.namelist()
    except _ZIP_OPEN_ERRORS:
        return FileType.ZIP
    if "[Content_Types].xml" not in names:
        return FileType.ZIP
    if any(name.startswith("xl/") for name in names):
        return FileType.XLSX
    if any(name.startswith("word/") for name in names):
        return FileType.DOCX
    return FileType.ZIP


def sniff_text(path: Path) -> FileType:
    """JSON when the file is UTF-8 (a BOM is allowed) and parses as JSON, TEXT when it is other UTF-8 text or
    Chinese text in GB18030 (GBK), as spreadsheet programs in China save CSV."""
    encoding = text_encoding(path)
    if encoding is None:
        return FileType.UNKNOWN
    if encoding != UTF8:
        return FileType.TEXT
    if path.stat().st_size > MAX_JSON_BYTES:
        return FileType.TEXT
    try:
        json.loads(path.read_text(encoding="utf-8-sig"))
    except (ValueError, RecursionError):
        return FileType.TEXT
    return FileType.JSON


UTF8, GB18030 = "utf-8-sig", "gb18030"
_PRINTABLE_SHARE = 0.95  # of a GB18030 text's characters: fewer, and the bytes are no text


def text_encoding(path: Path) -> str | None:
    """The encoding the file's text is in: UTF-8 (a BOM allowed), else GB18030 when the bytes decode as it into
    printable text; None for bytes that are no text."""
    if is_utf8_text(path):
        return UTF8
    data = path.read_bytes() if path.stat().st_size <= MAX_JSON_BYTES else b""
    if not data or b"\x00" in data:
        return None
    try:
        text = data.decode(GB18030)
    except UnicodeDecodeError:
        return None
    printable = sum(1 for c in text if c.isprintable() or c in "\r\n\t")
    return GB18030 if printable >= _PRINTABLE_SHARE * len(text) else None


def is_utf8_text(path: Path) -> bool:
    """Decode in chunks, so binary data fails on its first chunk. NUL bytes are valid UTF-8 but never text."""
    decoder = codecs.getincrementaldecoder("utf-8-sig")()
    try:
        with path.open("rb") as stream:
            while chunk := stream.read(CHUNK_BYTES):
                if b"\x00" in chunk:
                    return False
                decoder.decode(chunk)
        decoder.decode(b"", final=True)
    except UnicodeDecodeError:
        return False
    return True
