"""The agreements as calendar events (iCalendar, via the ``icalendar`` package).

- A no-contact period: an all-day event on the day contact may resume (the agreed "until" date).
- A social-media break: an all-day event on its end date.
- A contact window: a weekly recurring event on its days, from its start to its end time in the user's
  zone (a window that crosses midnight ends the next day).

Event titles stay neutral ("Contact window", not the ex's name), since a calendar is often shared or synced.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from levelhead.storage.view import StoredAgreement

_BYDAY = ("MO", "TU", "WE", "TH", "FR", "SA", "SU")
PRODID = "-//levelhead//agreements//EN"


def agreements_calendar(agreements: Iterable[StoredAgreement], zone: str, today: date) -> bytes:
    """An iCalendar file of the agreements in force; windows repeat weekly from ``today`` in ``zone``."""
    from icalendar import Calendar

    calendar = Calendar()
    calendar.add("prodid", PRODID)
    calendar.add("version", "2.0")
    calendar.add("x-wr-calname", "Agreements")
    tz = ZoneInfo(zone)
    for agreement in agreements:
        for event in _events(agreement, tz, today):
            calendar.add_component(event)
    calendar.add_missing_timezones()
    data: bytes = calendar.to_ical()
    return data


def _events(agreement: StoredAgreement, tz: ZoneInfo, today: date) -> list[Any]:
    details = agreement.details
    if agreement.kind == "no-contact":
        note = "Contact may resume from today, as agreed."
        if details.get("except"):
            note += " Exceptions during the period: " + ", ".join(details["except"]) + "."
        return [_all_day(agreement, "No-contact period ends", date.fromisoformat(details["until"]), note)]
    if agreement.kind == "social-block":
        return [_all_day(agreement, "Social media break ends", date.fromisoformat(details["until"]), "")]
    if agreement.kind == "window":
        return [_window(agreement, tz, today)]
    return []


def _event(agreement: StoredAgreement, summary: str, description: str) -> Any:
    from icalendar import Event

    event = Event()
    event.add("uid", f"{agreement.uid}@levelhead")
    event.add("dtstamp", agreement.created_at)
    event.add("summary", summary)
    if description:
        event.add("description", description)
    return event


def _all_day(agreement: StoredAgreement, summary: str, day: date, description: str) -> Any:
    event = _event(agreement, summary, description)
    event.add("dtstart", day)
    event.add("dtend", day + timedelta(days=1))
    event.add("transp", "TRANSPARENT")
    return event


def _window(agreement: StoredAgreement, tz: ZoneInfo, today: date) -> Any:
    from levelhead.situation import parse_days

    details = agreement.details
    days = sorted(parse_days(str(details["days"])))
    start, end = time.fromisoformat(details["from"]), time.fromisoformat(details["to"])
    first = next(today + timedelta(days=k) for k in range(7) if (today + timedelta(days=k)).weekday() in days)
    begins = datetime.combine(first, start, tzinfo=tz)
    ends = datetime.combine(first + timedelta(days=1 if end <= start else 0), end, tzinfo=tz)
    purpose = details.get("purpose") or ""
    summary = f"Contact window: {purpose}" if purpose else "Contact window"
    channel = f" by {details['channel']}" if details.get("channel") else ""
    event = _event(agreement, summary, f"Agreed time for contact{channel}.")
    event.add("dtstart", begins)
    event.add("dtend", ends)
    event.add("rrule", {"freq": "weekly", "byday": [_BYDAY[d] for d in days]})
    return event
