"""levelhead: a private, local-first coach for talking to an ex-partner.

    >>> import levelhead
    >>> report = levelhead.check("Can I pick up my books Saturday at 10?", levelhead.Situation(goal="logistics"))
    >>> report.verdict.label
    'send'
"""

from __future__ import annotations

from levelhead.diagnostics import Applicability, Diagnostic, Report, Resource, Severity, Span, Suggestion, Verdict
from levelhead.engine import DraftError, check, ready
from levelhead.situation import Agreements, Channel, ContactWindow, EndedBy, Goal, Message, Mood, Situation
from levelhead.text import Draft

__version__ = "0.1.0"
__all__ = [
    "Agreements",
    "Applicability",
    "Channel",
    "ContactWindow",
    "Diagnostic",
    "Draft",
    "DraftError",
    "EndedBy",
    "Goal",
    "Message",
    "Mood",
    "Report",
    "Resource",
    "Severity",
    "Situation",
    "Span",
    "Suggestion",
    "Verdict",
    "__version__",
    "check",
    "ready",
]
