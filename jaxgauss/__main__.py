"""``python -m jaxgauss``: the command line."""

import sys

from jaxgauss.cli import main

sys.exit(main())
