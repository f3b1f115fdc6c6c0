"""Operations under prefect_test_harness with a real SQLite store: the batch flow (isolation, idempotence, a
kill half-way), reverify without OCR, the per-bundle artifacts, history, schema migration and serve."""
import datetime as dt
import json
import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from sqlalchemy import create_engine, func, select, text
from typer.testing import CliRunner

from flows.artifacts import bundle_key
from flows.batch import verify_batch
from flows.cli import app
from flows.reverify import REVERIFY_KEY, reverify
from pipeline.config import Settings
from pipeline.ocr.registry import register_engine, unregister_engine
from pipeline.store import Decision, Store, VerificationRow, migrate

pytestmark = pytest.mark.slow
AS_OF = dt.date(2026, 11, 28)
BATCH = ("market_api_org_chart_disagrees", "market_api_stale_list", "market_image_no_team",
         "market_miniprogram_complete", "market_service_certified", "market_website_young")


def make_inbox(generated: Path, folder: Path, names=BATCH) -> Path:
    folder.mkdir(parents=True)
    for name in names:
        shutil.copytree(generated / "bundles" / name, folder / name)
    return folder


def truth(generated, bundle):
    return json.loads((generated / "truth" / f"{bundle}.json").read_text(encoding="utf-8"))


def row_counts(store: Store) -> dict[str, int]:
    with store.engine.connect() as connection:
        return {table: connection.execute(text(f"SELECT COUNT(*) FROM {table}")).scalar_one()
                for table in ("bundles", "documents", "facts", "verifications", "verdict_changes")}


@pytest.fixture(scope="module")
def batch_run(prefect_harness, generated, session_home, tmp_path_factory):
    """One batch of six good bundles and a corrupt zip, run twice; the store is this module's own."""
    root = tmp_path_factory.mktemp("batch")
    inbox = make_inbox(generated, root / "inbox")
    (inbox / "损坏的申请.zip").write_bytes(b"PK\x03\x04 this is not a zip")
    settings = Settings(home=session_home, db_url=f"sqlite:///{root / 'results.db'}")  # warm OCR cache, own store
    start = time.perf_counter()
    first = verify_batch(str(inbox), as_of=AS_OF, workers=2, out=str(root / "reports"), settings=settings)
    first_seconds = time.perf_counter() - start
    store = Store.open(settings)
    counts = row_counts(store)
    start = time.perf_counter()
    second = verify_batch(str(inbox), as_of=AS_OF, workers=2, settings=settings)
    second_seconds = time.perf_counter() - start
    print(f"\nbatch of {len(first)}: first run {first_seconds:.1f} s, second run {second_seconds:.1f} s "
          f"({second_seconds / first_seconds:.2f}x)")
    yield {"root": root, "inbox": inbox, "first": first, "second": second, "store": store, "counts": counts,
           "seconds": (first_seconds, second_seconds), "settings": settings}
    store.close()


def test_batch_verifies_the_good_bundles_and_records_the_bad_one(batch_run):
    outcomes = {Path(o.source).name: o for o in batch_run["first"]}
    assert {n for n, o in outcomes.items() if o.status == "verified"} == set(BATCH)
    bad = outcomes["损坏的申请.zip"]
    assert bad.status == "failed" and "corrupt_zip" in bad.error
    stored = batch_run["store"].bundle(bad.sha256)
    assert stored.status == "failed" and "not a readable zip" in stored.error
    assert outcomes["market_miniprogram_complete"].verdicts == {"miniprogram": "eligible"}
    for name in BATCH:
        assert (batch_run["root"] / "reports" / name).is_dir()


def test_a_second_run_adds_nothing_and_is_faster(batch_run):
    assert row_counts(batch_run["store"]) == batch_run["counts"]
    assert {o.status for o in batch_run["second"]} == {"skipped"}
    skipped = {Path(o.source).name: o.verdicts for o in batch_run["second"]}
    assert skipped["market_website_young"] == {"website": "ineligible"}
    first, second = batch_run["seconds"]
    assert second < first / 2, f"second run {second:.1f} s against {first:.1f} s"


def test_the_store_keeps_documents_facts_and_verifications(batch_run, generated):
    store = batch_run["store"]
    young = next(o for o in batch_run["first"] if o.source.endswith("market_website_young"))
    facts = store.facts(young.sha256)
    license_truth = truth(generated, "market_website_young")["documents"]["营业执照.pdf"]["facts"]
    assert next(f.value for f in facts if f.name == "established_on") == license_truth["established_on"]
    assert all(f.document and f.id for f in facts)
    documents = {d.path: d for d in store.documents(young.sha256)}
    assert set(documents) >= set(truth(generated, "market_website_young")["documents"])
    assert all(not p.blocks for d in documents.values() for p in d.pages)  # page text stays out of the store
    verification, = store.verifications(young.sha256)
    assert (verification.market, verification.as_of, verification.rules_version, verification.verdict) == ("website", AS_OF, "2026-11", "ineligible")
    assert {r["id"] for r in verification.requirements} >= {"company_age", "team_size"}


