"""Prevalence regression with uncertainty: the method of composition of R stm's ``estimateEffect``.

A unit's frame or topic share is estimated, not observed: a calibrated
classifier gives the probability that a paragraph uses a frame, a topic model
gives its topic proportions. Regressing those point values on covariates
treats them as data. The method of composition (Tanner 1996, as in stm's
``estimateEffect``, Roberts, Stewart & Tingley 2019) carries their
uncertainty instead. For each of M draws

1. draw every unit's outcome from its measurement distribution: the frame
   indicator z ~ Bernoulli(p), or topic proportions θ ~ Dirichlet(c);
2. fit OLS of the drawn outcomes on the design X;
3. draw one coefficient vector from N(β̂, σ̂² (X'X)⁻¹);

then pool the M coefficient vectors: estimate = mean, std_error = sd, 95%
interval = their 2.5th and 97.5th percentiles. Expected prevalence curves and
period contrasts are linear in the coefficients, so their draws are the pooled
coefficient draws times design rows, summarised the same way.

Read the results knowing three things. The model is a linear probability
model: expected prevalences are not clipped to [0, 1]. Units are treated as
independent, and paragraphs of one speech are not, so the intervals are
narrower than a model clustered by speech would give (stm makes the same
assumption about documents). And where the classifier's probabilities are
calibrated, the composition is conservative for the frames: the Bernoulli
draws add the indicators' own variance on top of the regression's σ̂², which
already holds it. If p ~ Beta with mean π(x) and concentration c, the pooled
variance is about 2c + 1 times the estimates' actual variance. In
``benchmarks/effects_simulation.py`` (200 data sets per condition) the frames'
standard errors were 1.3-1.5 times the estimates' spread at c = 0.5 and
2.1-2.3 times at c = 2, with 99-100% coverage, while the point probabilities
covered 93-95% with ratios near 1; for topics the excess was small (1.1-1.2,
97-98% coverage). Carrying the measurement uncertainty is the safe default
when calibration is in doubt; ``measurement=False`` is the sharper answer
when it is not.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from analysis.base import Estimator
from analysis.errors import AnalysisError
from analysis.persist import atomic_path, write_json, write_parquet
from analysis.topics.result import topic_column

log = logging.getLogger(__name__)

#: Coefficient draws pooled by default. The 2.5th and 97.5th percentiles of M
#: normal draws have a Monte Carlo sd of about 2.7/√M standard errors: 0.53 at
#: stm's default of 25 draws, 0.27 at 100 and 0.12 at 500. 500 draws make the
#: interval ends stable to about a tenth of a standard error and take under half
#: a second for three frames of five speakers in ungdc-japan-korea (1,710 units,
#: 30 design columns); the cost grows with units x columns x outcomes.
DEFAULT_DRAWS = 500
#: Fewest units a speaker may have. A floor against fits that pass the rank
#: check but rest on a handful of units; above it a small speaker's intervals
#: widen honestly. (China has 29 units about Japan or Korea in 1991-2022.)
DEFAULT_MIN_UNITS = 20
#: Percentiles of the pooled draws reported as the 95% interval.
INTERVAL = (2.5, 97.5)
YEAR_CODINGS = ("spline", "decade")
SPLINE_DEGREE = 3
INTERCEPT = "intercept"
#: Draws generated and fitted together: bounds memory (draws x units x outcomes floats) and fixes the random stream.
_CHUNK = 50


class EffectsError(AnalysisError, ValueError):
    """Inputs a prevalence regression cannot be fitted on or evaluated at."""


# --------------------------------------------------------------------------- outcomes


@dataclass(frozen=True, eq=False)
class Outcomes:
    """Units' outcomes and the distribution that each draw takes them from.

    Build with :func:`frame_outcomes` or :func:`topic_outcomes`.

    Attributes
    ----------
    names
        The outcomes regressed, one column of ``values`` each.
    values
        (units, outcomes) point values: frame probabilities or topic proportions.
    measurement
        ``"bernoulli"`` (frame indicators drawn from the probabilities),
        ``"dirichlet"`` (topic proportions drawn from ``concentration``) or
        ``"none"`` (the point values in every draw).
    concentration
        (units, topics) Dirichlet parameters over *all* topics, for
        ``"dirichlet"``: a draw is normalised over every topic before the
        regressed ones (``topics``) are kept.
    topics
        Indexes into ``concentration``'s columns of the regressed outcomes.
    """

    names: tuple[str, ...]
    values: np.ndarray
    measurement: str
    concentration: np.ndarray | None = None
    topics: tuple[int, ...] = ()

    @property
    def n_units(self) -> int:
        return self.values.shape[0]

    def draw(self, rng: np.random.Generator, count: int) -> np.ndarray:
        """``count`` draws of every unit's outcomes, shape (count, units, outcomes)."""
        if self.measurement == "bernoulli":
            return (rng.random((count, *self.values.shape)) < self.values).astype(float)
        if self.measurement == "dirichlet":
            gammas = rng.standard_gamma(self.concentration, size=(count, *self.concentration.shape))
            return (gammas / gammas.sum(axis=2, keepdims=True))[:, :, list(self.topics)]
        return np.broadcast_to(self.values, (count, *self.values.shape))


