"""The console entry point: set process-wide options, then run the CLI."""

from __future__ import annotations

import os
import sys


def run() -> None:
    # o2s-config uses no pydantic plugin. Without this setting, pydantic scans
    # the entry points of every installed package when the first model is
    # built, which costs start-up time on each run. PYDANTIC_DISABLE_PLUGINS
    # is pydantic's documented switch, and "__all__" turns every plugin off.
    os.environ.setdefault("PYDANTIC_DISABLE_PLUGINS", "__all__")

    from .cli import main

    sys.exit(main())
