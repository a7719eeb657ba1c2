"""`gc_paused()`: no cyclic garbage collection while a large file is indexed or checked.

Loading and validating a 10,000-site file allocates hundreds of thousands of
small objects that live on (indexes, diagnostics' helpers); each allocation
burst would otherwise trigger full collections that rescan everything already
loaded, costing a third of the time and freeing nothing. Reference counting
still frees everything as usual; only the cycle collector waits, and runs
again when the block ends.
"""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager

__all__ = ["gc_paused"]


@contextmanager
def gc_paused() -> Iterator[None]:
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:  # (leave it off if someone else had turned it off)
            gc.enable()