def frame_outcomes(probabilities: pd.DataFrame | np.ndarray, *, names: Sequence[str] | None = None,
                   measurement: bool = True) -> Outcomes:
    """Frame outcomes from a calibrated classifier's per-unit probabilities.

    Parameters
    ----------
    probabilities
        A DataFrame with one column per frame (its names are the outcomes'
        names), or an array of shape (units,) or (units, frames) with ``names``.
    measurement
        Draw each unit's frame indicator z ~ Bernoulli(p) in every draw (the
        default), or use p itself in every draw (no measurement uncertainty).
    """
    if isinstance(probabilities, pd.DataFrame):
        if names is not None:
            raise EffectsError("names come from the DataFrame's columns; select the columns instead of passing names")
        names = [str(column) for column in probabilities.columns]
        values = probabilities.to_numpy(dtype=float)
    else:
        values = np.asarray(probabilities, dtype=float)
        values = values[:, None] if values.ndim == 1 else values
        if names is None:
            raise EffectsError("name the frames: pass names=[...] with an array of probabilities")
    names = _check_names(names, values)
    for j, name in enumerate(names):
        bad = ~np.isfinite(values[:, j]) | (values[:, j] < 0) | (values[:, j] > 1)
        if bad.any():
            rows = np.flatnonzero(bad)
            raise EffectsError(f"frame {name!r}: {bad.sum()} of {len(values)} probabilities are missing or outside [0, 1] "
                               f"(rows {', '.join(map(str, rows[:5]))}{', ...' if len(rows) > 5 else ''}; "
                               f"e.g. {values[rows[0], j]!r})")
    return Outcomes(names=names, values=values, measurement="bernoulli" if measurement else "none")


