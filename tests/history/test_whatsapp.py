"""WhatsApp: Android and iOS, every locale trap from docs/chat-exports.md."""

from __future__ import annotations

import time
import zipfile
from datetime import UTC, datetime
from pathlib import Path

import pytest

from levelhead.history import ImportFailed, detect_kind, parse_file

from .conftest import FIXTURES


def _at(*args: int) -> datetime:
    return datetime(*args, tzinfo=UTC)


def test_android_us_12h_narrow_nbsp_and_markers() -> None:
    chat = parse_file(FIXTURES / "whatsapp_android_us.txt", me="Alex", tz="UTC")
    assert chat.kind == "whatsapp"
    assert chat.participants == ["Alex", "Team 10:30 🏃 Sam"]  # author with a colon and an emoji
    m = chat.messages
    assert [x.kind for x in m] == ["system", "text", "text", "text", "media", "deleted", "text", "text", "system",
                                   "media"]  # fmt: skip
    assert m[0].direction == "system" and m[0].at == _at(2025, 11, 2, 21, 15)  # 9:15 PM with U+202F
    assert m[1].direction == "me" and m[2].direction == "them"
    assert m[2].text == "sure: what time works?"  # split on the first ": " only
    # multi-line: U+2028 stays inside, and an invalid "32/13/99" header continues the message
    assert m[3].text == (
        "first line\u2028same line after U+2028\nsecond line of the same message\n"
        "32/13/99, 10:00 - this looks like a header but is not"
    )
    assert m[4].at == _at(2025, 11, 14, 0, 5)  # 12:05 AM is just after midnight
    assert m[5].text == ""
    # timestamps went backwards: sorted, stably
    assert [x.text for x in m[6:8]] == ["going back in time", "running late"]
    assert m[7].edited and m[7].at == _at(2025, 11, 14, 13, 7)
    assert "changed the subject" in m[8].text and m[8].sender == ""  # a colon inside a system line
    assert m[9].text == "the photo from Saturday"  # "(file attached)" with a caption line


def test_ios_german_crlf_lrm_system_by_mark() -> None:
    chat = parse_file(FIXTURES / "whatsapp_ios_de.txt", me="alex", tz="UTC")
    m = chat.messages
    assert chat.participants == ["Alex", "Sam"]
    assert m[0].kind == "system" and "\u200e" not in m[0].text  # attributed to the chat, marked with U+200E
    assert m[1].text == "Hallo Sam" and m[1].at == _at(2025, 3, 28, 21, 29, 5)  # seconds, dd.mm.yy, no \r
    assert m[2].kind == "media" and m[2].direction == "them"  # "‎Bild weggelassen"
    assert m[3].kind == "media"  # LRM before the line and before <attached: ...>
    assert m[4].text == "Wir sehen uns" and m[4].edited
    assert m[5].kind == "deleted"
    assert m[6].text == "Zeile eins\nZeile zwei"
    assert m[7].kind == "system"  # missed call


def test_zip_with_media_and_macosx_matches_txt() -> None:
    txt = parse_file(FIXTURES / "whatsapp_ios_de.txt", me="Alex", tz="UTC")
    zipped = parse_file(FIXTURES / "whatsapp_ios.zip", me="Alex", tz="UTC")
    assert detect_kind(FIXTURES / "whatsapp_ios.zip") == "whatsapp"
    assert [m.to_wire() for m in zipped.messages] == [m.to_wire() for m in txt.messages]
    assert zipped.sha256 != txt.sha256  # the hash is of the file given


def test_german_media_marker_and_dots_mean_day_first() -> None:
    chat = parse_file(FIXTURES / "whatsapp_android_de.txt", me="Sam", tz="UTC")
    assert chat.messages[0].at == _at(2025, 3, 5, 9, 15)  # 05.03.25: 5 March, no value over 12 needed
    assert chat.messages[1].kind == "media" and chat.messages[1].direction == "me"
    assert chat.messages[2].kind == "system"  # Android system line without an author


def test_spanish_p_m_without_comma() -> None:
    chat = parse_file(FIXTURES / "whatsapp_android_es.txt", me="Alex", tz="UTC")
    assert [m.at.hour for m in chat.messages] == [21, 21, 21, 0]
    assert [m.kind for m in chat.messages] == ["text", "media", "deleted", "media"]


def test_french_decomposed_marker_is_normalised() -> None:
    chat = parse_file(FIXTURES / "whatsapp_android_fr.txt", me="Alex", tz="UTC")
    assert chat.messages[1].kind == "media"


def test_ambiguous_dates_need_date_order() -> None:
    path = FIXTURES / "whatsapp_ambiguous.txt"
    with pytest.raises(ImportFailed, match="--date-order"):
        parse_file(path, me="Alex", tz="UTC")
    dmy = parse_file(path, me="Alex", tz="UTC", date_order="dmy")
    mdy = parse_file(path, me="Alex", tz="UTC", date_order="mdy")
    assert dmy.messages[0].at == _at(2025, 4, 3, 10, 15)
    assert mdy.messages[0].at == _at(2025, 3, 4, 10, 15)


def test_me_required_and_listed() -> None:
    with pytest.raises(ImportFailed, match="'Alex', 'Team 10:30 🏃 Sam'"):
        parse_file(FIXTURES / "whatsapp_android_us.txt", tz="UTC")
    with pytest.raises(ImportFailed, match="not a participant"):
        parse_file(FIXTURES / "whatsapp_android_us.txt", me="Bob", tz="UTC")


