"""Safe ingestion of a bundle (DESIGN.md sections 1 and 2): a folder or a `.zip` becomes checked, typed files in
a private work folder, `settings.work_dir / <sha256[:16]>`. Only a bundle that cannot be read at all raises
`UnreadableBundle`; every other problem becomes one `BundleError` and the rest of the bundle goes on.

Entries are copied as streams with a byte counter, so a lying header cannot write more than it declares. A file
whose content is a zip is opened in place, up to `limits.max_nested_depth` levels deep, as `outer/inner.zip/entry`;
the entry count and the byte total (every byte written, the inner zip's own included) run across all levels.
"""
from __future__ import annotations

import hashlib
import math
import os
import re
import shutil
import stat
import tempfile
import zipfile
import zlib
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import BinaryIO

from pipeline.config import IngestLimits, Settings
from pipeline.errors import UnreadableBundle
from pipeline.models import BundleError, BundleFile, ErrorCode, FileType, Strict
from pipeline.sniff import ACCEPTED_TYPES, sniff_file_type

CHUNK_BYTES = 1 << 16
LEGACY_NAME_ENCODING = "gbk"  # entry names without the UTF-8 flag: zips made on Chinese Windows
JUNK_DIRS = frozenset({"__MACOSX"})
JUNK_FILES = frozenset({".DS_Store"})
_UTF8_NAME_FLAG = 0x800
_ENCRYPTED_FLAG = 0x1
_DRIVE = re.compile(r"^[A-Za-z]:")
_ZIP_OPEN_ERRORS = (zipfile.BadZipFile, OSError, ValueError, EOFError, UnicodeDecodeError)
_ENTRY_READ_ERRORS = (zipfile.BadZipFile, zlib.error, EOFError, UnicodeDecodeError, NotImplementedError, ValueError)

# What the applicant can do about each refusal; every message is "<path>: <what is wrong>. <advice>"
_ADVICE: dict[ErrorCode, str] = {
    ErrorCode.UNSAFE_PATH: "Re-create the bundle from the evidence folder itself, with relative, unique names.",
    ErrorCode.SYMLINK_ENTRY: "Links are never followed: put the file itself in the bundle.",
    ErrorCode.ENCRYPTED_ENTRY: "Re-create the zip without a password.",
    ErrorCode.ENTRY_TOO_LARGE: "Compress or split the document, or raise limits.max_entry_bytes.",
    ErrorCode.COMPRESSION_RATIO: "Zip bombs look like this: re-create the zip with ordinary compression, or raise "
                                 "limits.max_compression_ratio if the file is genuine.",
    ErrorCode.BUNDLE_TOO_LARGE: "Remove what is not evidence, or raise limits.max_total_bytes.",
    ErrorCode.TOO_MANY_ENTRIES: "Remove what is not evidence, or raise limits.max_entries.",
    ErrorCode.NESTED_ZIP_TOO_DEEP: "Unpack the inner archive and put its files in the bundle directly.",
    ErrorCode.CORRUPT_ZIP: "Re-create the zip with ordinary (deflate) compression and send it again.",
    ErrorCode.EMPTY_FILE: "Replace it with the real document.",
    ErrorCode.UNKNOWN_FILE_TYPE: f"Send it as one of: {ACCEPTED_TYPES}; its name and extension do not matter.",
}

Problem = tuple[ErrorCode, str]  # a code and what is wrong


class IngestedBundle(Strict):
    source: str  # the path the user gave
    sha256: str  # zip: of the zip bytes; folder: over the sorted (relative path, file sha256) pairs
    root: str  # the private work folder holding the unpacked files
    files: list[BundleFile]  # only files that passed every check
    errors: list[BundleError]  # one per file or entry that could not be taken


def bundle_error(document: str, problem: Problem) -> BundleError:
    code, what = problem
    return BundleError(document=document, code=code, message=f"{document}: {what}. {_ADVICE[code]}")