def topic_outcomes(doc_topic: np.ndarray, n_tokens: np.ndarray, *, prior: float | None = None,
                   topics: Sequence[int] | None = None, measurement: bool = True) -> Outcomes:
    """Topic outcomes from a topic model's document-topic proportions.

    A unit's topic proportions are drawn from the pseudo-posterior
    Dirichlet(θ̂ × n_tokens + prior): n_tokens multinomial observations with
    proportions θ̂ under a symmetric Dirichlet(prior) prior. For LDA this is
    close to the variational posterior (gensim's γ equals θ̂ × (n + K·α), which
    differs from θ̂ × n + α by α(Kθ̂ − 1) per topic); for NMF and BERTopic it is
    an assumption: the evidence behind a unit's proportions grows with its
    length. Pass the number of tokens the model saw; raw word counts overstate
    it (stopwords and pruned words carry no topic evidence) and so understate
    the measurement uncertainty.

    Parameters
    ----------
    doc_topic
        (units, topics) proportions; every row sums to 1.
    n_tokens
        (units,) positive token counts.
    prior
        Symmetric Dirichlet prior per topic, > 0; default 1/K (gensim's
        symmetric α).
    topics
        Indexes of the topics to regress (default all); draws are normalised
        over every topic first. Outcomes are named ``topic_<index>``.
    measurement
        Draw the proportions from the pseudo-posterior (the default) or use
        the point values in every draw.
    """
    doc_topic = np.asarray(doc_topic, dtype=float)
    n_tokens = np.asarray(n_tokens, dtype=float)
    if doc_topic.ndim != 2 or doc_topic.shape[1] < 2:
        raise EffectsError(f"doc_topic must be a (units, topics) matrix with at least 2 topics, got shape {doc_topic.shape}")
    units, n_topics = doc_topic.shape
    if n_tokens.shape != (units,):
        raise EffectsError(f"n_tokens has shape {n_tokens.shape} but doc_topic has {units} rows: give one count per unit")
    bad = ~np.isfinite(doc_topic).all(axis=1) | (doc_topic < 0).any(axis=1) | (np.abs(doc_topic.sum(axis=1) - 1) > 1e-6)
    if bad.any():
        rows = np.flatnonzero(bad)
        raise EffectsError(f"{bad.sum()} of {units} doc_topic rows are not proportions (missing, negative or not summing to 1; "
                           f"a row of zeros is a unit the model knows nothing about): rows {', '.join(map(str, rows[:5]))}"
                           f"{', ...' if len(rows) > 5 else ''}; drop them first")
    bad = ~np.isfinite(n_tokens) | (n_tokens <= 0)
    if bad.any():
        raise EffectsError(f"{bad.sum()} of {units} token counts are missing or not positive (rows "
                           f"{', '.join(map(str, np.flatnonzero(bad)[:5]))})")
    prior = 1 / n_topics if prior is None else float(prior)
    if not prior > 0:
        raise EffectsError(f"prior must be > 0 (a Dirichlet needs positive parameters), got {prior}")
    topics = tuple(range(n_topics)) if topics is None else tuple(int(t) for t in topics)
    unknown = [t for t in topics if not 0 <= t < n_topics]
    if unknown or not topics or len(set(topics)) != len(topics):
        raise EffectsError(f"topics must be distinct indexes in 0..{n_topics - 1}, got {list(topics)}")
    names = tuple(topic_column(t) for t in topics)
    return Outcomes(names=names, values=doc_topic[:, list(topics)], measurement="dirichlet" if measurement else "none",
                    concentration=doc_topic * n_tokens[:, None] + prior if measurement else None, topics=topics)


def _check_names(names: Sequence[str], values: np.ndarray) -> tuple[str, ...]:
    names = tuple(str(name) for name in names)
    if values.ndim != 2 or values.shape[1] != len(names):
        raise EffectsError(f"{len(names)} outcome names for values of shape {values.shape}")
    if len(set(names)) != len(names) or not names:
        raise EffectsError(f"outcome names must be distinct and not empty, got {list(names)}")
    return names


# --------------------------------------------------------------------------- design


def _read_covariates(covariates: pd.DataFrame) -> tuple[np.ndarray, np.ndarray]:
    """The ``year`` (float) and ``speaker`` (str) columns, checked for presence and missing values."""
    missing = [column for column in ("year", "speaker") if column not in covariates.columns]
    if missing:
        raise EffectsError(f"covariates lack column(s) {', '.join(missing)} (have: {', '.join(map(str, covariates.columns))})")
    for column in ("year", "speaker"):
        if covariates[column].isna().any():
            raise EffectsError(f"{int(covariates[column].isna().sum())} of {len(covariates)} rows have no {column}")
    try:
        years = covariates["year"].to_numpy(dtype=float)
    except (TypeError, ValueError):
        raise EffectsError(f"year must be numeric, got dtype {covariates['year'].dtype}") from None
    return years, covariates["speaker"].astype(str).to_numpy(dtype=object)


