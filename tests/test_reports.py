"""The analyst's HTML reports: written by the batch flow's --out for generated bundles (one with a corrupt
file, one needs_review case, one spreadsheet of full ID numbers), read back with an HTML parser; masking in
text and on page images (checked by OCR); corrections with their audit trail; and a real headless Chromium
that opens a report over file:// with no network."""
import json
import os
import re
import shutil
from pathlib import Path

import numpy as np
import openpyxl
import pytest
from lxml import html as lxml_html
from PIL import Image
from typer.testing import CliRunner

from flows.artifacts import bundle_key
from flows.batch import verify_batch
from flows.cli import app
from flows.reverify import reverify
from pipeline.config import Settings
from pipeline.ocr import get_engine
from pipeline.privacy import id_spans
from pipeline.store import Store

pytestmark = pytest.mark.slow
AS_OF = "2026-11-28"
BUNDLES = ("market_service_cert_problems", "market_website_young", "market_miniprogram_complete")
FULL_ID = re.compile(r"(?<!\d)\d{17}[\dXx](?!\d)")
REPO = Path(__file__).resolve().parents[1]
ARTIFACTS = Path(os.environ.get("EVIDENCE_TEST_ARTIFACTS", REPO / "test-artifacts"))


@pytest.fixture(scope="module")
def reported(prefect_harness, generated, session_home, tmp_path_factory):
    root = tmp_path_factory.mktemp("reports")
    inbox = root / "inbox"
    for name in BUNDLES:
        shutil.copytree(generated / "bundles" / name, inbox / name)
    (inbox / "market_miniprogram_complete" / "损坏的附件.pdf").write_bytes(b"%PDF-1.7 truncated garbage")
    (inbox / "坏掉的申请.zip").write_bytes(b"PK\x03\x04 not a zip at all")
    settings = Settings(home=session_home, db_url=f"sqlite:///{root / 'results.db'}")
    import datetime as dt

    outcomes = verify_batch(str(inbox), as_of=dt.date.fromisoformat(AS_OF), workers=2, out=str(root / "out"), settings=settings)
    store = Store.open(settings)
    yield {"root": root, "out": root / "out", "inbox": inbox, "outcomes": {Path(o.source).name: o for o in outcomes},
           "store": store, "settings": settings, "env": {"EVIDENCE_DB_URL": settings.db_url, "EVIDENCE_HOME": str(session_home)}}
    store.close()


def parse(path: Path):
    return lxml_html.fromstring(path.read_text(encoding="utf-8"))


def report_page(reported, bundle):
    return reported["out"] / bundle / "index.html"


@pytest.mark.parametrize("bundle", BUNDLES)
def test_every_requirement_row_and_every_fact_crop_is_there(reported, bundle):
    page = report_page(reported, bundle)
    tree = parse(page)
    store = reported["store"]
    sha = reported["outcomes"][bundle].sha256
    for market, verification in store.latest_verifications(sha).items():
        rows = tree.xpath(f'//table[@data-market="{market}"]//tr[@class="requirement"]')
        assert [r.get("data-requirement") for r in rows] == [r["id"] for r in verification.requirements]
        assert [r.get("data-status") for r in rows] == [r["status"] for r in verification.requirements]
        badge = tree.xpath(f'//span[contains(@class, "verdict")][@data-market="{market}"]')[0]
        assert verification.verdict.replace("_", " ") in badge.text_content()
    facts = store.facts(sha)
    shown = tree.xpath('//div[@class="fact"]')
    assert {d.get("data-fact") for d in shown} == {f.id for f in facts}
    for div in shown:
        crop = div.xpath('.//img[@class="crop"]')[0].get("src")
        assert (page.parent / crop).is_file() and Image.open(page.parent / crop).size[0] > 10
    for view in tree.xpath('//div[@class="pageview"]'):
        assert (page.parent / view.xpath(".//img")[0].get("src")).is_file()
        assert view.xpath('.//div[@class="box"]')


def test_a_corrupt_file_is_listed_with_its_reason(reported):
    tree = parse(report_page(reported, "market_miniprogram_complete"))
    listed = tree.xpath('//div[@data-document="损坏的附件.pdf"]')
    assert listed and "corrupt_pdf" in listed[0].text_content()
    index = parse(reported["out"] / "index.html")
    failed = [r for r in index.xpath("//tbody/tr") if r.get("data-status") == "failed"]
    assert len(failed) == 1 and "坏掉的申请.zip" in failed[0].text_content() and "corrupt_zip" in failed[0].text_content()


