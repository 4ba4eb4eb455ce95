"""`python -m pipeline_core.cli COMMAND`: the same command line as `python -m pipeline_core COMMAND`."""

import sys

from pipeline_core.cli import main

if __name__ == "__main__":
    sys.exit(main())