@dataclass(frozen=True)
class Design:
    """How year and speaker are coded, fixed when fitted so that new rows (a grid) are coded alike.

    Columns, in order: ``intercept``; the year terms (``year_s1`` … or
    ``decade[1960]`` … dummies against the first decade); ``speaker[S]``
    dummies against the baseline; with ``interaction``, ``<year
    term>:speaker[S]`` for every non-baseline speaker in turn.

    The spline columns are scikit-learn's cubic B-spline bases without the
    last (which the intercept makes redundant), each minus its value in the
    first year, so that every year column is 0 in the first year, as with R's
    ``bs()``: the intercept is the baseline speaker's prevalence in the first
    year and ``speaker[S]`` the difference there. Unanchored, the bases sum to
    nearly 1 over most years and the intercept is nearly collinear with them
    (standard error 0.26 instead of 0.02 on 40,000 simulated units); the
    fitted curves are the same either way, as the columns span the same space.
    The spline coefficients themselves stay imprecise: scikit-learn's bases are
    not clamped, and the outer ones reach at most 1/6 inside the years. Read
    the curves (:meth:`PrevalenceRegression.expected`), not those coefficients.
    """

    year: str
    speakers: tuple[str, ...]
    interaction: bool
    year_range: tuple[int, int]
    knots: tuple[float, ...] = ()
    decades: tuple[int, ...] = ()

    @classmethod
    def fit(cls, covariates: pd.DataFrame, *, year: str = "spline", knots: int = 5, baseline: str | None = None,
            interaction: bool = True) -> Design:
        """Code the covariates: uniform spline knots over the observed years, or their decades; baseline first.

        ``baseline`` defaults to the first speaker in sorted order, as R does.
        """
        if year not in YEAR_CODINGS:
            raise EffectsError(f"year must be one of {', '.join(YEAR_CODINGS)}, got {year!r}")
        years, speakers = _read_covariates(covariates)
        if len(years) == 0:
            raise EffectsError("no units to code")
        first, last = int(np.floor(years.min())), int(np.ceil(years.max()))
        levels = sorted(set(speakers))
        if baseline is None:
            baseline = levels[0]
        elif baseline not in levels:
            raise EffectsError(f"baseline speaker {baseline!r} has no units (speakers: {', '.join(levels)})")
        ordered = (baseline, *(level for level in levels if level != baseline))
        if year == "spline":
            if knots < 2:
                raise EffectsError(f"a spline needs at least 2 knots, got {knots}")
            if first == last:
                raise EffectsError(f"every unit is from {first}: a year spline needs more than one year")
            return cls(year=year, speakers=ordered, interaction=interaction, year_range=(first, last),
                       knots=tuple(float(k) for k in np.linspace(first, last, knots)))
        decades = tuple(sorted({int(d) for d in np.floor(years / 10) * 10}))
        return cls(year=year, speakers=ordered, interaction=interaction, year_range=(first, last), decades=decades)

    @property
    def baseline(self) -> str:
        return self.speakers[0]

    @property
    def year_columns(self) -> list[str]:
        if self.year == "spline":
            return [f"year_s{j}" for j in range(1, len(self.knots) + SPLINE_DEGREE - 1)]
        return [f"decade[{decade}]" for decade in self.decades[1:]]

    @property
    def columns(self) -> list[str]:
        speakers = [f"speaker[{speaker}]" for speaker in self.speakers[1:]]
        interactions = [f"{term}:{speaker}" for speaker in speakers for term in self.year_columns] if self.interaction else []
        return [INTERCEPT, *self.year_columns, *speakers, *interactions]

    def matrix(self, covariates: pd.DataFrame, *, anchored: bool = True) -> np.ndarray:
        """The design matrix of rows with ``year`` and ``speaker``, shape (rows, len(columns)).

        ``anchored=False`` leaves the spline bases unshifted: the same rank, and
        a column that is zero there is one that no unit carries (see :func:`check_rank`).
        """
        years, speakers = _read_covariates(covariates)
        outside = np.unique(years[(years < self.year_range[0]) | (years > self.year_range[1])])
        if len(outside):
            raise EffectsError(f"year(s) {', '.join(f'{y:g}' for y in outside[:5])} lie outside the fitted years "
                               f"{self.year_range[0]}-{self.year_range[1]}; the model does not extrapolate")
        unknown = sorted(set(speakers) - set(self.speakers))
        if unknown:
            raise EffectsError(f"unknown speaker(s) {', '.join(unknown)} (the model knows {', '.join(self.speakers)})")
        year_block = self._year_block(years)
        if anchored and self.year == "spline":
            year_block = year_block - self._year_block(np.array([float(self.year_range[0])]))
        speaker_block = (speakers[:, None] == np.array(self.speakers[1:], dtype=object)[None, :]).astype(float)
        blocks = [np.ones((len(years), 1)), year_block, speaker_block]
        if self.interaction:
            blocks.append((speaker_block[:, :, None] * year_block[:, None, :]).reshape(len(years), -1))
        return np.hstack(blocks)

    def frame(self, covariates: pd.DataFrame) -> pd.DataFrame:
        """:meth:`matrix` with the column names."""
        return pd.DataFrame(self.matrix(covariates), columns=self.columns, index=covariates.index)

    def _year_block(self, years: np.ndarray) -> np.ndarray:
        if self.year == "spline":
            from sklearn.preprocessing import SplineTransformer

            knots = np.asarray(self.knots).reshape(-1, 1)
            spline = SplineTransformer(knots=knots, degree=SPLINE_DEGREE, include_bias=False).fit(knots)
            return spline.transform(years.reshape(-1, 1))
        decades = (np.floor(years / 10) * 10).astype(int)
        unknown = sorted(set(decades) - set(self.decades))
        if unknown:
            raise EffectsError(f"decade(s) {', '.join(map(str, unknown))} had no units when the model was fitted")
        return (decades[:, None] == np.array(self.decades[1:])[None, :]).astype(float)

    def to_dict(self) -> dict:
        return {"year": self.year, "speakers": list(self.speakers), "interaction": self.interaction,
                "year_range": list(self.year_range), "knots": list(self.knots), "decades": list(self.decades)}

    @classmethod
    def from_dict(cls, state: dict) -> Design:
        return cls(year=state["year"], speakers=tuple(state["speakers"]), interaction=state["interaction"],
                   year_range=tuple(state["year_range"]), knots=tuple(state["knots"]), decades=tuple(state["decades"]))


