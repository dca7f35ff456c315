"""Analytics over the stored conversation: pace, length, initiations, streaks, contacts, tone, adherence.

``compute(messages, agreements, ...)`` is pure (no store, no clock); ``levelhead stats`` and
``levelhead report`` feed it from the store. Every key of its JSON form is documented in docs/stats.md.
"""

from __future__ import annotations

from levelhead.analytics.stats import CONVERSATION_GAP, TONE_SAMPLE, Analytics, compute

__all__ = ["CONVERSATION_GAP", "TONE_SAMPLE", "Analytics", "compute"]
