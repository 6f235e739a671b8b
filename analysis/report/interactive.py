"""Interactive figures (plotly) beside the static PNGs, and the intervals their hovers show.

A notebook draws a plotly figure and :func:`save_interactive` writes it as an HTML fragment,
``figures/NAME.plotly.html``, which ``report.html`` inlines under the PNG's caption (``report.md`` and print
keep the PNG). The page carries plotly.js once, inline from the installed plotly package (:func:`plotly_bundle`):
the report opens offline, with no CDN. The fragments are byte-identical from build to build: each figure's div
has a fixed id (``figure-NAME``; plotly would draw a random uuid), and plotly writes no date or version into them.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import numpy as np
import pandas as pd

from analysis.persist import write_text

INTERACTIVE_SUFFIX = ".plotly.html"
#: No plotly logo (a link out of an offline page); the figure follows the width of the page.
PLOTLY_CONFIG = {"displaylogo": False, "responsive": True}


def save_interactive(figure, reports: Path, name: str) -> str:
    """Write ``figures/NAME.plotly.html`` (a fragment with the div ``figure-NAME``); return its path in the report."""
    relative = f"figures/{name}{INTERACTIVE_SUFFIX}"
    fragment = figure.to_html(full_html=False, include_plotlyjs=False, div_id=f"figure-{name}", config=PLOTLY_CONFIG,
                              default_height=f"{figure.layout.height or 450}px")
    write_text(Path(reports) / relative, fragment + "\n")
    return relative


def plotly_bundle() -> str:
    """plotly.js as the installed plotly package ships it, for one inline ``<script>`` per page."""
    from plotly.offline import get_plotlyjs

    return get_plotlyjs()


def mean_interval(table: pd.DataFrame, by: Sequence[str], columns: Sequence[str], *, level: float = 0.95,
                  bounds: tuple[float, float] = (0.0, 1.0)) -> pd.DataFrame:
    """Each group's mean of each column with a normal-approximation interval (mean ± z·sd/√n; no width for n = 1),
    cut at ``bounds`` (shares and probabilities: a mean of values in [0, 1] lies in [0, 1]).

    A long table: ``by``, ``measure`` (the column), ``mean``, ``ci_low``, ``ci_high``, ``n`` (rows in the group).
    """
    from scipy.stats import norm

    long = table.melt(id_vars=list(by), value_vars=list(columns), var_name="measure", value_name="value")
    stats = long.groupby([*by, "measure"], sort=True)["value"].agg(mean="mean", sd="std", n="size").reset_index()
    half = norm.ppf(0.5 + level / 2) * stats["sd"].fillna(0) / np.sqrt(stats["n"])
    stats["ci_low"] = (stats["mean"] - half).clip(lower=bounds[0])
    stats["ci_high"] = (stats["mean"] + half).clip(upper=bounds[1])
    return stats.drop(columns="sd")
