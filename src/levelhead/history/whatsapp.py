"""WhatsApp "Export chat" text, Android and iOS, as .txt or a .zip with media.

Two streaming passes: the first settles day/month order for the whole file, the second builds the
messages. Both read ~256 KiB regions that end on a line break and let the regex engine find headers
(a header is only recognised right after "\\n": the file is split on \\n alone, never on U+2028/U+0085,
which occur inside messages). Memory is bounded by the output.
"""

from __future__ import annotations

import codecs
import re
import unicodedata
import zipfile
import zlib
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path, PurePosixPath
from typing import IO

from levelhead.history.model import (
    Clock,
    ImportedMessage,
    ImportFailed,
    Kind,
    ParsedChat,
    clean_name,
    finish,
    resolve_me,
    sha256_of,
)

_SP = r"[ \t\u00a0\u202f]"  # spaces inside a header; never a line break
_AMPM = r"[AaPp]\.?[ \u00a0\u202f]?[Mm]\.?|上午|下午|午前|午後|오전|오후"
_TIME = rf"(?:(?:{_AMPM}){_SP}?)?\d{{1,2}}[:.]\d{{2}}(?:[:.]\d{{2}})?(?:{_SP}?(?:{_AMPM}))?"
_DATE = rf"(\d{{1,4}}([./-]){_SP}?\d{{1,2}}\3{_SP}?\d{{1,4}})\.?,?{_SP}(?:klo{_SP})?"
# Android "\nDATE, TIME - Author: text"; iOS "\n[DATE, TIME:SS] Author: text" (group 1 is the bracket).
_HEADER = re.compile(rf"\n\u200e?(\[)?{_DATE}({_TIME})(?(1)\]{_SP}|{_SP}[-–]{_SP})")
# The same, plus the author: everything up to the first ": " on the line (authors may hold lone colons).
_MESSAGE = re.compile(_HEADER.pattern + r"(?:([^\n:]*(?::(?! )[^\n:]*)*): )?")
_DATES_ONLY = re.compile(rf"\n\u200e?(\[)?{_DATE}(?:{_TIME})(?(1)\]{_SP}|{_SP}[-–]{_SP})")
_TIME_PARTS = re.compile(rf"(?:({_AMPM}){_SP}?)?(\d{{1,2}})[:.](\d{{2}})(?:[:.](\d{{2}}))?(?:{_SP}?({_AMPM}))?")
_DATE_PARTS = re.compile(rf"(\d+)[./-]{_SP}?(\d+)[./-]{_SP}?(\d+)")
_PM = ("p", "P", "下午", "午後", "오후")
_CHUNK = 1 << 18  # bytes per read: keeps streaming memory at a few MiB

_MEDIA: Kind = "media"
_DELETED: Kind = "deleted"
_MARKERS: dict[str, Kind] = {
    s: _MEDIA
    for s in (
        "<Media omitted>", "<Medien ausgelassen>", "<Archivo omitido>", "<Multimedia omitido>", "<Médias omis>",
        "<Mídia oculta>", "<Media weggelaten>", "<Media omessi>", "image omitted", "video omitted",
        "audio omitted", "sticker omitted", "GIF omitted", "document omitted", "Contact card omitted",
        "imagen omitida", "video omitido", "audio omitido", "sticker omitido", "Bild weggelassen",
        "Video weggelassen", "Audio weggelassen", "Sticker weggelassen", "image absente", "vidéo absente",
    )
} | {
    variant: _DELETED
    for s in (
        "This message was deleted", "You deleted this message", "Diese Nachricht wurde gelöscht",
        "Du hast diese Nachricht gelöscht", "Se eliminó este mensaje", "Eliminaste este mensaje",
        "Ce message a été supprimé", "Vous avez supprimé ce message", "Mensagem apagada",
        "Você apagou esta mensagem", "Dit bericht is verwijderd", "Questo messaggio è stato eliminato",
    )
    for variant in (s, s + ".")  # iOS ends them with a full stop
}  # fmt: skip
_ATTACHED = re.compile(
    r"(?:<(?:attached|angehängt|adjunto|pièce jointe): [^>\n]*>"
    r"|[^\n]*?\.\w{1,5} \((?:file attached|Datei angehängt|archivo adjunto|fichier joint|arquivo anexado)\))"
    r"\s*"
)
_EDITED = (
    "<This message was edited>", "<Diese Nachricht wurde bearbeitet>", "<Se editó este mensaje.>",
    "<Ce message a été modifié>", "<Esta mensagem foi editada>", "<Dit bericht is bewerkt>",
)  # fmt: skip
# System lines recognised by phrase even when written with an author (iOS) or a colon (a group subject).
_SYSTEM_PREFIXES = (
    "Messages and calls are end-to-end encrypted", "Messages to this group are now secured",
    "Nachrichten und Anrufe sind Ende-zu-Ende-verschlüsselt", "Los mensajes y las llamadas están cifrados",
    "Missed voice call", "Missed video call", "You blocked this contact", "You unblocked this contact",
    "Your security code with ", "Waiting for this message",
)  # fmt: skip
_SPECIAL_PREFIXES = (*_SYSTEM_PREFIXES, "Location: ")  # a shared location counts as media
_SUBJECT_CHANGE = re.compile(
    " (?:changed the subject |changed the group description|hat den Betreff |cambió el asunto |a modifié le sujet )"
)


