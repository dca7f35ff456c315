"""Danger in their message, read with the same detector and phrase data as the safety rules.

``levelhead.danger.incoming_threats`` reads the text as the other person's
words ("I" is them, "you" the reader). Their threats, coercion, monitoring and
stalking become ``SF03`` findings; their words about hurting themselves become
``SF01``. Resources come only from ``levelhead.safety`` (data/resources.toml).
"""

from __future__ import annotations

from levelhead.danger import incoming_threats
from levelhead.diagnostics import Resource, Span
from levelhead.safety import resources_for_codes
from levelhead.triage.model import SafetyFinding

THREAT_CODE = "SF03"
SELF_HARM_CODE = "SF01"
ABUSE_CODE = "SF04"

# Said once, after the findings, in the text output and on the web page.
KEEP_A_RECORD = (
    "Keep a record: save this message (a screenshot with the date and time) somewhere they cannot reach. "
    "Don't answer the threat itself; a lawyer, mediator or support service can help with next steps."
)
SELF_HARM_ADVICE = (
    "If you think they may act on it now, contact emergency services. You don't have to handle this alone, "
    "and it is not yours to fix by replying."
)


def safety_findings(text: str) -> list[SafetyFinding]:
    """Threats, coercion, monitoring, stalking (SF03) and self-harm (SF01) in their message, in reading order."""
    found: list[SafetyFinding] = []
    for danger in incoming_threats(text):
        self_harm = danger.kind.startswith("self-harm")
        if self_harm:
            message = danger.message
        else:
            message = f"{danger.message} That is a safety matter, not something a better reply can fix."
        found.append(
            SafetyFinding(
                code=SELF_HARM_CODE if self_harm else THREAT_CODE,
                span=Span(danger.start, danger.end),
                text=danger.text,
                kind=danger.kind,
                message=message,
            )
        )
    return found


def resources_for(country: str, findings: list[SafetyFinding], abuse_history: bool) -> tuple[Resource, ...]:
    """The help that fits the findings (and a recorded abuse history), for the situation's country."""
    codes = [f.code for f in findings]
    if abuse_history:
        codes.append(ABUSE_CODE)
    return resources_for_codes(country, codes)
