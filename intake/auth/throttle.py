"""Per-address throttling of sign-in attempts, in addition to the per-account lock-out.

The lock-out (accounts.LOCK_AFTER) stops guessing one account's password; it does not stop one
machine trying a few passwords on many accounts. `Throttle` counts the failed sign-ins of each
client address in a sliding window and refuses further attempts from it, before any password is
checked, until the oldest failure leaves the window.

In-process: each API worker process counts on its own (with N workers an address gets up to N
times the limit), and a restart forgets the counts. The lock-out in the database stays the hard
limit per account.
"""

from __future__ import annotations

import threading
import time
from collections import OrderedDict, deque
from collections.abc import Callable

LIMIT = 20  # failed sign-ins from one address ...
WINDOW = 15 * 60.0  # ... within this many seconds
MAX_ADDRESSES = 10_000  # addresses remembered at most (the least recently failing are dropped)


class Throttle:
    """Failed attempts per address in the last `window` seconds, at most `limit` of them."""

    def __init__(self, limit: int = LIMIT, window: float = WINDOW,
                 max_addresses: int = MAX_ADDRESSES,
                 clock: Callable[[], float] = time.monotonic) -> None:
        self.limit = limit
        self.window = window
        self.max_addresses = max_addresses
        self._clock = clock
        self._failures: OrderedDict[str, deque[float]] = OrderedDict()
        self._lock = threading.Lock()  # routes run in a thread pool

    def _recent(self, address: str, now: float) -> deque[float] | None:
        times = self._failures.get(address)
        if times is None:
            return None
        while times and now - times[0] >= self.window:
            times.popleft()
        if not times:
            del self._failures[address]
            return None
        return times

    def blocked(self, address: str) -> bool:
        """Whether `address` has used up its failed attempts for now."""
        with self._lock:
            times = self._recent(address, self._clock())
            return times is not None and len(times) >= self.limit

    def failed(self, address: str) -> None:
        """Count one failed sign-in from `address`."""
        with self._lock:
            now = self._clock()
            times = self._recent(address, now) or deque(maxlen=self.limit)
            times.append(now)
            self._failures[address] = times
            self._failures.move_to_end(address)
            while len(self._failures) > self.max_addresses:
                self._failures.popitem(last=False)


SIGNINS = Throttle()  # the one of this process, used by the sign-in form
