"""The one base class of errors a user can fix, below every stage.

``python -m analysis`` prints an :class:`AnalysisError` as ``error: MESSAGE``
and exits with status 2 (see :func:`analysis.cli_support.run_command`). Any
other exception is a bug and keeps its traceback: a stray ``KeyError`` from
a typo in the code must not look like a user's mistake.

Each stage's errors also derive from the builtin they always were
(``ValueError``, ``RuntimeError``, ``FileNotFoundError``, ``KeyError``), so
``except ValueError`` in callers keeps working.
"""

from __future__ import annotations


class AnalysisError(Exception):
    """An error in the user's input, data or environment; its message says what to do."""


class UnknownNameError(AnalysisError, KeyError):
    """A name (corpus, subcorpus, backend) that is not known; the message lists the known ones."""

    def __str__(self) -> str:  # a KeyError quotes its message; this one reads as a sentence
        return str(self.args[0]) if self.args else ""
