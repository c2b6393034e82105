"""A progress bar on a terminal (stderr), silent otherwise."""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager

from tqdm import tqdm


@contextmanager
def progress_bar(total_pages: int) -> Iterator[Callable[[int], None]]:
    """Yield a tick function; draw a bar only on a terminal and for more than one page."""
    if total_pages <= 1 or not sys.stderr.isatty():
        yield lambda n: None
        return
    with tqdm(total=total_pages, unit="page", file=sys.stderr) as bar:
        yield bar.update
