"""Triage of THEIR message: safety first, what needs an answer, what is bait, and a reply skeleton.

    from levelhead.triage import triage

    result = triage("You ALWAYS do this. I need them back by 5 on Sunday, not 7.", tz="Europe/London")
    result.asks[0].summary        # 'return time Sunday 17:00 (was 19:00)'
    result.to_wire()              # the JSON of `levelhead triage --format json` (schema 1)

The reading reuses the engine's detectors: ``levelhead.danger`` for threats
and self-harm (SF03, SF01), the blame rules' phrase tables for bait, the
logistics markers for urgency, and the emotion seam for emotional sentences.
Dates are resolved with ``dateparser`` against the time the message was
received, in the user's zone. Nothing here does I/O; the CLI and the web app
read the situation (and its history) from the store and pass it in.
"""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from levelhead.diagnostics import Span
from levelhead.emotion import LexiconScorer, sentence_emotions
from levelhead.engine import MAX_DRAFT_CHARS
from levelhead.logistics import analyse_text
from levelhead.situation import Situation
from levelhead.text import Draft
from levelhead.triage import reply as replies
from levelhead.triage.asks import clauses, is_ask
from levelhead.triage.bait import TheirMessage, find_bait
from levelhead.triage.facts import extract, summarise
from levelhead.triage.model import (
    BAIT_KINDS,
    SCHEMA_VERSION,
    Ask,
    Bait,
    Facts,
    Reply,
    SafetyFinding,
    SentenceRole,
    Triage,
    TriageError,
)
from levelhead.triage.spots import Spots, spot
from levelhead.triage.threats import KEEP_A_RECORD, SELF_HARM_ADVICE, resources_for, safety_findings
from levelhead.triage.when import month_named

__all__ = [
    "BAIT_KINDS",
    "KEEP_A_RECORD",
    "SCHEMA_VERSION",
    "SELF_HARM_ADVICE",
    "Ask",
    "Bait",
    "Facts",
    "Reply",
    "SafetyFinding",
    "SentenceRole",
    "Triage",
    "TriageError",
    "triage",
]

NO_ASK = "Nothing in it asks for an answer."
NOTHING_PRACTICAL = "Nothing practical in it to answer; what matters first is above."
# How far before an ask urgency is looked for ("Noah is at the hospital. Come now.").
_URGENT_REACH = 200
# A sentence this strongly emotional (see levelhead.emotion's scale) is marked "emotional".
EMOTIONAL = 0.5
# The lexicon scorer: a few tenths of a millisecond for a long message, where the tone model takes tens.
_SCORER = LexiconScorer()


def triage(
    text: str,
    *,
    received: datetime | None = None,
    tz: str | None = None,
    situation: Situation | None = None,
    now: datetime | None = None,
    feelings: bool = False,
) -> Triage:
    """Read their message.

    ``received``: when it arrived (default: ``now``); a naive time is read in ``tz``.
    ``tz``: the user's IANA zone (default: the situation's, else this machine's).
    ``situation``: country for help resources, abuse history, and the history whose
    pace the reply mirrors. ``now``: the moment to decide "not before" against (default: the clock).
    ``feelings``: also mark the emotional sentences in ``Triage.sentences`` (the emotion seam reads
    every sentence that is not already an ask, bait or danger; without it, only when the reply's
    timing depends on it).
    Raises ``TriageError`` for an empty or oversized message or an unknown zone.
    """
    if not isinstance(text, str) or not text.strip():
        raise TriageError("the message is empty: paste their message, then triage it")
    if len(text) > MAX_DRAFT_CHARS:
        raise TriageError(f"the message is {len(text):,} characters; levelhead reads up to {MAX_DRAFT_CHARS:,}")
    text = text.replace("\x00", "\ufffd")
    situation = situation or Situation()
    zone = _zone(tz or situation.timezone)
    current = _aware(now, zone) if now is not None else datetime.now(zone).astimezone(zone)
    arrived = _aware(received, zone) if received is not None else current
    if zone is not None:
        arrived = arrived.astimezone(zone)

    draft = TheirMessage(text)
    safety, bait = _danger_and_bait(draft)
    spots = spot(draft.folded)
    asks, lines, roles = _read_sentences(draft, safety, bait, spots, arrived, situation.country)
    # Whether the message is heated decides the cool-off when there is no bait and no history to mirror.
    if feelings or (asks and not bait and not safety and not situation.history):
        _add_feelings(draft, roles)
    heated = bool(bait) or bool(safety) or any("emotional" in r for r in roles)
    # Urgency (a hospital, a missing child) is read around the asks only: the rest cannot change it.
    urgent = any(analyse_text(text[max(0, a.span.start - _URGENT_REACH) : a.span.end]).urgent for a in asks)
    earliest = min((a.facts.when for a in asks if isinstance(a.facts.when, datetime)), default=None)
    skeleton, verdict = replies.choose(lines, situation.country, zone.key if zone else None)
    wait, why = (
        replies.not_before(situation, arrived, current, heated=heated, urgent=urgent, earliest=earliest)
        if asks
        else (None, NOTHING_PRACTICAL if safety else NO_ASK)
    )
    return Triage(
        text=text,
        received=arrived,
        safety=tuple(safety),
        asks=tuple(asks),
        bait=tuple(bait),
        reply=Reply(needed=bool(asks), not_before=wait, skeleton=skeleton, why=why, verdict=verdict),
        resources=resources_for(situation.country, safety, situation.abuse_history),
        sentences=tuple(
            SentenceRole(Span(s.start, s.end), s.text, tuple(dict.fromkeys(r)))
            for s, r in zip(draft.sentences, roles, strict=True)
        ),
        abuse_history=situation.abuse_history,
    )