@dataclass
class _Run:
    """What one ingestion carries between its steps: the limits, the folders, the budget used, the results."""

    limits: IngestLimits
    root: Path
    staging: Path
    label: str
    files: list[BundleFile] = field(default_factory=list)
    errors: list[BundleError] = field(default_factory=list)
    entries_seen: int = 0
    bytes_used: int = 0
    staged: int = 0

    def fail(self, document: str, problem: Problem) -> None:
        self.errors.append(bundle_error(document, problem))

    def take_entry(self) -> bool:
        """Count one more entry across every level; False past `max_entries`, which is reported once."""
        self.entries_seen += 1
        limit = self.limits.max_entries
        if self.entries_seen == limit + 1:
            self.fail(self.label, (ErrorCode.TOO_MANY_ENTRIES, f"the bundle holds more than {limit} entries and "
                                   f"only the first {limit} were read"))
        return self.entries_seen <= limit

    def new_staging_path(self) -> Path:
        self.staged += 1
        return self.staging / f"{self.staged}.part"


def ingest_bundle(source: Path, settings: Settings) -> IngestedBundle:
    """Unpack a folder or `.zip` bundle safely into the work folder; raise only when it cannot be read at all."""
    source = Path(source)
    if not source.exists():
        raise UnreadableBundle(ErrorCode.BUNDLE_NOT_FOUND, f"{source} does not exist. Check the path: a bundle "
                               "is a folder or a .zip file.", document=str(source))
    if source.is_dir():
        return ingest_folder_bundle(source, settings)
    if not source.is_file():
        raise UnreadableBundle(ErrorCode.CORRUPT_ZIP, f"{source} is neither a folder nor a regular file. Give the "
                               "path of the bundle folder or of its .zip file.", document=str(source))
    return ingest_zip_bundle(source, settings)


def bundle_sha256(source: Path) -> str:
    """The content hash `ingest_bundle` gives this bundle, without unpacking it (a batch skips bundles it has
    already stored by this hash). A zip that cannot be opened still has the hash of its bytes."""
    source = Path(source)
    if source.is_dir():
        return hash_folder(list_folder(source)[0])
    try:
        with source.open("rb") as stream:
            return hash_stream(stream)
    except OSError as exc:
        raise UnreadableBundle(ErrorCode.BUNDLE_NOT_FOUND, f"{source} cannot be read ({exc}). Check the path: a "
                               "bundle is a folder or a .zip file.", document=str(source)) from exc


def ingest_zip_bundle(source: Path, settings: Settings) -> IngestedBundle:
    try:
        archive, entries = open_zip(source)
    except _ZIP_OPEN_ERRORS as exc:
        raise UnreadableBundle(ErrorCode.CORRUPT_ZIP, f"{source} is not a readable zip file ({exc}). Re-create "
                               "the zip, or give the bundle as a folder.", document=str(source)) from exc
    with archive, source.open("rb") as stream:
        sha = hash_stream(stream)
        with start_run(settings, sha, source.name) as run:
            ingest_zip_entries(archive, entries, "", 0, run)
    return IngestedBundle(source=str(source), sha256=sha, root=str(run.root), files=run.files, errors=run.errors)


def ingest_folder_bundle(source: Path, settings: Settings) -> IngestedBundle:
    found, refused = list_folder(source)
    sha = hash_folder(found)
    with start_run(settings, sha, source.name) as run:
        run.errors.extend(refused)
        for rel, path in found:
            if not run.take_entry():
                break
            ingest_folder_file(path, rel, run)
    return IngestedBundle(source=str(source), sha256=sha, root=str(run.root), files=run.files, errors=run.errors)


@contextmanager
def start_run(settings: Settings, sha: str, label: str) -> Iterator[_Run]:
    """A fresh work folder for this bundle, and a staging folder beside it that is removed at the end."""
    root = prepare_root(settings.work_dir, sha[:16])
    staging = Path(tempfile.mkdtemp(prefix=f".staging-{sha[:16]}-", dir=root.parent))
    try:
        yield _Run(limits=settings.limits, root=root, staging=staging, label=label)
    finally:
        shutil.rmtree(staging, ignore_errors=True)


