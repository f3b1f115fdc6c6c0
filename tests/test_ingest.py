"""Safe ingestion of bundles: real zips and folders built in tmp_path, no mocks.

Each bundle mixes a bad entry with good files, so every test checks both the stable error code and that the good
files of the same bundle were still taken."""
from __future__ import annotations

import hashlib
import io
import os
import random
import stat
import struct
import warnings
import zipfile
from collections.abc import Callable
from pathlib import Path

import docx
import openpyxl
import pytest
from fpdf import FPDF
from PIL import Image

from pipeline.config import IngestLimits, Settings
from pipeline.errors import UnreadableBundle
from pipeline.ingest import IngestedBundle, ingest_bundle
from pipeline.models import ErrorCode, FileType
from pipeline.sniff import sniff_file_type

Member = tuple[str | zipfile.ZipInfo, bytes]
GOOD_TEXT = "营业执照 正本\n统一社会信用代码 91440300MA5FK7QW1A\n".encode()


# --- builders --------------------------------------------------------------------------------------------------


def zip_bytes(members: list[Member], compression: int = zipfile.ZIP_DEFLATED) -> bytes:
    buffer = io.BytesIO()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)  # duplicate names are written on purpose in one test
        with zipfile.ZipFile(buffer, "w", compression=compression) as archive:
            for name, data in members:
                archive.writestr(name, data)
    return buffer.getvalue()


def write_zip(path: Path, members: list[Member], compression: int = zipfile.ZIP_DEFLATED) -> Path:
    path.write_bytes(zip_bytes(members, compression))
    return path


def image_bytes(fmt: str) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (8, 8), (200, 30, 30)).save(buffer, fmt)
    return buffer.getvalue()


def pdf_bytes() -> bytes:
    pdf = FPDF()
    pdf.add_page()
    pdf.set_font("helvetica", size=12)
    pdf.cell(text="business license")
    return bytes(pdf.output())


def xlsx_bytes() -> bytes:
    workbook = openpyxl.Workbook()
    workbook.active["A1"] = "name"
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def docx_bytes() -> bytes:
    document = docx.Document()
    document.add_paragraph("customer case")
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


def legacy_name_zip(path: Path, legacy: list[tuple[bytes, bytes]], utf8: list[Member]) -> Path:
    """A zip whose `legacy` names are raw bytes (e.g. GBK) stored without the UTF-8 flag, as Chinese Windows
    writes them. zipfile always flags non-ASCII names, so each is written under an ASCII placeholder of the same
    length and the placeholder's bytes are swapped in the local and central headers."""
    placeholders = [(f"L{i}_".ljust(len(raw), "#").encode(), raw) for i, (raw, _) in enumerate(legacy)]
    members = [(placeholder.decode(), data) for (placeholder, _), (_, data) in zip(placeholders, legacy)]
    data = zip_bytes(members + utf8, compression=zipfile.ZIP_STORED)
    for placeholder, raw in placeholders:
        assert data.count(placeholder) == 2  # local header and central directory
        data = data.replace(placeholder, raw)
    path.write_bytes(data)
    return path


def patch_central_entry(data: bytes, name: str, field_offset: int, fmt: str, value: int) -> bytes:
    """Overwrite one field of the central-directory header of entry `name`."""
    position = data.find(b"PK\x01\x02")
    while position >= 0:
        (name_length,) = struct.unpack_from("<H", data, position + 28)
        if data[position + 46 : position + 46 + name_length] == name.encode():
            patched = bytearray(data)
            struct.pack_into(fmt, patched, position + field_offset, value)
            return bytes(patched)
        position = data.find(b"PK\x01\x02", position + 4)
    raise AssertionError(f"{name} not in the central directory")


def with_limits(settings: Settings, **limits: int | float) -> Settings:
    return settings.model_copy(update={"limits": IngestLimits(**limits)})


def error_codes(bundle: IngestedBundle) -> dict[str, ErrorCode]:
    return {error.document: error.code for error in bundle.errors}


