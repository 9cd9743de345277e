"""`python -m commonslint` runs the command-line interface."""

import sys

from commonslint.cli import main

sys.exit(main())