def parse(path: Path, clock: Clock, me: str | None, date_order: str | None) -> ParsedChat:
    """The whole chat; ``--me`` must name one of the authors."""
    messages = list(iter_messages(path, clock, date_order))
    return finish("whatsapp", sha256_of([path]), messages, lambda senders: resolve_me(senders, me))


def iter_messages(path: Path, clock: Clock, date_order: str | None = None) -> Iterator[ImportedMessage]:
    """Stream the messages of an export (directions unset): bounded memory for any size."""
    opener = _opener(path)
    order = date_order or _decide_order(opener)
    return _messages(opener, order, clock)


# -- reading -----------------------------------------------------------------------------------

Opener = Callable[[], IO[bytes]]
# RuntimeError also covers encrypted members and unsupported compression methods.
_ZIP_ERRORS = (zipfile.BadZipFile, zlib.error, EOFError, RuntimeError, ValueError, OSError)


def _opener(path: Path) -> Opener:
    """A function that reopens the chat bytes; a zip holds them as _chat.txt beside media and __MACOSX/."""
    with path.open("rb") as fh:
        if fh.read(4) != b"PK\x03\x04":
            return lambda: path.open("rb")
    try:
        with zipfile.ZipFile(path) as zf:
            names = [i.filename for i in zf.infolist() if not i.is_dir()]
    except _ZIP_ERRORS as err:
        raise ImportFailed(f"not a readable zip archive: {err}") from None
    texts = [
        n
        for n in names
        if n.lower().endswith(".txt") and not n.startswith("__MACOSX/") and not PurePosixPath(n).name.startswith("._")
    ]
    chosen = [n for n in texts if PurePosixPath(n).name == "_chat.txt"] or texts
    if len(chosen) != 1:
        raise ImportFailed(f"the zip must hold exactly one chat .txt file (found: {', '.join(texts) or 'none'})")

    def open_member() -> IO[bytes]:
        try:
            return zipfile.ZipFile(path).open(chosen[0])
        except _ZIP_ERRORS as err:
            raise ImportFailed(f"{chosen[0]} cannot be read from the zip: {err}") from None

    return open_member


def _regions(opener: Opener) -> Iterator[str]:
    """NFC text in pieces that each end with "\\n" (one is added at the end of the file)."""
    decoder = codecs.getincrementaldecoder("utf-8-sig")()
    pending = ""
    lines_before = 0  # line breaks in the bytes read before this read (a line break is one byte in UTF-8)
    raw = b""
    with opener() as fh:
        while True:
            lines_before += raw.count(b"\n")
            try:
                raw = fh.read(_CHUNK)
                text = decoder.decode(raw, final=not raw)
            except UnicodeDecodeError as err:
                line = lines_before + raw[: err.start].count(b"\n") + 1
                raise ImportFailed(f"line {line}: not UTF-8 text (is this really a WhatsApp export?)") from None
            except _ZIP_ERRORS as err:
                raise ImportFailed(f"line {lines_before + 1}: the chat is damaged inside the zip: {err}") from None
            text = pending + text
            cut = text.rfind("\n") + 1 if raw else len(text)
            region, pending = text[:cut], text[cut:]
            if region:
                if not region.endswith("\n"):
                    region += "\n"
                yield region if region.isascii() else unicodedata.normalize("NFC", region)
            if not raw:
                return


