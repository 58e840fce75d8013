"""``python -m socialcrm`` runs the command line, exactly as the ``socialcrm`` script does."""

from socialcrm.cli import main

main()
