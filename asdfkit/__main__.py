"""``python -m asdfkit`` runs ``asdf-cli``."""

from .cli.main import main

main()
