"""A socialcrm process for the crash and concurrency tests (run as a script).

It goes through the real CRM facade over the real store and prints one line
per write *after* the write returned (that is the acknowledgement the
parent checks after killing it).

    worker.py STORE loop PREFIX        add prospects forever (single and batched)
    worker.py STORE add PREFIX N       add N prospects
    worker.py STORE move ID N          move ID back and forth N times
    worker.py STORE note ID N          log N notes on ID

With ``WORKER_SPILL=1`` in the environment every transaction writes its files
early (before its commit), as one too big for memory does.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path


def main(argv: list[str]) -> None:
    from socialcrm.crm import CRM
    from socialcrm.plugins import get_plugin_manager
    from socialcrm.storage import open_repository
    from socialcrm.storage.locking import INTERACTIVE_LOCK_TIMEOUT, lock_timeout_from_env

    store, mode, *rest = argv
    if os.environ.get("WORKER_SPILL") == "1":
        from socialcrm.storage import generations

        generations._SPILL_BYTES = 0
    # waits for the lock as the CLI does (a loaded machine may keep a writer waiting)
    timeout = lock_timeout_from_env(INTERACTIVE_LOCK_TIMEOUT)
    crm = CRM(
        open_repository(Path(store), lock_timeout=timeout), get_plugin_manager(entrypoints=False)
    )
    crm.init()
    out = sys.stdout

    def ack(line: str) -> None:
        out.write(line + "\n")
        out.flush()

    ack("ready")
    if mode == "loop":
        prefix = rest[0]
        i = 0
        while True:
            if i % 3 == 2:  # a batch of 12 in one transaction: acknowledged together
                with crm.repository.transaction():
                    batch = [crm.add(f"{prefix} batch {i} {k}", note="batch") for k in range(12)]
                for p in batch:
                    ack(f"add {p.id}")
            else:
                p = crm.add(f"{prefix} single {i}", emails=[f"{prefix.lower()}-{i}@example.org"])
                ack(f"add {p.id}")
                crm.add_note(p.id, "second event")
                ack(f"note {p.id}")
            i += 1
    elif mode == "add":
        prefix, n = rest[0], int(rest[1])
        for i in range(n):
            p = crm.add(f"{prefix} {i}")
            ack(f"add {p.id}")
    elif mode == "move":
        pid, n = rest[0], int(rest[1])
        for i in range(n):
            crm.move(pid, "identify" if i % 2 == 0 else "profile", force=True)
            ack("moved")
    elif mode == "note":
        pid, n = rest[0], int(rest[1])
        for i in range(n):
            crm.add_note(pid, f"note {i}")
            ack("noted")
    crm.close()


if __name__ == "__main__":
    main(sys.argv[1:])
