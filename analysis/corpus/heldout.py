"""The held-out slice: units that no training, tuning or annotation step may see.

``../shared/corpora/README.md`` reserves UNGDC sessions held in years ending in
3 or 8 and KCNA stories dated 2012-07-01 or later for external evaluation. The
manifests encode that rule (``[heldout]``) and every unit carries a ``heldout``
flag. Functions that learn from units are declared with
:func:`training_entry_point`, which refuses any held-out unit; a test walks the
registry and proves each one does.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any, TypeVar

import pandas as pd

from analysis.errors import AnalysisError

#: Every function declared as learning from units, by qualified name.
TRAINING_ENTRY_POINTS: dict[str, Callable[..., Any]] = {}

F = TypeVar("F", bound=Callable[..., Any])


class HeldOutError(AnalysisError, ValueError):
    """Held-out units were passed to a step that learns from them."""


def training_units(units: pd.DataFrame) -> pd.DataFrame:
    """The units a model may learn from: those not held out, in order, re-indexed from 0."""
    return units[~units["heldout"]].reset_index(drop=True)


def require_no_heldout(units: pd.DataFrame, *, purpose: str) -> None:
    """Raise :class:`HeldOutError` unless every unit is flagged as not held out."""
    if "heldout" not in units.columns:
        raise HeldOutError(f"{purpose}: units have no 'heldout' column, so the held-out slice cannot be excluded")
    flagged = units["heldout"].fillna(True).astype(bool)
    if flagged.any():
        examples = ", ".join(map(str, units.loc[flagged, "unit_id"].head(3))) if "unit_id" in units else ""
        raise HeldOutError(
            f"{purpose}: {int(flagged.sum())} of {len(units)} units are held out for external evaluation"
            f"{' (e.g. ' + examples + ')' if examples else ''}; pass units[~units.heldout] instead"
        )


def training_entry_point(function: F) -> F:
    """Declare ``function(units, ...)`` as learning from units: it refuses held-out ones."""
    name = f"{function.__module__}.{function.__qualname__}"

    @functools.wraps(function)
    def guarded(units: pd.DataFrame, *args: Any, **kwargs: Any) -> Any:
        require_no_heldout(units, purpose=name)
        return function(units, *args, **kwargs)

    TRAINING_ENTRY_POINTS[name] = guarded
    return guarded  # type: ignore[return-value]
