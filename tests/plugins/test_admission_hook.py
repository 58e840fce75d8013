"""The ``check_admission`` hook: a plugin may refuse a prospect the unit of work writes."""

from __future__ import annotations

from pathlib import Path

import pytest

from socialcrm import CRM
from socialcrm.errors import PluginError, SuppressedError, ValidationError
from socialcrm.hookspecs import hookimpl
from socialcrm.models import Prospect
from socialcrm.plugins import get_plugin_manager
from socialcrm.privacy.erasure import erase
from socialcrm.repository import Repository
from socialcrm.storage import open_repository
from socialcrm.testing import FrozenClock


class NoCompetitors:
    @hookimpl
    def check_admission(self, prospect: Prospect, repository: Repository) -> None:
        if prospect.company == "Rival":
            raise ValidationError("we do not prospect our rivals", field="company")


class Broken:
    @hookimpl
    def check_admission(self, prospect: Prospect, repository: Repository) -> None:
        raise RuntimeError("boom")


def _crm(tmp_path: Path, *plugins: object) -> CRM:
    pm = get_plugin_manager(entrypoints=False, plugins=list(plugins))
    return CRM(open_repository(tmp_path / "store"), pm, clock=FrozenClock())


def test_hook_check_admission(tmp_path: Path) -> None:
    crm = _crm(tmp_path, NoCompetitors())
    with pytest.raises(ValidationError, match="rivals"):
        crm.add("Rita Rival", company="Rival")
    ana = crm.add("Ana Lima", company="Friend")
    with pytest.raises(ValidationError, match="rivals"):  # an edit is checked too
        crm.edit(ana.id, set_fields={"company": "Rival"})
    assert crm.get(ana.id).company == "Friend"  # nothing written


def test_the_builtin_plugin_refuses_the_suppressed(tmp_path: Path) -> None:
    crm = _crm(tmp_path)
    crm.add("Zoé Durand", emails=["zoe@example.fr"])
    erase(crm, "zoe@example.fr")
    with pytest.raises(SuppressedError) as caught:
        crm.add("Z. D.", emails=["ZOE@example.fr"])
    assert "Zoé" not in str(caught.value) and caught.value.kinds == ["email"]
    ana = crm.add("Ana Lima")
    with pytest.raises(SuppressedError):  # nor may an edit bring the address back
        crm.edit(ana.id, add_emails=["zoe@example.fr"])


def test_a_broken_admission_plugin_aborts_the_change_naming_it(tmp_path: Path) -> None:
    crm = _crm(tmp_path, Broken())
    with pytest.raises(PluginError, match="check_admission"):
        crm.add("Ana Lima")
    assert crm.query() == []
