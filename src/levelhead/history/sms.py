"""SMS Backup & Restore XML (``<smses>`` holding ``<sms>`` and ``<mms>``), parsed as a stream.

Files can be gigabytes of base64 media, so elements are read with ``iterparse`` and cleared as soon as
they are used; only the chosen thread's text is kept.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from pathlib import Path
from typing import IO

from levelhead.history.model import ImportedMessage, ImportFailed, Kind, ParsedChat, finish, from_epoch, sha256_of

_SMS_KEEP = {"1": "them", "2": "me", "4": "me", "6": "me"}  # 3 draft and 5 failed were never delivered
_MMS_KEEP = {"1": "them", "2": "me", "4": "me"}
_MMS_FROM = "137"
# Runs of character references that may hold UTF-16 surrogates (&#55357;&#56832;), which XML rejects.
_REF_RUN = re.compile(rb"(?:&#(?:\d{5}|[xX][0-9a-fA-F]{4});)+")
_REF = re.compile(rb"&#(\d+|[xX][0-9a-fA-F]+);")
_TAIL = re.compile(rb"(?:&#[0-9xXa-fA-F]{1,6};)*(?:&#?[0-9xXa-fA-F]{0,6})?\Z")


def phone_key(address: str) -> str:
    """A comparable form of a number: digits only, last 9 kept (so +44 7700 900123 == 07700 900123)."""
    address = address.strip()
    digits = "".join(ch for ch in address if ch.isdigit())
    if len(digits) < 5 or any(ch.isalpha() for ch in address):
        return address.casefold()  # short codes, e-mail addresses, "Amazon"
    return digits[-9:]


def thread_key(address: str) -> tuple[str, ...]:
    """Group threads list several numbers separated by "~"."""
    return tuple(sorted({phone_key(a) for a in address.split("~") if a.strip()}))


class _SurrogateFixer:
    """A binary reader that joins split surrogate references into one code point (lone ones become U+FFFD)."""

    def __init__(self, raw: IO[bytes]) -> None:
        self.raw = raw
        self.pending = b""

    def read(self, size: int = -1) -> bytes:
        data = self.raw.read(size if size > 0 else 1 << 20)
        if not data:
            out, self.pending = self.pending, b""
            return _fix_refs(out)
        data = self.pending + data
        tail = _TAIL.search(data, max(0, len(data) - 256))
        cut = tail.start() if tail and tail.start() < len(data) else len(data)
        out, self.pending = data[:cut], data[cut:]
        if not out and self.pending:  # the whole read was references: keep going
            return self.read(size)
        return _fix_refs(out)


def _fix_refs(data: bytes) -> bytes:
    return _REF_RUN.sub(_join_run, data) if b"&#" in data else data


def _join_run(m: re.Match[bytes]) -> bytes:
    values = [int(v[1:], 16) if v[:1] in b"xX" else int(v) for v in _REF.findall(m.group())]
    out: list[str] = []
    i = 0
    while i < len(values):
        v = values[i]
        nxt = values[i + 1] if i + 1 < len(values) else 0
        if 0xD800 <= v <= 0xDBFF and 0xDC00 <= nxt <= 0xDFFF:
            out.append(f"&#{0x10000 + ((v - 0xD800) << 10) + (nxt - 0xDC00)};")
            i += 2
            continue
        out.append("&#65533;" if 0xD800 <= v <= 0xDFFF else f"&#{v};")
        i += 1
    return "".join(out).encode("ascii")


def _attr(el: ET.Element, name: str) -> str:
    value = el.get(name, "")
    return "" if value == "null" else value


def _elements(path: Path) -> Iterator[tuple[int, ET.Element]]:
    """Each top-level <sms>/<mms>, with its index; the element is cleared after the caller is done."""
    with path.open("rb") as fh:
        events = ET.iterparse(_SurrogateFixer(fh), events=("start", "end"))
        depth = 0
        root: ET.Element | None = None
        index = 0
        try:
            for event, el in events:
                if event == "start":
                    if root is None:
                        root = el
                        if el.tag == "calls":
                            raise ImportFailed("this is an SMS Backup & Restore call log (<calls>), not messages")
                        if el.tag != "smses":
                            raise ImportFailed(f"root element <{el.tag[:40]}>: expected <smses> (SMS Backup & Restore)")
                    depth += 1
                    continue
                depth -= 1
                if depth == 1 and root is not None:
                    if el.tag in {"sms", "mms"}:
                        index += 1
                        yield index, el
                    root.clear()  # keeps memory bounded
        except ET.ParseError as err:
            line, col = err.position
            raise ImportFailed(f"line {line}, column {col}: broken XML ({_reason(err)}); nothing imported") from None
        if root is None:
            raise ImportFailed("the file is empty")


def _reason(err: ET.ParseError) -> str:
    text = str(err).split(":", 1)[0]
    return "the file ends early, truncated?" if "no element found" in text else text


def _epoch_ms(value: str, where: str) -> float:
    try:
        return int(value) / 1000
    except ValueError:
        raise ImportFailed(f"{where}: date {value[:20]!r} is not a number") from None


def parse(path: Path, me: str | None, contact: str | None) -> ParsedChat:
    wanted = thread_key(contact) if contact else None
    by_name = contact.strip().casefold() if contact else None
    threads: dict[tuple[str, ...], list[ImportedMessage]] = {}
    names: dict[tuple[str, ...], str] = {}
    me_label = me.strip() if me and me.strip() else "Me"
    for index, el in _elements(path):
        where = f"<{el.tag}> #{index}"
        address = _attr(el, "address")
        key = thread_key(address)
        name = _attr(el, "contact_name")
        if name and name != "(Unknown)":
            names.setdefault(key, name)
        if wanted is not None and key != wanted and by_name != name.casefold():
            continue
        msg = _sms(el, where, me_label) if el.tag == "sms" else _mms(el, where, me_label, len(key) > 1)
        if msg is not None:
            msg.sender = msg.sender or address
            threads.setdefault(key, []).append(msg)
    if len(threads) != 1:
        listed = ", ".join(f"{names.get(k, '?')} ({'~'.join(k)}, {len(v)} messages)" for k, v in threads.items())
        if not threads:
            raise ImportFailed(f"no messages found{' for --contact ' + repr(contact) if contact else ''}")
        raise ImportFailed(f"the backup holds several threads; pass --contact with a number or name: {listed}")
    ((key, messages),) = threads.items()
    if len(key) == 1:  # one label for the other side, whichever message first carried a name
        label = names.get(key) or next((m.sender for m in messages if m.sender != me_label), key[0])
        for m in messages:
            if m.sender != me_label:
                m.sender = label
    return finish("sms", sha256_of([path]), messages, me_label)


def _sms(el: ET.Element, where: str, me_label: str) -> ImportedMessage | None:
    side = _SMS_KEEP.get(_attr(el, "type"))
    if side is None:
        return None
    at = from_epoch(_epoch_ms(_attr(el, "date"), where), where)
    body = _attr(el, "body")
    return ImportedMessage(at, me_label if side == "me" else "", "", "text", body, False)


def _mms(el: ET.Element, where: str, me_label: str, group: bool) -> ImportedMessage | None:
    side = _MMS_KEEP.get(_attr(el, "msg_box"))
    if side is None:
        return None
    at = from_epoch(_epoch_ms(_attr(el, "date"), where), where)  # `date` is ms; `date_sent` is seconds
    texts: list[str] = []
    kind: Kind = "text"
    for part in el.iter("part"):
        ct = _attr(part, "ct")
        if ct == "text/plain":
            texts.append(_attr(part, "text"))
        elif ct and ct != "application/smil":
            kind = "media"
    sender = me_label if side == "me" else ""
    if side == "them":
        for addr in el.iter("addr"):
            if _attr(addr, "type") == _MMS_FROM:
                sender = _attr(addr, "address")
                break
    return ImportedMessage(at, sender, "", kind, "\n".join(t for t in texts if t), False)
