"""``levelhead serve``: the local web app, on this computer only.

The first line on standard output is the URL to open, with the launch token;
the browser is opened on it unless ``--no-browser``. The token leaves the
address bar after first use (it becomes a session cookie); API clients send it
as ``Authorization: Bearer TOKEN``.

The store is opened at start: an encrypted one needs its passphrase
(``LEVELHEAD_PASSPHRASE``, ``--passphrase-file``, or asked at the terminal).
Without a store the app still checks drafts and readiness, and offers to
create one on its Settings page; nothing is written until the person asks.

Where the store exists and there are two or more CPU cores, two worker
processes serve the same socket (``--workers``): the checks are pure Python,
so one process is bound to one core. The second is forked once the app is
built, so both hold the same launch token, settings and store key; they tell
each other about writes through :class:`levelhead.web.state.Changes`.
"""

from __future__ import annotations

import contextlib
import errno
import os
import signal
import socket
import sys
import time
from pathlib import Path
from typing import TYPE_CHECKING

import click

from levelhead.commands.common import fail, store_exists, store_options

if TYPE_CHECKING:
    import uvicorn

    from levelhead.storage import Store

WARM_UP_DELAY_S = 1.0
MAX_WORKERS = 2  # the target machine has two cores; more processes only add memory
LOOPBACK = {"127.0.0.1": socket.AF_INET, "localhost": socket.AF_INET, "::1": socket.AF_INET6}


def bind(host: str, port: int) -> socket.socket:
    """Bind the listening socket first, so the printed URL names a port that is really ours."""
    family = LOOPBACK[host]
    address = "127.0.0.1" if host == "localhost" else host
    sock = socket.socket(family, socket.SOCK_STREAM)
    try:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind((address, port))
        sock.listen(2048)
    except OSError as err:
        sock.close()
        if err.errno == errno.EADDRINUSE:
            fail(f"port {port} is in use on {host}: choose another with --port (0 picks a free one)")
        fail(f"cannot listen on {host}:{port}: {err.strerror or err}")
    sock.set_inheritable(True)
    return sock


@click.command(name="serve", context_settings={"help_option_names": ["-h", "--help"]})
@click.option("--host", default="127.0.0.1", show_default=True, type=click.Choice(sorted(LOOPBACK)),
              help="Listen on this computer only.")  # fmt: skip
@click.option("--port", default=8765, show_default=True, type=click.IntRange(0, 65535), help="0 picks a free port.")
@click.option("--no-browser", is_flag=True, help="Print the URL; do not open a browser.")
@click.option("--workers", type=click.IntRange(1, 8), default=None,
              help="Server processes (default: one per CPU core, at most 2; 1 while there is no store).")  # fmt: skip
@store_options
def serve_command(
    host: str, port: int, no_browser: bool, workers: int | None, db: str | None, passphrase_file: Path | None
) -> None:
    """Open levelhead in your browser: every journey, on this computer only.

    The first output line is the address to open (it holds a one-session token).
    Stop with Ctrl+C.
    """
    import uvicorn

    from levelhead.commands.common import open_store
    from levelhead.web.app import create_app
    from levelhead.web.pages import prepare
    from levelhead.web.security import Keys, new_launch_token
    from levelhead.web.state import AppState

    store = open_store(db, passphrase_file) if store_exists(db) else None
    if store is not None and not store.initialised:
        store.close()
        store = None
    sock = bind(host, port)
    actual = sock.getsockname()[1]
    token = new_launch_token()
    state = AppState.load(db, store)
    app = create_app(state, Keys(token), actual)
    prepare()
    # No proxy in front: X-Forwarded-* must not rewrite the client or the scheme (and the middleware costs time).
    config = uvicorn.Config(app, log_level="warning", access_log=False, server_header=False, lifespan="off",
                            proxy_headers=False)  # fmt: skip
    config.load()  # the HTTP protocol and event loop, before the URL goes out
    children = _fork_workers(_worker_count(workers, store) - 1, config, sock, store)  # all serving once it is out
    shown = f"[{host}]" if ":" in host else host
    url = f"http://{shown}:{actual}/?token={token}"
    click.echo(url)
    sys.stdout.flush()
    click.echo("levelhead is running on this computer only. Press Ctrl+C to stop.", err=True)
    if state.config_error:
        click.echo(f"levelhead: warning: {state.config_error}", err=True)
    _warm_up()
    if not no_browser:
        import webbrowser

        webbrowser.open(url)
    try:
        uvicorn.Server(config).run(sockets=[sock])
    finally:
        _stop(children)
        state.close()
        sock.close()


def _worker_count(requested: int | None, store: Store | None) -> int:
    if not hasattr(os, "fork"):
        return 1
    if requested is not None:
        return requested
    # A store created from the Settings page (its key derived from a new passphrase) exists only in the
    # worker that created it, so without a store at start one process serves everything.
    return max(1, min(MAX_WORKERS, os.cpu_count() or 1)) if store is not None else 1


def _fork_workers(count: int, config: uvicorn.Config, sock: socket.socket, store: Store | None) -> list[int]:
    """Fork ``count`` more servers on the same listening socket, sharing what was built so far."""
    if count < 1:
        return []
    import gc

    if store is not None:
        store.engine.dispose()  # no database connection may be shared across fork: each worker opens its own
    gc.collect()
    gc.freeze()  # what is built now stays shared: the collector's bookkeeping would otherwise copy its pages
    parent = os.getpid()
    children = []
    for _ in range(count):
        pid = os.fork()
        if pid == 0:
            status = 1
            try:
                _serve_worker(config, sock, parent)
                status = 0
            finally:
                os._exit(status)
        children.append(pid)
    return children


def _serve_worker(config: uvicorn.Config, sock: socket.socket, parent: int) -> None:
    import threading

    import uvicorn

    server = uvicorn.Server(config)

    def follow_parent() -> None:  # never outlive `levelhead serve`, however it ended
        while os.getppid() == parent:
            time.sleep(0.5)
        server.should_exit = True

    threading.Thread(target=follow_parent, name="levelhead-parent", daemon=True).start()
    _warm_up()
    with contextlib.suppress(KeyboardInterrupt):  # Ctrl+C reaches the terminal's whole process group
        server.run(sockets=[sock])


def _stop(children: list[int]) -> None:
    for pid in children:
        try:
            os.kill(pid, signal.SIGTERM)
        except ProcessLookupError:
            continue
    deadline = time.monotonic() + 5
    for pid in children:
        while True:
            try:
                done, _ = os.waitpid(pid, os.WNOHANG)
            except ChildProcessError:
                break
            if done or time.monotonic() > deadline:
                if not done:
                    os.kill(pid, signal.SIGKILL)
                    os.waitpid(pid, 0)
                break
            time.sleep(0.02)


def _warm_up() -> None:
    """Load the rules and the tone model in the background, so the first check is as quick as the rest.

    It starts a moment after the server, so the first page is not slowed by it. What it loads lives as long
    as the server: frozen out of the garbage collector's view, a full collection does not walk it (that walk
    took longer than a whole check, and showed up as the slowest requests).
    """
    import threading

    def work() -> None:
        import gc

        time.sleep(WARM_UP_DELAY_S)
        from levelhead import engine

        engine.check("Can I pick up the books on Saturday at 10?")
        gc.collect()
        gc.freeze()

    threading.Thread(target=work, name="levelhead-warm-up", daemon=True).start()
