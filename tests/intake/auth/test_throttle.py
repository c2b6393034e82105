"""The per-address sign-in throttle (intake/auth/throttle.py) on an injected clock."""

from __future__ import annotations

from intake.auth.throttle import Throttle


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def test_an_address_is_held_off_after_the_limit_until_its_oldest_failure_ages_out() -> None:
    clock = Clock()
    throttle = Throttle(limit=3, window=60, clock=clock)
    for step in range(3):
        assert not throttle.blocked("10.0.0.5")
        throttle.failed("10.0.0.5")
        clock.now += 10 if step < 2 else 1  # failures at 1000, 1010, 1020
    assert throttle.blocked("10.0.0.5")
    assert not throttle.blocked("10.0.0.6")  # another address is not concerned
    clock.now = 1059.9
    assert throttle.blocked("10.0.0.5")
    clock.now = 1060.0  # the first failure has left the window: one more attempt
    assert not throttle.blocked("10.0.0.5")
    throttle.failed("10.0.0.5")
    assert throttle.blocked("10.0.0.5")
    clock.now = 1200.0
    assert not throttle.blocked("10.0.0.5")


def test_it_remembers_a_bounded_number_of_addresses() -> None:
    clock = Clock()
    throttle = Throttle(limit=1, window=60, max_addresses=2, clock=clock)
    for address in ("a", "b", "c"):
        throttle.failed(address)
    assert not throttle.blocked("a")  # the least recently failing one was dropped
    assert throttle.blocked("b") and throttle.blocked("c")
