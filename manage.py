#!/usr/bin/env python
"""Django's command-line utility for administrative tasks."""

import gc
import os
import sys


def main() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.local")
    from django.core.management import execute_from_command_line

    execute_from_command_line(sys.argv)
    # The command is done and its work committed. Python's last collection at exit would walk
    # every object Django and the libraries made, 0.15–0.25 s of a short command's time
    # (`edition publish` at 1×: 1.08 s → 0.86 s); frozen, they go back with the process.
    gc.freeze()


if __name__ == "__main__":
    main()
