"""The versioned JSON form of a report (``schema`` says which version)."""

from __future__ import annotations

import json

from levelhead.diagnostics import Report


def render(report: Report) -> str:
    return json.dumps(report.to_wire(), ensure_ascii=False, indent=2)
