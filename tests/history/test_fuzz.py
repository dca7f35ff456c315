"""Fuzz every format: random bytes, truncations and mutations of valid fixtures may only raise ImportFailed."""

from __future__ import annotations

import contextlib
import tempfile
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from levelhead.history import ImportFailed, parse_file

from .conftest import FIXTURES, build_chat_db

CASES = {
    "whatsapp": ["whatsapp_android_us.txt", "whatsapp_ios_de.txt", "whatsapp_ios.zip", "whatsapp_android_es.txt"],
    "telegram": ["telegram_single.json", "telegram_full.json"],
    "sms": ["sms_backup.xml"],
    "signal": ["signal.txt", "signal.jsonl"],
    "messenger": ["messenger/messages/inbox/zoepark_123/message_1.json"],
    "csv": ["generic.csv"],
    "jsonl": ["generic.jsonl"],
}
FUZZ = settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def _sample(kind: str, index: int) -> bytes:
    names = CASES[kind]
    return (FIXTURES / names[index % len(names)]).read_bytes()


@st.composite
def damaged(draw: st.DrawFn, original: bytes) -> bytes:
    how = draw(st.sampled_from(["random", "truncate", "mutate", "insert"]))
    if how == "random":
        return draw(st.binary(max_size=400))
    if how == "truncate":
        return original[: draw(st.integers(0, len(original)))]
    data = bytearray(original)
    for _ in range(draw(st.integers(1, 8))):
        pos = draw(st.integers(0, max(0, len(data) - 1)))
        chunk = draw(st.binary(min_size=1, max_size=6))
        if how == "mutate":
            data[pos : pos + len(chunk)] = chunk
        else:
            data[pos:pos] = chunk
    return bytes(data)


def _check(kind: str, data: bytes, name: str) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / name
        path.write_bytes(data)
        for k in (kind, "auto"):
            with contextlib.suppress(ImportFailed):  # anything else escaping fails the test
                parse_file(path, kind=k, me="Alex", contact="Sam", tz="UTC", date_order=None)


@pytest.mark.parametrize("kind", sorted(CASES))
@FUZZ
@given(data=st.data(), index=st.integers(0, 3))
def test_only_import_failed_escapes(kind: str, data: st.DataObject, index: int) -> None:
    original = _sample(kind, index)
    name = Path(CASES[kind][index % len(CASES[kind])]).name
    _check(kind, data.draw(damaged(original)), name)


@FUZZ
@given(data=st.data())
def test_imessage_fuzz(data: st.DataObject) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        original = build_chat_db(Path(tmp) / "chat.db").read_bytes()
    _check("imessage", data.draw(damaged(original)), "chat.db")
