"""The `policycheck` console script: the cyclic collector off before the first import.

A run is a short-lived process over acyclic data: the collector would only walk, again
and again, what the imports (click, PyYAML, policycheck) and the parsed inputs build,
and free nothing (`cli.main` turns it off for the run; here it is off for the imports
too, a few ms of every start). `policycheck.cli.main` called from Python (the tests, a
library user) keeps its own switch and turns the collector back on after.
"""

import gc

gc.disable()

from .cli import entry  # noqa: E402  (after the collector is off)

main = entry
"""Runs the CLI and leaves by os._exit, without freeing the run's objects (see exiting.py)."""

__all__ = ["main"]