def test_needs_review_case_names_the_holder_and_links_its_facts(reported, generated):
    tree = parse(report_page(reported, "market_service_cert_problems"))
    row = tree.xpath('//tr[@data-requirement="certified_ops_engineers"]')[0]
    assert row.get("data-status") == "needs_review" and "needs review" in row.text_content()
    assert "roster" in row.text_content()
    for link in row.xpath('.//td[@class="facts-cell"]/a'):
        assert tree.xpath(f'//div[@id="{link.get("href")[1:]}"]')


def test_batch_index_has_a_row_per_bundle_and_market_with_links(reported):
    index = reported["out"] / "index.html"
    rows = parse(index).xpath("//tbody/tr")
    verified = [r for r in rows if r.get("data-status") == "verified"]
    assert sorted(r.get("data-bundle") for r in verified) == sorted(BUNDLES)
    for row in verified:
        link = row.xpath(".//a")[0].get("href")
        assert (index.parent / link).is_file()
    review = {r.get("data-bundle"): int(r.get("data-review")) for r in verified}
    assert review["market_service_cert_problems"] >= 1


def test_no_full_id_number_and_no_password_anywhere_in_the_output(reported):
    xlsx = reported["inbox"] / "market_website_young" / "参保人员明细.xlsx"
    ids = {str(c) for row in openpyxl.load_workbook(xlsx).active.iter_rows(values_only=True) for c in row
           if c is not None and FULL_ID.fullmatch(str(c))}
    assert len(ids) >= 10  # the spreadsheet does hold full ID numbers
    passwords = {json.loads((reported["inbox"] / b / "application.json").read_text(encoding="utf-8"))["api_test_account"]["password"] for b in BUNDLES}
    for path in reported["out"].rglob("*"):
        if path.is_file() and path.suffix in (".html", ".json"):
            text = path.read_text(encoding="utf-8")
            assert not FULL_ID.search(text), path
            assert not any(p in text for p in passwords), path
        if path.is_file():
            data = path.read_bytes()
            assert not any(i.encode() in data for i in ids), path


def test_page_images_show_no_readable_id_number(reported):
    """OCR the page images of the social-security documents: the ID column is blurred, so no ID is read."""
    engine = get_engine("rapidocr")
    checked = 0
    for bundle in ("market_service_cert_problems", "market_website_young"):
        tree = parse(report_page(reported, bundle))
        for doc in tree.xpath('//div[@class="doc"]'):
            if "social_security_list" not in doc.text_content():
                continue
            for img in doc.xpath(".//a/@href")[:1]:
                picture = np.asarray(Image.open(report_page(reported, bundle).parent / img).convert("RGB"))
                blocks = engine.recognize(picture)
                assert len(blocks) > 20  # the rest of the page is still readable
                assert not [b.text for b in blocks if id_spans(b.text.replace(" ", ""))], bundle
                assert any("身份" in b.text or "证件" in b.text for b in blocks)  # the header stays
                checked += 1
    assert checked == 2


def test_the_bundle_artifact_links_to_the_html_report(reported):
    from prefect.artifacts import Artifact

    sha = reported["outcomes"]["market_website_young"].sha256
    artifact = Artifact.get(bundle_key(sha))
    assert str(report_page(reported, "market_website_young")) in artifact.data