def check_rank(matrix: np.ndarray, columns: Sequence[str]) -> None:
    """Raise :class:`EffectsError` naming the columns that make a design rank-deficient.

    Pass the unanchored matrix (``Design.matrix(..., anchored=False)``). Its
    all-zero columns are named first: terms no unit carries, typically a
    speaker with no units where a year term lives; otherwise the columns a
    pivoted QR finds linearly dependent on the others.
    """
    rows, width = matrix.shape
    if rows <= width:
        raise EffectsError(f"{rows} units for {width} design columns: OLS needs more units than columns")
    hint = ("usually a speaker whose units do not span the years; restrict the years to where every speaker has units, "
            "use fewer knots, or drop the year x speaker interaction")
    zero = [column for column, values in zip(columns, matrix.T) if not values.any()]
    if zero:
        raise EffectsError(f"rank-deficient design: no unit carries column(s) {', '.join(zero)} ({hint})")
    rank = np.linalg.matrix_rank(matrix)
    if rank < width:
        from scipy.linalg import qr

        _, _, pivot = qr(matrix, mode="economic", pivoting=True)
        dependent = [columns[i] for i in sorted(pivot[rank:])]
        raise EffectsError(f"rank-deficient design (rank {rank} of {width} columns): column(s) {', '.join(dependent)} "
                           f"are linear combinations of the others ({hint})")


# --------------------------------------------------------------------------- the regression


def compose(matrix: np.ndarray, outcomes: Outcomes, *, draws: int, rng: np.random.Generator) -> np.ndarray:
    """Coefficient draws by the method of composition, shape (draws, outcomes, columns).

    Each draw takes the outcomes from their measurement distribution, fits OLS
    (one ``numpy.linalg.lstsq`` for a chunk of draws and all outcomes) and
    draws the coefficients from N(β̂, σ̂² (X'X)⁻¹) with σ̂² = RSS / (n − p), as
    stm's ``estimateEffect`` does with R's ``lm`` and ``vcov``.

    BLAS runs on one thread: the systems are small (columns in the tens), and
    on a busy two-core machine OpenBLAS's threads made each solve seven times
    slower.
    """
    from threadpoolctl import threadpool_limits  # installed with scikit-learn

    with threadpool_limits(limits=1, user_api="blas"):
        return _compose(matrix, outcomes, draws=draws, rng=rng)


