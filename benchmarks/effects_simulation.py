"""Coverage and bias of the prevalence regression's intervals (``analysis.effects``) on simulated data.

    .venv/bin/python benchmarks/effects_simulation.py                  # 200 data sets per condition (minutes)
    .venv/bin/python benchmarks/effects_simulation.py --datasets 50    # a quick look

The design is the one under which the method should be judged. Units have a
year (1990-2020) and one of three speakers; their true prevalence π(x) is
linear in the design the estimator uses (cubic spline with 4 knots, speaker,
year x speaker). Frames: each unit's calibrated classifier probability is
p ~ Beta(π·c, (1 − π)·c), so E[p | x] = π(x), and the estimator sees p only.
Topics (three): true proportions θ ~ Dirichlet(π·c), tokens ~ Multinomial(n, θ)
with n uniform in 10..79, and the estimator sees the tokens' topic shares and n.
Every condition is fitted twice: carrying measurement uncertainty (Bernoulli
or Dirichlet draws) and with the point values in every draw.

For every coefficient, and for every speaker's contrast of 2011-2020 against
1995-2005, the table gives the 95% intervals' coverage of the truth, the mean
bias, their Monte Carlo standard errors, and the mean reported standard error
over the standard deviation of the estimates across data sets (``se_ratio``:
1 is honest, above 1 conservative). Written to
``reports/benchmarks/effects_simulation.csv``; a summary per condition is printed.
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path

import numpy as np
import pandas as pd

from analysis.effects import (
    DEFAULT_DRAWS,
    Design,
    PrevalenceRegression,
    frame_outcomes,
    simulate_frames,
    simulate_topics,
    topic_outcomes,
)

SPEAKERS = ("A", "B", "C")
FIRST, LAST = 1990, 2020
EARLIER, LATER = (1995, 2005), (2011, 2020)
KNOTS = 4


def simulated_units(n: int, rng: np.random.Generator) -> pd.DataFrame:
    """Every year once (so the fitted spline range is fixed), the rest at random; three speakers."""
    years = np.concatenate([np.arange(FIRST, LAST + 1), rng.integers(FIRST, LAST + 1, n - (LAST - FIRST + 1))])
    return pd.DataFrame({"year": years, "speaker": rng.choice(SPEAKERS, n)})


def true_coefficients(design: Design, rng: np.random.Generator, *, topics: bool) -> np.ndarray:
    """(outcomes, columns): one frame near 0.45, or three topics whose prevalences sum to 1 for every unit."""
    def draw(intercept, scale):
        beta = rng.uniform(-scale, scale, len(design.columns))
        beta[0] = intercept
        return beta

    if not topics:
        return draw(0.45, 0.06)[None, :]
    first = [draw(1 / 3, 0.03) for _ in range(2)]
    last = -first[0] - first[1]
    last[0] += 1
    return np.array([*first, last])


def true_contrasts(design: Design, beta: np.ndarray) -> np.ndarray:
    """(outcomes, speakers): mean expected prevalence over LATER minus over EARLIER, years weighed equally."""
    def mean_row(speaker, first, last):
        return design.matrix(pd.DataFrame({"speaker": speaker, "year": range(first, last + 1)})).mean(axis=0)

    rows = np.array([mean_row(s, *LATER) - mean_row(s, *EARLIER) for s in sorted(SPEAKERS)])
    return beta @ rows.T


def run_condition(variant: str, n_units: int, concentration: float, *, datasets: int, draws: int, seed: int) -> pd.DataFrame:
    """Both measurements of one condition on the same simulated data sets; one row per quantity and measurement."""
    rng = np.random.default_rng([seed, n_units, int(concentration * 1000), variant == "topics"])
    units = simulated_units(n_units, rng)
    design = Design.fit(units, knots=KNOTS, baseline="A")
    beta = true_coefficients(design, rng, topics=variant == "topics")
    prevalence = design.matrix(units) @ beta.T
    n_tokens = rng.integers(10, 80, n_units)
    truth = np.concatenate([beta.ravel(), true_contrasts(design, beta).ravel()])
    estimates = {m: [] for m in ("carried", "point")}
    for replicate in range(datasets):
        if variant == "frames":
            probabilities, _ = simulate_frames(prevalence[:, 0], concentration=concentration, rng=rng)
            outcomes = {m: frame_outcomes(probabilities, names=["frame"], measurement=m == "carried") for m in estimates}
        else:
            doc_topic = simulate_topics(prevalence, n_tokens, concentration=concentration, rng=rng)
            outcomes = {m: topic_outcomes(doc_topic, n_tokens, measurement=m == "carried") for m in estimates}
        for measurement, outcome in outcomes.items():
            model = PrevalenceRegression(knots=KNOTS, baseline="A", draws=draws, seed=replicate).fit(units, outcome)
            estimates[measurement].append(pd.concat([model.coefficients(), model.contrast(later=LATER, earlier=EARLIER)]))
    labels = estimates["carried"][0]
    quantity = np.where(labels["term"].isna(), "contrast", "coefficient")
    term = np.where(labels["term"].isna(), "contrast[" + labels["speaker"].astype(str) + "]", labels["term"])
    tables = []
    for measurement, runs in estimates.items():
        stacked = {key: np.array([run[key].to_numpy(dtype=float) for run in runs])
                   for key in ("estimate", "std_error", "ci_low", "ci_high")}
        covered = (stacked["ci_low"] <= truth) & (truth <= stacked["ci_high"])
        errors = stacked["estimate"] - truth
        sd = stacked["estimate"].std(axis=0, ddof=1)
        coverage = covered.mean(axis=0)
        tables.append(pd.DataFrame({
            "variant": variant, "measurement": measurement, "units": n_units, "concentration": concentration,
            "datasets": datasets, "draws": draws, "outcome": labels["outcome"].to_numpy(), "quantity": quantity,
            "term": term, "true": truth, "coverage": coverage, "coverage_mcse": np.sqrt(coverage * (1 - coverage) / datasets),
            "bias": errors.mean(axis=0), "bias_mcse": sd / np.sqrt(datasets), "mean_se": stacked["std_error"].mean(axis=0),
            "sd_estimate": sd, "se_ratio": stacked["std_error"].mean(axis=0) / sd,
            "mean_width": (stacked["ci_high"] - stacked["ci_low"]).mean(axis=0),
        }))
    return pd.concat(tables, ignore_index=True)


def summarise(table: pd.DataFrame) -> pd.DataFrame:
    """One line per condition, measurement and quantity: coverage (mean, min), worst |bias| in MC SEs, SE ratio."""
    keys = ["variant", "units", "concentration", "measurement", "quantity"]
    grouped = table.assign(bias_z=(table["bias"] / table["bias_mcse"]).abs()).groupby(keys, sort=False)
    return grouped.agg(n=("term", "size"), coverage=("coverage", "mean"), coverage_min=("coverage", "min"),
                       max_abs_bias_in_mcse=("bias_z", "max"), median_se_ratio=("se_ratio", "median"),
                       mean_width=("mean_width", "mean")).reset_index()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--datasets", type=int, default=200, help="simulated data sets per condition (default: %(default)s)")
    parser.add_argument("--sizes", type=int, nargs="+", default=[500, 2000], help="units per data set (default: %(default)s)")
    parser.add_argument("--frame-concentrations", type=float, nargs="+", default=[0.5, 2.0],
                        help="Beta concentration c of the classifier probabilities; lower is more confident. Within "
                             "speaker-years, ungdc-japan-korea's look like c = 0.7 (security), 1.3 (trade), "
                             "2.8 (history) (default: %(default)s)")
    parser.add_argument("--topic-concentrations", type=float, nargs="+", default=[5.0],
                        help="Dirichlet concentration of the true topic proportions (default: %(default)s)")
    parser.add_argument("--draws", type=int, default=DEFAULT_DRAWS, help="composition draws per fit (default: %(default)s)")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--out", type=Path, default=Path("reports/benchmarks/effects_simulation.csv"))
    args = parser.parse_args(argv)

    conditions = [("frames", n, c) for n in args.sizes for c in args.frame_concentrations]
    conditions += [("topics", n, c) for n in args.sizes for c in args.topic_concentrations]
    started, tables = time.perf_counter(), []
    for variant, n_units, concentration in conditions:
        began = time.perf_counter()
        table = run_condition(variant, n_units, concentration, datasets=args.datasets, draws=args.draws, seed=args.seed)
        tables.append(table.assign(seconds=round(time.perf_counter() - began, 2)))
        print(f"{variant} n={n_units} c={concentration:g}: {args.datasets} data sets x 2 fits in {time.perf_counter() - began:.1f} s",
              flush=True)
    table = pd.concat(tables, ignore_index=True)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    table.to_csv(args.out, index=False, float_format="%.6f")
    print(summarise(table).to_string(index=False, float_format=lambda v: f"{v:.3f}"))
    print(f"{len(conditions)} conditions, {args.datasets} data sets each, {args.draws} draws per fit: "
          f"{time.perf_counter() - started:.0f} s; written to {args.out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
