"""`evidence serve`: the deployments, served by this process with Prefect.

- `reverify` on a cron schedule (default daily at 02:00 Asia/Shanghai);
- `verify-batch` on demand (`prefect deployment run verify-batch/verify-batch -p inbox=/path`).

With PREFECT_API_URL set, the deployments register on that server. Without it, Prefect's in-process
ephemeral API cannot run schedules (its scheduler service is off), so a local Prefect server is started as a
child process, its database under EVIDENCE_HOME/prefect, and stopped with this command."""
from __future__ import annotations

import asyncio
import os
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from prefect.runner import Runner
from prefect.schedules import Cron
from prefect.settings import PREFECT_API_URL, temporary_settings

from flows.batch import verify_batch
from flows.reverify import reverify

DEFAULT_CRON = "0 2 * * *"
DEFAULT_TIMEZONE = "Asia/Shanghai"


def build_deployments(cron: str = DEFAULT_CRON, timezone: str = DEFAULT_TIMEZONE) -> list:
    return [
        reverify.to_deployment(name="reverify", schedules=[Cron(cron, timezone=timezone)],
                               description="re-evaluate stored facts of pending and approved bundles at today's date"),
        verify_batch.to_deployment(name="verify-batch", description="verify every new bundle of an inbox folder"),
    ]


def serve_deployments(deployments: list, run_once: bool = False) -> None:
    """Register the deployments and run their flow runs in this process (until stopped, or one poll)."""
    runner = Runner(name="evidence-verifier", pause_on_shutdown=False)
    for deployment in deployments:
        runner.add_deployment(deployment)
    asyncio.run(runner.start(run_once=run_once))


@contextmanager
def prefect_api(home: Path) -> Iterator[str]:
    """The API to serve on: PREFECT_API_URL if set, else a local server started for as long as we serve."""
    configured = PREFECT_API_URL.value()
    if configured:
        yield configured
        return
    port, prefect_home = _free_port(), home / "prefect"
    prefect_home.mkdir(parents=True, exist_ok=True)  # the server's SQLite file goes here; it will not create it
    env = dict(os.environ, PREFECT_HOME=str(prefect_home), PREFECT_SERVER_ANALYTICS_ENABLED="false")
    server = subprocess.Popen([sys.executable, "-m", "prefect", "server", "start", "--host", "127.0.0.1", "--port", str(port)],
                              env=env, stdout=subprocess.DEVNULL, stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}/api"
    try:
        _wait_healthy(url, server)
        with temporary_settings(updates={PREFECT_API_URL: url}):
            yield url
    finally:
        server.terminate()
        server.wait(timeout=30)


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _wait_healthy(url: str, server: subprocess.Popen, timeout: float = 120) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise RuntimeError(f"the local Prefect server exited with code {server.returncode}")
        try:
            with urllib.request.urlopen(f"{url}/health", timeout=2) as response:
                if response.status == 200:
                    return
        except OSError:
            time.sleep(0.5)
    raise RuntimeError(f"the local Prefect server at {url} did not answer within {timeout:.0f} s")
