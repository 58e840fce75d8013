"""Demo: ``python -m host_crm [DATABASE]`` — one prospect from forum profile to customer.

Runs the whole journey through socialcrm's facade on the host's SQLite file,
then prints the pipeline board and the host's customers table.  Running it
twice on the same file adds a second prospect (identities must differ, so the
handle carries a counter).
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from host_crm.app import HostCRM
from socialcrm import SocialCRMError, Stage


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m host_crm", description=__doc__)
    parser.add_argument("database", nargs="?", default="host-crm.db", type=Path)
    args = parser.parse_args(argv)
    try:
        with HostCRM(args.database, actor="demo") as host:
            crm = host.crm
            n = crm.repository.count(crm.pipeline_name) + 1
            ana = crm.add(
                "Ana Lima",
                urls=[f"https://forum.example.com/u/ana-lima-{n}"],
                emails=[f"ana{n}@lima.example"],
                company="Lima Ltda",
                source="forum thread on ERP migrations",
            )
            crm.assess(ana.id, qualified=True, note="20 employees, migrating ERP")
            crm.advance(ana.id)  # profile → identify
            crm.advance(ana.id)  # identify → notoriety
            crm.log_interaction(ana.id, "comment", note="answered her ERP question")
            crm.set_point_of_interest(ana.id, "asked how to migrate invoices")
            crm.advance(ana.id)  # notoriety → contact
            crm.log_message(ana.id, "Happy to show you our import tool", channel="pm")
            crm.log_message(ana.id, "Yes please, Thursday?", received=True)
            crm.move(ana.id, Stage.CONVERT)
            crm.win(ana.id)
            board = crm.board()
            print(f"pipeline {board.pipeline!r}: {board.total} prospects")
            for stage, people in board.stages.items():
                print(f"  {stage.value:<10} {len(people)}")
            print(f"  {'won':<10} {len(board.won)}")
            print(f"  {'lost':<10} {len(board.lost)}")
            print("customers:")
            for c in host.customers():
                print(f"  {c.name} ({c.company}) since {c.since:%Y-%m-%d %H:%M} UTC")
            for failure in host.failures:
                print(f"warning: {failure}", file=sys.stderr)
    except SocialCRMError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