def prepare_root(work_dir: Path, key: str) -> Path:
    """Create `work_dir/key` with mode 0o700, removing whatever an earlier ingestion left there."""
    work_dir.mkdir(mode=0o700, parents=True, exist_ok=True)
    root = work_dir.resolve() / key
    if root.is_symlink() or root.is_file():
        root.unlink()
    elif root.exists():
        shutil.rmtree(root)
    root.mkdir(mode=0o700)
    root.chmod(0o700)  # mkdir's mode is masked by the umask
    return root


def open_zip(path: Path) -> tuple[zipfile.ZipFile, list[tuple[zipfile.ZipInfo, str]]]:
    """Open a zip with names decoded as GBK when they lack the UTF-8 flag.

    `metadata_encoding` fails the whole zip when one legacy name is not GBK; then names are decoded one by one."""
    try:
        archive = zipfile.ZipFile(path, metadata_encoding=LEGACY_NAME_ENCODING)
        return archive, [(info, info.orig_filename) for info in archive.infolist()]
    except UnicodeDecodeError:
        archive = zipfile.ZipFile(path)
        return archive, [(info, decode_legacy_name(info)) for info in archive.infolist()]


def decode_legacy_name(info: zipfile.ZipInfo) -> str:
    """GBK, else UTF-8 without its flag, else the cp437 that zipfile read (which always decodes)."""
    if info.flag_bits & _UTF8_NAME_FLAG:
        return info.orig_filename
    raw = info.orig_filename.encode("cp437")
    for encoding in (LEGACY_NAME_ENCODING, "utf-8"):
        try:
            return raw.decode(encoding)
        except UnicodeDecodeError:
            continue
    return info.orig_filename


def ingest_zip_entries(archive: zipfile.ZipFile, entries: list[tuple[zipfile.ZipInfo, str]], prefix: str,
                       depth: int, run: _Run) -> None:
    for info, name in entries:
        if not run.take_entry():
            return
        ingest_zip_entry(archive, info, name, prefix, depth, run)


def ingest_zip_entry(archive: zipfile.ZipFile, info: zipfile.ZipInfo, name: str, prefix: str, depth: int,
                     run: _Run) -> None:
    if is_directory_entry(info, name):
        return
    rel = safe_relpath(name)
    if rel is None:
        run.fail(prefix + name, (ErrorCode.UNSAFE_PATH, "this name would land outside the bundle folder (absolute "
                                 "path, drive letter, '..' or control characters), so it was not extracted"))
        return
    if is_junk(rel):
        return
    problem = check_zip_header(info, run.limits) or check_size(info.file_size, run)
    if problem:
        run.fail(prefix + rel, problem)
        return
    extract_zip_entry(archive, info, prefix + rel, depth, run)


def is_directory_entry(info: zipfile.ZipInfo, name: str) -> bool:
    return name.replace("\\", "/").endswith("/") or stat.S_ISDIR(info.external_attr >> 16)


def safe_relpath(name: str) -> str | None:
    """The entry's path with '/' separators, or None when it could leave the folder. Backslashes count as
    separators, so `..\\evil` and `C:\\x` are caught like their forward-slash forms."""
    path = name.replace("\\", "/")
    if path.startswith("/") or _DRIVE.match(path) or any(ord(char) < 32 for char in path):
        return None
    parts = [part for part in path.split("/") if part not in ("", ".")]
    if not parts or ".." in parts:
        return None
    return "/".join(parts)


def is_junk(rel: str) -> bool:
    parts = rel.split("/")
    return parts[-1] in JUNK_FILES or any(part in JUNK_DIRS for part in parts)


