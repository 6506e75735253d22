"""The built wheel works on its own: installed into a fresh venv, run from another directory,
`migrasi-aman chat` answers from the content and migrations shipped inside it.

Marked `wheel` (select with -m wheel, leave out with -m "not wheel"). It never touches the
network: the wheel is built without build isolation, installed with --no-deps --no-index,
and the new venv borrows this environment's site-packages for the dependencies.
"""

from __future__ import annotations

import os
import site
import subprocess
import sys
import sysconfig
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]

pytestmark = pytest.mark.wheel


def _run(*args: str | Path, cwd: Path, stdin: str | None = None) -> str:
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "VIRTUAL_ENV")}
    env["PIP_DISABLE_PIP_VERSION_CHECK"] = "1"
    done = subprocess.run(
        [str(a) for a in args],
        cwd=cwd,
        input=stdin,
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    return done.stdout


def fresh_venv(tmp_path: Path) -> Path:
    """A new venv whose dependencies (and pip) come from this environment, appended AFTER the
    venv's own site-packages, so what gets installed into it is what gets imported."""
    venv = tmp_path / "venv"
    _run(sys.executable, "-m", "venv", "--without-pip", venv, cwd=tmp_path)
    purelib = Path(
        _run(
            venv / "bin" / "python",
            "-c",
            "import sysconfig; print(sysconfig.get_paths()['purelib'])",
            cwd=tmp_path,
        ).strip()
    )
    ours = {sysconfig.get_paths()["purelib"], *site.getsitepackages()}
    (purelib / "borrowed.pth").write_text("\n".join(sorted(ours)) + "\n", encoding="utf-8")
    return venv


def test_the_wheel_installs_and_chats_from_any_directory(tmp_path: Path) -> None:
    dist = tmp_path / "dist"
    _run(
        sys.executable,
        *("-m", "pip", "wheel", "-q", "--no-deps", "--no-build-isolation", "-w", dist, ROOT),
        cwd=tmp_path,
    )
    [wheel] = dist.glob("migrasi_aman-*.whl")

    venv = fresh_venv(tmp_path)
    python = venv / "bin" / "python"
    _run(
        python,
        *("-m", "pip", "install", "-q", "--no-deps", "--no-index", "--ignore-installed", wheel),
        cwd=tmp_path,
    )

    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    where = _run(
        python,
        "-c",
        "import bot.paths, storage.sqlite.db as db;"
        " print(bot.paths.__file__); print(bot.paths.CONTENT); print(db.MIGRATIONS)",
        cwd=elsewhere,
    ).split()
    assert all(Path(p).is_relative_to(venv) for p in where), where

    out = _run(
        venv / "bin" / "migrasi-aman",
        *("chat", "--db", elsewhere / "chat.db", "--user", "siti"),
        cwd=elsewhere,
        stdin="halo\n1\n1\n",
    )
    assert "Halo! Saya Migrasi Aman." in out
    assert "Apa yang ingin Anda lakukan?" in out  # consent given, the menu follows
    assert (elsewhere / "chat.db").is_file()
