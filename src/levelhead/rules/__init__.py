"""Every rule, one module per family; importing this package registers them all.

A new family module is added to the import below (a test checks that none is missing).
"""

from __future__ import annotations

from levelhead.rules import (  # noqa: F401  (imported to register their rules)
    attachment,
    blame,
    boundaries,
    feelings,
    off_goal,
    pace,
    readiness,
    safety,
    shouting,
)
