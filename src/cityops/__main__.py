"""``python -m cityops`` runs the command line."""

from cityops.cli.app import main

main()
