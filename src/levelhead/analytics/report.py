"""``levelhead report``: the analytics as one self-contained HTML page.

Charts are drawn by matplotlib (Agg backend, imported only here) as inline SVG: no script, no network,
no external file; the page reads on a phone (viewport meta, fluid charts, one column). Message text
appears only when asked for (``recent`` is given).
"""

from __future__ import annotations

import io
import re
from collections.abc import Sequence
from datetime import timedelta
from html import escape
from typing import TYPE_CHECKING, Any

from levelhead.pace_stats import describe_delay

if TYPE_CHECKING:
    from levelhead.storage.store import StoredMessage

_COLORS = {"me": "#3b6ea8", "them": "#c0713a"}
_LABELS = {"me": "You", "them": "Them"}
_CSS = """
body{font:16px/1.5 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;margin:0;color:#1d2329;background:#fafaf7}
main{max-width:52rem;margin:0 auto;padding:1rem}
h1{font-size:1.5rem;margin:.5rem 0}h2{font-size:1.15rem;margin:1.5rem 0 .5rem}
figure{margin:0 0 1rem;background:#fff;border:1px solid #e3e3dc;border-radius:8px;padding:.5rem}
figure svg{width:100%;height:auto;display:block}figcaption{font-size:.9rem;color:#555}
table{border-collapse:collapse;width:100%;font-size:.95rem;background:#fff}
th,td{text-align:left;padding:.35rem .5rem;border-bottom:1px solid #e3e3dc;vertical-align:top}
td.n{text-align:right;font-variant-numeric:tabular-nums}.note{color:#555;font-size:.9rem}
.scroll{overflow-x:auto}
"""


def _svg(fig: Any) -> str:
    """The figure as inline SVG that scales with the page."""
    buf = io.StringIO()
    fig.savefig(buf, format="svg", bbox_inches="tight", metadata={"Date": None})
    text = buf.getvalue()
    text = text[text.index("<svg") :]
    return re.sub(r'<svg([^>]*?) width="[^"]*" height="[^"]*"', r'<svg\1 role="img"', text, count=1)