def _compose(matrix: np.ndarray, outcomes: Outcomes, *, draws: int, rng: np.random.Generator) -> np.ndarray:
    units, width = matrix.shape
    n_outcomes = len(outcomes.names)
    # (X'X)^-1 = R^-1 R^-T for X = QR, so R^-1 z with z ~ N(0, I) has covariance (X'X)^-1.
    root = np.linalg.inv(np.linalg.qr(matrix, mode="r"))
    result = np.empty((draws, n_outcomes, width))
    for start in range(0, draws, _CHUNK):
        count = min(_CHUNK, draws - start)
        drawn = np.moveaxis(outcomes.draw(rng, count), 1, 0).reshape(units, count * n_outcomes)
        beta, *_ = np.linalg.lstsq(matrix, drawn, rcond=None)
        sigma = np.sqrt(((drawn - matrix @ beta) ** 2).sum(axis=0) / (units - width))
        noise = rng.standard_normal((count * n_outcomes, width)) @ root.T
        result[start:start + count] = (beta.T + sigma[:, None] * noise).reshape(count, n_outcomes, width)
    return result


def _summarise(draws: np.ndarray) -> dict[str, np.ndarray]:
    """Mean, sd and percentile interval over the first axis."""
    low, high = np.percentile(draws, INTERVAL, axis=0)
    return {"estimate": draws.mean(axis=0), "std_error": draws.std(axis=0, ddof=1), "ci_low": low, "ci_high": high}


def _period(value: Sequence[int], name: str) -> tuple[int, int]:
    try:
        first, last = (int(v) for v in value)
    except (TypeError, ValueError):
        raise EffectsError(f"{name} must be a (first, last) pair of years, got {value!r}") from None
    if first > last:
        raise EffectsError(f"{name} runs backwards: {first}-{last}")
    return first, last


