"""Drawing units for annotation: the first step that learns from data, so it refuses held-out units."""

from __future__ import annotations

import pandas as pd

from analysis.corpus.heldout import training_entry_point


@training_entry_point
def sample_for_annotation(units: pd.DataFrame, *, n: int, seed: int, stratify_by: str | None = None) -> pd.DataFrame:
    """A reproducible random sample of ``n`` units to annotate.

    Parameters
    ----------
    units
        Unit rows (see :data:`analysis.corpus.units.UNIT_SCHEMA`); none may be held out.
    n
        How many units to draw (all of them when there are fewer).
    seed
        Seed of the draw: the same units, seed and ``n`` give the same sample.
    stratify_by
        A column (for example a keyword-stratum column) to draw from in
        proportion to its groups' sizes, so rare strata are not missed.

    Returns
    -------
    The sampled rows, in the order drawn.
    """
    if n <= 0:
        raise ValueError(f"n must be positive, got {n}")
    if n >= len(units):
        return units.sample(frac=1.0, random_state=seed)
    if stratify_by is None:
        return units.sample(n=n, random_state=seed)
    shares = units[stratify_by].value_counts(normalize=True, sort=False)
    quotas = (shares * n).round().astype(int).clip(lower=1)
    parts = [group.sample(n=min(len(group), quotas[key]), random_state=seed) for key, group in units.groupby(stratify_by, sort=True)]
    return pd.concat(parts).sample(frac=1.0, random_state=seed).head(n)