def test_each_bundle_has_a_stable_markdown_artifact(batch_run):
    from prefect.artifacts import Artifact

    young = next(o for o in batch_run["first"] if o.source.endswith("market_website_young"))
    artifact = Artifact.get(bundle_key(young.sha256))
    assert artifact is not None and "website: **ineligible**" in artifact.data and "company_age" in artifact.data
    table = Artifact.get("batch-verdicts")
    assert table is not None and "market_website_young" in str(table.data)


def test_reverify_flips_verdicts_from_stored_facts_without_ocr(batch_run, generated):
    """A failing engine is registered and made the default: any OCR call would raise. The inbox is gone too."""
    def refuse(threads):
        raise AssertionError("reverify must not run OCR")

    register_engine("refusing", refuse)
    inbox_copy = batch_run["root"] / "moved-away"
    shutil.move(batch_run["inbox"], inbox_copy)
    try:
        settings = batch_run["settings"].model_copy(update={"engine": "refusing"})
        certs = [c for d in truth(generated, "market_service_certified")["documents"].values() for c in d["facts"].get("ops_certificate", [])]
        day_after_expiry = dt.date.fromisoformat(min(c["expires_on"] for c in certs)) + dt.timedelta(days=1)
        founded = dt.date.fromisoformat(truth(generated, "market_website_young")["documents"]["营业执照.pdf"]["facts"]["established_on"])
        later = max(day_after_expiry, founded.replace(year=founded.year + 2))
        changes = reverify(as_of=later, settings=settings)
    finally:
        unregister_engine("refusing")
        shutil.move(inbox_copy, batch_run["inbox"])
    by_bundle = {(Path(c.source).name, c.market): c for c in changes}
    young = by_bundle[("market_website_young", "website")]
    assert {m["id"]: (m["from"], m["to"]) for m in young.changed}["company_age"] == ("fail", "pass")
    certified = by_bundle[("market_service_certified", "service")]
    assert (certified.from_verdict, certified.to_verdict) == ("eligible", "ineligible")
    assert {m["id"]: m["to"] for m in certified.changed}["certified_ops_engineers"] == "fail"
    store = batch_run["store"]
    assert len(store.changes()) == len(changes)
    from prefect.artifacts import Artifact

    assert "market_service_certified" in Artifact.get(REVERIFY_KEY).data


def test_reverify_skips_rejected_bundles_and_history_shows_the_changes(batch_run):
    store = batch_run["store"]
    stale = next(o for o in batch_run["first"] if o.source.endswith("market_api_stale_list"))
    result = CliRunner().invoke(app, ["decide", stale.sha256[:12], "rejected"], env={"EVIDENCE_DB_URL": str(store.url)})
    assert result.exit_code == 0, result.output
    before = len(store.verifications(stale.sha256))
    reverify(as_of=AS_OF + dt.timedelta(days=800), settings=batch_run["settings"])
    assert len(store.verifications(stale.sha256)) == before
    young = next(o for o in batch_run["first"] if o.source.endswith("market_website_young"))
    shown = CliRunner().invoke(app, ["history", str(batch_run["inbox"] / "market_website_young")], env={"EVIDENCE_DB_URL": str(store.url)})
    assert shown.exit_code == 0, shown.output
    assert young.sha256 in shown.output and "reverify" in shown.output
    assert "ineligible (2026-11-28) -> " in shown.output and "company_age fail->pass" in shown.output
    missing = CliRunner().invoke(app, ["history", "0000000000"], env={"EVIDENCE_DB_URL": str(store.url)})
    assert missing.exit_code == 2


