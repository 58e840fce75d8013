"""vCard 3.0 and 4.0: folded lines, escapes, ORG/TITLE/EMAIL/URL, social profiles; round trip."""

from __future__ import annotations

from pathlib import Path

import pytest

from socialcrm.crm import CRM
from socialcrm.io import import_file
from socialcrm.io.exports import export_prospects
from socialcrm.plugins import get_plugin_manager
from socialcrm.testing import FrozenClock

from .helpers import FIXTURES


def test_vcard3_fields_folding_and_escapes(store: CRM) -> None:
    report = import_file(store, FIXTURES / "contacts3.vcf")
    assert report.format == "vcard"
    assert [(r.row, r.action) for r in report.rows] == [(1, "created"), (2, "created")]
    zoe = store.resolve("zoe@example.net")
    assert zoe.name == "Zoé Martin"
    assert (zoe.first_name, zoe.last_name) == ("Zoé", "Martin")
    assert zoe.company == "Acme, SAS"  # escaped comma, first ORG component
    assert zoe.title == "Head of Sales, EMEA"
    assert zoe.emails == ("zoe.martin@example.com", "zoe@example.net")
    assert zoe.phones == ("+33612345678",)
    assert sorted(i.key for i in zoe.identities) == ["linkedin:zoe-martin-4b2a1c", "x:zoemartin"]
    assert zoe.custom == {"website": "https://acme.example/team"}
    assert zoe.notes == "Rencontrée au salon; très intéressée par l'offre, à relancer en juin."
    assert zoe.tags == ("hot", "salon")
    assert zoe.location == "Paris"
    jean = store.resolve("https://www.linkedin.com/in/jean-dupont-12345678")
    assert jean.name == "Jean Dupont"  # from N when FN is missing


def test_vcard4_socialprofile_and_cards_without_name(store: CRM) -> None:
    report = import_file(store, FIXTURES / "contacts4.vcf")
    assert [(r.row, r.action) for r in report.rows] == [(1, "created"), (2, "invalid")]
    assert report.rows[1].reason == "card without FN or N"
    wang = store.resolve("wang@example.cn")
    assert wang.name == "王小明" and wang.company == "北京科技"
    assert (wang.first_name, wang.last_name) == ("小明", "王")  # CJK: family name first
    assert sorted(i.key for i in wang.identities) == ["linkedin:wang-xiaoming", "x:wangxm"]


def test_export_then_import_keeps_people(tmp_path: Path, store: CRM) -> None:
    import_file(store, FIXTURES / "contacts3.vcf")
    import_file(store, FIXTURES / "contacts4.vcf")
    for name in ("vcard", "vcard4"):
        out = tmp_path / f"{name}.vcf"
        assert export_prospects(store, store.exporters()[name], out) == 3
        text = out.read_text(encoding="utf-8")
        assert ("X-SOCIALPROFILE" in text) == (name == "vcard")
        assert ("\nSOCIALPROFILE" in text) == (name == "vcard4")
        fresh = CRM(None, get_plugin_manager(), clock=FrozenClock())
        report = import_file(fresh, out)
        assert report.counts()["created"] == 3
        for before in store.query(sort="name"):
            after = fresh.resolve(before.identities[0].key)
            fields = (
                "name",
                "first_name",
                "last_name",
                "company",
                "title",
                "emails",
                "phones",
                "tags",
                "notes",
                "location",
                "custom",
            )
            assert {f: getattr(after, f) for f in fields} == {f: getattr(before, f) for f in fields}
            assert {i.key for i in after.identities} == {i.key for i in before.identities}


@pytest.mark.parametrize("newline", ["\n", "\r\n"])
@pytest.mark.parametrize(
    ("cards", "row", "line", "reason"),
    [
        (["FN:A\nEND:VCAR"], 1, 1, "wasn't closed"),
        (["FN:A\nEND:VCARD", "broken line\nFN:B\nEND:VCARD"], 2, 5, "broken line"),
        (["FN:A\n folded\nEND:VCARD", "FN:B\nno colon here\nEND:VCARD"], 2, 6, "no colon"),
    ],
)
def test_an_unreadable_card_is_named_by_position_and_first_line(
    store: CRM, tmp_path: Path, newline: str, cards: list[str], row: int, line: int, reason: str
) -> None:
    """vobject's own line numbers are wrong (line 3 reported as 5): not shown."""
    from socialcrm.errors import ImportFormatError

    text = "".join(f"BEGIN:VCARD\nVERSION:3.0\n{card}\n" for card in cards)
    bad = tmp_path / "bad.vcf"
    bad.write_bytes(text.replace("\n", newline).encode())
    with pytest.raises(ImportFormatError) as info:
        import_file(store, bad)
    assert info.value.row == row
    assert f"invalid vCard (the card beginning at line {line}): " in info.value.message
    assert reason in info.value.message and "At line" not in info.value.message
