"""SF: safety. Self-harm, threats (the user's own and theirs) and abuse history switch the tool to safety.

These rules are always on. Their findings carry the ``safety`` verdict, and the
engine attaches the help resources that fit the codes (from the one resources
data file, ``data/resources.toml``); the messages here never contain a phone
number of their own. Wording: say what was noticed and where to get help, calmly
and briefly; never promise that someone is out of danger or that help is coming.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime
from typing import ClassVar

from levelhead.danger import DangerSpan, reported_threat_spans, self_harm_spans, threat_spans
from levelhead.diagnostics import Applicability, Diagnostic, Severity, Span, Suggestion, Verdict
from levelhead.rule import Need, Rule
from levelhead.situation import Situation
from levelhead.text import Draft

HELP_LISTED = "the help listed with this check"
# When one sentence holds several kinds of threat, the message names the most serious.
_THREAT_ORDER = ("violence", "harm_wish", "custody", "exposure", "monitoring", "legal", "coercion", "veiled")


def _quote_all(spans: list[DangerSpan], limit: int = 3) -> str:
    words = [f'"{s.text}"' for s in spans[:limit]]
    if len(words) == 1:
        return words[0]
    return ", ".join(words[:-1]) + " and " + words[-1]


class SelfHarm(Rule):
    """The draft speaks of self-harm or suicide, directly or indirectly: crisis help comes first.

    ## What it flags
    Words in your own voice about ending your life or hurting yourself, said
    outright ("I'll kill myself", "I want to end it all") or indirectly ("I can't
    live without you", "everyone will be better off once I'm gone", "I can't take it
    anymore", "nobody would miss me", "I won't be around much longer").
    A plain denial ("I would never hurt myself") does not count; a denial with a
    reassurance does ("I'm not going to kill myself, don't worry", "not yet"),
    because it shows the thought is there. Idioms ("this traffic is killing me",
    "dying to see the show") and other people's words in quotes are not counted.

    ## Why it matters
    When a message carries thoughts like these, the message is not the thing
    that matters most. levelhead sets its advice about the draft aside and shows
    crisis lines first. Sending such words to an ex can also put them, not a
    trained person, in the role of keeping you safe.

    ## Example
    "I'd die without you. Everyone would be better off without me anyway."

    ## Instead
    Before sending anything, talk to someone: a crisis line (listed with the
    check, for your country), or a person you trust. The message can wait.
    If you are in immediate danger, contact emergency services.
    """

    code: ClassVar[str] = "SF01"
    name: ClassVar[str] = "self-harm"
    verdict: ClassVar[Verdict] = Verdict.SAFETY
    always_on: ClassVar[bool] = True
    needs = frozenset({Need.DRAFT})

    def check(self, draft: Draft | None, situation: Situation, now: datetime) -> Iterator[Diagnostic]:
        if draft is None:
            return
        spans = self_harm_spans(draft)
        if not spans:
            return
        first = spans[0]
        if all(s.reassured for s in spans):
            message = (
                f"You wrote {_quote_all(spans)}. Even as a reassurance, it tells us the thought has been there. "
                f"If it comes back, {HELP_LISTED} is there to talk to."
            )
        else:
            message = (
                f"You wrote {_quote_all(spans)}. That sounds like a lot of pain. "
                f"You don't have to carry it alone: {HELP_LISTED} is there to talk to."
            )
        yield self.finding(
            message,
            first.span,
            note=(
                "When a draft speaks of self-harm, talking to someone comes before any message. "
                "The draft can wait; if you are in immediate danger, contact emergency services."
            ),
            suggestions=[
                Suggestion(
                    "Talk to someone first",
                    f"Call or text one of the lines in {HELP_LISTED}, or reach out to a person you trust, "
                    "before deciding anything about this message.",
                    Applicability.DISPLAY_ONLY,
                )
            ],
        )


class ThreatInDraft(Rule):
    """The draft threatens harm, exposure, the children, legal pressure or coercion: don't send it.

    ## What it flags
    Your own words that can read as a threat: violence ("watch your back", "I
    know where you live", "I'll burn your stuff"), exposure ("I'll tell everyone
    your secret", "I'll post your photos"), the children as leverage ("I'll make
    sure you don't see the kids"), legal steps used as pressure ("I'll make sure
    the judge hears everything", "I'm filing a motion"), veiled threats ("you'll
    regret this", "keep it up and ...", "or else") and coercion through guilt or
    love ("if you really loved me you'd do this", "after everything I've done for
    you"). Threats you quote from them ("he said 'I'll hurt you'") are not yours:
    they go to SF03. Denials ("I would never keep the kids from you") pass.

    ## Why it matters
    A threat ends the conversation you want to have and can put people at risk.
    It can also be used against you later, by a mediator or in court. When a
    message comes out this way, the feeling behind it usually needs somewhere
    else to go first.

    ## Example
    "Keep ignoring me and I'll make sure you never see the kids again."

    ## Instead
    Leave the threat out and say only what you need, for example: "I'd like us
    to agree the weekend schedule by Friday." If a legal step is real, let a
    lawyer or mediator raise it. If you are this angry or hurt, step away and
    talk to someone first; the help listed with the check is for you too.
    """

    code: ClassVar[str] = "SF02"
    name: ClassVar[str] = "threat-in-draft"
    verdict: ClassVar[Verdict] = Verdict.SAFETY
    always_on: ClassVar[bool] = True
    needs = frozenset({Need.DRAFT})

    _NOTES: ClassVar[dict[str, str]] = {
        "legal": "If a legal step is real, it lands better coming from a lawyer or mediator than as a warning.",
        "custody": "Using the children as leverage tends to harden both sides, and courts and mediators notice it.",
        "coercion": "Pressure through guilt or love can push them further away, even when the need behind it is real.",
    }

    def check(self, draft: Draft | None, situation: Situation, now: datetime) -> Iterator[Diagnostic]:
        if draft is None:
            return
        # Threats in one sentence ("Keep it up and you'll never see the kids again") make one finding.
        by_sentence: dict[int, list[DangerSpan]] = {}
        for found in threat_spans(draft):
            sentence = draft.sentence_at(found.start)
            by_sentence.setdefault(sentence.start if sentence else found.start, []).append(found)
        for hits in by_sentence.values():
            main = min(hits, key=lambda h: _THREAT_ORDER.index(h.kind) if h.kind in _THREAT_ORDER else 99)
            span = Span(hits[0].start, hits[-1].end)
            words = draft.text[span.start : span.end]
            extra = self._NOTES.get(main.kind, "It can put people at risk and can be used against you later.")
            yield self.finding(
                main.message.replace(f'"{main.text}"', f'"{words}"', 1) + " Please don't send it as written.",
                span,
                note=f"{extra} If you feel this strongly, step away and talk to someone first; {HELP_LISTED} "
                "is for you too.",
                suggestions=[
                    Suggestion("Leave this out and say only what you need", "", Applicability.DISPLAY_ONLY, span)
                ],
            )


class ThreatInIncoming(Rule):
    """Their threats, coercion, monitoring or stalking: a safety matter, document it, do not engage.

    ## What it flags
    The draft (or your note) describes or quotes what they did or said: threats
    ("he said he'd take the kids", "she threatened me", a quoted "I know where
    you live"), violence ("he pushed me"), stalking ("she keeps showing up at my
    work"), monitoring ("he tracks my phone", "I found a tracker on my car"),
    contact that will not stop, a protective order, or fear ("I don't feel safe").
    Incoming-message triage uses the same detector on their own message, where
    "I" is them.

    ## Why it matters
    Threats, monitoring and stalking are not a communication problem that a
    better-worded message can fix. Answering the threat itself can escalate it;
    a record of what happened helps a lawyer, mediator, the police or a court.

    ## Example
    "You said you'd take the kids if I didn't drop the case. And you keep
    showing up at my work."

    ## Instead
    Keep a record (dates, times, screenshots, saved messages) somewhere they
    cannot reach. Don't answer the threat; keep any necessary reply to
    logistics, or let a lawyer or mediator carry it. Talk to a domestic abuse
    service (listed with the check) about what would help; in immediate danger,
    contact emergency services.
    """

    code: ClassVar[str] = "SF03"
    name: ClassVar[str] = "threat-in-incoming"
    verdict: ClassVar[Verdict] = Verdict.SAFETY
    always_on: ClassVar[bool] = True
    needs = frozenset({Need.DRAFT})

    def check(self, draft: Draft | None, situation: Situation, now: datetime) -> Iterator[Diagnostic]:
        if draft is None:
            return
        spans = reported_threat_spans(draft)
        if not spans:
            return
        first = spans[0]
        more = " The draft describes more like it." if len(spans) > 1 else ""
        yield self.finding(
            f"{first.message}{more} That is a safety matter, not something a better-worded message can fix.",
            first.span,
            note=(
                "Keep a record of it (dates, screenshots) where they cannot reach it, and don't engage with the "
                "threat itself. The services listed with this check can talk through next steps with you."
            ),
            suggestions=[
                Suggestion(
                    "Document it and step back",
                    "Save the messages and note the date and time. Keep any reply to necessary logistics, or let a "
                    "lawyer, mediator or trusted person pass it on.",
                    Applicability.DISPLAY_ONLY,
                )
            ],
        )


class AbuseHistory(Rule):
    """The situation records abuse: no coaching for direct contact; help and third-party channels instead.

    ## What it flags
    Your situation says the relationship involved abuse (``abuse_history =
    true``). This fires in every readiness check and every draft check, with no
    span: it is about the situation, not the words.

    ## Why it matters
    After abuse, the advice is to cut ties and talk with a therapist or an
    abuse service before resuming any contact. Coaching a "better" message to
    someone who was abusive can draw you back into contact that is not good for
    you, so levelhead does not do it.

    ## Example
    A readiness check with ``abuse_history = true``, whatever the goal.

    ## Instead
    For logistics that cannot be avoided (children, belongings, money), use a
    third party: a lawyer, a mediator, a co-parenting app that keeps a record,
    or a trusted person who passes messages on. A domestic abuse service (listed
    with the check) can help you plan.
    """

    code: ClassVar[str] = "SF04"
    name: ClassVar[str] = "abuse-history"
    verdict: ClassVar[Verdict] = Verdict.SAFETY
    always_on: ClassVar[bool] = True
    needs = frozenset()

    def check(self, draft: Draft | None, situation: Situation, now: datetime) -> Iterator[Diagnostic]:
        if not situation.abuse_history:
            return
        yield self.finding(
            "Your situation records abuse in this relationship, so levelhead won't coach direct contact. "
            f"Your wellbeing comes first; {HELP_LISTED} can help you plan.",
            None,
            note=(
                "After abuse, the advice is to cut ties and talk with a therapist or an abuse service before "
                "resuming contact. Necessary logistics can go through someone else."
            ),
            severity=Severity.ERROR,
            suggestions=[
                Suggestion(
                    "Use a third party for necessary logistics",
                    "A lawyer, a mediator, a co-parenting app that keeps a record, or a trusted person can pass on "
                    "what has to be said (handovers, dates, documents).",
                    Applicability.DISPLAY_ONLY,
                )
            ],
        )