def test_a_batch_killed_half_way_finishes_on_the_next_run(prefect_harness, generated, tmp_path):
    """A cold OCR cache keeps each OCR'd bundle several seconds long; the process is killed once the first
    bundle is stored, and a second run must verify the rest and nothing twice."""
    from prefect.settings import PREFECT_API_URL

    names = ("market_api_stale_list", "market_service_certified", "market_website_young")
    inbox = make_inbox(generated, tmp_path / "inbox", names)
    db = f"sqlite:///{tmp_path / 'results.db'}"
    env = dict(os.environ, EVIDENCE_HOME=str(tmp_path / "home"), EVIDENCE_DB_URL=db, PREFECT_API_URL=PREFECT_API_URL.value())
    process = subprocess.Popen([sys.executable, "-m", "flows.cli", "batch", str(inbox), "--as-of", "2026-11-28", "--workers", "1"],
                               env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)
    store = Store(db)
    try:
        deadline = time.monotonic() + 300
        while not store.bundles() and time.monotonic() < deadline and process.poll() is None:
            time.sleep(0.2)
        os.killpg(process.pid, signal.SIGKILL)
        process.wait()
        done_before = {row.sha256 for row in store.bundles()}
        assert 1 <= len(done_before) < len(names), "the kill came too late to test anything"
        for sha in done_before:  # what was stored is whole: its documents, facts and verdict together
            assert store.documents(sha) and store.facts(sha) and store.verifications(sha)
        outcomes = verify_batch(str(inbox), as_of=AS_OF, workers=1, settings=Settings(home=tmp_path / "home", db_url=db))
        assert {o.status for o in outcomes if o.sha256 in done_before} == {"skipped"}
        assert {o.status for o in outcomes if o.sha256 not in done_before} == {"verified"}
        with store.engine.connect() as connection:
            per_bundle = dict(connection.execute(select(VerificationRow.bundle_sha256, func.count()).group_by(VerificationRow.bundle_sha256)).all())
        assert sorted(per_bundle.values()) == [1, 1, 1]
    finally:
        store.close()


def head_revision() -> str:
    from alembic.config import Config
    from alembic.script import ScriptDirectory

    from pipeline.store import MIGRATIONS

    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    return ScriptDirectory.from_config(config).get_current_head()


@pytest.mark.parametrize("old_revision", ["0001", "0002"])
def test_a_store_of_a_previous_schema_is_migrated(tmp_path, old_revision):
    url = f"sqlite:///{tmp_path / 'old.db'}"
    engine = create_engine(url)
    migrate(engine, old_revision)
    with engine.begin() as connection:
        connection.execute(text("INSERT INTO bundles (sha256, source, received_at, status, files, errors) "
                                "VALUES ('ab' || printf('%062d', 0), '/inbox/old', '2026-01-02 03:04:05', 'verified', 3, '[]')"))
        connection.execute(text("INSERT INTO verifications (bundle_sha256, market, as_of, rules_version, verdict, requirements, "
                                "signals, trigger, created_at) VALUES ('ab' || printf('%062d', 0), 'api', '2026-01-02', '2026-01', "
                                "'eligible', '[]', '[]', 'verify', '2026-01-02 03:04:05')"))
        columns = [row[1] for row in connection.execute(text("PRAGMA table_info(bundles)"))]
    engine.dispose()
    assert ("decision" in columns) is (old_revision >= "0002")
    store = Store(url)
    try:
        old = store.resolve("ab000000")
        assert old.source == "/inbox/old" and old.decision == Decision.PENDING
        assert [v.verdict for v in store.verifications(old.sha256)] == ["eligible"]
        with store.engine.connect() as connection:
            assert connection.execute(text("SELECT version_num FROM alembic_version")).scalar_one() == head_revision()
        assert [b.sha256 for b in store.bundles(Decision.PENDING)] == [old.sha256]
    finally:
        store.close()


def test_serve_registers_reverify_on_its_cron_and_batch_on_demand(prefect_harness):
    from prefect import get_client

    from flows.serve import build_deployments, serve_deployments

    serve_deployments(build_deployments("0 2 * * *", "Asia/Shanghai"), run_once=True)
    with get_client(sync_client=True) as client:
        deployments = {d.name: d for d in client.read_deployments()}
    schedule = deployments["reverify"].schedules[0].schedule
    assert (schedule.cron, schedule.timezone) == ("0 2 * * *", "Asia/Shanghai")
    assert deployments["verify-batch"].schedules == []


def test_without_an_api_url_serve_starts_a_local_server_and_stops_it(tmp_path):
    """The ephemeral API runs no scheduler, so `evidence serve` needs a real server: it starts one and stops it."""
    import urllib.request

    from prefect.settings import PREFECT_API_URL, temporary_settings

    from flows.serve import prefect_api

    with temporary_settings(restore_defaults={PREFECT_API_URL}):
        assert PREFECT_API_URL.value() is None
        with prefect_api(tmp_path) as url:
            assert PREFECT_API_URL.value() == url
            with urllib.request.urlopen(f"{url}/health", timeout=5) as response:
                assert response.status == 200
        assert (tmp_path / "prefect").is_dir()
        with pytest.raises(OSError):
            urllib.request.urlopen(f"{url}/health", timeout=2)
