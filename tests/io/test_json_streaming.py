"""A socialcrm JSON backup is read entry by entry when laid out as ``export`` writes it
(one prospect per line), and whole otherwise: both give the same import."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import orjson
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from socialcrm.crm import CRM
from socialcrm.errors import ImportFormatError
from socialcrm.io import import_file, jsonio
from socialcrm.io.exports import export_prospects
from socialcrm.io.jsonio import _streamable_header, _streamed_entries
from socialcrm.plugins import get_plugin_manager
from socialcrm.storage import open_repository
from socialcrm.testing import FrozenClock

from .helpers import snapshot, store_snapshot


def _source(tmp_path: Path, people: int = 5) -> Path:
    clock = FrozenClock()
    crm = CRM(open_repository(tmp_path / "source"), get_plugin_manager(), clock=clock)
    crm.set_channel_limit("linkedin", "connection_note", 200)
    for i in range(people):
        p = crm.add(f"Person {i}", urls=[f"https://www.linkedin.com/in/person-{i}"])
        crm.add_note(p.id, f"note {i}")
        clock.advance(minutes=1)
    backup = tmp_path / "backup.json"
    export_prospects(crm, crm.exporters()["json"], backup)
    crm.close()
    return backup


def _no_whole_reads(monkeypatch: pytest.MonkeyPatch) -> None:
    def refuse(path: Path) -> Any:
        raise AssertionError(f"{path} was read whole")

    monkeypatch.setattr(jsonio, "load_json", refuse)


def _restore(path: Path, store: Path) -> dict[str, Any]:
    crm = CRM(open_repository(store), get_plugin_manager(), clock=FrozenClock())
    try:
        report = import_file(crm, path)
        assert report.written and not report.invalid
        return snapshot(crm)
    finally:
        crm.close()


def test_an_exported_backup_is_read_entry_by_entry(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    backup = _source(tmp_path)
    reindented = tmp_path / "reindented.json"
    reindented.write_text(json.dumps(json.loads(backup.read_text()), indent=2))
    whole = _restore(reindented, tmp_path / "whole")  # another layout: read whole
    _no_whole_reads(monkeypatch)
    assert _restore(backup, tmp_path / "streamed") == whole
    assert len([k for k in whole if k != "pipelines"]) == 5


@pytest.mark.parametrize(
    "damage",
    [
        pytest.param(lambda lines: lines.insert(-1, lines[-2]), id="entry-twice-no-comma"),
        pytest.param(lambda lines: lines.__setitem__(2, lines[2][:-2] + "\n"), id="no-comma"),
        pytest.param(lambda lines: lines.__setitem__(-1, "]}\n{}\n"), id="text-after-end"),
        pytest.param(lambda lines: lines.pop(), id="no-end"),
        pytest.param(lambda lines: lines.__setitem__(3, lines[3][:40] + "\n"), id="cut-entry"),
    ],
)
def test_a_damaged_backup_is_refused_like_any_invalid_json(
    tmp_path: Path, store: CRM, store_path: Path, damage: Any
) -> None:
    """Off the exported layout the file is parsed whole, which names the bad line;
    the store is left as it was."""
    lines = _source(tmp_path).read_text().splitlines(keepends=True)
    damage(lines)
    path = tmp_path / "damaged.json"
    path.write_text("".join(lines))
    store.add("Already Here", urls=["https://www.linkedin.com/in/already-here"])
    before = store_snapshot(store_path)
    with pytest.raises(ImportFormatError, match="invalid JSON") as caught:
        import_file(store, path)
    assert caught.value.row is not None and caught.value.row > 1
    assert store_snapshot(store_path) == before


def test_bom_blank_lines_and_an_empty_backup_stay_streamable(tmp_path: Path) -> None:
    path = tmp_path / "b.json"
    path.write_bytes(b'\xef\xbb\xbf{"format": "socialcrm", "v": 1, "prospects": [\n]}\n\n \n')
    assert _streamable_header(path) == {"format": "socialcrm", "v": 1}
    assert list(_streamed_entries(path)) == []


def test_a_bracket_inside_a_string_is_not_a_header(tmp_path: Path) -> None:
    path = tmp_path / "b.json"
    path.write_text('{"format": "socialcrm", "v": 1, "x": "\\"prospects\\": [\n]}"}\n')
    assert _streamable_header(path) is None


def test_an_over_long_line_is_read_whole(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    backup = _source(tmp_path, people=2)
    assert _streamable_header(backup) is not None
    monkeypatch.setattr(jsonio, "MAX_ENTRY_BYTES", 100)
    assert _streamable_header(backup) is None


_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.text(max_size=5),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=3), inner),
    max_leaves=8,
)


@settings(max_examples=200, deadline=None)
@given(
    header=st.dictionaries(st.text(max_size=4).filter(lambda k: k != "prospects"), _values),
    entries=st.lists(st.dictionaries(st.text(max_size=4), _values), max_size=5),
    layout=st.sampled_from(["export", "indented", "one-line", "trailing-comma"]),
)
def test_streamed_reading_agrees_with_parsing_whole(
    tmp_path_factory: pytest.TempPathFactory,
    header: dict[str, Any],
    entries: list[dict[str, Any]],
    layout: str,
) -> None:
    """Whatever the layout, a file is either read entry by entry with exactly the
    content ``orjson`` parses whole, or handed to the whole-file reader."""
    path = tmp_path_factory.mktemp("json") / "b.json"
    if layout == "indented":
        text = json.dumps({**header, "prospects": entries}, indent=1)
    elif layout == "one-line":
        text = json.dumps({**header, "prospects": entries})
    else:
        head = json.dumps(header)[:-1] + (", " if header else "") + '"prospects": ['
        sep = ",\n"
        body = sep.join(json.dumps(e) for e in entries)
        if layout == "trailing-comma" and entries:
            body += ","  # not JSON
        text = head + ("\n" + body if entries else "") + "\n]}\n"
    path.write_text(text)
    found = _streamable_header(path)
    try:
        whole = orjson.loads(text)
    except orjson.JSONDecodeError:
        assert found is None
        return
    if found is None:
        assert layout != "export"
        return
    streamed = [entry for _, entry in _streamed_entries(path)]
    assert {**found, "prospects": streamed} == whole
