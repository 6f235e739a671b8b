"""What every stage's ``cli.py`` shares: the registration signature, defaults, error mapping, memory reporting.

This module sits below all stages: it imports no stage, and every stage's
command line may import it. Each stage package has a ``cli.py`` with

    def register(subparsers: argparse._SubParsersAction, defaults: Defaults) -> None

which adds the stage's parser (``corpus``, ``frames``, ``topics``, ...) and
sets ``run=`` on every command; :mod:`analysis.cli` calls them in pipeline
order. A command returns an exit status; it raises an
:class:`~analysis.errors.AnalysisError` (or an ``OSError`` about a file, or
``SystemExit`` with a message) for what the user can fix, and
:func:`run_command` prints those as ``error: ...`` with status 2. Every other
exception is a bug and keeps its traceback.
"""

from __future__ import annotations

import argparse
import resource
import sys
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from analysis.errors import AnalysisError

#: Exceptions printed as ``error: MESSAGE`` (status 2) instead of a traceback: the user's errors, and the
#: operating system's about the user's files (missing, a folder where a file was expected, no permission).
USER_ERRORS: tuple[type[BaseException], ...] = (AnalysisError, OSError)


@dataclass(frozen=True)
class Defaults:
    """Default folders every stage's commands start from (``--artifacts``, ``--reports``)."""

    artifacts: Path = Path("artifacts")
    reports: Path = Path("reports")

    @property
    def subcorpora(self) -> Path:
        return self.artifacts / "subcorpora"


Register = Callable[[argparse._SubParsersAction, Defaults], None]


def run_command(args: argparse.Namespace) -> int:
    """Run ``args.run(args)``; a user error becomes ``error: MESSAGE`` on stderr and status 2."""
    try:
        return args.run(args)
    except USER_ERRORS as error:
        return _user_error(str(error))
    except SystemExit as stop:
        if not isinstance(stop.code, str):
            raise
        return _user_error(stop.code)  # `raise SystemExit(message)`: the same as a user error


def _user_error(message: str) -> int:
    """Print ``error: MESSAGE`` as one printable line (a user's bytes may hold newlines or undecodable bytes)."""
    line = message.encode("utf-8", "backslashreplace").decode("utf-8").replace("\r", "\\r").replace("\n", "\\n")
    print(f"error: {line}", file=sys.stderr)
    return 2


def peak_rss_mib() -> float:
    """This process's peak resident memory in MiB.

    Linux's ``VmHWM`` belongs to the running program; ``ru_maxrss`` survives
    ``exec`` and would report the parent's peak for a child started by a large
    process (a test runner with a model loaded, say).
    """
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def positive_int(value: str) -> int:
    """An argparse type: an integer of at least 1."""
    number = int(value)
    if number < 1:
        raise argparse.ArgumentTypeError(f"must be at least 1, not {number}")
    return number


def year_range(text: str) -> tuple[int, int]:
    """An argparse type: a year (``2001``) or an inclusive range ``FIRST-LAST`` (``1990-2022``)."""
    first, _, last = text.partition("-")
    try:
        return int(first), int(last or first)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a year or an inclusive range FIRST-LAST, got {text!r}") from None


def add_exemplar_arguments(parser: argparse.ArgumentParser) -> None:
    """The options of ``frames exemplars`` and ``topics exemplars``: how many, from which speakers and years."""
    parser.add_argument("--n", type=positive_int, default=5, help="exemplars per measure (default: %(default)s)")
    parser.add_argument("--per-document", type=positive_int, default=1,
                        help="at most this many from one document (default: %(default)s)")
    parser.add_argument("--speaker", nargs="+", help="only these speakers' paragraphs, e.g. JPN KOR")
    parser.add_argument("--years", type=year_range, help="only paragraphs of these years, e.g. 2000-2010")
    parser.add_argument("--width", type=int, default=100, help="characters of each paragraph printed (default: %(default)s)")
    parser.add_argument("--csv", type=Path, help="also write the exemplars, with their full text, to this CSV file")