def _charts(data: dict[str, Any]) -> list[tuple[str, str]]:
    """(caption, svg) for each chart that has something to show."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    plt.rcParams.update({"svg.fonttype": "none", "svg.hashsalt": "levelhead", "font.size": 10})
    weekly = data["weekly"]
    if not weekly:
        return []
    x = list(range(len(weekly)))
    ticks = x[:: max(1, len(x) // 8)]
    tick_labels = [weekly[i]["week"] for i in ticks]
    charts: list[tuple[str, str]] = []

    def figure(title: str, ylabel: str) -> tuple[Any, Any]:
        fig, ax = plt.subplots(figsize=(7, 3))
        ax.set_title(title)
        ax.set_ylabel(ylabel)
        ax.set_xticks(ticks, tick_labels, rotation=30, ha="right")
        ax.set_xlim(-0.5, len(x) - 0.5)  # every chart spans the same weeks
        ax.spines[["top", "right"]].set_visible(False)
        return fig, ax

    try:
        fig, ax = figure("Messages per week", "messages")
        for side in ("me", "them"):
            ax.plot(x, [row[side] for row in weekly], color=_COLORS[side], label=_LABELS[side], linewidth=1.5)
        ax.legend(frameon=False)
        charts.append(("How many messages each of you sent, week by week.", _svg(fig)))

        fig, ax = figure("Median reply time per week", "hours")
        for side in ("me", "them"):
            ys = [row[f"reply_median_s_{side}"] for row in weekly]
            ax.plot(
                x,
                [None if y is None else y / 3600 for y in ys],
                color=_COLORS[side],
                label=_LABELS[side],
                marker="o",
                markersize=2,
                linewidth=1,
            )
        ax.legend(frameon=False)
        charts.append(("The typical time each of you took to answer, week by week (gaps: no replies).", _svg(fig)))

        fig, ax = figure("Who started the conversation", "conversations")
        mine = [row["initiated_me"] for row in weekly]
        ax.bar(x, mine, color=_COLORS["me"], label=_LABELS["me"])
        ax.bar(x, [row["initiated_them"] for row in weekly], bottom=mine, color=_COLORS["them"], label=_LABELS["them"])
        ax.legend(frameon=False)
        gap = data["initiations"]["gap_hours"]
        charts.append((f"A conversation starts after {gap:g} hours or more of quiet.", _svg(fig)))

        tone = data["tone"]
        if tone["available"] and tone["weekly"]:
            index = {row["week"]: i for i, row in enumerate(weekly)}
            fig, ax = figure("Share of messages that read as negative", "share")
            for side in ("me", "them"):
                points = [(index[w["week"]], w[side]["negative"]) for w in tone["weekly"] if side in w]
                ax.plot(
                    [p[0] for p in points],
                    [p[1] for p in points],
                    color=_COLORS[side],
                    label=_LABELS[side],
                    marker="o",
                    markersize=2,
                    linewidth=1,
                )
            ax.set_ylim(0, 1)
            ax.legend(frameon=False)
            charts.append(
                (f"From the tone model, on up to {tone['sample_per_week']} messages per side and week.", _svg(fig))
            )
    finally:
        plt.close("all")
    return charts


def _delay(seconds: float | None) -> str:
    return "-" if seconds is None else describe_delay(timedelta(seconds=seconds))


def _pct(share: float | None) -> str:
    return "-" if share is None else f"{share:.0%}"


def _rows(data: dict[str, Any]) -> list[tuple[str, str, str]]:
    """(figure, you, them) rows of the summary table."""
    weeks = data["weeks"]
    d, ln, ini, st = data["reply_delay"], data["length"], data["initiations"], data["streaks"]
    m = data["messages"]
    rows = [("Messages", f"{m['me']:,}", f"{m['them']:,}")]
    for scope, label in (("recent", f"last {weeks} weeks"), ("all_time", "all time")):
        rows.append(
            (f"Median reply time, {label}", _delay(d["me"][scope]["median_s"]), _delay(d["them"][scope]["median_s"]))
        )
        rows.append(
            (f"9 in 10 replies within, {label}", _delay(d["me"][scope]["p90_s"]), _delay(d["them"][scope]["p90_s"]))
        )
    for scope, label in (("recent", f"last {weeks} weeks"), ("all_time", "all time")):
        rows.append(
            (
                f"Median words per message, {label}",
                str(ln["me"][scope]["median_words"] or "-"),
                str(ln["them"][scope]["median_words"] or "-"),
            )
        )
    rows.append(("Conversations started, all time", str(ini["all_time"]["me"]), str(ini["all_time"]["them"])))
    rows.append((f"Conversations started, last {weeks} weeks", str(ini["recent"]["me"]), str(ini["recent"]["them"])))
    rows.append(("Longest run of messages in a row", str(st["me"]["longest"]), str(st["them"]["longest"])))
    rows.append(("Waiting for an answer now", str(st["me"]["current"]), str(st["them"]["current"])))
    tone = data["tone"]
    if tone["available"]:
        for scope, label in (("recent", f"last {weeks} weeks"), ("all_time", "all time")):
            rows.append(
                (
                    f"Read as negative (sampled), {label}",
                    _pct(tone[scope]["me"]["negative"]),
                    _pct(tone[scope]["them"]["negative"]),
                )
            )
    adh = data["adherence"]
    if adh["agreements"]:
        rows.append(
            ("Messages during no-contact", str(adh["during_no_contact"]["me"]), str(adh["during_no_contact"]["them"]))
        )
        rows.append(
            ("Messages outside agreed windows", str(adh["outside_windows"]["me"]), str(adh["outside_windows"]["them"]))
        )
    return rows


def render_html(data: dict[str, Any], recent: Sequence[StoredMessage] | None = None) -> str:
    """The whole page. ``recent``: messages to show as text (only with --include-text)."""
    m = data["messages"]
    parts = [
        "<!doctype html>",
        '<html lang="en"><head><meta charset="utf-8">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        "<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; style-src 'unsafe-inline'\">",
        '<meta name="referrer" content="no-referrer">',
        f"<title>Conversation report</title><style>{_CSS}</style></head><body><main>",
        "<h1>Conversation report</h1>",
    ]
    if not m["total"]:
        parts.append("<p>No messages are stored yet.</p></main></body></html>")
        return "\n".join(parts)
    parts.append(
        f'<p class="note">{m["total"]:,} messages from {escape(m["first_at"][:10])} to '
        f"{escape(m['last_at'][:10])}; made {escape(data['generated_at'][:16].replace('T', ' '))} UTC. "
        "These are counts and times, not judgements.</p>"
    )
    parts.append(
        '<h2>Figures</h2><div class="scroll"><table><thead><tr><th>Figure</th><th>You</th><th>Them</th>'
        "</tr></thead><tbody>"
    )
    for name, mine, theirs in _rows(data):
        cells = f'<td class="n">{escape(mine)}</td><td class="n">{escape(theirs)}</td>'
        parts.append(f"<tr><td>{escape(name)}</td>{cells}</tr>")
    parts.append("</tbody></table></div>")
    charts = _charts(data)
    if charts:
        parts.append("<h2>Charts</h2>")
        for caption, svg in charts:
            parts.append(f"<figure>{svg}<figcaption>{escape(caption)}</figcaption></figure>")
    if not data["tone"]["available"]:
        parts.append(f'<p class="note">Tone was not measured: {escape(data["tone"]["reason"])}.</p>')
    parts.append(
        '<h2>Week by week</h2><div class="scroll"><table><thead><tr><th>Week</th><th>You</th><th>Them</th>'
        "<th>Started by you</th><th>Started by them</th></tr></thead><tbody>"
    )
    for row in data["weekly"]:
        numbers = (row["me"], row["them"], row["initiated_me"], row["initiated_them"])
        cells = "".join(f'<td class="n">{n}</td>' for n in numbers)
        parts.append(f"<tr><td>{escape(row['week'])}</td>{cells}</tr>")
    parts.append("</tbody></table></div>")
    if recent is not None:
        parts.append('<h2>Most recent messages</h2><div class="scroll"><table><tbody>')
        for message in recent:
            who = _LABELS.get(message.direction, message.direction)
            text = message.text if message.kind == "text" else f"[{message.kind}] {message.text}".rstrip()
            parts.append(
                f"<tr><td>{escape(message.at.isoformat()[:16].replace('T', ' '))}</td><td>{escape(who)}</td>"
                f"<td>{escape(text)}</td></tr>"
            )
        parts.append("</tbody></table></div>")
    parts.append("</main></body></html>")
    return "\n".join(parts)
