"""Every hook, called through the typed wrappers with the real plugin manager.

Each hook has a ``test_hook_<name>`` test here (the meta-test checks it), and
the isolation rules are tested on the real CRM over the real TinyDB store: a
plugin that raises is reported by name and hook, and no data is lost.
"""

from __future__ import annotations

import io
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path
from typing import Any

import pytest
import typer
from typer.testing import CliRunner

from socialcrm import CRM, Contribution, Problem, Stage, hookimpl
from socialcrm.cli import make_app
from socialcrm.hooks import Hooks, PluginFailure
from socialcrm.io import import_file
from socialcrm.io.formats import ExportContext, ProspectRecord
from socialcrm.models import Event, Pipeline, Prospect
from socialcrm.networks import BaseNetworkAdapter, Channel, ChecklistItem, NetworkAdapter
from socialcrm.plugins import SocialPluginManager, get_plugin_manager
from socialcrm.rules import RuleRegistry
from socialcrm.storage import open_repository
from socialcrm.testing import FrozenClock


def manager(*plugins: object) -> SocialPluginManager:
    """Only the given plugins plus the installed network plugins (no built-in rules)."""
    return get_plugin_manager(builtins=False, plugins=plugins)


class Recorder:
    """Remembers every event it is told about."""

    def __init__(self) -> None:
        self.seen: list[tuple[str, str | None]] = []

    @hookimpl
    def on_event(self, event: Event, prospect: Prospect | None) -> None:
        self.seen.append((event.kind.value, prospect.name if prospect else None))


class Exploding:
    """Raises in every pipeline hook."""

    @hookimpl
    def on_event(self, event: Event) -> None:
        raise RuntimeError("sync server down")

    @hookimpl
    def check_transition(self, prospect: Prospect) -> Sequence[Problem]:
        raise ValueError("criteria service unreachable")

    @hookimpl
    def score_prospect(self, prospect: Prospect) -> Sequence[Contribution]:
        raise KeyError("budget")

    @hookimpl
    def register_networks(self, register: Callable[[NetworkAdapter], None]) -> None:
        raise OSError("no config")

    @hookimpl
    def register_commands(self, app: Any) -> None:
        raise RuntimeError("bad command")


@pytest.fixture
def store_crm(tmp_path: Path) -> Iterator[Callable[..., CRM]]:
    """A CRM over the real TinyDB store in ``tmp_path`` with the given plugins."""
    opened: list[CRM] = []

    def make(*plugins: object, report: Callable[[PluginFailure], None] | None = None) -> CRM:
        crm = CRM(
            open_repository(tmp_path / "store"),
            manager(*plugins),
            clock=FrozenClock(),
            rules=RuleRegistry(),
            report=report,
        )
        opened.append(crm)
        return crm

    yield make
    for crm in opened:
        crm.close()


# -- registration hooks --------------------------------------------------------------


class Gopher(BaseNetworkAdapter):
    def handle_from_url(self, parts: Any) -> str:
        return self.handle_from_text(parts.path.strip("/"))

    def handle_from_text(self, text: str) -> str:
        if not text.isalpha():
            raise ValueError("letters only")
        return text.lower()

    def profile_url(self, handle: str) -> str:
        return f"https://gopher.example/{handle}"


GOPHER = Gopher(
    id="gopher",
    name="Gopher",
    domains=("gopher.example",),
    channels=[Channel("note", "Note", 5)],
    checklist=[ChecklistItem("photo", "Photo", "people answer faces")],
)


class GopherPlugin:
    @hookimpl
    def register_networks(self, register: Callable[[NetworkAdapter], None]) -> None:
        register(GOPHER)


def test_hook_register_networks() -> None:
    networks = Hooks(manager(GopherPlugin())).networks
    assert networks.get("gopher") is GOPHER
    assert networks.parse("https://www.gopher.example/Ana").key == "gopher:ana"
    assert "linkedin" in networks  # entry-point plugins registered theirs too


def test_register_networks_failure_keeps_the_other_networks() -> None:
    hooks = Hooks(manager(Exploding(), GopherPlugin()))
    assert {"gopher", "linkedin", "x"} <= {a.id for a in hooks.networks}
    assert [(f.hook, f.error) for f in hooks.failures] == [
        ("register_networks", "OSError: no config")
    ]


