"""`python -m review EVENTS [--format markdown|json] [--fail-on destructive|violations|risky]`."""

import sys

from review.cli import main

sys.exit(main())
