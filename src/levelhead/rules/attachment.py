"""Lines that say "I haven't moved on": neediness (TN03), false hope (TN05), probing (TN06), chasing (TN10)."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime
from typing import ClassVar

from levelhead import regexcache
from levelhead.diagnostics import Applicability, Diagnostic, Severity, Span, Suggestion
from levelhead.phrases import Hit
from levelhead.rule import Rule
from levelhead.rules._attachment import (
    friendship_agreed,
    has_topic,
    is_practical,
    own_hits,
    sentence_has_topic,
    span_of,
)
from levelhead.situation import Goal, Situation
from levelhead.text import Draft

NEEDINESS = "attachment_neediness"
FALSE_HOPE = "attachment_false_hope"
PROBING = "attachment_probing"
CHASING = "attachment_chasing"


def _drop_sentence(draft: Draft, hit: Hit) -> list[Suggestion]:
    """An UNSAFE suggestion to leave out the sentence holding ``hit``, when something else remains."""
    sentence = draft.sentence_at(hit.start)
    if sentence is None:
        return []
    if not (draft.text[: sentence.start].strip() or draft.text[sentence.end :].strip()):
        return []
    return [Suggestion("Leave this sentence out", "", Applicability.UNSAFE, Span(sentence.start, sentence.end))]


class Neediness(Rule):
    """Lines that read as neediness: "I miss you", "I need you back", begging, "I've changed".

    ## What it flags
    Telling them you miss them or still love them ("I miss you", "I still
    love you", "no one compares to you"), needing them ("I need you back",
    "please come back", "I can't live without you"), "thinking of you" lines
    ("just thinking of you", "this made me think of you", "I can't stop
    thinking about you"), begging ("please, I'm begging you", "one more
    chance"), promises to have changed ("I've changed, I promise"), asking
    to make up, asking about their feelings for you ("do you still miss
    me?"), and "can we talk?" when the draft has no practical subject.
    Negated ("I don't miss you"), quoted or reported lines are not counted.

    The rule holds under every goal, reconciliation included: even when you
    hope to get back together, neediness tends to push the other person away.

    ## Why it matters
    Seed 003: "just thinking of you" messages are read as "continued
    attachment and neediness"; if they are trying to move forward, "this will
    feel suffocating and push them to create even more distance". Seed 000:
    avoid telling them you miss them or trying to re-attract them.

    ## Example
    "I miss you so much. Please come back, I've changed."

    ## Instead
    Leave it out of the message and give it to a friend, a journal or a
    counsellor. If there is a practical reason to write, write only that.
    """

    code: ClassVar[str] = "TN03"
    name: ClassVar[str] = "neediness"

    def check(self, draft: Draft | None, situation: Situation, now: datetime) -> Iterator[Diagnostic]:
        if draft is None:
            return
        practical: bool | None = None
        for hit in own_hits(draft, NEEDINESS):
            if hit.group == "talk":
                if practical is None:
                    practical = is_practical(draft)
                if practical:
                    continue
            note = (
                'Messages like this can read as "I haven\'t moved on", which tends to push the other person '
                "further away rather than closer."
            )
            if situation.goal is Goal.RECONCILIATION:
                note += " That holds even when you hope to reconcile: calm, unhurried contact works better."
            yield self.finding(
                f"{hit.message}.",
                span_of(hit),
                note=note,
                severity=Severity.WARNING,
                suggestions=[
                    *_drop_sentence(draft, hit),
                    Suggestion(
                        "Keep to the practical reason for writing",
                        "Write only what needs an answer (a date, a time, an item), "
                        "or wait and write in a calmer moment.",
                        Applicability.DISPLAY_ONLY,
                    ),
                ],
            )


# Groups that relax when friendship is the agreed goal: light check-ins and plans are fine between friends.
_FRIENDLY = frozenset({"opener", "pretext", "hangout", "always_here", "nostalgia", "invite_ambiguous"})
_FILLER = frozenset(
    "hey hi hello hiya yo oh so just well um ok okay soz sorry haha hahaha lol and you there stranger again "
    "anyway btw x xx".split()
)
_WORD = regexcache.compile(r"[a-z']+")


class FalseHope(Rule):
    """Vague or overly warm lines that blur where things stand: "maybe someday", pet names, flirting.

    ## What it flags
    - lines that leave the door open: "maybe someday", "who knows what the
      future holds", "I'll always be here for you";
    - pet names and kisses: "babe", "honey", "sweetheart", "xx";
    - flirting and invitations: "wanna go for a drink?", "your place or
      mine?", "are you awake?", "are you free tonight?";
    - vague plans: "we should hang out sometime", "let's catch up soon";
    - contentless openers and pretexts when the message has no practical
      point: "hey, what's up?", "hi", "how are you?", "how'd your day go?",
      "just wondering what you were up to", "did you hear the news?",
      "whoops, wrong person haha", "I still have your shirt";
    - nostalgia: "remember that time we ...".

    Goal notes: openers count when the goal is logistics and the message has
    no practical subject, or when an opener is all the message says. When the
    goal is `friendship` and friendship is agreed, light check-ins, plans,
    openers and positive memories pass; pet names, flirting and "maybe
    someday" still fire. An invitation that names a practical arrangement
    ("are you free tomorrow at 3 for the school meeting?") is not flagged.

    ## Why it matters
    Seed 003: "vague or overly friendly communication can create confusion.
    It can give one person false hope that reconciliation is possible when
    that's not the intention", and the rollercoaster "leads to more hurt and
    resentment when the reality becomes clear".

    ## Example
    "Hey babe, maybe someday we could try again. Wanna grab a drink?"

    ## Instead
    Be clear and simple: say the practical thing ("Can I collect my books on
    Saturday at 11?") without warmth that may be read as more.
    """

    code: ClassVar[str] = "TN05"
    name: ClassVar[str] = "false-hope"

    def check(self, draft: Draft | None, situation: Situation, now: datetime) -> Iterator[Diagnostic]:
        if draft is None:
            return
        hits = own_hits(draft, FALSE_HOPE)
        if not hits:
            return
        relaxed = friendship_agreed(situation)
        practical = is_practical(draft)
        arranged = has_topic(draft, "arrangement")
        only_openers = self._only_openers(draft, [h for h in hits if h.group in ("opener", "pretext")])
        for hit in hits:
            if relaxed and hit.group in _FRIENDLY:
                continue
            if hit.group == "opener" and (practical or not (situation.goal is Goal.LOGISTICS or only_openers)):
                continue
            if hit.group == "pretext" and arranged:
                continue
            if hit.group == "invite_ambiguous" and sentence_has_topic(draft, hit, "arrangement", "practical"):
                continue
            yield self.finding(
                f"{hit.message}.",
                span_of(hit),
                note=(
                    "Vague or overly warm lines can create a fog of false hope; "
                    "clear, simple messages make it plain where things stand."
                ),
                severity=Severity.WARNING,
                suggestions=[
                    *_drop_sentence(draft, hit),
                    Suggestion(
                        "Say the practical point plainly",
                        'State what you need and when ("Can I collect my books on Saturday at 11?"), '
                        "or leave the message unsent.",
                        Applicability.DISPLAY_ONLY,
                    ),
                ],
            )

    @staticmethod
    def _only_openers(draft: Draft, openers: list[Hit]) -> bool:
        """True when, without its openers and filler words, the draft says (almost) nothing."""
        rest = draft.folded
        for hit in openers:
            rest = rest[: hit.start] + " " * (hit.end - hit.start) + rest[hit.end :]
        words = [w for w in _WORD.findall(rest) if w not in _FILLER]
        return len(words) <= 4


class NewPartnerProbing(Rule):
    """Questions about their new partner or dating life: "who is he?", "are you seeing someone?".

    ## What it flags
    Asking who they are seeing or how it is going ("who is she?", "are you
    currently seeing anyone?", "is it serious with him?", "how's your new
    boyfriend?"), comparing yourself ("what does she have that I didn't?"),
    and telling them you watched ("I saw your post", "I saw you with him").
    A practical question that only mentions a new partner ("Will your new
    partner be at pick-up on Saturday?") is not flagged here; negated ("I'm
    not asking who he is"), quoted or reported questions are not counted.

    ## Why it matters
    Seed 000: be mindful of your ex's autonomy to pursue new relationships
    and wary of asking for more detail; a common boundary is asking each
    other to keep new relationships to yourselves. Probing reads as not
    having moved on and invites a defensive answer.

    ## Example
    "This may sound random, but are you seeing someone? I saw your post."

    ## Instead
    Leave their dating life out of it. If a new partner affects the children
    or a plan, ask only the practical question ("Who will be doing pick-up on
    Saturday?").
    """

    code: ClassVar[str] = "TN06"
    name: ClassVar[str] = "new-partner-probing"

    def check(self, draft: Draft | None, situation: Situation, now: datetime) -> Iterator[Diagnostic]:
        if draft is None:
            return
        for hit in own_hits(draft, PROBING):
            if hit.group == "mention" and sentence_has_topic(draft, hit, "arrangement", "practical"):
                continue
            yield self.finding(
                f"{hit.message}.",
                span_of(hit),
                note=(
                    "Their new relationships are theirs to share or not; asking can read as not having moved on "
                    "and may cross a boundary."
                ),
                severity=Severity.WARNING,
                suggestions=[
                    *_drop_sentence(draft, hit),
                    Suggestion(
                        "Ask only what a plan needs",
                        'If it affects the children or a plan, ask the practical question ("Who will do pick-up?").',
                        Applicability.DISPLAY_ONLY,
                    ),
                ],
            )


class ChasingReply(Rule):
    """Chasing a reply they have not given: "why didn't you reply?", "did you get my message?", "hello??".

    ## What it flags
    Asking why they have not answered ("why didn't you reply?", "are you
    ignoring me?", "you left me on read"), checking whether they saw your
    message ("did you get my message?", "still waiting for an answer"), and
    bare nudges ("hello??", a lone "?", "anyone there?"). Negated, quoted
    or reported lines are not counted.

    A follow-up that names the practical subject ("did you get my message
    about Saturday's pick-up?") is reported as advice only (severity info),
    since a logistics question can need an answer.

    ## Why it matters
    Seed 003: mirror their energy and response time. Chasing a reply reads as
    eager or desperate, and pressure to answer tends to slow answers down.

    ## Example
    "Hello?? Why didn't you reply to me yesterday?"

    ## Instead
    Give them time, matching how long they usually take. If something
    practical needs an answer by a date, say so once, plainly: "Could you let
    me know about Saturday by Thursday evening?"
    """

    code: ClassVar[str] = "TN10"
    name: ClassVar[str] = "chasing-reply"

    def check(self, draft: Draft | None, situation: Situation, now: datetime) -> Iterator[Diagnostic]:
        if draft is None:
            return
        for hit in own_hits(draft, CHASING):
            advice = hit.group == "did_you_get" and sentence_has_topic(draft, hit, "arrangement", "practical")
            yield self.finding(
                f"{hit.message}.",
                span_of(hit),
                note=(
                    "Mirroring their pace works better than chasing: pressing for an answer can read as eager "
                    "and tends to slow replies down."
                ),
                severity=Severity.INFO if advice else Severity.WARNING,
                suggestions=[
                    Suggestion(
                        "Wait, or ask once with a date",
                        "Give them the time they usually take; if a practical answer is needed, ask once: "
                        '"Could you let me know about [the plan] by [day]?"',
                        Applicability.DISPLAY_ONLY,
                    )
                ],
            )