def test_registering_something_that_is_not_an_adapter_is_reported() -> None:
    class Sloppy:
        @hookimpl
        def register_networks(self, register: Callable[[object], None]) -> None:
            register("linkedin")

    sloppy = Sloppy()
    pm = manager(sloppy)
    hooks = Hooks(pm)
    assert "linkedin" in hooks.networks
    assert [(f.plugin, f.hook) for f in hooks.failures] == [
        (pm.get_name(sloppy), "register_networks")
    ]
    assert "not a NetworkAdapter" in hooks.failures[0].error


class LinesImporter:
    """One prospect per line of a ``.lines`` file."""

    name = "lines"
    description = "one name per line"

    def sniff(self, path: Path, head: bytes) -> bool:
        return path.suffix == ".lines"

    def read(self, path: Path, networks: Any) -> Iterator[ProspectRecord]:
        for row, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
            yield ProspectRecord(row=row, name=line)


class NamesExporter:
    name = "names"
    description = "one name per line"
    suffix = ".txt"

    def write(self, items: Any, out: io.TextIOBase, context: ExportContext) -> int:
        count = 0
        for prospect, _events in items:
            out.write(prospect.name + "\n")
            count += 1
        return count


class FormatsPlugin:
    @hookimpl
    def register_importers(self, register: Callable[[Any], None]) -> None:
        register(LinesImporter())

    @hookimpl
    def register_exporters(self, register: Callable[[Any], None]) -> None:
        register(NamesExporter())


def test_hook_register_importers(store_crm: Callable[..., CRM], tmp_path: Path) -> None:
    crm = store_crm(FormatsPlugin())
    assert isinstance(crm.importers()["lines"], LinesImporter)
    source = tmp_path / "people.lines"
    source.write_text("Ana Lima\nBo Chen\n", encoding="utf-8")
    import_file(crm, source, "lines")
    assert sorted(p.name for p in crm.query()) == ["Ana Lima", "Bo Chen"]


def test_hook_register_exporters(store_crm: Callable[..., CRM]) -> None:
    crm = store_crm(FormatsPlugin())
    crm.add("Ana Lima")
    out = io.StringIO()
    items = [(p, crm.history(p.id)) for p in crm.query()]
    assert crm.exporters()["names"].write(items, out, ExportContext()) == 1
    assert out.getvalue() == "Ana Lima\n"


def test_hook_register_commands() -> None:
    class Greeter:
        @hookimpl
        def register_commands(self, app: typer.Typer) -> None:
            @app.command()
            def hello(name: str) -> None:
                """Say hello (a plugin command)."""
                typer.echo(f"hello {name}")

    app = make_app(manager(Greeter()))
    result = CliRunner().invoke(app, ["hello", "Ana"])
    assert (result.exit_code, result.stdout) == (0, "hello Ana\n")


def test_register_commands_failure_leaves_the_cli_working(
    capsys: pytest.CaptureFixture[str],
) -> None:
    app = make_app(manager(Exploding()))
    assert "plugin 'Exploding' failed in register_commands: RuntimeError: bad command" in (
        capsys.readouterr().err
    )
    result = CliRunner().invoke(app, ["plugins", "--format", "json"])
    assert result.exit_code == 0
    assert '"name": "Exploding"' in result.stdout


# -- pipeline hooks -------------------------------------------------------------------


def test_hook_check_transition(store_crm: Callable[..., CRM]) -> None:
    class NeedsCompany:
        @hookimpl
        def check_transition(
            self, prospect: Prospect, from_stage: Stage, to_stage: Stage, pipeline: Pipeline
        ) -> Sequence[Problem]:
            if prospect.company is None:
                return [Problem("acme.company", "no company", "set --company")]
            return []

    from socialcrm import TransitionRefusedError

    crm = store_crm(NeedsCompany())
    ana = crm.add("Ana Lima")
    with pytest.raises(TransitionRefusedError) as info:
        crm.advance(ana.id)
    assert [p.rule for p in info.value.problems] == ["acme.company"]
    crm.edit(ana.id, set_fields={"company": "ACME"})
    assert crm.advance(ana.id).stage is Stage.IDENTIFY


