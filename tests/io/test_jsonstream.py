"""The streaming JSON array reader: the same elements as a whole parse, errors with lines."""

from __future__ import annotations

import json
import re
from pathlib import Path

import orjson
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from socialcrm.errors import ImportFormatError
from socialcrm.io import jsonstream
from socialcrm.io.jsonstream import array_elements

TOP = re.compile(rb"\s*\[")
END = re.compile(rb"\s*")
KEYED = re.compile(rb'\s*\{\s*"items"\s*:\s*\[')
KEYED_END = re.compile(rb"\s*\}\s*")

values = st.recursive(
    st.none()
    | st.booleans()
    | st.integers(-(2**53), 2**53)
    | st.text(alphabet=st.characters(blacklist_categories=("Cs",)), max_size=20),
    lambda children: (
        st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=8), children, max_size=4)
    ),
    max_leaves=12,
)


@settings(max_examples=80, deadline=None)
@given(items=st.lists(values, max_size=12), indent=st.sampled_from([None, 1, 2]))
def test_elements_are_those_of_a_whole_parse(
    tmp_path_factory: pytest.TempPathFactory, items: list[object], indent: int | None
) -> None:
    path = tmp_path_factory.mktemp("json") / "a.json"
    path.write_text(json.dumps(items, indent=indent, ensure_ascii=False), encoding="utf-8")
    assert [e for _, e in array_elements(path, TOP, END)] == orjson.loads(path.read_bytes())
    keyed = path.with_name("k.json")
    keyed.write_text(json.dumps({"items": items}, indent=indent), encoding="utf-8")
    assert [e for _, e in array_elements(keyed, KEYED, KEYED_END)] == items


def test_chunks_cut_anywhere(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(jsonstream, "_CHUNK", 3)  # escapes, strings, brackets cut across reads
    items = [{"a": 'x\\"y', "b": [1, 2, {"c": "]}"}]}, "\\", "é,[{", []]
    path = tmp_path / "a.json"
    path.write_text(json.dumps(items, indent=1), encoding="utf-8")
    assert [e for _, e in array_elements(path, TOP, END)] == items


@pytest.mark.parametrize(
    ("text", "message", "row"),
    [
        ('[\n{"a": 1},\n{"a": }\n]', "invalid JSON", 3),
        ('[\n{"a": 1},,\n{"a": 2}\n]', "an empty element", 2),
        ('[\n{"a": 1},\n]', "an empty element", 3),
        ('[\n{"a": 1}\n', "the file ends inside the array", 2),
        ('[\n{"a": 1}\n] trailing', "unexpected content after the array", 3),
        ('{"a": 1}', "expected a JSON array", 1),
    ],
)
def test_errors_name_the_line(tmp_path: Path, text: str, message: str, row: int) -> None:
    path = tmp_path / "a.json"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(ImportFormatError, match=message) as caught:
        list(array_elements(path, TOP, END))
    assert caught.value.row == row


def test_an_element_over_the_limit_is_refused(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(jsonstream, "MAX_ELEMENT_BYTES", 1000)
    monkeypatch.setattr(jsonstream, "_CHUNK", 100)
    path = tmp_path / "a.json"
    path.write_text('[{"a": 1}, {"b": "' + "x" * 5000 + '"}]', encoding="utf-8")
    with pytest.raises(ImportFormatError, match="over 1,000 bytes"):
        list(array_elements(path, TOP, END))


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ('[\n{"a": 1}}\n]', "JSON invalide\u00a0: '}' inattendu"),
        ('[\n{"a": 1},,\n{"a": 2}\n]', "JSON invalide\u00a0: un élément vide"),
        ('[\n{"a": 1}\n', "JSON invalide\u00a0: le fichier se termine à l'intérieur du tableau"),
        ("[" * (jsonstream.MAX_DEPTH + 2), "JSON invalide\u00a0: imbrication trop profonde"),
        ('{"a": 1}', "attendu\u00a0: un tableau JSON"),
    ],
)
def test_errors_are_whole_french_sentences(tmp_path: Path, text: str, message: str) -> None:
    """The scanner's errors reach the rep as import errors: in their language, whole."""
    from socialcrm import i18n

    path = tmp_path / "a.json"
    path.write_text(text, encoding="utf-8")
    i18n.activate("fr")
    i18n.set_neutral(False)  # (a table run: an earlier test may have left a neutral one)
    try:
        with pytest.raises(ImportFormatError) as caught:
            list(array_elements(path, TOP, END))
    finally:
        i18n.activate("en")
    shown = caught.value.message.removeprefix(str(path))
    assert message in shown
    assert not {"invalid", "unexpected", "expected", "line"} & set(re.findall(r"\w+", shown))
