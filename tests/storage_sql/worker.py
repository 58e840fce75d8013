"""A rep's process for the SQL concurrency tests (run as a script).

    worker.py URL SEED N ID [ID…]

Makes N writes through the real CRM facade on the store at URL, choosing
with ``random.Random(SEED)`` among: adding a prospect of its own (one write
in ten), a note on one of the shared prospects IDs, or a move of one of them
to a random stage (forced past exit criteria).  Prints one JSON line per
write once it returned: ``{"op", "id", "ok", "text"|"stage"|"error"}``.  A
move to the stage the prospect is already at fails (InvalidTransitionError)
and writes nothing: that is part of the expected outcome, not a fault.
"""

from __future__ import annotations

import json
import random
import sys


def main(argv: list[str]) -> None:
    from socialcrm.crm import CRM
    from socialcrm.errors import InvalidTransitionError
    from socialcrm.plugins import get_plugin_manager
    from socialcrm.stages import Stage
    from socialcrm.storage import open_repository

    url, seed, count, *shared = argv
    rng = random.Random(int(seed))
    crm = CRM(open_repository(url), get_plugin_manager(entrypoints=False), actor=f"rep{seed}")
    try:
        for i in range(int(count)):
            target = rng.choice(shared)
            record: dict[str, object]
            if i % 10 == 0:
                p = crm.add(f"Rep {seed} prospect {i}")
                record = {"op": "add", "id": p.id, "ok": True}
            elif rng.random() < 0.5:
                text = f"rep {seed} note {i}"
                crm.add_note(target, text)
                record = {"op": "note", "id": target, "ok": True, "text": text}
            else:
                stage = rng.choice(list(Stage))
                try:
                    crm.move(target, stage, force=True)
                    record = {"op": "move", "id": target, "ok": True, "stage": stage.value}
                except InvalidTransitionError as exc:
                    record = {"op": "move", "id": target, "ok": False, "error": str(exc)}
            sys.stdout.write(json.dumps(record) + "\n")
            sys.stdout.flush()
    finally:
        crm.close()


if __name__ == "__main__":
    main(sys.argv[1:])
