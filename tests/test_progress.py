"""Progress lines of long loops: when they are logged and what they say."""

import logging

import pytest

from rmtsgd.progress import Progress, format_duration


class FakeClock:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


def lines(caplog) -> list[str]:
    return [r.getMessage() for r in caplog.records]


def test_format_duration():
    assert format_duration(0) == "0:00:00"
    assert format_duration(3725.4) == "1:02:05"
    assert format_duration(2 * 86400 + 61) == "2 d 0:01:01"


def test_logs_every_tenth_with_rate_and_eta(caplog, clock):
    log = logging.getLogger("test.progress")
    progress = Progress(1000, log, every_seconds=1e9, clock=clock)
    with caplog.at_level(logging.INFO, logger="test.progress"):
        progress.update(0)
        for done in range(1, 1001):
            clock.now += 0.01  # 100 updates per second
            progress.update(done, lambda: "diverged 0/4")
    got = lines(caplog)
    assert len(got) == 10
    assert got[0] == (
        "update 100/1000 (10%), 100 updates/s, elapsed 0:00:01, ETA 0:00:09, diverged 0/4"
    )
    assert got[-1].startswith("update 1000/1000 (100%)") and "ETA done" in got[-1]


def test_logs_at_regular_intervals_of_wall_time(caplog, clock):
    log = logging.getLogger("test.progress")
    progress = Progress(10**6, log, every_seconds=30.0, clock=clock)
    with caplog.at_level(logging.INFO, logger="test.progress"):
        progress.update(0)
        for done in range(1, 2001):
            clock.now += 0.125  # far slower than a tenth of the work per interval
            progress.update(done)
    got = lines(caplog)
    assert len(got) == 250 // 30  # one line per 30 s of the 250 s
    assert got[0].startswith("update 240/1000000 (0%), 8 updates/s, elapsed 0:00:30")


def test_resumed_run_reports_its_own_rate_and_note_is_lazy(caplog, clock):
    log = logging.getLogger("test.progress")
    progress = Progress(100, log, every_seconds=1e9, clock=clock)
    calls = []

    def note() -> str:
        calls.append(1)
        return "note"

    with caplog.at_level(logging.INFO, logger="test.progress"):
        progress.update(50)  # resumed half-way: no line, rate counts from here
        for done in range(51, 61):
            clock.now += 1.0
            progress.update(done, note)
    assert lines(caplog) == ["update 60/100 (60%), 1 updates/s, elapsed 0:00:10, ETA 0:00:40, note"]
    assert len(calls) == 1


def test_rejects_empty_work():
    with pytest.raises(ValueError, match="total"):
        Progress(0, logging.getLogger("x"))