def kept(bundle: IngestedBundle) -> dict[str, FileType]:
    return {file.path: file.file_type for file in bundle.files}


# --- zip guards ------------------------------------------------------------------------------------------------


def test_zip_slip_entries_are_refused_and_nothing_lands_outside(tmp_path: Path, settings: Settings) -> None:
    bundle_path = write_zip(tmp_path / "bundle.zip", [
        ("../evil.txt", b"escape"),
        ("/tmp/evil-absolute.txt", b"escape"),
        ("..\\..\\evil-backslash.txt", b"escape"),
        ("C:\\Windows\\evil-drive.txt", b"escape"),
        ("docs/../../evil-inner.txt", b"escape"),
        ("docs\\说明.txt", GOOD_TEXT),
        ("ok.txt", GOOD_TEXT),
    ])

    bundle = ingest_bundle(bundle_path, settings)

    assert error_codes(bundle) == {
        "../evil.txt": ErrorCode.UNSAFE_PATH,
        "/tmp/evil-absolute.txt": ErrorCode.UNSAFE_PATH,
        "..\\..\\evil-backslash.txt": ErrorCode.UNSAFE_PATH,
        "C:\\Windows\\evil-drive.txt": ErrorCode.UNSAFE_PATH,
        "docs/../../evil-inner.txt": ErrorCode.UNSAFE_PATH,
    }
    assert kept(bundle) == {"docs/说明.txt": FileType.TEXT, "ok.txt": FileType.TEXT}
    assert not [p for p in tmp_path.rglob("evil*")]
    assert not Path("/tmp/evil-absolute.txt").exists()


def test_symlink_entry_is_refused(tmp_path: Path, settings: Settings) -> None:
    link = zipfile.ZipInfo("link-to-passwd")
    link.create_system = 3
    link.external_attr = (stat.S_IFLNK | 0o777) << 16
    bundle_path = write_zip(tmp_path / "bundle.zip", [(link, b"/etc/passwd"), ("ok.txt", GOOD_TEXT)])

    bundle = ingest_bundle(bundle_path, settings)

    assert error_codes(bundle) == {"link-to-passwd": ErrorCode.SYMLINK_ENTRY}
    assert kept(bundle) == {"ok.txt": FileType.TEXT}
    assert not (Path(bundle.root) / "link-to-passwd").exists()


def test_oversized_entry_is_refused(tmp_path: Path, settings: Settings) -> None:
    bundle_path = write_zip(tmp_path / "bundle.zip", [("big.txt", b"x" * 2_000), ("ok.txt", GOOD_TEXT)],
                            compression=zipfile.ZIP_STORED)

    bundle = ingest_bundle(bundle_path, with_limits(settings, max_entry_bytes=1_000))

    assert error_codes(bundle) == {"big.txt": ErrorCode.ENTRY_TOO_LARGE}
    assert kept(bundle) == {"ok.txt": FileType.TEXT}


def test_high_compression_ratio_is_refused(tmp_path: Path, settings: Settings) -> None:
    bundle_path = write_zip(tmp_path / "bundle.zip", [("zeros.bin", bytes(2_000_000)), ("ok.txt", GOOD_TEXT)])

    bundle = ingest_bundle(bundle_path, with_limits(settings, max_compression_ratio=20))

    assert error_codes(bundle) == {"zeros.bin": ErrorCode.COMPRESSION_RATIO}
    assert kept(bundle) == {"ok.txt": FileType.TEXT}


def test_too_many_entries_gives_one_error_and_keeps_the_first(tmp_path: Path, settings: Settings) -> None:
    members: list[Member] = [(f"{i}.txt", GOOD_TEXT) for i in range(5)]
    bundle_path = write_zip(tmp_path / "bundle.zip", members)

    bundle = ingest_bundle(bundle_path, with_limits(settings, max_entries=3))

    assert error_codes(bundle) == {"bundle.zip": ErrorCode.TOO_MANY_ENTRIES}
    assert set(kept(bundle)) == {"0.txt", "1.txt", "2.txt"}


