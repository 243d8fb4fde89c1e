"""Progress of long loops, written to a log a person can follow (`tail -f` of a rule's log).

Every trainer reports through `Progress`: units done out of the total, the rate since the start,
the time elapsed and the estimated time left, at regular intervals of wall time and at every
tenth of the work, whichever comes first, plus a final line.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable


def format_duration(seconds: float) -> str:
    """Seconds as H:MM:SS (days in front when longer), e.g. 3725 -> '1:02:05'."""
    seconds = max(0, round(seconds))
    days, rest = divmod(seconds, 86400)
    hours, rest = divmod(rest, 3600)
    minutes, secs = divmod(rest, 60)
    clock = f"{hours}:{minutes:02d}:{secs:02d}"
    return f"{days} d {clock}" if days else clock


class Progress:
    """Logs `<unit> done/total (pct), rate/s, elapsed, ETA[, note]` at regular intervals.

    `update(done)` is cheap enough to call after every unit of work: it reads the clock and
    logs only when `every_seconds` have passed since the last line or `done` crossed the next
    `every_fraction` of the total. The first call's `done` is the starting point, so a run
    resumed part-way reports the rate of its own work.
    """

    def __init__(
        self,
        total: int,
        logger: logging.Logger,
        unit: str = "update",
        every_seconds: float = 30.0,
        every_fraction: float = 0.1,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        if total < 1:
            raise ValueError(f"total must be >= 1, got {total}")
        self.total, self.logger, self.unit = total, logger, unit
        self.every_seconds, self.clock = every_seconds, clock
        self.step = max(1, round(every_fraction * total))
        self.start_time = clock()
        self.start_done: int | None = None
        self.last_time = self.start_time
        self.next_mark = self.step

    def update(self, done: int, note: Callable[[], str] | None = None) -> bool:
        """Record `done` units finished; return whether a line was logged.

        `note` is called only when a line is due (e.g. a count that needs a device sync).
        """
        now = self.clock()
        if self.start_done is None:
            self.start_done = done
            self.next_mark = (done // self.step + 1) * self.step
        due = (
            done >= self.total
            or done >= self.next_mark
            or now - self.last_time >= self.every_seconds
        )
        if not due:
            return False
        self.logger.info(self.line(done, now, note() if note else ""))
        self.last_time = now
        self.next_mark = (done // self.step + 1) * self.step
        return True

    def line(self, done: int, now: float, note: str = "") -> str:
        """The progress line for `done` units at clock time `now`."""
        elapsed = now - self.start_time
        worked = done - (self.start_done or 0)
        rate = worked / elapsed if elapsed > 0 else float("nan")
        if done >= self.total:
            eta = "done"
        elif worked > 0 and elapsed > 0:
            eta = format_duration((self.total - done) / rate)
        else:
            eta = "unknown"
        text = (
            f"{self.unit} {done}/{self.total} ({100 * done / self.total:.0f}%), "
            f"{rate:.4g} {self.unit}s/s, elapsed {format_duration(elapsed)}, ETA {eta}"
        )
        return f"{text}, {note}" if note else text