def test_a_correction_revalidates_and_the_audit_trail_shows_it(reported, generated, tmp_path):
    runner, env, store = CliRunner(), reported["env"], reported["store"]
    sha = reported["outcomes"]["market_website_young"].sha256
    founded = next(f for f in store.facts(sha) if f.name == "established_on")
    result = runner.invoke(app, ["review", sha[:12], "--fact", founded.id, "--value", '"2019-03-01"', "--reason",
                                 "public record (国家企业信用信息公示系统) shows 2019-03-01", "--by", "王分析"], env=env)
    assert result.exit_code == 0, result.output
    assert "changed\twebsite\tineligible -> eligible" in result.output
    trail, = store.corrections(sha)
    assert (trail.by, trail.old_value, trail.new_value, trail.target) == ("王分析", founded.value, "2019-03-01", founded.id)
    assert trail.at is not None and "公示系统" in trail.reason
    latest = store.latest_verifications(sha)["website"]
    assert latest.trigger == "review" and latest.verdict == "eligible"

    # re-verification keeps the correction, and so does a fresh verification of the same bundle
    reverify(settings=reported["settings"])
    assert store.latest_verifications(sha)["website"].verdict in ("eligible", "needs_review")
    company_age = next(r for r in store.latest_verifications(sha)["website"].requirements if r["id"] == "company_age")
    assert company_age["status"] == "pass"

    out = tmp_path / "young"
    shown = runner.invoke(app, ["report", sha, "--out", str(out)], env=env)
    assert shown.exit_code == 0, shown.output
    tree = parse(out / "index.html")
    correction = tree.xpath(f'//div[@data-correction="{founded.id}"]')[0].text_content()
    assert founded.value in correction and "2019-03-01" in correction and "王分析" in correction
    assert tree.xpath('//section[@id="audit"]//td[contains(., "王分析")]')


def test_signing_off_a_needs_review_requirement(reported):
    runner, env, store = CliRunner(), reported["env"], reported["store"]
    sha = reported["outcomes"]["market_service_cert_problems"].sha256
    refused = runner.invoke(app, ["review", sha[:12], "--requirement", "company_age", "--status", "pass",
                                  "--reason", "x", "--by", "李审核"], env=env)
    assert refused.exit_code == 2 and "correct the fact" in refused.output
    result = runner.invoke(app, ["review", sha[:12], "--requirement", "certified_ops_engineers", "--status", "pass",
                                 "--reason", "the third holder joined in November; contract seen", "--by", "李审核"], env=env)
    assert result.exit_code == 0, result.output
    latest = store.latest_verifications(sha)["service"]
    row = next(r for r in latest.requirements if r["id"] == "certified_ops_engineers")
    assert row["status"] == "pass" and "李审核" in row["reason"] and "was needs_review" in row["reason"]
    assert latest.verdict == "eligible"


def test_a_real_browser_renders_the_report_and_opens_the_page_view(reported):
    chromium = Path("/usr/bin/chromium")
    if not chromium.exists():
        if os.environ.get("CI"):
            pytest.fail("chromium is missing: make test installs it (apt package chromium)")
        pytest.skip("chromium is not installed; make test installs it")
    from playwright.sync_api import sync_playwright

    page_file = report_page(reported, "market_service_cert_problems")
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    outside: list[str] = []
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(chromium), args=["--no-sandbox"])
        context = browser.new_context(offline=True, viewport={"width": 1300, "height": 1000})
        context.route(re.compile(r"^(?!file://).*"), lambda route: (outside.append(route.request.url), route.abort()))
        page = context.new_page()
        page.goto(page_file.as_uri())
        badge = page.locator("span.verdict").first
        assert badge.is_visible() and "needs review" in badge.inner_text()
        rows = page.locator("table.requirements tr.requirement")
        assert rows.count() >= 8 and rows.first.is_visible()
        page.screenshot(path=str(ARTIFACTS / "report.png"), full_page=False)
        crop = page.locator("a.crop-link").first
        fact_id = crop.get_attribute("href").removeprefix("#view-")
        view = page.locator(f"#view-{fact_id}")
        assert not view.is_visible()
        crop.click()
        assert view.is_visible()
        box = view.locator(".box").bounding_box()
        frame = view.locator(".frame img").bounding_box()
        assert box["width"] > 2 and box["height"] > 2
        assert frame["x"] <= box["x"] and box["x"] + box["width"] <= frame["x"] + frame["width"] + 1
        page.screenshot(path=str(ARTIFACTS / "report-page-view.png"), full_page=False)
        index = context.new_page()
        index.goto((reported["out"] / "index.html").as_uri())
        verdicts = lambda: [int(v) for v in index.locator("#batch tbody tr").evaluate_all("rows => rows.map(r => r.dataset.verdict)")]
        index.locator('th[data-key="verdict"]').click()
        assert verdicts() == sorted(verdicts())
        index.locator('th[data-key="verdict"]').click()
        assert verdicts() == sorted(verdicts(), reverse=True)
        browser.close()
    assert outside == []
    assert (ARTIFACTS / "report.png").stat().st_size > 10_000