def test_total_bytes_limit_refuses_each_entry_that_no_longer_fits(tmp_path: Path, settings: Settings) -> None:
    bundle_path = write_zip(tmp_path / "bundle.zip", [
        ("a.txt", b"a" * 100), ("b.txt", b"b" * 100), ("c.txt", b"c" * 100), ("d.txt", b"d" * 40),
    ])

    bundle = ingest_bundle(bundle_path, with_limits(settings, max_total_bytes=250))

    assert error_codes(bundle) == {"c.txt": ErrorCode.BUNDLE_TOO_LARGE}
    assert set(kept(bundle)) == {"a.txt", "b.txt", "d.txt"}


def test_encrypted_entry_is_refused(tmp_path: Path, settings: Settings) -> None:
    data = zip_bytes([("secret.txt", GOOD_TEXT), ("ok.txt", GOOD_TEXT)])
    bundle_path = tmp_path / "bundle.zip"
    bundle_path.write_bytes(patch_central_entry(data, "secret.txt", 8, "<H", 0x1))

    bundle = ingest_bundle(bundle_path, settings)

    assert error_codes(bundle) == {"secret.txt": ErrorCode.ENCRYPTED_ENTRY}
    assert kept(bundle) == {"ok.txt": FileType.TEXT}


def test_lying_size_header_cannot_write_more_than_declared(tmp_path: Path, settings: Settings) -> None:
    data = zip_bytes([("lies.txt", b"L" * 5_000), ("ok.txt", GOOD_TEXT)], compression=zipfile.ZIP_STORED)
    bundle_path = tmp_path / "bundle.zip"
    bundle_path.write_bytes(patch_central_entry(data, "lies.txt", 24, "<I", 10))  # declared size: 10 bytes

    bundle = ingest_bundle(bundle_path, settings)

    assert error_codes(bundle) == {"lies.txt": ErrorCode.CORRUPT_ZIP}
    assert kept(bundle) == {"ok.txt": FileType.TEXT}
    assert not (Path(bundle.root) / "lies.txt").exists()


def test_directories_and_mac_junk_are_skipped_silently(tmp_path: Path, settings: Settings) -> None:
    png = image_bytes("PNG")
    bundle_path = write_zip(tmp_path / "bundle.zip", [
        ("docs/", b""), ("__MACOSX/docs/._scan.png", b"\x00\x05\x16\x07"), ("docs/.DS_Store", b"\x00\x00"),
        ("docs/scan.png", png),
    ])

    bundle = ingest_bundle(bundle_path, settings)

    assert bundle.errors == []
    assert kept(bundle) == {"docs/scan.png": FileType.PNG}


def test_duplicate_entry_names_do_not_overwrite(tmp_path: Path, settings: Settings) -> None:
    bundle_path = write_zip(tmp_path / "bundle.zip", [
        ("a.txt", b"first\n"), ("a.txt", b"second\n"), ("b", b"file\n"), ("b/c.txt", b"under a file\n"),
    ])

    bundle = ingest_bundle(bundle_path, settings)

    assert [error.code for error in bundle.errors] == [ErrorCode.UNSAFE_PATH, ErrorCode.UNSAFE_PATH]
    assert {error.document for error in bundle.errors} == {"a.txt", "b/c.txt"}
    assert set(kept(bundle)) == {"a.txt", "b"}
    assert (Path(bundle.root) / "a.txt").read_bytes() == b"first\n"


# --- names -----------------------------------------------------------------------------------------------------


