"""``python -m socialcrm.cli`` runs the CLI (same as the ``socialcrm`` script)."""

from socialcrm.cli import main

main()
