"""The sliding window of Open311 submissions, on a clock the test moves."""

from cityops.api.open311.throttle import SlidingWindow


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def test_the_limit_holds_within_the_window_and_frees_as_events_leave_it() -> None:
    clock = Clock()
    window = SlidingWindow(3, 60.0, clock)
    admitted = []
    for step in (0, 10, 20, 30):  # the fourth comes 30 s after the first
        clock.now = 1000.0 + step
        admitted.append(window.admit("a"))
    assert admitted == [None, None, None, 30]  # the first leaves the window at +60
    clock.now = 1060.0
    assert window.admit("a") is None
    assert window.admit("a") == 10  # the second (at +10) leaves at +70


def test_keys_are_counted_apart_and_a_refusal_counts_nothing() -> None:
    clock = Clock()
    window = SlidingWindow(1, 60.0, clock)
    assert window.admit("a") is None
    assert window.admit("b") is None
    for _ in range(5):
        assert window.admit("a") == 60
    clock.now += 60
    assert window.admit("a") is None
