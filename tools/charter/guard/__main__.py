"""`python -m charter.guard`: what the generated agent hooks run (no click, no CLI group)."""

import sys

from charter.guard.entry import main

sys.exit(main())
