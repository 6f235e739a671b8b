"""Progress of the long loops: a tqdm bar on a terminal, a few log lines otherwise.

Under ``make``, in CI or with stderr redirected to a file, a tqdm bar is
hundreds of redraws on one line. :func:`progress` draws the bar only when
stderr is a terminal; otherwise it logs a line (``analysis.progress``, shown by
default) when another tenth of the total is done but at most every
:data:`MIN_SECONDS`, or after :data:`MAX_SECONDS` of silence, and one line at
the end: counts, percentage, rate and elapsed time. ``TQDM_DISABLE=1`` silences
both.
"""

from __future__ import annotations

import logging
import os
import sys
import time
from collections.abc import Iterable, Iterator
from typing import Any

log = logging.getLogger("analysis.progress")

#: A log line at most this often (seconds) ...
MIN_SECONDS = 2.0
#: ... and at least this often while the loop runs.
MAX_SECONDS = 30.0


def progress(iterable: Iterable | None = None, *, total: int | None = None, desc: str = "", unit: str = "it",
             enabled: bool = True) -> Any:
    """``tqdm(iterable, total=, desc=, unit=)`` on a terminal, :class:`LogProgress` elsewhere; iterate it or call ``update``."""
    if total is None and iterable is not None and hasattr(iterable, "__len__"):
        total = len(iterable)
    quiet = not enabled or os.environ.get("TQDM_DISABLE", "").lower() in ("1", "true", "yes")
    if not quiet and sys.stderr.isatty():
        from tqdm import tqdm

        return tqdm(iterable, total=total, desc=desc, unit=unit)
    return LogProgress(iterable, total=total, desc=desc, unit=unit, enabled=not quiet)


class LogProgress:
    """The non-terminal progress: the same ``update``/iteration/``with`` interface as a tqdm bar, as log lines."""

    def __init__(self, iterable: Iterable | None = None, *, total: int | None, desc: str, unit: str, enabled: bool = True,
                 clock=time.monotonic):
        self.iterable, self.total, self.desc, self.unit, self.enabled = iterable, total, desc, unit, enabled
        self.n = 0
        self._clock = clock
        self._started = self._last = clock()
        self._logged_tenths = 0
        self._closed = False

    def __iter__(self) -> Iterator:
        try:
            for item in self.iterable:
                yield item
                self.update(1)
        finally:
            self.close()

    def __enter__(self) -> LogProgress:
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def update(self, n: int = 1) -> None:
        self.n += n
        if not self.enabled:
            return
        now = self._clock()
        tenths = 10 * self.n // self.total if self.total else 0
        since = now - self._last
        unfinished = not self.total or self.n < self.total  # the last line is close()'s
        if unfinished and ((tenths > self._logged_tenths and since >= MIN_SECONDS) or since >= MAX_SECONDS):
            self._log(now)

    def close(self) -> None:
        if self._closed:
            return
        self._closed = True
        if self.enabled and self.n:
            self._log(self._clock(), done=True)

    def _log(self, now: float, *, done: bool = False) -> None:
        elapsed = now - self._started
        rate = self.n / elapsed if elapsed > 0 else float("inf")
        of = f"/{self.total:,}" if self.total else ""
        share = f" ({100 * self.n / self.total:.0f}%)" if self.total else ""
        verb = "done, " if done else ""
        log.info("%s: %s%s%s %s%s, %s %s/s, %.0f s", self.desc, verb, f"{self.n:,}", of, self.unit, share,
                 f"{rate:,.1f}", self.unit, elapsed)
        self._last = now
        if self.total:
            self._logged_tenths = 10 * self.n // self.total