def check_zip_header(info: zipfile.ZipInfo, limits: IngestLimits) -> Problem | None:
    """Refuse links, encrypted entries and likely zip bombs, from the header alone."""
    if stat.S_ISLNK(info.external_attr >> 16):
        return ErrorCode.SYMLINK_ENTRY, "this entry is a symbolic link"
    if info.flag_bits & _ENCRYPTED_FLAG:
        return ErrorCode.ENCRYPTED_ENTRY, "this entry is password-protected"
    if info.file_size > limits.max_entry_bytes:
        return entry_too_large(info.file_size, limits)
    ratio = compression_ratio(info)
    if ratio > limits.max_compression_ratio:
        return ErrorCode.COMPRESSION_RATIO, (f"this entry would expand {ratio:.0f} times, over the limit of "
                                             f"{limits.max_compression_ratio:g}, so it was not extracted")
    return None


def compression_ratio(info: zipfile.ZipInfo) -> float:
    if info.compress_size == 0:
        return math.inf if info.file_size else 0.0
    return info.file_size / info.compress_size


def extract_zip_entry(archive: zipfile.ZipFile, info: zipfile.ZipInfo, rel: str, depth: int, run: _Run) -> None:
    try:
        with archive.open(info) as source:
            staged = stage_copy(source, rel, info.file_size, run)
    except _ENTRY_READ_ERRORS as exc:
        run.fail(rel, (ErrorCode.CORRUPT_ZIP, f"this entry cannot be extracted ({exc}): the zip is damaged or "
                                              "uses an unsupported compression method"))
        return
    if staged is not None:
        admit_file(staged, rel, depth, run)


def expand_nested_zip(staged: Path, rel: str, depth: int, run: _Run) -> None:
    """Open a zip found inside the bundle; its entries become `rel/entry`, one level deeper."""
    limit = run.limits.max_nested_depth
    if depth >= limit:
        run.fail(rel, (ErrorCode.NESTED_ZIP_TOO_DEEP, f"this zip is nested {depth + 1} levels deep and at most "
                                                      f"{limit} are opened"))
        return
    try:
        archive, entries = open_zip(staged)
    except _ZIP_OPEN_ERRORS as exc:
        run.fail(rel, (ErrorCode.CORRUPT_ZIP, f"this file is a zip that cannot be opened ({exc})"))
        return
    with archive:
        ingest_zip_entries(archive, entries, rel + "/", depth + 1, run)


def list_folder(top: Path) -> tuple[list[tuple[str, Path]], list[BundleError]]:
    """The regular files under `top` by relative path, and an error for each link or special file."""
    found: list[tuple[str, Path]] = []
    refused: list[BundleError] = []
    for rel, entry in walk_folder(top, ""):
        if is_junk(rel):
            continue
        if entry.is_symlink():
            refused.append(bundle_error(rel, (ErrorCode.SYMLINK_ENTRY, "this is a symbolic link")))
        elif entry.is_file(follow_symlinks=False):
            found.append((rel, Path(entry.path)))
        else:
            refused.append(bundle_error(rel, (ErrorCode.UNSAFE_PATH, "this is a device, pipe or socket, not a file")))
    return found, refused


def walk_folder(top: Path, prefix: str) -> Iterator[tuple[str, os.DirEntry[str]]]:
    """Every non-directory entry below `top`, sorted, without descending into linked folders."""
    with os.scandir(top) as scan:
        entries = sorted(scan, key=lambda entry: entry.name)
    for entry in entries:
        if entry.is_dir(follow_symlinks=False):
            yield from walk_folder(Path(entry.path), f"{prefix}{entry.name}/")
        else:
            yield f"{prefix}{entry.name}", entry


def hash_folder(found: list[tuple[str, Path]]) -> str:
    digest = hashlib.sha256()
    for rel, path in sorted(found):
        with open_no_follow(path) as stream:
            digest.update(f"{rel}\0{hash_stream(stream)}\n".encode("utf-8", "surrogateescape"))
    return digest.hexdigest()


def ingest_folder_file(path: Path, rel: str, run: _Run) -> None:
    try:
        source = open_no_follow(path)
    except OSError as exc:
        run.fail(rel, (ErrorCode.SYMLINK_ENTRY, f"this file cannot be opened without following a link ({exc})"))
        return
    with source:
        size = os.fstat(source.fileno()).st_size
        problem = check_size(size, run)
        staged = None if problem else stage_copy(source, rel, size, run)
    if problem:
        run.fail(rel, problem)
    elif staged is not None:
        admit_file(staged, rel, 0, run)


