"""Helpers for the browser tests: a real ``levelhead serve`` process, Debian's chromium, axe-core."""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import tarfile
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
    "--disable-sync", "--no-first-run",
]  # fmt: skip
AXE_VERSION = "4.14.1"
AXE_DIR = Path(os.environ.get("LEVELHEAD_AXE_DIR", ROOT / "tests" / "web" / ".axe"))
SCREENSHOTS = Path(os.environ.get("LEVELHEAD_SCREENSHOTS", ROOT / "tests" / "web" / "screenshots-out"))


def serve_env(home: Path) -> dict[str, str]:
    env = {**os.environ, "LEVELHEAD_HOME": str(home / "data"), "XDG_CONFIG_HOME": str(home / "config")}
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(ROOT / "src"), env.get("PYTHONPATH")]))
    for name in ("LEVELHEAD_DB", "LEVELHEAD_PASSPHRASE", "BROWSER"):
        env.pop(name, None)
    return env


@contextmanager
def serving(
    home: Path, *extra: str, env: dict[str, str] | None = None, started: list[subprocess.Popen[str]] | None = None
) -> Iterator[str]:
    """Start ``levelhead serve --no-browser --port 0`` in ``home``; yields the launch URL from its first line.

    ``started``, when given, receives the process."""
    (home / "config").mkdir(parents=True, exist_ok=True)
    proc = subprocess.Popen(
        [sys.executable, "-m", "levelhead", "serve", "--no-browser", "--port", "0", *extra],
        cwd=home, env={**serve_env(home), **(env or {})}, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )  # fmt: skip
    assert proc.stdout is not None
    if started is not None:
        started.append(proc)
    line: list[str] = []
    reader = threading.Thread(target=lambda: line.append(proc.stdout.readline() if proc.stdout else ""), daemon=True)
    reader.start()
    reader.join(60)
    try:
        if not line or not line[0].startswith("http://"):
            proc.kill()
            why = proc.stderr.read() if proc.stderr else ""
            raise AssertionError(f"levelhead serve did not print its URL: {line!r} {why}")
        yield line[0].strip()
    finally:
        if proc.poll() is None:
            proc.send_signal(signal.SIGINT)
            try:
                proc.wait(10)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()


def workers_of(pid: int) -> list[int]:
    """The worker processes ``levelhead serve`` forked (Linux: /proc)."""
    children: list[int] = []
    for task in Path(f"/proc/{pid}/task").iterdir():
        listed = task / "children"
        if listed.exists():
            children += [int(child) for child in listed.read_text().split()]
    return children


def axe_source() -> str:
    """axe-core's axe.min.js from the npm registry (``npm pack``), cached in tests/web/.axe."""
    target = AXE_DIR / f"axe-core-{AXE_VERSION}" / "axe.min.js"
    if not target.exists():
        npm = shutil.which("npm")
        if npm is None:
            raise RuntimeError(
                "axe-core is needed for the accessibility test: install npm, or run "
                f"`npm pack axe-core@{AXE_VERSION}` and unpack axe.min.js into {target.parent}"
            )
        AXE_DIR.mkdir(parents=True, exist_ok=True)
        subprocess.run([npm, "pack", f"axe-core@{AXE_VERSION}", "--pack-destination", str(AXE_DIR)], check=True,
                       capture_output=True, timeout=300)  # fmt: skip
        with tarfile.open(AXE_DIR / f"axe-core-{AXE_VERSION}.tgz") as tar:
            member = tar.extractfile("package/axe.min.js")
            assert member is not None
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(member.read())
    return target.read_text(encoding="utf-8")