def test_gbk_names_without_utf8_flag_and_utf8_flagged_names_both_decode(tmp_path: Path, settings: Settings) -> None:
    jpeg = image_bytes("JPEG")
    bundle_path = legacy_name_zip(
        tmp_path / "bundle.zip",
        legacy=[("营业执照.jpg".encode("gbk"), jpeg), ("资质/组织架构图.txt".encode("gbk"), GOOD_TEXT)],
        utf8=[("社保名单/2026年10月.txt", GOOD_TEXT)],
    )
    with zipfile.ZipFile(bundle_path) as archive:
        flags = {info.orig_filename: info.flag_bits & 0x800 for info in archive.infolist()}
    assert flags["社保名单/2026年10月.txt"] and not flags["营业执照.jpg".encode("gbk").decode("cp437")]

    bundle = ingest_bundle(bundle_path, settings)

    assert bundle.errors == []
    assert kept(bundle) == {
        "营业执照.jpg": FileType.JPEG,
        "资质/组织架构图.txt": FileType.TEXT,
        "社保名单/2026年10月.txt": FileType.TEXT,
    }
    license_file = next(f for f in bundle.files if f.path == "营业执照.jpg")
    assert license_file.local_path == str(Path(bundle.root) / "营业执照.jpg")
    assert Path(license_file.local_path).read_bytes() == jpeg


def test_legacy_name_that_is_not_gbk_does_not_sink_the_bundle(tmp_path: Path, settings: Settings) -> None:
    bundle_path = legacy_name_zip(
        tmp_path / "bundle.zip",
        legacy=[(b"\xff\xfe-scan.txt", GOOD_TEXT), ("营业执照.txt".encode("gbk"), GOOD_TEXT)],
        utf8=[("社保名单.txt", GOOD_TEXT), ("big.txt", b"x" * 300)],
    )

    bundle = ingest_bundle(bundle_path, with_limits(settings, max_entry_bytes=200))

    assert error_codes(bundle) == {"big.txt": ErrorCode.ENTRY_TOO_LARGE}
    assert {"营业执照.txt", "社保名单.txt"} < set(kept(bundle))
    assert len(bundle.files) == 3


# --- nested zips -----------------------------------------------------------------------------------------------


def test_nested_zip_is_opened_one_level_and_deeper_is_refused(tmp_path: Path, settings: Settings) -> None:
    png = image_bytes("PNG")
    deeper = zip_bytes([("x.txt", GOOD_TEXT)])
    inner = zip_bytes([("营业执照.png", png), ("deeper.zip", deeper), ("readme.txt", GOOD_TEXT)])
    bundle_path = write_zip(tmp_path / "bundle.zip", [
        ("docs/inner.zip", inner), ("archive.bin", zip_bytes([("a.txt", GOOD_TEXT)])), ("fake.zip", GOOD_TEXT),
        ("cases.zip", docx_bytes()), ("top.txt", GOOD_TEXT),
    ])

    bundle = ingest_bundle(bundle_path, settings)

    assert error_codes(bundle) == {"docs/inner.zip/deeper.zip": ErrorCode.NESTED_ZIP_TOO_DEEP}
    assert kept(bundle) == {
        "docs/inner.zip/营业执照.png": FileType.PNG,
        "docs/inner.zip/readme.txt": FileType.TEXT,
        "archive.bin/a.txt": FileType.TEXT,
        "fake.zip": FileType.TEXT,
        "cases.zip": FileType.DOCX,
        "top.txt": FileType.TEXT,
    }
    assert (Path(bundle.root) / "docs/inner.zip/营业执照.png").read_bytes() == png


def test_nested_depth_comes_from_the_limits(tmp_path: Path, settings: Settings) -> None:
    deeper = zip_bytes([("x.txt", GOOD_TEXT)])
    inner = zip_bytes([("deeper.zip", deeper), ("readme.txt", GOOD_TEXT)])
    bundle_path = write_zip(tmp_path / "bundle.zip", [("inner.zip", inner), ("top.txt", GOOD_TEXT)])

    two_levels = ingest_bundle(bundle_path, with_limits(settings, max_nested_depth=2))
    no_nesting = ingest_bundle(bundle_path, with_limits(settings, max_nested_depth=0))

    assert two_levels.errors == []
    assert set(kept(two_levels)) == {"inner.zip/deeper.zip/x.txt", "inner.zip/readme.txt", "top.txt"}
    assert error_codes(no_nesting) == {"inner.zip": ErrorCode.NESTED_ZIP_TOO_DEEP}
    assert set(kept(no_nesting)) == {"top.txt"}


