"""The verification flow under prefect_test_harness, and the CLI in-process against the same API."""
import datetime as dt
import json
import re
import zipfile

import pytest
from typer.testing import CliRunner

from flows.cli import app
from flows.verify import verify_bundle
from pipeline.config import Settings
from pipeline.models import RequirementStatus as S, Verdict

AS_OF = dt.date(2026, 11, 28)


@pytest.fixture
def home(tmp_path, monkeypatch, session_home):
    monkeypatch.setenv("EVIDENCE_HOME", str(session_home))  # share the OCR cache across tests
    return session_home


def status(report, requirement):
    return next(r for r in report.requirements if r.id == requirement)


def test_flow_runs_and_decides_capital_boundary(prefect_harness, generated, home):
    above, = verify_bundle(str(generated / "bundles" / "capital_1000001"), markets=["api"], as_of=AS_OF, settings=Settings(home=home))
    exact, = verify_bundle(str(generated / "bundles" / "capital_1000000_upper"), markets=["api"], as_of=AS_OF, settings=Settings(home=home))
    assert status(above, "registered_capital").status is S.PASS
    assert status(exact, "registered_capital").status is S.FAIL
    assert exact.verdict is Verdict.INELIGIBLE
    assert status(above, "company_qualification").status is S.PASS
    # everything not built yet is missing, so the verdict stays honest
    assert above.verdict is Verdict.INCOMPLETE


def test_flow_takes_markets_from_application(prefect_harness, generated, home):
    reports = verify_bundle(str(generated / "bundles" / "lic_a_clean"), as_of=AS_OF, settings=Settings(home=home))
    truth = json.loads((generated / "truth" / "lic_a_clean.json").read_text(encoding="utf-8"))
    assert [r.market for r in reports] == truth["application"]["markets"]


def test_foreign_capital_needs_review_naming_currency(prefect_harness, generated, home):
    report, = verify_bundle(str(generated / "bundles" / "lic_c_clean"), markets=["service"], as_of=AS_OF, settings=Settings(home=home))
    capital = status(report, "registered_capital")
    assert capital.status is S.NEEDS_REVIEW and "EUR" in capital.reason
    assert not [f for f in report.facts if f.name == "registered_capital_cny"]


def test_cli_writes_the_report_contract(prefect_harness, generated, home, tmp_path):
    bundle = tmp_path / "申请材料.zip"
    source = generated / "bundles" / "lic_b_scan"
    with zipfile.ZipFile(bundle, "w") as archive:
        for path in source.rglob("*"):
            archive.write(path, path.relative_to(source).as_posix())
        archive.writestr("损坏.pdf", b"%PDF-1.4 broken")
    out = tmp_path / "report.json"
    result = CliRunner().invoke(app, ["verify", str(bundle), "-m", "api", "-m", "website", "--as-of", "2026-11-28", "--json", str(out)])
    assert result.exit_code == 0, result.output
    assert re.search(r"申请材料\.zip\tapi\t(incomplete|ineligible|needs_review|eligible)", result.output)
    reports = json.loads(out.read_text(encoding="utf-8"))
    assert [r["market"] for r in reports] == ["api", "website"]
    report = reports[0]
    assert set(report) == {"schema_version", "bundle", "market", "as_of", "rules_version", "verdict", "requirements", "facts", "documents", "signals", "errors"}
    assert report["rules_version"] == "2026-11" and report["as_of"] == "2026-11-28"
    assert {"id", "name", "value", "confidence", "document", "page", "bbox", "text"} <= set(report["facts"][0])
    assert {"path", "sha256", "kind", "pages", "text_source", "warnings", "error"} <= set(report["documents"][0])
    assert any(e["document"] == "损坏.pdf" and e["code"] == "corrupt_pdf" for e in report["errors"])
    kinds = {d["path"]: d["kind"] for d in report["documents"]}
    assert kinds["application.json"] == "application"
    assert "business_license" in kinds.values()  # found by content though the file is named 社保缴纳证明.jpg
    text = out.read_text(encoding="utf-8")
    password = json.loads((source / "application.json").read_text(encoding="utf-8"))["api_test_account"]["password"]
    assert password not in text


def test_cli_exit_codes(prefect_harness, tmp_path, home):
    runner = CliRunner()
    missing = runner.invoke(app, ["verify", str(tmp_path / "nope.zip"), "-m", "api"])
    assert missing.exit_code == 3 and "nope.zip" in missing.output
    notzip = tmp_path / "bundle.zip"
    notzip.write_bytes(b"this is not a zip")
    assert runner.invoke(app, ["verify", str(notzip), "-m", "api"]).exit_code == 3
    empty = tmp_path / "empty"
    empty.mkdir()
    assert runner.invoke(app, ["verify", str(empty), "-m", "nosuchmarket"]).exit_code == 2
    assert runner.invoke(app, ["verify", str(empty)]).exit_code == 2  # no market anywhere
    assert runner.invoke(app, ["verify", str(empty), "-m", "api", "--as-of", "2026-13-01"]).exit_code == 2


def test_markets_command_prints_the_rule_table():
    result = CliRunner().invoke(app, ["markets"])
    assert result.exit_code == 0
    assert "service\tcertified_ops_engineers\t3" in result.output
    assert "miniprogram\tteam_size\t20" in result.output
