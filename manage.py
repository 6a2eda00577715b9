#!/usr/bin/env python
"""Django's command-line utility for marketdesk (same as the ``marketdesk`` command)."""

import sys

from marketdesk.cli import main

if __name__ == "__main__":
    sys.exit(main())
