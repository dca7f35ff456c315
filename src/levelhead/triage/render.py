"""The human form of a triage: safety first, then what needs an answer, what needs none, and the reply.

Laid out like a linter's output (their words, with the span underlined), in
calm wording. When their message carries danger, the safety findings, "keep
a record" and the help resources come before anything else.
"""

from __future__ import annotations

from collections.abc import Callable

from levelhead.render.text import excerpt, format_time
from levelhead.triage.model import Triage
from levelhead.triage.threats import KEEP_A_RECORD, SELF_HARM_ADVICE, THREAT_CODE

Style = Callable[..., str]

ABUSE_NOTE = (
    "Your situation records abuse in this relationship: necessary logistics can go through a third party "
    "(a lawyer, a mediator, a co-parenting app that keeps a record)."
)


def _plain(text: str, **_: object) -> str:
    return text


def render(result: Triage, style: Style = _plain) -> str:
    """Render ``result``; pass ``click.style`` as ``style`` for colour."""
    out: list[str] = []
    if result.safety or result.abuse_history:
        out.extend(_safety(result, style))
        out.append("")
    out.extend(_asks(result, style))
    out.append("")
    out.extend(_bait(result, style))
    out.append("")
    out.extend(_reply(result, style))
    return "\n".join(out)


def _safety(result: Triage, style: Style) -> list[str]:
    out = [style("safety: please look at this first", fg="magenta", bold=True)]
    for finding in result.safety:
        out.append(f"{style(finding.code, fg='magenta', bold=True)}  {finding.message}")
        out.extend(excerpt(result.text, finding.span.start, finding.span.end, style, "magenta"))
    if any(f.code == THREAT_CODE for f in result.safety):
        out.append(f"  = {KEEP_A_RECORD}")
    if any(f.code != THREAT_CODE for f in result.safety):
        out.append(f"  = {SELF_HARM_ADVICE}")
    if result.abuse_history:
        out.append(f"  = {ABUSE_NOTE}")
    if result.resources:
        out.append(style("Help, any time:", bold=True))
        out.extend(f"  {r.name}: {r.contact}" for r in result.resources)
    return out


def _asks(result: Triage, style: Style) -> list[str]:
    if not result.asks:
        return [
            style("needs an answer: nothing", bold=True),
            "  Nothing in it asks you to answer, decide or do anything.",
        ]
    out = [style(f"needs an answer ({len(result.asks)})", fg="green", bold=True)]
    for ask in result.asks:
        out.append(f"{style('ask', fg='green', bold=True)}  {ask.summary}")
        out.extend(excerpt(result.text, ask.span.start, ask.span.end, style, "green"))
    return out


def _bait(result: Triage, style: Style) -> list[str]:
    if not result.bait:
        return [style("needs no answer: nothing flagged", bold=True)]
    out = [style(f"needs no answer ({len(result.bait)})", fg="yellow", bold=True)]
    for bait in result.bait:
        out.append(f"{style(bait.kind, fg='yellow', bold=True)}  {bait.message}")
        out.extend(excerpt(result.text, bait.span.start, bait.span.end, style, "yellow"))
    return out


def _reply(result: Triage, style: Style) -> list[str]:
    reply = result.reply
    if not reply.needed:
        head = "reply: nothing practical to answer" if result.safety else "reply: not needed"
        return [style(head, bold=True), f"  {reply.why}"]
    when = f"not before {format_time(reply.not_before)}" if reply.not_before else "when you are ready"
    out = [style(f"reply: {when}", bold=True), f"  {reply.why}"]
    if result.safety:
        out.append(
            "  Keep it to the practical points below, or let someone else carry it; leave the threat unanswered."
        )
    out.append(style("skeleton (edit freely; fill in the [brackets]):", dim=True))
    out.extend(f"  | {line}" for line in reply.skeleton.splitlines())
    return out