def test_limits_count_across_both_levels(tmp_path: Path, settings: Settings) -> None:
    inner = zip_bytes([("b.txt", b"b" * 100), ("c.txt", b"c" * 100), ("d.txt", b"d" * 100)],
                      compression=zipfile.ZIP_STORED)
    bundle_path = write_zip(tmp_path / "bundle.zip", [("a.txt", b"a" * 100), ("inner.zip", inner),
                                                      ("e.txt", b"e" * 40)], compression=zipfile.ZIP_STORED)

    by_count = ingest_bundle(bundle_path, with_limits(settings, max_entries=4))
    by_bytes = ingest_bundle(bundle_path, with_limits(settings, max_total_bytes=100 + len(inner) + 100 + 50))

    assert error_codes(by_count) == {"bundle.zip": ErrorCode.TOO_MANY_ENTRIES}
    assert set(kept(by_count)) == {"a.txt", "inner.zip/b.txt", "inner.zip/c.txt"}
    assert error_codes(by_bytes) == {"inner.zip/c.txt": ErrorCode.BUNDLE_TOO_LARGE,
                                     "inner.zip/d.txt": ErrorCode.BUNDLE_TOO_LARGE}
    assert set(kept(by_bytes)) == {"a.txt", "inner.zip/b.txt", "e.txt"}


def test_damaged_nested_zip_is_an_entry_error(tmp_path: Path, settings: Settings) -> None:
    broken = zip_bytes([("x.txt", GOOD_TEXT)])[:-30]  # starts like a zip, its central directory is cut off
    bundle_path = write_zip(tmp_path / "bundle.zip", [("broken.zip", broken), ("ok.txt", GOOD_TEXT)])

    bundle = ingest_bundle(bundle_path, settings)

    assert error_codes(bundle) == {"broken.zip": ErrorCode.CORRUPT_ZIP}
    assert kept(bundle) == {"ok.txt": FileType.TEXT}


# --- file types ------------------------------------------------------------------------------------------------


def test_unknown_file_type_is_refused_with_the_accepted_types(tmp_path: Path, settings: Settings) -> None:
    noise = random.Random(7).randbytes(4_096)
    bundle_path = write_zip(tmp_path / "bundle.zip", [("scan.pdf", noise), ("ok.txt", GOOD_TEXT)])

    bundle = ingest_bundle(bundle_path, settings)

    assert error_codes(bundle) == {"scan.pdf": ErrorCode.UNKNOWN_FILE_TYPE}
    assert all(kind in bundle.errors[0].message for kind in ("PDF", "PNG", "XLSX", "JSON"))
    assert kept(bundle) == {"ok.txt": FileType.TEXT}


def test_empty_file_is_refused(tmp_path: Path, settings: Settings) -> None:
    bundle_path = write_zip(tmp_path / "bundle.zip", [("空白.pdf", b""), ("ok.txt", GOOD_TEXT)])

    bundle = ingest_bundle(bundle_path, settings)

    assert error_codes(bundle) == {"空白.pdf": ErrorCode.EMPTY_FILE}
    assert kept(bundle) == {"ok.txt": FileType.TEXT}


