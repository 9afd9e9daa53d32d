"""``python -m thaidigest`` is the ``thaidigest`` command."""

from thaidigest.cli import main

main()
