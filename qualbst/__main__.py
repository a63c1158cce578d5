"""``python -m qualbst``."""

from .cli import main

main()
