"""PC07: the draft does not serve the goal the user stated for this contact."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime
from typing import ClassVar

from levelhead.diagnostics import Applicability, Diagnostic, Severity, Span, Suggestion
from levelhead.emotion import SentenceEmotion, quote_words, sentence_emotions
from levelhead.phrases import Hit
from levelhead.rule import Option, Rule
from levelhead.rules._attachment import is_practical, own_hits, quoted, span_of, topic_hits
from levelhead.rules._attachment import negated as _negated
from levelhead.situation import Goal, Situation
from levelhead.text import Draft

# Relationship signals from the attachment rules that count as "about the relationship".
_ATTACHMENT_SIGNALS: tuple[tuple[str, tuple[str, ...] | None], ...] = (
    ("attachment_neediness", None),
    ("attachment_false_hope", ("someday", "always_here", "pet_names", "pet_names_opening", "flirt", "nostalgia")),
    ("attachment_probing", ("direct",)),
)


class OffGoal(Rule):
    """The draft does not serve the goal stated for this contact.

    ## What it flags
    - goal `logistics`: any sentence that reads as emotional (from
      `levelhead.emotion`, at `threshold`), or a draft with no practical
      subject at all (no children, times, money, belongings, documents)
      that is about feelings or the relationship ("why did we break up?",
      "do you ever think about us?").
    - goal `friendship`: heavy relationship talk ("why did you leave?",
      "I still love you", "do you still have feelings for me?") or a
      sentence charged with love, longing, anger or sadness at
      `friendship_threshold`.
    - goal `closure`: a bid to get back together ("can we try again?"),
      which works against closing; feelings and plain logistics are fine.
    - goal `reconciliation`, `none`, or no goal stated: nothing (RD02 deals
      with contact without a goal).

    Strengths run from 0 to 1 as in TN02: about 0.5 is a clear feeling
    ("I'm upset"), 0.75 a strong one ("heartbroken").

    ## Why it matters
    Seed 003: "Define your goal first", and "Focus on logistics, not
    emotions. Unless the explicitly stated goal is a conversation about the
    relationship, keep the topic focused on practical matters. This creates
    safe, low-conflict interactions."

    ## Example
    Goal logistics: "I've been so sad since you left. Can you drop the
    kids' bikes off on Sunday?"

    ## Instead
    Keep only what serves the goal: "Can you drop the kids' bikes off on
    Sunday at 5?" If the conversation you want is really about the
    relationship, change the stated goal and check again.
    """

    code: ClassVar[str] = "PC07"
    name: ClassVar[str] = "off-goal"
    options = {
        "threshold": Option(0.5, "emotion strength (0-1) that is off-goal for a logistics message", 0.2, 0.9),
        "friendship_threshold": Option(
            0.75, "emotion strength (0-1) that is too heavy for a friendship message", 0.4, 1.0
        ),
    }

    def check(self, draft: Draft | None, situation: Situation, now: datetime) -> Iterator[Diagnostic]:
        if draft is None:
            return
        goal = situation.goal
        if goal is Goal.LOGISTICS:
            yield from self._logistics(draft)
        elif goal is Goal.FRIENDSHIP:
            yield from self._friendship(draft)
        elif goal is Goal.CLOSURE:
            yield from self._closure(draft)

    # ------------------------------------------------------------------ logistics

    def _logistics(self, draft: Draft) -> Iterator[Diagnostic]:
        limit = float(self.settings["threshold"])
        emotional = [s for s in sentence_emotions(draft) if not s.is_neutral and s.strength >= limit]
        if emotional:
            first = emotional[0]
            yield self.finding(
                self._emotional_message(draft, emotional, "logistics"),
                Span(first.start, first.end),
                note=(
                    "Focus on logistics, not emotions: keeping to practical matters makes for safe, "
                    "low-conflict exchanges."
                ),
                severity=Severity.WARNING,
                suggestions=self._suggestions(draft, first),
            )
            return
        if is_practical(draft):
            return
        signals = self._relationship_signals(draft)
        if signals:
            words = quoted(h.text for h in signals)
            yield self.finding(
                f"The goal here is logistics, but this message is about the relationship ({words}) "
                "and has no practical subject.",
                span_of(signals[0]),
                note=(
                    "Define your goal first: a logistics message names the practical thing (a child, a date, "
                    "an item) and leaves the relationship out."
                ),
                severity=Severity.WARNING,
                suggestions=[
                    Suggestion(
                        "Write the practical point, or change the goal",
                        'State what needs arranging ("Can we swap to Saturday at 10?"). If this is really about '
                        "the relationship, set the goal to closure and check again.",
                        Applicability.DISPLAY_ONLY,
                    )
                ],
            )

    def _relationship_signals(self, draft: Draft) -> list[Hit]:
        hits = [h for h in topic_hits(draft, "relationship") if not _negated(draft, h.start)]
        hits = [h for h in hits if not draft.is_reported(h.start, h.end)]
        for name, groups in _ATTACHMENT_SIGNALS:
            hits.extend(own_hits(draft, name, groups))
        return sorted(hits, key=lambda h: h.start)

    # ------------------------------------------------------------------ friendship

    def _friendship(self, draft: Draft) -> Iterator[Diagnostic]:
        heavy = [h for h in topic_hits(draft, "heavy") if not _negated(draft, h.start)]
        heavy = [h for h in heavy if not draft.is_reported(h.start, h.end)]
        limit = float(self.settings["friendship_threshold"])
        charged = [s for s in sentence_emotions(draft) if not s.is_neutral and s.strength >= limit]
        note = (
            "A friendship message works best kept light; talk about the relationship itself can "
            "blur where things stand."
        )
        if heavy:
            yield self.finding(
                f"The goal here is friendship, but {quoted(h.text for h in heavy)} is heavy relationship talk.",
                span_of(heavy[0]),
                note=note,
                severity=Severity.WARNING,
                suggestions=self._suggestions(draft, None, heavy[0]),
            )
        elif charged:
            first = charged[0]
            yield self.finding(
                self._emotional_message(draft, charged, "friendship"),
                Span(first.start, first.end),
                note=note,
                severity=Severity.WARNING,
                suggestions=self._suggestions(draft, first),
            )

    # ------------------------------------------------------------------ closure

    def _closure(self, draft: Draft) -> Iterator[Diagnostic]:
        bids = [h for h in topic_hits(draft, "reconcile") if not _negated(draft, h.start)]
        bids = [h for h in bids if not draft.is_reported(h.start, h.end)]
        if not bids:
            return
        yield self.finding(
            f"The goal here is closure, but {quoted(h.text for h in bids)} asks to start again.",
            span_of(bids[0]),
            note=(
                "Closure means saying what you need to and letting it rest; a bid to get back together "
                "reopens what you set out to close."
            ),
            severity=Severity.WARNING,
            suggestions=self._suggestions(draft, None, bids[0]),
        )

    # ------------------------------------------------------------------ helpers

    @staticmethod
    def _emotional_message(draft: Draft, sentences: list[SentenceEmotion], goal: str) -> str:
        first = sentences[0]
        words = quote_words(draft, first)
        carried = f" ({words})" if words else ""
        others = len(sentences) - 1
        more = f" ({others} more sentence{'s' if others > 1 else ''} too)" if others else ""
        return f"The goal here is {goal}, but this sentence carries {first.emotion}{carried}{more}."

    @staticmethod
    def _suggestions(draft: Draft, sentence: SentenceEmotion | None, hit: Hit | None = None) -> list[Suggestion]:
        out: list[Suggestion] = []
        offset = sentence.start if sentence else (hit.start if hit else 0)
        found = draft.sentence_at(offset)
        if found and (draft.text[: found.start].strip() or draft.text[found.end :].strip()):
            out.append(Suggestion("Leave this sentence out", "", Applicability.UNSAFE, Span(found.start, found.end)))
        out.append(
            Suggestion(
                "Keep to what serves the goal",
                "Keep the sentences that serve the goal you set; save the rest for a friend, a journal or a "
                "counsellor, or change the goal if this conversation is what you want.",
                Applicability.DISPLAY_ONLY,
            )
        )
        return out
