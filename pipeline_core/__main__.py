"""`python -m pipeline_core COMMAND`: the command line (pipeline_core.cli)."""

import sys

from pipeline_core.cli import build_parser, main

__all__ = ["build_parser", "main"]

if __name__ == "__main__":
    sys.exit(main())