# -- dates ---------------------------------------------------------------------------------------


def _decide_order(opener: Opener) -> str:
    """Day/month order for the whole file, never per line: the first value over 12 in either position
    settles it (reading stops there); otherwise dd.mm.yyyy / dd-mm-yyyy mean day-first, and slashes ask."""
    seen: set[tuple[str, str, str]] = set()
    dotted = slashed = False
    for region in _regions(opener):
        forms = set(_DATES_ONLY.findall("\n" + region)) - seen
        seen |= forms
        for _, date, sep in forms:
            a, b, _c = (int(x) for x in _DATE_PARTS.match(date).groups())  # type: ignore[union-attr]
            if len(date.split(sep, 1)[0]) == 4:
                continue
            if a > 12 >= b:
                return "dmy"
            if b > 12 >= a:
                return "mdy"
            dotted = dotted or sep != "/"
            slashed = slashed or sep == "/"
    if not slashed:
        return "dmy" if dotted else "ymd"
    raise ImportFailed("cannot tell day/month order (no date has a day over 12); pass --date-order dmy or mdy")


def _date(text: str, sep: str, order: str) -> tuple[int, int, int] | None:
    a, b, c = (int(x) for x in _DATE_PARTS.match(text).groups())  # type: ignore[union-attr]
    if len(text.split(sep, 1)[0]) == 4 or order == "ymd":
        y, mo, d = a, b, c
    elif order == "mdy":
        mo, d, y = a, b, c
    else:
        d, mo, y = a, b, c
    if y < 100:
        y += 2000
    if not 1970 <= y <= 2199:
        return None
    try:
        datetime(y, mo, d)
    except ValueError:  # 32/13/99 is no header: the line continues the previous message
        return None
    return y, mo, d


_NO_DAY: tuple[datetime | None, tuple[int, int, int]] = (None, (0, 0, 0))
_NO_TIME = timedelta(-1)


def _day(text: str, sep: str, order: str, clock: Clock) -> tuple[datetime | None, tuple[int, int, int]]:
    """UTC instant of local midnight (None on a day the offset changes), and y/m/d; _NO_DAY if invalid."""
    ymd = _date(text, sep, order)
    if ymd is None:
        return _NO_DAY
    off = clock.day_offset(*ymd)
    return (None if off is None else datetime(*ymd, tzinfo=UTC) - off), ymd


def _time(text: str) -> timedelta:
    """Time since midnight, or _NO_TIME when the text is no valid time."""
    m = _TIME_PARTS.fullmatch(text)
    if m is None:
        return _NO_TIME
    ampm = m[1] or m[5]
    h, mi, s = int(m[2]), int(m[3]), int(m[4] or 0)
    if ampm:  # 12h: 12 AM is midnight; Japanese writes 午前0:15
        if h > 12:
            return _NO_TIME
        h = h % 12 + (12 if ampm.startswith(_PM) else 0)
    return timedelta(hours=h, minutes=mi, seconds=s) if h < 24 and mi < 60 and s < 60 else _NO_TIME


# -- messages ------------------------------------------------------------------------------------