def test_time_zone_applies_to_wall_clock() -> None:
    chat = parse_file(FIXTURES / "whatsapp_android_de.txt", me="Sam", tz="Europe/Berlin")
    assert chat.messages[0].at == _at(2025, 3, 5, 8, 15)


def test_a_posix_tz_rule_in_the_environment_reads_as_local_time(monkeypatch: pytest.MonkeyPatch) -> None:
    """The default zone is the machine's: a TZ the C library reads (not a zone name) is local time, not an error."""
    monkeypatch.setenv("TZ", "<XMT>-05:30")
    time.tzset()
    try:
        chat = parse_file(FIXTURES / "whatsapp_android_de.txt", me="Sam")
    finally:
        monkeypatch.undo()
        time.tzset()
    assert chat.messages[0].at == _at(2025, 3, 5, 3, 45)  # 09:15 at +05:30


def test_dst_day_uses_exact_offsets(tmp_path: Path) -> None:
    path = tmp_path / "chat.txt"
    path.write_text("30.03.25, 01:30 - Alex: before\n30.03.25, 03:30 - Alex: after\n", encoding="utf-8")
    chat = parse_file(path, me="Alex", tz="Europe/Berlin")
    assert [m.at for m in chat.messages] == [_at(2025, 3, 30, 0, 30), _at(2025, 3, 30, 1, 30)]


@pytest.mark.parametrize(
    ("line", "expected"),
    [
        ("1.2.2023 klo 9.15 - Alex: moi", _at(2023, 2, 1, 9, 15)),
        ("2023/01/05 午後9:15 - Alex: x", _at(2023, 1, 5, 21, 15)),
        ("2023/01/05 午前0:15 - Alex: x", _at(2023, 1, 5, 0, 15)),
        ("2023. 1. 5. 오후 9:15 - Alex: x", _at(2023, 1, 5, 21, 15)),
        ("2023-01-05, 21:15 - Alex: x", _at(2023, 1, 5, 21, 15)),
        ("05-01-2023 21:15 - Alex: x", _at(2023, 1, 5, 21, 15)),
        ("[15/1/23, 9:15:07\u00a0a.m.] Alex: x", _at(2023, 1, 15, 9, 15, 7)),
        ("13/1/23, 9:15 am - Alex: x", _at(2023, 1, 13, 9, 15)),
        ("\u200e[1/13/23, 9:15:00 PM] Alex: x", _at(2023, 1, 13, 21, 15)),
    ],
)
def test_locale_headers(tmp_path: Path, line: str, expected: datetime) -> None:
    path = tmp_path / "chat.txt"
    path.write_text(line + "\n", encoding="utf-8")
    chat = parse_file(path, kind="whatsapp", me="Alex", tz="UTC")
    assert chat.messages[0].at == expected


def test_bad_input_names_the_line(tmp_path: Path) -> None:
    path = tmp_path / "chat.txt"
    path.write_bytes(b"hello there\n1/13/23, 9:15 PM - Alex: x\n")
    with pytest.raises(ImportFailed, match="line 1"):
        parse_file(path, kind="whatsapp", me="Alex")
    path.write_bytes(b"13/1/23, 9:15 - Alex: ok\n13/1/23, 9:16 - Alex: \xff\xfe bad\n")
    with pytest.raises(ImportFailed, match="line 2: not UTF-8"):
        parse_file(path, kind="whatsapp", me="Alex")
    path.write_bytes(b"")
    with pytest.raises(ImportFailed, match="empty"):
        parse_file(path, kind="whatsapp", me="Alex")


def test_zip_without_chat(tmp_path: Path) -> None:
    path = tmp_path / "x.zip"
    with zipfile.ZipFile(path, "w") as zf:
        zf.writestr("__MACOSX/._chat.txt", b"junk")
    with pytest.raises(ImportFailed, match=r"exactly one chat \.txt"):
        parse_file(path, me="Alex")


def test_to_wire_shape() -> None:
    wire = parse_file(FIXTURES / "whatsapp_android_de.txt", me="Alex", tz="UTC").to_wire()
    assert list(wire) == ["kind", "sha256", "participants", "messages"]
    assert wire["messages"][0] == {
        "at": "2025-03-05T09:15:00+00:00", "sender": "Alex", "from": "me", "kind": "text", "text": "Hallo",
        "edited": False,
    }  # fmt: skip
    assert len(wire["sha256"]) == 64


def test_group_chat_phone_and_tilde_authors(tmp_path: Path) -> None:
    path = tmp_path / "group.txt"
    path.write_text(
        "[13/01/2025, 09:00:00] Kids group: \u200eAlex created group “Kids group”\n"
        "[13/01/2025, 09:01:00] \u202a+44 7700 900123\u202c: hi all\n"
        "[13/01/2025, 09:02:00] ~\u202fRobin: hello\n"
        "[13/01/2025, 09:03:00] Alex: welcome\n",
        encoding="utf-8",
    )
    chat = parse_file(path, me="Alex", tz="UTC")
    assert chat.participants == ["+44 7700 900123", "Alex", "~\u202fRobin"]  # the group name is no participant
    assert [m.direction for m in chat.messages] == ["system", "other", "other", "me"]