class PrevalenceRegression(Estimator):
    """Frame or topic prevalence on year and speaker, with measurement and sampling uncertainty.

    Parameters
    ----------
    year
        ``"spline"`` (cubic B-spline of the year with ``knots`` uniform knots
        over the observed years) or ``"decade"`` (dummies against the first decade).
    knots
        Spline knots, ends included; the spline has ``knots + 1`` columns.
    baseline
        The reference speaker of the treatment coding (default: the first in
        sorted order).
    interaction
        Give every speaker its own year curve (year x speaker terms). Without
        it the speakers' curves are parallel and every speaker's period
        contrast is the same.
    draws
        Method-of-composition draws (see :data:`DEFAULT_DRAWS`).
    min_units
        A speaker with fewer units is an error, not a silent skip: dropping it
        would change what the other coefficients mean. Select speakers before
        fitting.
    seed
        Seed of the numpy Generator behind every draw.

    Attributes
    ----------
    design_ : Design
    coef_draws_ : ndarray of shape (draws, outcomes, columns)
    outcomes_ : tuple of str
    measurement_ : str
    n_units_ : int
    units_by_speaker_ : dict of str to int
    """

    def __init__(self, *, year: str = "spline", knots: int = 5, baseline: str | None = None, interaction: bool = True,
                 draws: int = DEFAULT_DRAWS, min_units: int = DEFAULT_MIN_UNITS, seed: int = 0):
        self.year = year
        self.knots = knots
        self.baseline = baseline
        self.interaction = interaction
        self.draws = draws
        self.min_units = min_units
        self.seed = seed

    def fit(self, covariates: pd.DataFrame, outcomes: Outcomes) -> PrevalenceRegression:
        """Fit on units' covariates (``year``, ``speaker``) and their outcomes, aligned row by row."""
        if not isinstance(outcomes, Outcomes):
            raise TypeError(f"outcomes must be built by frame_outcomes or topic_outcomes, got {type(outcomes).__name__}")
        if self.draws < 2:
            raise EffectsError(f"draws must be at least 2 to give a standard error, got {self.draws}")
        if len(covariates) != outcomes.n_units:
            raise EffectsError(f"covariates have {len(covariates)} rows but the outcomes have {outcomes.n_units} units; "
                               "they must be aligned row by row")
        _, speakers = _read_covariates(covariates)
        counts = pd.Series(speakers).value_counts().sort_index()
        few = counts[counts < self.min_units]
        if len(few):
            raise EffectsError(f"speaker(s) with fewer than min_units={self.min_units} units: "
                               f"{', '.join(f'{s} ({n})' for s, n in few.items())}; drop them or lower min_units")
        design = Design.fit(covariates, year=self.year, knots=self.knots, baseline=self.baseline, interaction=self.interaction)
        check_rank(design.matrix(covariates, anchored=False), design.columns)
        self.coef_draws_ = compose(design.matrix(covariates), outcomes, draws=self.draws, rng=np.random.default_rng(self.seed))
        self.design_ = design
        self.outcomes_ = outcomes.names
        self.measurement_ = outcomes.measurement
        self.n_units_ = int(len(covariates))
        self.units_by_speaker_ = {str(s): int(n) for s, n in counts.items()}
        log.info("prevalence regression: %d units, %d columns, %d outcomes (%s), %d draws", self.n_units_,
                 len(design.columns), len(self.outcomes_), self.measurement_, self.draws)
        return self

    stage = "effects"
    packages = ("scikit-learn", "scipy")

    def __sklearn_is_fitted__(self) -> bool:
        return hasattr(self, "coef_draws_")

    def coefficients(self) -> pd.DataFrame:
        """Pooled coefficients: outcome, term, estimate, std_error, ci_low, ci_high."""
        self._check_fitted()
        summary = _summarise(self.coef_draws_)
        columns = self.design_.columns
        table = pd.DataFrame({"outcome": np.repeat(self.outcomes_, len(columns)), "term": np.tile(columns, len(self.outcomes_))})
        for key, values in summary.items():
            table[key] = values.ravel()
        return table

    def expected(self, grid: pd.DataFrame | None = None) -> pd.DataFrame:
        """Expected prevalence with 95% bands at ``grid``'s rows (``year``, ``speaker``).

        The default grid is every speaker in every whole year of the fitted
        range. A speaker's curve outside the years it has units is an
        extrapolation of the spline, however smooth it looks.
        """
        self._check_fitted()
        if grid is None:
            first, last = self.design_.year_range
            grid = pd.DataFrame([(speaker, year) for speaker in sorted(self.design_.speakers) for year in range(first, last + 1)],
                                columns=["speaker", "year"])
        rows = self.design_.matrix(grid)
        summary = _summarise(np.einsum("mkp,gp->mkg", self.coef_draws_, rows))
        table = pd.DataFrame({"outcome": np.repeat(self.outcomes_, len(grid)),
                              "speaker": np.tile(grid["speaker"].astype(str).to_numpy(), len(self.outcomes_)),
                              "year": np.tile(grid["year"].to_numpy(), len(self.outcomes_))})
        for key, values in summary.items():
            table[key] = values.ravel()
        return table

    def contrast(self, *, later: Sequence[int] = (2011, 2022), earlier: Sequence[int] = (2000, 2010),
                 speakers: Sequence[str] | None = None) -> pd.DataFrame:
        """Expected prevalence over ``later`` minus over ``earlier`` (inclusive years), per speaker, with 95% interval.

        A period's prevalence is the mean of the expected prevalence of its
        whole years, each year weighing the same however many units it has.
        ``earlier_estimate`` and ``later_estimate`` are the two periods' means.
        """
        self._check_fitted()
        later, earlier = _period(later, "later"), _period(earlier, "earlier")
        speakers = sorted(self.design_.speakers) if speakers is None else [str(s) for s in speakers]
        means = {}
        for name, (first, last) in (("earlier", earlier), ("later", later)):
            rows = [self.design_.matrix(pd.DataFrame({"speaker": speaker, "year": range(first, last + 1)})).mean(axis=0)
                    for speaker in speakers]
            means[name] = np.einsum("mkp,sp->mks", self.coef_draws_, np.array(rows))
        summary = _summarise(means["later"] - means["earlier"])
        table = pd.DataFrame({"outcome": np.repeat(self.outcomes_, len(speakers)),
                              "speaker": np.tile(speakers, len(self.outcomes_)),
                              "earlier": f"{earlier[0]}-{earlier[1]}", "later": f"{later[0]}-{later[1]}",
                              "earlier_estimate": means["earlier"].mean(axis=0).ravel(),
                              "later_estimate": means["later"].mean(axis=0).ravel()})
        for key, values in summary.items():
            table[key] = values.ravel()
        return table

    def _save_state(self, folder: Path) -> None:
        """``effects.json`` (parameters, design, outcomes), ``coef_draws.npz`` and ``coefficients.parquet``."""
        state = {"params": self.get_params(), "design": self.design_.to_dict(), "outcomes": list(self.outcomes_),
                 "measurement": self.measurement_, "n_units": self.n_units_, "units_by_speaker": self.units_by_speaker_}
        write_json(folder / "effects.json", state)
        with atomic_path(folder / "coef_draws.npz") as temporary:
            np.savez(temporary, coef_draws=self.coef_draws_)
        write_parquet(folder / "coefficients.parquet", self.coefficients())

    @classmethod
    def _load_state(cls, folder: Path, manifest: dict) -> PrevalenceRegression:
        path = folder / "effects.json"
        if not path.exists():
            raise FileNotFoundError(f"{folder} holds no prevalence regression (effects.json is missing)")
        state = json.loads(path.read_text())
        model = cls(**state["params"])
        model.design_ = Design.from_dict(state["design"])
        with np.load(folder / "coef_draws.npz", allow_pickle=False) as data:
            model.coef_draws_ = data["coef_draws"]
        model.outcomes_ = tuple(state["outcomes"])
        expected = (model.draws, len(model.outcomes_), len(model.design_.columns))
        if model.coef_draws_.shape != expected:
            raise EffectsError(f"{folder / 'coef_draws.npz'} holds draws of shape {model.coef_draws_.shape}, "
                               f"but effects.json describes {expected}")
        model.measurement_ = state["measurement"]
        model.n_units_ = state["n_units"]
        model.units_by_speaker_ = state["units_by_speaker"]
        return model