def open_no_follow(path: Path) -> BinaryIO:
    """Open for reading, refusing a link swapped in after the folder was listed."""
    return os.fdopen(os.open(path, os.O_RDONLY | os.O_NOFOLLOW), "rb")


@dataclass(frozen=True)
class _Staged:
    path: Path
    size: int
    sha256: str


def check_size(size: int, run: _Run) -> Problem | None:
    """The per-file limit, then the running total across the whole bundle, nested zips included."""
    limits = run.limits
    if size > limits.max_entry_bytes:
        return entry_too_large(size, limits)
    if run.bytes_used + size > limits.max_total_bytes:
        return ErrorCode.BUNDLE_TOO_LARGE, (f"this file ({size} bytes) does not fit: the files before it already "
                                            f"use {run.bytes_used} of the {limits.max_total_bytes} bytes allowed")
    return None


def entry_too_large(size: int, limits: IngestLimits) -> Problem:
    return ErrorCode.ENTRY_TOO_LARGE, f"this file has {size} bytes, over the limit of {limits.max_entry_bytes}"


def stage_copy(source: BinaryIO, rel: str, limit: int, run: _Run) -> _Staged | None:
    """Stream `source` into a new staging file, counting bytes, and stop before byte `limit + 1`, so a lying header
    cannot write more than it declares. None, with an error recorded, when the stream holds more than `limit`."""
    path, digest, size = run.new_staging_path(), hashlib.sha256(), 0
    try:
        with path.open("xb") as out:
            while (chunk := source.read(CHUNK_BYTES)) and size + len(chunk) <= limit:
                size += len(chunk)
                digest.update(chunk)
                out.write(chunk)
    except BaseException:
        path.unlink(missing_ok=True)
        raise
    if chunk:  # the loop stopped on a chunk that would pass the limit
        path.unlink()
        run.fail(rel, (ErrorCode.ENTRY_TOO_LARGE, f"this file holds more than the {limit} bytes it declares; the "
                                                  "bundle is damaged or crafted, so it was not extracted"))
        return None
    run.bytes_used += size
    return _Staged(path, size, digest.hexdigest())


def admit_file(staged: _Staged, rel: str, depth: int, run: _Run) -> None:
    """Sniff a staged file: keep it, open it as a nested zip, or refuse it."""
    kind = sniff_file_type(staged.path) if staged.size else FileType.UNKNOWN
    if staged.size == 0:
        run.fail(rel, (ErrorCode.EMPTY_FILE, "this file is empty (0 bytes)"))
    elif kind is FileType.ZIP:
        expand_nested_zip(staged.path, rel, depth, run)
    elif kind is FileType.UNKNOWN:
        run.fail(rel, (ErrorCode.UNKNOWN_FILE_TYPE, "this file's content is not a type we can read"))
    else:
        keep_file(staged, rel, kind, run)
    staged.path.unlink(missing_ok=True)  # kept files were moved away already


def keep_file(staged: _Staged, rel: str, kind: FileType, run: _Run) -> None:
    """Move a staged file to its place in the work folder, never over an existing path nor outside the folder."""
    dest = run.root / rel
    try:
        dest.parent.mkdir(parents=True, exist_ok=True)
        if not dest.parent.resolve().is_relative_to(run.root) or os.path.lexists(dest):
            raise FileExistsError(f"another entry already uses {rel}")
        os.replace(staged.path, dest)
    except OSError as exc:
        run.fail(rel, (ErrorCode.UNSAFE_PATH, f"this file cannot be stored under its name ({exc})"))
        return
    run.files.append(BundleFile(path=rel, local_path=str(dest), sha256=staged.sha256, size=staged.size,
                                file_type=kind))


def hash_stream(stream: BinaryIO) -> str:
    digest = hashlib.sha256()
    while chunk := stream.read(CHUNK_BYTES):
        digest.update(chunk)
    return digest.hexdigest()
