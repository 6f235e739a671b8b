"""Inter-coder reliability: Cohen's kappa and Krippendorff's alpha (nominal)."""

from __future__ import annotations

from collections.abc import Hashable, Sequence

import numpy as np
from sklearn.metrics import cohen_kappa_score

__all__ = ["cohen_kappa", "krippendorff_alpha_nominal"]


def cohen_kappa(first: Sequence[Hashable], second: Sequence[Hashable]) -> float:
    """Cohen's kappa of two coders' labels for the same units."""
    if len(first) != len(second):
        raise ValueError(f"the coders labelled different numbers of units: {len(first)} and {len(second)}")
    return float(cohen_kappa_score(list(first), list(second)))


def krippendorff_alpha_nominal(ratings: Sequence[Sequence[Hashable | None]]) -> float:
    """Krippendorff's alpha for nominal data.

    Parameters
    ----------
    ratings
        One row per coder, one column per unit; ``None`` where a coder did not
        code a unit. Units coded by fewer than two coders are not pairable and
        are ignored, as the coefficient defines.

    Notes
    -----
    Built from the coincidence matrix (Krippendorff 2011, "Computing
    Krippendorff's Alpha-Reliability"): ``alpha = 1 - (n - 1) * D_o / D_e``
    with observed disagreement ``sum_{c != k} o_ck`` and expected disagreement
    ``sum_{c != k} n_c n_k``.
    """
    matrix = list(zip(*ratings))  # units x coders
    values = sorted({v for unit in matrix for v in unit if v is not None}, key=repr)
    index = {value: i for i, value in enumerate(values)}
    coincidences = np.zeros((len(values), len(values)))
    for unit in matrix:
        coded = [index[v] for v in unit if v is not None]
        m = len(coded)
        if m < 2:
            continue
        for i, c in enumerate(coded):
            for j, k in enumerate(coded):
                if i != j:
                    coincidences[c, k] += 1.0 / (m - 1)
    n_c = coincidences.sum(axis=1)
    n = n_c.sum()
    if n <= 1:
        raise ValueError("no unit was coded by two or more coders")
    observed = coincidences.sum() - np.trace(coincidences)
    expected = (n_c.sum() ** 2 - (n_c ** 2).sum()) / (n - 1)
    if expected == 0:
        return 1.0  # every pairable value is the same: no variation to disagree about
    return float(1.0 - observed / expected)