def _messages(opener: Opener, order: str, clock: Clock) -> Iterator[ImportedMessage]:
    """Second pass: everything up to the next *valid* header belongs to the current message."""
    # Per distinct date: UTC instant of local midnight (None on a day the offset changes) and y/m/d.
    days: dict[str, tuple[datetime | None, tuple[int, int, int]]] = {}
    times: dict[str, timedelta] = {}
    author: str | None = None
    names: dict[str, str] = {}  # one string object per author
    at: datetime | None = None
    last_date = last_time = ""  # the last valid header's date and time: its instant is `at`
    carry = "\n"
    lines_before = 0  # counted only until the first header: only an error before it names a line
    for region in _regions(opener):
        text = carry + region
        start = 0  # where the current message's "Author: body" starts in text
        for m in _MESSAGE.finditer(text):
            date, sep, clock_time, next_author = m.group(2, 3, 4, 5)
            if clock_time == last_time and date == last_date:  # the same minute again: the same instant
                begin, end = m.span()
                yield _build(at, author, text[start:begin], names)  # type: ignore[arg-type]  # at is set
                author, start = next_author, end
                continue
            day = days.get(date)
            if day is None:
                day = days[date] = _day(date, sep, order, clock)
            since_midnight = times.get(clock_time)
            if since_midnight is None:
                since_midnight = times[clock_time] = _time(clock_time)
            if day is _NO_DAY or since_midnight is _NO_TIME:
                continue  # e.g. 32/13/99: not a header, the line continues the message
            begin, end = m.span()
            if at is not None:
                yield _build(at, author, text[start:begin], names)
            elif text[:begin].strip():
                _not_a_header(text, lines_before)
            author = next_author
            midnight, ymd = day  # DST days take the exact (slower) conversion
            at = midnight + since_midnight if midnight is not None else clock.exact(datetime(*ymd) + since_midnight)
            last_date, last_time, start = date, clock_time, end
        if at is None:
            if text.strip():
                _not_a_header(text, lines_before)
            carry = "\n"
            lines_before += region.count("\n")
        else:
            carry = text[start:]
    if at is None:
        raise ImportFailed("no WhatsApp messages found (empty file?)")
    yield _build(at, author, carry.rstrip("\r\n"), names)


def _not_a_header(text: str, lines_before: int) -> None:
    """Text before the first valid header: not a WhatsApp export (or a wrong --date-order)."""
    j = len(text) - len(text.lstrip())
    line = lines_before + text[1:j].count("\n") + 1
    snippet = text[j:].split("\n", 1)[0][:60]
    raise ImportFailed(f"line {line}: expected a WhatsApp message header, got {snippet!r}")


def _build(at: datetime, author: str | None, rest: str, names: dict[str, str]) -> ImportedMessage:
    """One message from its author and body, or an authorless system line."""
    if "\r" in rest:  # CRLF files (the slice already ends before the last "\n")
        rest = rest.replace("\r\n", "\n").rstrip("\r")
    if author is None or (len(author) > 16 and _SUBJECT_CHANGE.search(author)):  # shorter holds no subject change
        text = rest if author is None else f"{author}: {rest}"
        return ImportedMessage(at, "", "", "system", text.replace("\u200e", ""), False)
    sender = names.get(author) or names.setdefault(author, clean_name(author))
    plain = rest.isascii() and "<" not in rest and "(" not in rest and rest not in _MARKERS
    if plain and not rest.startswith(_SPECIAL_PREFIXES):  # the common case, without the marker checks
        return ImportedMessage(at, sender, "", "text", rest, False)
    kind, text, edited = _classify(rest)
    return ImportedMessage(at, sender, "", kind, text, edited)


def _classify(body: str) -> tuple[Kind, str, bool]:
    """Kind, text and edited flag of a body, by its (localised) markers."""
    marked = False
    if not body.isascii() and "\u200e" in body:
        marked = body.startswith("\u200e")  # iOS: system lines and media markers carry a leading LRM
        body = body.replace("\u200e", "")
    edited = False
    if body.endswith(">"):
        for marker in _EDITED:
            if body.endswith(marker):
                body, edited = body[: -len(marker)].rstrip(), True
                break
    kind = _MARKERS.get(body)
    if kind is not None:
        return kind, "", edited
    if "<" in body or "(" in body:
        m = _ATTACHED.match(body)
        if m:
            return "media", body[m.end() :], edited
    if marked or body.startswith(_SPECIAL_PREFIXES):
        return ("media" if body.startswith("Location: ") else "system"), body, edited
    return "text", body, edited
