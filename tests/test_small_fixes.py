"""Issue 25, small ones: engage --url derives the network, add refuses a shared e-mail,
a displayed placeholder name resolves."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from socialcrm.cli import make_app
from socialcrm.crm import CRM
from socialcrm.errors import ValidationError
from socialcrm.io.importing import import_file
from socialcrm.plugins import get_plugin_manager
from socialcrm.testing import FrozenClock


@pytest.fixture
def crm() -> CRM:
    return CRM(None, get_plugin_manager(), clock=FrozenClock())


@pytest.mark.parametrize(
    ("url", "network"),
    [
        ("https://x.com/zoe/status/1800000000000000000", "x"),
        ("https://www.linkedin.com/posts/zoe-martin_prospection-activity-7100-abcd", "linkedin"),
        ("https://www.youtube.com/watch?v=abc123def45", "youtube"),
    ],
)
def test_engage_url_gives_the_network(crm: CRM, url: str, network: str) -> None:
    p = crm.add("Zoé Martin", urls=["https://www.linkedin.com/in/zoe", "x:zoe"])
    crm.log_interaction(p.id, "like", url=url)
    (signal,) = [e.payload for e in crm.history(p.id) if e.kind.value == "interaction"]
    assert signal.network == network  # type: ignore[union-attr]


def test_add_refuses_an_email_of_another_prospect(crm: CRM) -> None:
    zoe = crm.add("Zoé Martin", emails=["zoe@acme.fr"])
    with pytest.raises(ValidationError) as err:
        crm.add("Z. Martin", emails=["ZOE@acme.fr"])
    assert zoe.id in str(err.value) and "Zoé Martin" in str(err.value)
    assert len(crm.query()) == 1
    crm.add("Accueil Acme", emails=["zoe@acme.fr"], allow_shared_email=True)
    assert len(crm.query()) == 2


def test_cli_add_shared_email(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("SOCIALCRM_DB", raising=False)
    app = make_app(get_plugin_manager())
    runner = CliRunner()
    db = ["--db", str(tmp_path / "store")]
    assert runner.invoke(app, [*db, "add", "Zoé", "-e", "zoe@acme.fr"]).exit_code == 0
    refused = runner.invoke(app, [*db, "add", "Zed", "-e", "zoe@acme.fr"])
    assert refused.exit_code == 4 and "already belongs to Zoé" in refused.stderr
    kept = runner.invoke(app, [*db, "add", "Zed", "-e", "zoe@acme.fr", "--allow-shared-email"])
    assert kept.exit_code == 0


def test_placeholder_names_resolve(crm: CRM, tmp_path: Path) -> None:
    path = tmp_path / "follower.js"
    path.write_text(
        'window.YTD.follower.part0 = [{"follower":{"accountId":"1234567","userLink":'
        '"https://twitter.com/intent/user?user_id=1234567"}}]'
    )
    import_file(crm, path)
    (p,) = crm.query()
    assert p.name == "x:1234567"
    assert crm.resolve("x:1234567").id == p.id  # as the list shows it
    assert crm.resolve("x:id:1234567").id == p.id
