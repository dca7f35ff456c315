"""Storage fixtures: every ``store_url`` test runs against SQLite and a throwaway PostgreSQL server.

The PostgreSQL server is started by the tests themselves (``initdb``/``pg_ctl``
from PATH or /usr/lib/postgresql/*/bin), in a temporary folder, on a free local
port, with its unix socket in that folder too; it is stopped at the end. Without
the binaries those tests skip, unless ``LEVELHEAD_REQUIRE_POSTGRES=1``, which
turns the skip into a failure. As root, the server runs as the ``postgres`` user.
"""

from __future__ import annotations

import itertools
import os
import shutil
import socket
import subprocess
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest

from levelhead.crypto import Argon2Params
from levelhead.storage import Store
from tests.conftest import Run

FAST_KDF = Argon2Params(time_cost=1, memory_cost=1024, parallelism=1)  # tests only: real stores use the default
_counter = itertools.count()


def _pg_bin() -> Path | None:
    found = shutil.which("pg_ctl")
    if found:
        return Path(found).parent
    found_all = Path("/usr/lib/postgresql").glob("*/bin/pg_ctl")
    candidates = sorted(found_all, key=lambda p: int(p.parts[4]) if p.parts[4].isdecimal() else 0)
    return candidates[-1].parent if candidates else None


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class PostgresServer:
    def __init__(self, bindir: Path) -> None:
        self.bindir = bindir
        self.root = Path(tempfile.mkdtemp(prefix="levelhead-pg-"))
        self.datadir = self.root / "data"
        self.port = _free_port()
        self.prefix: list[str] = []
        if os.geteuid() == 0:
            shutil.chown(self.root, "postgres")
            self.root.chmod(0o700)
            self.prefix = ["runuser", "-u", "postgres", "--"]

    def _run(self, *args: str) -> None:
        done = subprocess.run([*self.prefix, *args], capture_output=True, text=True, timeout=120)
        if done.returncode != 0:
            raise RuntimeError(f"{args[0]} failed: {done.stdout}\n{done.stderr}")

    def start(self) -> None:
        self._run(str(self.bindir / "initdb"), "-D", str(self.datadir), "-U", "postgres", "--auth=trust",
                  "--encoding=UTF8", "--no-sync")  # fmt: skip
        options = f"-p {self.port} -k {self.root} -c listen_addresses=127.0.0.1 -c fsync=off"
        self._run(str(self.bindir / "pg_ctl"), "-D", str(self.datadir), "-o", options, "-l",
                  str(self.root / "log"), "-w", "start")  # fmt: skip

    def stop(self) -> None:
        try:
            self._run(str(self.bindir / "pg_ctl"), "-D", str(self.datadir), "-m", "immediate", "-w", "stop")
        finally:
            shutil.rmtree(self.root, ignore_errors=True)

    def url(self, database: str) -> str:
        return f"postgresql+psycopg://postgres@127.0.0.1:{self.port}/{database}"

    def create_database(self) -> str:
        import psycopg

        name = f"t{os.getpid()}_{next(_counter)}"
        with psycopg.connect(self.url("postgres").replace("+psycopg", ""), autocommit=True) as conn:
            conn.execute(f'CREATE DATABASE "{name}"')
        return self.url(name)


@pytest.fixture(scope="session")
def postgres() -> Iterator[PostgresServer]:
    bindir = _pg_bin()
    if bindir is None:
        if os.environ.get("LEVELHEAD_REQUIRE_POSTGRES") == "1":
            pytest.fail("LEVELHEAD_REQUIRE_POSTGRES=1 but no PostgreSQL binaries (initdb, pg_ctl) were found")
        pytest.skip("PostgreSQL binaries (initdb, pg_ctl) not found")
    server = PostgresServer(bindir)
    server.start()
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture(params=["sqlite", "postgresql"])
def store_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'levelhead.db'}"
    server: PostgresServer = request.getfixturevalue("postgres")
    return server.create_database()


@pytest.fixture
def sqlite_url(tmp_path: Path) -> str:
    return f"sqlite:///{tmp_path / 'levelhead.db'}"


@pytest.fixture
def lh(run: Run, store_url: str) -> Run:
    """``levelhead`` against a fresh store (SQLite file or PostgreSQL database) selected by LEVELHEAD_DB."""

    def _lh(*args: str, input: str | None = None, env: dict[str, str] | None = None):  # type: ignore[no-untyped-def]
        return run(*args, input=input, env={"LEVELHEAD_DB": store_url, **(env or {})})

    return _lh  # type: ignore[return-value]


@pytest.fixture(params=["plain", "encrypted"])
def new_store(request: pytest.FixtureRequest, store_url: str) -> Iterator[Store]:
    """An initialised, empty store: plain, and encrypted with the passphrase "correct horse"."""
    with Store.open(store_url) as s:
        if request.param == "plain":
            s.init()
        else:
            s.init(encrypt=True, passphrase="correct horse", kdf=FAST_KDF)
        yield s
