"""Shared fixtures. Everything a test writes stays under its own tmp_path; nothing touches ~/.evidence."""
from __future__ import annotations

from pathlib import Path

import pytest

from pipeline.config import Settings


@pytest.fixture
def evidence_home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    home = tmp_path / "evidence-home"
    monkeypatch.setenv("EVIDENCE_HOME", str(home))
    return home


@pytest.fixture
def settings(evidence_home: Path) -> Settings:
    """Default settings whose home (store, caches, work folders) is the test's own EVIDENCE_HOME."""
    return Settings()


REPO = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="session")
def session_home(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One EVIDENCE_HOME for tests that share OCR work across a session (the OCR cache lives here)."""
    return tmp_path_factory.mktemp("session-evidence-home")


@pytest.fixture(scope="session")
def real_samples() -> Path:
    """../shared/real-samples, read in place (never copied into the repo). CI must have them."""
    import os

    root = Path(os.environ.get("EVIDENCE_REAL_SAMPLES", REPO.parent / "shared" / "real-samples"))
    if not root.is_dir():
        if os.environ.get("CI"):
            pytest.fail(f"real samples not found at {root}; CI must run beside ../shared")
        pytest.skip(f"real samples not found at {root}")
    return root


@pytest.fixture(scope="session")
def generated(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The fixture generator's full set (bundles/ and truth/), made once per session."""
    from fixtures.generate import generate_all

    out = tmp_path_factory.mktemp("generated")
    generate_all(out)
    return out


def load_truths(generated: Path) -> list[dict]:
    import json

    return [json.loads(p.read_text(encoding="utf-8")) for p in sorted((generated / "truth").glob("*.json"))]


@pytest.fixture(scope="session")
def prefect_harness():
    """A real, temporary Prefect API for the session (prefect_test_harness), telemetry off."""
    import os

    os.environ.setdefault("PREFECT_SERVER_ANALYTICS_ENABLED", "false")
    from prefect.testing.utilities import prefect_test_harness

    with prefect_test_harness(server_startup_timeout=120):
        yield
