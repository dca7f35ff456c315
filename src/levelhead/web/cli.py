"""``levelhead serve``: the local web app, on this computer only.

The first line on standard output is the URL to open, with the launch token;
the browser is opened on it unless ``--no-browser``. The token leaves the
address bar after first use (it becomes a session cookie); API clients send it
as ``Authorization: Bearer TOKEN``.

The store is opened at start: an encrypted one needs its passphrase
(``LEVELHEAD_PASSPHRASE``, ``--passphrase-file``, or asked at the terminal).
Without a store the app still checks drafts and readiness, and offers to
create one on its Settings page; nothing is written until the person asks.
"""

from __future__ import annotations

import errno
import socket
import sys
from pathlib import Path

import click

from levelhead.commands.common import fail, store_exists, store_options

WARM_UP_DELAY_S = 1.0
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
@store_options
def serve_command(host: str, port: int, no_browser: bool, db: str | None, passphrase_file: Path | None) -> None:
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
    config = uvicorn.Config(app, log_level="warning", access_log=False, server_header=False, lifespan="off")
    config.load()  # the HTTP protocol and event loop, before the URL goes out
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
        state.close()
        sock.close()


def _warm_up() -> None:
    """Load the rules and the tone model in the background, so the first check is as quick as the rest.

    It starts a moment after the server, so the first page is not slowed by it.
    """
    import threading
    import time

    def work() -> None:
        time.sleep(WARM_UP_DELAY_S)
        from levelhead import engine

        engine.check("Can I pick up the books on Saturday at 10?")

    threading.Thread(target=work, name="levelhead-warm-up", daemon=True).start()