def _read_sentences(
    draft: TheirMessage,
    safety: list[SafetyFinding],
    bait: list[Bait],
    spots: Spots,
    arrived: datetime,
    country: str,
) -> tuple[list[Ask], list[replies.AskLine], list[list[str]]]:
    """The asks (with their facts and reply lines) and each sentence's roles, sentence by sentence."""
    text = draft.text
    month = month_named(spots.days.words)
    asks: list[Ask] = []
    lines: list[replies.AskLine] = []
    roles: list[list[str]] = []
    previous: tuple[int, int] | None = None  # the sentence before, when it asked nothing: context for facts
    for sentence in draft.sentences:
        found: list[str] = []
        near = [b for b in bait if b.span.start < sentence.end and sentence.start < b.span.end]
        for clause in clauses(draft, sentence):
            if not is_ask(draft, clause, near, spots):
                continue
            if safety and not _practical(clause.start, clause.end, safety, spots):
                continue
            extracted = extract(
                text, clause.start, clause.end, sentence.start, arrived, country, spots, context=previous, month=month
            )
            topic = replies.topic_of(draft.folded[clause.start : clause.end])
            if not topic and extracted.inherited and previous is not None:
                topic = replies.topic_of(draft.folded[previous[0] : previous[1]])
            clause_text = text[clause.start : clause.end]
            summary = summarise(extracted, topic, clause_text, arrived.date())
            asks.append(Ask(Span(clause.start, clause.end), clause_text, extracted.kind, summary, extracted.facts))
            asked = clause_text.rstrip().endswith("?") or (
                clause.end == sentence.end and sentence.text.rstrip().endswith("?")
            )
            lines.append(replies.AskLine(extracted, topic, arrived, asked))
            found.append("ask")
        found.extend(_other_roles(sentence.start, sentence.end, safety, near))
        if not found and spots.is_concrete(sentence.start, sentence.end):
            found.append("information")
        roles.append(found)
        previous = None if "ask" in found else (sentence.start, sentence.end)
    return asks, lines, roles


def _add_feelings(draft: TheirMessage, roles: list[list[str]]) -> None:
    """Mark the emotional sentences among those that are not ask, bait or danger (they already say what
    they are); only those are scored, with the emotion seam's lexicon scorer."""
    rest = [i for i, found in enumerate(roles) if not ({"ask", "bait", "threat", "self-harm"} & set(found))]
    if not rest:
        return
    sentences = draft.sentences
    scored = sentence_emotions(Draft("\n".join(sentences[i].text for i in rest)), _SCORER)
    if len(scored) != len(rest):  # the sentences split differently on their own: leave them unmarked
        return
    for i, emotion in zip(rest, scored, strict=True):
        if not emotion.is_neutral and emotion.strength >= EMOTIONAL:
            roles[i].append("emotional")


def _danger_and_bait(draft: TheirMessage) -> tuple[list[SafetyFinding], list[Bait]]:
    """Safety findings and bait, each span in one place only.

    Safety wins where they overlap ("I'll tell everyone what you did" is a threat, not an old
    argument). The one exception: what the danger detector reads as coercion through guilt
    ("after everything I've done for you") and the guilt table also holds is guilt-tripping,
    not coercive control, and goes to the bait.
    """
    bait = find_bait(draft)
    guilt = [b for b in bait if b.kind == "guilt"]
    safety = [
        s
        for s in safety_findings(draft.text)
        if not (s.kind == "coercion" and any(_overlap(s.span, g.span) for g in guilt))
    ]
    bait = [b for b in bait if not any(_overlap(b.span, s.span) for s in safety)]
    return safety, bait


def _practical(start: int, end: int, safety: list[SafetyFinding], spots: Spots) -> bool:
    """With danger in the message, only concrete logistics away from the threat itself are answered."""
    span = Span(start, end)
    return not any(_overlap(span, s.span) for s in safety) and spots.is_concrete(start, end)


def _overlap(a: Span, b: Span) -> bool:
    return a.start < b.end and b.start < a.end


def _other_roles(start: int, end: int, safety: list[SafetyFinding], bait: list[Bait]) -> list[str]:
    found: list[str] = []
    for s in safety:
        if start <= s.span.start < end:
            found.append("self-harm" if s.code == "SF01" else "threat")
    if any(start <= b.span.start < end for b in bait):
        found.append("bait")
    return found


def _zone(name: str | None) -> ZoneInfo | None:
    if not name:
        return None
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        raise TriageError(f"unknown time zone {name!r} (use an IANA name such as Europe/London)") from None


def _aware(moment: datetime, zone: ZoneInfo | None) -> datetime:
    if moment.tzinfo is not None:
        return moment
    return moment.replace(tzinfo=zone) if zone is not None else moment.astimezone()
