"""`python -m lib ...`: the command line (SPEC §4)."""

import sys

from lib.cli import main

sys.exit(main())
