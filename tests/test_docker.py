"""The Dockerfile's build, done without a Docker engine (none runs on this kind of machine):
exactly what its COPY lines put in the build context installs as its RUN line does, and the
command of its CMD serves the /healthz its HEALTHCHECK asks for. docker-compose.yml passes only
settings the bot reads. What this cannot show is the base image itself.

Marked `wheel` with tests/test_wheel.py: it builds and installs the package offline.
"""

from __future__ import annotations

import json
import re
import shlex
import shutil
import subprocess
import time
import urllib.request
from pathlib import Path

import pytest

from tests.helpers import free_port
from tests.test_wheel import ROOT, _run, fresh_venv

pytestmark = pytest.mark.wheel

DOCKERFILE = (ROOT / "Dockerfile").read_text(encoding="utf-8")
COMPOSE = (ROOT / "docker-compose.yml").read_text(encoding="utf-8")


def _copies() -> list[str]:
    sources: list[str] = []
    for line in DOCKERFILE.splitlines():
        if line.startswith("COPY "):
            *src, _dest = line.split()[1:]
            sources.extend(src)
    return sources


def _cmd() -> list[str]:
    (raw,) = re.findall(r"^CMD (\[.*\])$", DOCKERFILE, re.M)
    shell = json.loads(raw)  # the exec form is a JSON array, as Docker reads it
    assert shell[:2] == ["sh", "-c"]
    return shlex.split(shell[2].removeprefix("exec "))


def test_every_package_is_in_the_build_context() -> None:
    copied = {Path(p).parts[0] for p in _copies()}
    tops = {
        line.strip().strip('",').split(".")[0]
        for line in (ROOT / "pyproject.toml").read_text(encoding="utf-8").splitlines()
        if re.fullmatch(r'\s*"[a-z_.]+",', line)
    }
    assert tops and tops <= copied, f"pyproject packages not copied: {tops - copied}"
    assert "content" in copied and "pyproject.toml" in copied


def test_compose_passes_only_settings_the_bot_reads() -> None:
    config = (ROOT / "bot" / "config.py").read_text(encoding="utf-8")
    passed = re.findall(r"^\s{6}([A-Z_]+): ", COMPOSE.split("  bot:", 1)[1], re.M)
    assert "DATABASE_URL" in passed
    for name in passed:
        assert name == "WORKERS" or f'"{name}"' in config, f"{name} is read by nobody"
    assert "${WORKERS}" in DOCKERFILE  # WORKERS goes to serve --workers


def test_the_image_contents_install_and_serve_health(tmp_path: Path) -> None:
    context = tmp_path / "context"
    context.mkdir()
    for source in _copies():
        src = ROOT / source
        if src.is_dir():
            shutil.copytree(src, context / source, ignore=shutil.ignore_patterns("__pycache__"))
        else:
            shutil.copy2(src, context / source)
    # RUN pip install . — offline: no build isolation, dependencies borrowed (tests/test_wheel)
    venv = fresh_venv(tmp_path)
    _run(
        venv / "bin" / "python",
        *("-m", "pip", "install", "-q", "--no-deps", "--no-index", "--no-build-isolation"),
        *("--ignore-installed", context),
        cwd=tmp_path,
    )

    cmd = _cmd()
    assert cmd[:2] == ["migrasi-aman", "serve"] and "--workers" in cmd
    port = free_port()
    # the CMD as written, on SQLite here (one worker: several need the compose file's PostgreSQL)
    args = [a.replace("0.0.0.0", "127.0.0.1").replace("8000", str(port)) for a in cmd]
    args[args.index("--workers") + 1] = "1"
    run_dir = tmp_path / "run"
    run_dir.mkdir()
    server = subprocess.Popen(
        [str(venv / "bin" / args[0]), *args[1:], "--db", str(run_dir / "bot.db")],
        cwd=run_dir,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        env={"PATH": "/usr/bin:/bin", "PREPARE_PROCESSES": "0", "HOME": str(run_dir)},
    )
    try:
        deadline = time.monotonic() + 60
        status = None
        while time.monotonic() < deadline and server.poll() is None:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=2) as r:
                    status = r.status
                    break
            except OSError:
                time.sleep(0.3)
        assert status == 200, (server.stdout.read() if server.poll() is not None else b"").decode()
    finally:
        server.terminate()
        server.wait(timeout=20)


def test_the_dockerfile_runs_as_a_user_not_root() -> None:
    user = re.findall(r"^USER (\S+)$", DOCKERFILE, re.M)
    assert user and user[-1] != "root"
