"""The human form of a report: verdict first, then each finding under the words it is about.

Laid out like a linter's output (the draft line with the flagged words
underlined), but worded for a person: safety help comes before anything else.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from levelhead.diagnostics import Diagnostic, Report, Severity, Verdict

Style = Callable[..., str]

VERDICT_LINES = {
    Verdict.SAFETY: "safety: please look at the help below first",
    Verdict.DONT_SEND: "don't send: this goes against a boundary or a clear 'no' for now",
    Verdict.WAIT: "wait: not now",
    Verdict.REVISE: "revise: as written, this may work against your goal",
    Verdict.SEND: "send: nothing found. You decide.",
}
VERDICT_COLOURS = {
    Verdict.SAFETY: "magenta",
    Verdict.DONT_SEND: "red",
    Verdict.WAIT: "yellow",
    Verdict.REVISE: "yellow",
    Verdict.SEND: "green",
}


def _plain(text: str, **_: object) -> str:
    return text


def render(report: Report, style: Style = _plain) -> str:
    """Render ``report``; pass ``click.style`` as ``style`` for colour."""
    out: list[str] = []
    headline = VERDICT_LINES[report.verdict]
    if report.verdict is Verdict.WAIT and report.until:
        headline = f"wait: not now. Look again after {format_time(report.until)}"
    out.append(style(headline, fg=VERDICT_COLOURS[report.verdict], bold=True))
    if report.resources:
        out.append("")
        out.append(style("Help, any time:", bold=True))
        out.extend(f"  {r.name}: {r.contact}" for r in report.resources)
    for diagnostic in report.diagnostics:
        out.append("")
        out.extend(_diagnostic(diagnostic, report.text, style))
    counted = [d for d in report.diagnostics if d.severity is not Severity.INFO]
    if report.diagnostics:
        out.append("")
        extra = len(report.diagnostics) - len(counted)
        summary = f"{len(counted)} finding{'s' if len(counted) != 1 else ''}"
        if extra:
            summary += f" and {extra} note{'s' if extra != 1 else ''}"
        out.append(style(summary + ".", dim=True))
    return "\n".join(out)


def _diagnostic(d: Diagnostic, text: str | None, style: Style) -> list[str]:
    colour = {"error": "red", "warning": "yellow", "info": "blue"}[d.severity.value]
    lines = [f"{style(d.code, fg=colour, bold=True)} {style(d.name, dim=True)}  {d.message}"]
    if d.span is not None and text is not None:
        lines.extend(excerpt(text, d.span.start, d.span.end, style, colour))
    if d.note:
        lines.append(f"  = why: {d.note}")
    for s in d.suggestions:
        label = {"safe": "try", "unsafe": "try (read it first)", "display-only": "idea"}[s.applicability.value]
        replacement = s.replacement.replace("\n", " / ")
        lines.append(f"  = {label}: {s.title}" + (f": {style(replacement, fg='green')}" if replacement else ""))
    return lines


def excerpt(text: str, start: int, end: int, style: Style, colour: str) -> list[str]:
    """The line(s) holding the span, with carets under the flagged characters."""
    lines = text.split("\n")
    out: list[str] = []
    offset = 0
    width = len(str(len(lines)))
    for number, line in enumerate(lines, 1):
        line_end = offset + len(line)
        if offset <= end and start <= line_end and (start < line_end or start == offset == line_end):
            a, b = max(start, offset) - offset, min(end, line_end) - offset
            shown = line.replace("\t", " ")
            out.append(f"  {number:>{width}} | {shown}")
            carets = style("^" * max(1, _width(shown[a:b])), fg=colour)
            out.append(f"  {'':>{width}} | {' ' * _width(shown[:a])}{carets}")
        offset = line_end + 1
    return out


def _width(s: str) -> int:
    # Wide characters (CJK, most emoji) take two columns in a terminal.
    import unicodedata

    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 0 if unicodedata.combining(ch) else 1 for ch in s)


def format_time(moment: datetime) -> str:
    return moment.strftime("%a %d %b %Y, %H:%M")
