"""``python -m levelhead`` and the installed ``levelhead`` command."""

import gc


def run() -> None:
    """Start the command line.

    The garbage collector is paused while the command line and its tables load: start-up creates many
    objects that live as long as the process, and collecting while they pile up would only walk them
    again and again. ``levelhead.cli`` freezes them and turns collection back on before a command runs.
    Dataclasses' generated methods come compiled from the cache (``levelhead.codecache``).
    """
    gc.disable()
    from levelhead import codecache

    codecache.install()
    from levelhead import cli

    cli.quick_exit = True
    cli.main()


if __name__ == "__main__":
    run()
