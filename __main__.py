"""`python -m ortflow` runs the command line."""

import sys

from ortflow.cli import main

sys.exit(main())