# Built on demand, so collecting the tests stays cheap: (file name, bytes builder, type expected from content)
SAMPLES: dict[str, tuple[str, Callable[[], bytes], FileType]] = {
    "png named .pdf": ("license.pdf", lambda: image_bytes("PNG"), FileType.PNG),
    "pdf named .png": ("scan.png", pdf_bytes, FileType.PDF),
    "jpeg named .txt": ("photo.txt", lambda: image_bytes("JPEG"), FileType.JPEG),
    "tiff named .jpg": ("scan.jpg", lambda: image_bytes("TIFF"), FileType.TIFF),
    "bmp named .gif": ("image.gif", lambda: image_bytes("BMP"), FileType.BMP),
    "webp named .png": ("image.png", lambda: image_bytes("WEBP"), FileType.WEBP),
    "gif named .bmp": ("image.bmp", lambda: image_bytes("GIF"), FileType.GIF),
    "xlsx named .zip": ("roster.zip", xlsx_bytes, FileType.XLSX),
    "docx named .xlsx": ("cases.xlsx", docx_bytes, FileType.DOCX),
    "zip named .docx": ("letter.docx", lambda: zip_bytes([("a.txt", b"a")]), FileType.ZIP),
    "office-like zip without xl/ or word/": (
        "deck.xlsx", lambda: zip_bytes([("[Content_Types].xml", b"<Types/>"), ("ppt/x.xml", b"<x/>")]), FileType.ZIP),
    "json with BOM named .txt": ("data.txt", lambda: '\ufeff{"company_name": "深圳市云帆"}'.encode(), FileType.JSON),
    "json named .pdf": ("application.pdf", lambda: b'{"markets": ["miniprogram"]}', FileType.JSON),
    "chinese text named .png": ("note.png", lambda: GOOD_TEXT, FileType.TEXT),
    "text starting with GIF": ("list.gif", lambda: b"GIFT list for clients\n", FileType.TEXT),
    "text starting with BM": ("cars.bmp", lambda: b"BMW 3 series, 2 units\n", FileType.TEXT),
    "broken json is text": ("data.json", lambda: b'{"a": ', FileType.TEXT),
    "gbk csv": ("趋势.csv", lambda: "时间,累计用户数\n2026/11/25,48814\n".encode("gbk"), FileType.TEXT),
    "random bytes": ("noise.png", lambda: random.Random(1).randbytes(2_048), FileType.UNKNOWN),
    "nul bytes": ("zeros.txt", lambda: bytes(64), FileType.UNKNOWN),
}


@pytest.mark.parametrize("case", SAMPLES)
def test_sniff_file_type_reads_content_not_extension(tmp_path: Path, case: str) -> None:
    name, build, expected = SAMPLES[case]
    path = tmp_path / name
    path.write_bytes(build())

    assert sniff_file_type(path) is expected


def test_ingested_files_are_typed_by_content(tmp_path: Path, settings: Settings) -> None:
    good = {name: build() for name, build, kind in SAMPLES.values() if kind not in (FileType.UNKNOWN, FileType.ZIP)}
    bundle_path = write_zip(tmp_path / "bundle.zip", [*good.items(), ("noise.png", b"\x01\x02\xff" * 50)])

    bundle = ingest_bundle(bundle_path, settings)

    assert error_codes(bundle) == {"noise.png": ErrorCode.UNKNOWN_FILE_TYPE}
    assert kept(bundle)["license.pdf"] is FileType.PNG
    assert kept(bundle)["scan.png"] is FileType.PDF
    for file in bundle.files:
        data = Path(file.local_path).read_bytes()
        assert (file.size, file.sha256) == (len(data), hashlib.sha256(data).hexdigest()) == \
            (len(good[file.path]), hashlib.sha256(good[file.path]).hexdigest())


# --- folders ---------------------------------------------------------------------------------------------------


def make_folder_bundle(tmp_path: Path) -> Path:
    folder = tmp_path / "申请材料"
    (folder / "资质").mkdir(parents=True)
    (folder / "资质" / "营业执照.png").write_bytes(image_bytes("PNG"))
    (folder / "application.json").write_text('{"company_name": "深圳市云帆信息技术有限公司"}', encoding="utf-8")
    (folder / "案例.zip").write_bytes(zip_bytes([("客户A.txt", GOOD_TEXT)]))
    (folder / ".DS_Store").write_bytes(b"\x00\x00\x00\x01Bud1")
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "secret.txt").write_text("not evidence\n")
    (folder / "link.txt").symlink_to(outside / "secret.txt")
    (folder / "资质" / "linked-dir").symlink_to(outside, target_is_directory=True)
    return folder