def test_check_transition_problems_of_all_plugins_are_collected() -> None:
    def refusing(rule: str) -> object:
        class Refuses:
            @hookimpl
            def check_transition(self, to_stage: Stage) -> Sequence[Problem]:
                return [Problem(rule, f"not before {to_stage}")]

        return Refuses()

    hooks = Hooks(manager(refusing("a.one"), refusing("b.two")))
    problems = hooks.check_transition(
        prospect=Prospect(id="01A", name="Ana"),
        from_stage=Stage.PROFILE,
        to_stage=Stage.IDENTIFY,
        pipeline=Pipeline("default", FrozenClock()()),
        events=[],
    )
    assert sorted(p.rule for p in problems) == ["a.one", "b.two"]


def test_check_transition_failure_is_reported_and_the_move_goes_on(
    store_crm: Callable[..., CRM], tmp_path: Path
) -> None:
    reported: list[PluginFailure] = []
    exploding = Exploding()
    crm = store_crm(exploding, report=reported.append)
    ana = crm.add("Ana Lima")
    moved = crm.advance(ana.id)
    assert moved.stage is Stage.IDENTIFY
    name = crm.plugin_manager.get_name(exploding)
    assert (name, "check_transition") in {(f.plugin, f.hook) for f in reported}
    assert any("criteria service unreachable" in str(f) and name in str(f) for f in reported)
    crm.close()
    reopened = CRM(open_repository(tmp_path / "store"), manager(), rules=RuleRegistry())
    try:
        assert reopened.get(ana.id).stage is Stage.IDENTIFY
        assert [e.kind.value for e in reopened.history(ana.id)] == ["created", "stage_changed"]
    finally:
        reopened.close()


def test_a_problem_of_the_wrong_type_is_reported_not_raised() -> None:
    class Wrong:
        @hookimpl
        def check_transition(self) -> Sequence[object]:
            return ["not a Problem"]

    hooks = Hooks(manager(Wrong()))
    assert (
        hooks.check_transition(
            prospect=Prospect(id="01A", name="Ana"),
            from_stage=Stage.PROFILE,
            to_stage=Stage.IDENTIFY,
            pipeline=Pipeline("default", FrozenClock()()),
            events=[],
        )
        == []
    )
    assert [f.hook for f in hooks.failures] == ["check_transition"]


def test_hook_score_prospect() -> None:
    class Budget:
        @hookimpl
        def score_prospect(self, prospect: Prospect, icp: Any) -> Sequence[Contribution]:
            return [Contribution("budget", 2.5, "has a budget", source="budget-plugin")]

    hooks = Hooks(manager(Exploding(), Budget()))
    contributions = hooks.score_prospect(prospect=Prospect(id="01A", name="Ana"), icp=None)
    assert contributions == [Contribution("budget", 2.5, "has a budget", source="budget-plugin")]
    assert [(f.hook, f.error) for f in hooks.failures] == [("score_prospect", "KeyError: 'budget'")]


def test_hook_on_event(store_crm: Callable[..., CRM]) -> None:
    recorder = Recorder()
    crm = store_crm(recorder)
    ana = crm.add("Ana Lima")
    crm.advance(ana.id)
    crm.add_note(ana.id, "met at the fair")
    assert recorder.seen == [
        ("created", "Ana Lima"),
        ("stage_changed", "Ana Lima"),
        ("note", "Ana Lima"),
    ]


def test_on_event_failure_loses_no_event_and_names_the_plugin(
    store_crm: Callable[..., CRM], tmp_path: Path
) -> None:
    reported: list[PluginFailure] = []
    recorder, exploding = Recorder(), Exploding()
    crm = store_crm(exploding, recorder, report=reported.append)
    ana = crm.add("Ana Lima")
    crm.add_note(ana.id, "first call went well")
    name = crm.plugin_manager.get_name(exploding)
    assert [(f.plugin, f.hook, f.error) for f in reported] == [
        (name, "on_event", "RuntimeError: sync server down")
    ] * 2
    assert crm.failures == reported
    assert [kind for kind, _ in recorder.seen] == ["created", "note"]  # the others still hear
    crm.close()
    reopened = CRM(open_repository(tmp_path / "store"), manager(), rules=RuleRegistry())
    try:
        assert [e.kind.value for e in reopened.history(ana.id)] == ["created", "note"]
    finally:
        reopened.close()


def test_plugin_failure_reads_as_one_line() -> None:
    failure = PluginFailure("acme-sync", "on_event", "RuntimeError: down")
    assert str(failure) == "plugin 'acme-sync' failed in on_event: RuntimeError: down"
