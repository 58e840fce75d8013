"""socialcrm.text: what is unsafe, refused when typed, removed from data, escaped on output."""

from __future__ import annotations

import json
import unicodedata

import pytest
from hypothesis import example, given
from hypothesis import strategies as st

from socialcrm.cli.render import _json_bytes, json_safe
from socialcrm.errors import ValidationError
from socialcrm.text import check, check_fields, clean, escape, first_unsafe, is_safe

BIDI = [chr(c) for c in (*range(0x202A, 0x202F), *range(0x2066, 0x206A))]
CONTROLS = [chr(c) for c in (*range(0x20), 0x7F, *range(0x80, 0xA0))]
SURROGATES = ["\ud800", "\udcff", "\udfff"]
UNSAFE = [*CONTROLS, *BIDI, *SURROGATES]
#: Legitimate in names: LRM, RLM, ZWJ, ZWNJ, Arabic letter mark, no-break space.
KEPT = ["\u200e", "\u200f", "\u200d", "\u200c", "\u061c", "\u00a0", "é", "日本", "👩‍💻"]

# Every code point, surrogates included, with the unsafe ones drawn often.
any_text = st.text(
    alphabet=st.characters(codec=None, categories=None) | st.sampled_from(UNSAFE),
    max_size=40,
)


def _unsafe_in(text: str, *, keep: str = "") -> list[str]:
    return [c for c in text if c in UNSAFE and c not in keep]


@pytest.mark.parametrize("char", UNSAFE)
def test_every_unsafe_code_point_is_caught(char: str) -> None:
    text = f"ab{char}c"
    multiline_ok = char in "\t\n"
    assert not is_safe(text)
    assert first_unsafe(text) == 2
    assert is_safe(text, multiline=True) is multiline_ok
    assert char not in clean(text)
    assert char not in escape(text) or char in "\t\n"


@pytest.mark.parametrize("text", KEPT)
def test_marks_that_shape_names_are_kept(text: str) -> None:
    assert is_safe(text) and clean(text) == text and escape(text) == text
    assert check(text, "name") == text


def test_check_names_the_field_the_code_point_and_the_position() -> None:
    with pytest.raises(ValidationError) as info:
        check("\x1b]0;pwn\x07Evil", "name")
    assert info.value.field == "name"
    assert str(info.value).startswith("name contains the control character U+001B at position 1")
    with pytest.raises(ValidationError, match=r"bidirectional override \(U\+202E\) at position 4"):
        check("abc\u202egnp.exe", "tags")
    with pytest.raises(ValidationError, match=r"a line break \(U\+000A\) at position 2"):
        check("a\nb", "company")
    with pytest.raises(ValidationError, match=r"a carriage return \(U\+000D\) at position 3"):
        check("ab\rc", "text", multiline=True)
    with pytest.raises(ValidationError, match=r"an undecodable byte \(U\+DCFF\)"):
        check("x\udcff", "name")


def test_multiline_text_keeps_line_breaks_and_tabs_and_reads_crlf_as_lf() -> None:
    assert check("line 1\n\tline 2", "text", multiline=True) == "line 1\n\tline 2"
    assert check("pasted\r\nfrom Windows", "text", multiline=True) == "pasted\nfrom Windows"
    with pytest.raises(ValidationError):
        check("hi \x1b]52;c;SGVsbG8=\x07", "text", multiline=True)


def test_check_fields_walks_lists_and_mappings() -> None:
    check_fields({"name": "Jane", "tags": ["a", "b"], "custom": {"k": "v"}, "size": 12})
    with pytest.raises(ValidationError, match=r"^tags contains"):
        check_fields({"tags": ["ok", "x\x07"]})
    with pytest.raises(ValidationError, match=r"^custom key contains"):
        check_fields({"custom": {"k\x1b": "v"}})
    with pytest.raises(ValidationError, match=r"^custom\.k contains"):
        check_fields({"custom": {"k": "v\x1b"}})
    check_fields({"notes": "a\nb"}, multiline={"notes"})
    with pytest.raises(ValidationError):
        check_fields({"notes": "a\nb"})


def test_clean_examples() -> None:
    assert clean("\x1b]0;pwn\x07Evil") == "]0;pwnEvil"
    assert clean("Jane\nDoe\tX") == "Jane Doe X"  # one line: separators become spaces
    assert clean("a\r\nb\rc\x1b", multiline=True) == "a\nb\nc"
    assert clean("txt\u202egnp.exe") == "txtgnp.exe"


def test_escape_examples() -> None:
    assert escape("\x1b]0;pwn\x07Evil") == "\\x1b]0;pwn\\x07Evil"
    assert escape("a\u202eb\u2066c") == "a\\u202eb\\u2066c"
    assert escape("x\x9b31m") == "x\\x9b31m"
    assert escape("row\r\nnext\rover") == "row\r\nnext\\x0dover"  # CRLF is a line end
    assert escape("[bold]x[/bold] \\x1b") == "[bold]x[/bold] \\x1b"  # safe text unchanged


@given(any_text)
@example("\r\n\r")
def test_escaped_text_holds_no_unsafe_character(text: str) -> None:
    shown = escape(text)
    rest = shown.replace("\r\n", "")
    assert _unsafe_in(rest, keep="\t\n") == []
    shown.encode("utf-8")  # always writable: no lone surrogate left (would raise)


@given(any_text, st.booleans())
def test_clean_is_idempotent_and_leaves_nothing_unsafe(text: str, multiline: bool) -> None:
    once = clean(text, multiline=multiline)
    assert clean(once, multiline=multiline) == once
    assert is_safe(once, multiline=multiline)
    assert first_unsafe(once, multiline=multiline) is None


@given(any_text, st.booleans())
def test_safe_text_is_left_unchanged(text: str, multiline: bool) -> None:
    if is_safe(text, multiline=multiline):
        assert clean(text, multiline=multiline) == text
        assert check(text, "f", multiline=multiline) == text
        if multiline or "\t" not in text:
            assert escape(text) == text


@given(any_text, st.booleans())
def test_check_accepts_exactly_the_safe_text(text: str, multiline: bool) -> None:
    normalised = text.replace("\r\n", "\n") if multiline else text
    if is_safe(normalised, multiline=multiline):
        assert check(text, "f", multiline=multiline) == normalised
    else:
        with pytest.raises(ValidationError):
            check(text, "f", multiline=multiline)


@given(any_text)
def test_cleaned_text_survives_nfc(text: str) -> None:
    """The models normalise after cleaning: NFC never brings an unsafe character back."""
    assert is_safe(unicodedata.normalize("NFC", clean(text)))


JSON_TEXT = st.recursive(
    st.none() | st.integers() | any_text,
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(any_text, inner, max_size=3),
    max_leaves=10,
)


@given(JSON_TEXT)
@example({"name": "\x1b]0;pwn\x07Evil\u202e \x9b \x7f \udcff"})
def test_json_output_escapes_what_a_terminal_obeys_and_parses_to_the_same_data(
    data: object,
) -> None:
    shown = json_safe(_json_bytes(data))
    text = shown.decode("utf-8")  # valid UTF-8: no raw surrogate
    assert _unsafe_in(text, keep="\n") == []
    assert json.loads(text) == data


def test_json_safe_leaves_ordinary_text_alone() -> None:
    raw = _json_bytes({"name": "Élodie — l’équipe «test» 日本 \u200e"})
    assert json_safe(raw) is raw
