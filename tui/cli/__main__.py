"""``python -m tui.cli``: the same as the ``worktop`` program."""

import sys

from tui.cli import main

sys.exit(main())
