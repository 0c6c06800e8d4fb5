"""``python -m clearsight``: the same as the ``clearsight`` command."""

import sys

from clearsight.cli import main

if __name__ == "__main__":
    sys.exit(main())