def load_effects(folder: Path) -> PrevalenceRegression:
    """A prevalence regression saved by :meth:`PrevalenceRegression.save`: :meth:`PrevalenceRegression.load`."""
    return PrevalenceRegression.load(folder)


# --------------------------------------------------------------------------- simulation


def simulate_frames(prevalence: np.ndarray, *, concentration: float, rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
    """Calibrated classifier probabilities, and true frame indicators, for units of known prevalence.

    p ~ Beta(π·c, (1 − π)·c), so E[p | x] = π(x), and z ~ Bernoulli(p): a unit
    whose classifier says p uses the frame with probability p (calibration).
    Lower ``concentration`` c gives more confident probabilities (nearer 0
    and 1). Use it to check coverage, or power, with your own design:
    ``prevalence = design.matrix(covariates) @ coefficients``.

    Returns
    -------
    (probabilities, indicators), both shaped like ``prevalence``.
    """
    prevalence = np.asarray(prevalence, dtype=float)
    if not ((prevalence > 0) & (prevalence < 1)).all():
        raise EffectsError(f"true prevalence must lie in (0, 1), got {prevalence.min():.3f}..{prevalence.max():.3f}")
    probabilities = rng.beta(prevalence * concentration, (1 - prevalence) * concentration)
    return probabilities, (rng.random(prevalence.shape) < probabilities).astype(float)


def simulate_topics(prevalence: np.ndarray, n_tokens: np.ndarray, *, concentration: float,
                    rng: np.random.Generator) -> np.ndarray:
    """Estimated topic proportions for units of known expected proportions.

    True proportions θ ~ Dirichlet(π·c), tokens ~ Multinomial(n_tokens, θ);
    the estimate is the tokens' topic shares, so E[estimate | x] = π(x).

    Parameters
    ----------
    prevalence
        (units, topics) expected proportions, positive, rows summing to 1.
    n_tokens
        (units,) positive integers.
    """
    prevalence = np.asarray(prevalence, dtype=float)
    if not (prevalence > 0).all() or not np.allclose(prevalence.sum(axis=1), 1):
        raise EffectsError("expected topic proportions must be positive and sum to 1 in every row")
    gammas = rng.standard_gamma(prevalence * concentration)
    theta = gammas / gammas.sum(axis=1, keepdims=True)
    n_tokens = np.asarray(n_tokens, dtype=np.int64)
    return rng.multinomial(n_tokens, theta) / n_tokens[:, None]
