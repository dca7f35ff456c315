"""levelhead: a private, local-first coach for talking to an ex-partner.

    >>> import levelhead
    >>> report = levelhead.check("Can I pick up my books Saturday at 10?", levelhead.Situation(goal="logistics"))
    >>> report.verdict.label
    'send'

The names below load on first use, so ``levelhead --help`` starts fast.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from levelhead.diagnostics import (
        Applicability,
        Diagnostic,
        Report,
        Resource,
        Severity,
        Span,
        Suggestion,
        Verdict,
    )
    from levelhead.engine import DraftError, check, ready
    from levelhead.situation import Agreements, Channel, ContactWindow, EndedBy, Goal, Message, Mood, Situation
    from levelhead.text import Draft

__version__ = "0.1.0"

__all__ = [
    "Agreements", "Applicability", "Channel", "ContactWindow", "Diagnostic", "Draft", "DraftError", "EndedBy",
    "Goal", "Message", "Mood", "Report", "Resource", "Severity", "Situation", "Span", "Suggestion", "Verdict",
    "__version__", "check", "ready",
]  # fmt: skip
_MODULE_OF = {
    **dict.fromkeys(
        ["Applicability", "Diagnostic", "Report", "Resource", "Severity", "Span", "Suggestion", "Verdict"],
        "levelhead.diagnostics",
    ),
    **dict.fromkeys(["DraftError", "check", "ready"], "levelhead.engine"),
    **dict.fromkeys(
        ["Agreements", "Channel", "ContactWindow", "EndedBy", "Goal", "Message", "Mood", "Situation"],
        "levelhead.situation",
    ),
    "Draft": "levelhead.text",
}


def __getattr__(name: str) -> Any:
    module = _MODULE_OF.get(name)
    if module is None:
        raise AttributeError(f"module 'levelhead' has no attribute {name!r}")
    value = getattr(importlib.import_module(module), name)
    globals()[name] = value
    return value