def test_folder_bundle_copies_files_and_refuses_symlinks(tmp_path: Path, settings: Settings) -> None:
    folder = make_folder_bundle(tmp_path)

    bundle = ingest_bundle(folder, settings)

    assert error_codes(bundle) == {"link.txt": ErrorCode.SYMLINK_ENTRY, "资质/linked-dir": ErrorCode.SYMLINK_ENTRY}
    assert kept(bundle) == {
        "资质/营业执照.png": FileType.PNG,
        "application.json": FileType.JSON,
        "案例.zip/客户A.txt": FileType.TEXT,
    }
    root = Path(bundle.root)
    assert root.parent == settings.work_dir.resolve() and root.name == bundle.sha256[:16]
    assert not any(path.is_symlink() for path in root.rglob("*"))
    assert not any(path.name == "secret.txt" for path in root.rglob("*"))


def test_folder_sha_follows_names_and_contents(tmp_path: Path, settings: Settings) -> None:
    folder = make_folder_bundle(tmp_path)

    first = ingest_bundle(folder, settings)
    again = ingest_bundle(folder, settings)
    (folder / "application.json").write_text('{"company_name": "别的公司"}', encoding="utf-8")
    changed = ingest_bundle(folder, settings)

    assert first.sha256 == again.sha256 and first.root == again.root
    assert changed.sha256 != first.sha256
    assert set(kept(changed)) == set(kept(first))


# --- unreadable bundles and re-ingestion ----------------------------------------------------------------------


def test_missing_path_raises_bundle_not_found(tmp_path: Path, settings: Settings) -> None:
    with pytest.raises(UnreadableBundle) as raised:
        ingest_bundle(tmp_path / "nowhere.zip", settings)

    assert raised.value.code is ErrorCode.BUNDLE_NOT_FOUND
    assert raised.value.exit_code == 3


@pytest.mark.parametrize("damage", ["not a zip", "broken central directory", "truncated"])
def test_corrupt_zip_raises_corrupt_zip(tmp_path: Path, settings: Settings, damage: str) -> None:
    data = zip_bytes([("ok.txt", GOOD_TEXT), ("more.txt", GOOD_TEXT)])
    damaged = {
        "not a zip": GOOD_TEXT,
        "broken central directory": data.replace(b"PK\x01\x02", b"PK\x09\x09"),
        "truncated": data[: len(data) // 2],
    }[damage]
    bundle_path = tmp_path / "bundle.zip"
    bundle_path.write_bytes(damaged)

    with pytest.raises(UnreadableBundle) as raised:
        ingest_bundle(bundle_path, settings)

    assert raised.value.code is ErrorCode.CORRUPT_ZIP
    assert not settings.work_dir.exists() or not any(settings.work_dir.iterdir())


def test_reingesting_a_zip_keeps_its_sha_and_replaces_the_work_folder(tmp_path: Path, settings: Settings) -> None:
    bundle_path = write_zip(tmp_path / "bundle.zip", [("营业执照.png", image_bytes("PNG")), ("ok.txt", GOOD_TEXT)])

    first = ingest_bundle(bundle_path, settings)
    stray = Path(first.root) / "left-over.txt"
    stray.write_text("from an earlier run\n")
    second = ingest_bundle(bundle_path, settings)

    assert first.sha256 == second.sha256 == hashlib.sha256(bundle_path.read_bytes()).hexdigest()
    assert first.root == second.root == str(settings.work_dir.resolve() / first.sha256[:16])
    assert not stray.exists()
    assert kept(second) == {"营业执照.png": FileType.PNG, "ok.txt": FileType.TEXT}
    assert stat.S_IMODE(os.stat(second.root).st_mode) == 0o700
    assert [path.name for path in settings.work_dir.iterdir()] == [first.sha256[:16]]  # no staging left behind
    assert settings.work_dir.is_relative_to(tmp_path)
