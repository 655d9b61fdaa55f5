"""``python -m verkenning``: the same command line as the ``verkenning`` script."""

from .cli import main

main()
