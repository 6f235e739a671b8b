"""Prevalence regression with uncertainty: the design, the method of composition, its coverage, the command."""

import argparse
import json

import numpy as np
import pandas as pd
import pytest

from analysis.cli_support import Defaults
from analysis.effects import (
    Design,
    EffectsError,
    PrevalenceRegression,
    frame_outcomes,
    load_effects,
    simulate_frames,
    simulate_topics,
    topic_outcomes,
)
from analysis.effects.cli import register as register_effects

SPEAKERS = ("A", "B", "C")


def simulated_units(n: int, rng: np.random.Generator, *, first: int = 1990, last: int = 2020) -> pd.DataFrame:
    """Units spread over every year of first..last (so the fitted spline range is fixed) and three speakers."""
    years = np.concatenate([np.arange(first, last + 1), rng.integers(first, last + 1, n - (last - first + 1))])
    return pd.DataFrame({"year": years, "speaker": rng.choice(SPEAKERS, n)})


def true_coefficients(design: Design, rng: np.random.Generator, *, intercept: float, scale: float) -> np.ndarray:
    """Small random effects around an intercept; B-spline bases sum to at most 1, so prevalence stays near it."""
    beta = rng.uniform(-scale, scale, len(design.columns))
    beta[0] = intercept
    return beta


def true_topic_coefficients(design: Design, rng: np.random.Generator) -> np.ndarray:
    """Three topics' coefficients whose prevalences sum to 1 for every unit: the last is one minus the others."""
    first = [true_coefficients(design, rng, intercept=1 / 3, scale=0.03) for _ in range(2)]
    last = -first[0] - first[1]
    last[0] += 1
    return np.array([*first, last])


# --------------------------------------------------------------------------- design


def test_spline_design_names_and_codes_every_column():
    units = simulated_units(300, np.random.default_rng(0))
    design = Design.fit(units, year="spline", knots=4, baseline="B", interaction=True)
    splines = [f"year_s{j}" for j in range(1, 6)]
    assert design.columns == ["intercept", *splines, "speaker[A]", "speaker[C]",
                              *[f"{s}:speaker[A]" for s in splines], *[f"{s}:speaker[C]" for s in splines]]
    frame = design.frame(units)
    assert frame.shape == (300, 18)
    assert (frame["intercept"] == 1).all()
    assert (frame["speaker[A]"] == (units["speaker"] == "A")).all() and (frame["speaker[C]"] == (units["speaker"] == "C")).all()
    np.testing.assert_array_equal(frame["year_s3:speaker[C]"], frame["year_s3"] * frame["speaker[C]"])
    from sklearn.preprocessing import SplineTransformer

    reference = SplineTransformer(n_knots=4, degree=3, include_bias=False).fit_transform(units[["year"]].to_numpy(float))
    first_year = reference[units["year"].to_numpy() == 1990][0]
    np.testing.assert_allclose(frame[splines].to_numpy(), reference - first_year, atol=1e-12)  # anchored: 0 in the first year
    assert Design.fit(units, knots=4, interaction=False).columns == ["intercept", *splines, "speaker[B]", "speaker[C]"]


def test_decade_design_uses_the_first_decade_as_reference():
    units = pd.DataFrame({"year": [1985, 1995, 2004, 2013, 1999], "speaker": ["A", "B", "A", "B", "A"]})
    design = Design.fit(units, year="decade", baseline="A", interaction=True)
    assert design.columns == ["intercept", "decade[1990]", "decade[2000]", "decade[2010]", "speaker[B]",
                              "decade[1990]:speaker[B]", "decade[2000]:speaker[B]", "decade[2010]:speaker[B]"]
    frame = design.frame(units)
    assert frame.loc[1].tolist() == [1, 1, 0, 0, 1, 1, 0, 0]
    assert frame.loc[0, ["decade[1990]", "decade[2000]", "decade[2010]"]].sum() == 0


def test_unknown_levels_and_years_are_named():
    units = simulated_units(200, np.random.default_rng(1))
    with pytest.raises(EffectsError, match=r"baseline speaker 'JPN' has no units \(speakers: A, B, C\)"):
        Design.fit(units, baseline="JPN")
    design = Design.fit(units, knots=4)
    with pytest.raises(EffectsError, match="unknown speaker\\(s\\) KOR"):
        design.matrix(pd.DataFrame({"year": [2000], "speaker": ["KOR"]}))
    with pytest.raises(EffectsError, match="year\\(s\\) 2025 lie outside the fitted years 1990-2020"):
        design.matrix(pd.DataFrame({"year": [2025], "speaker": ["A"]}))


def test_a_speaker_without_units_where_a_spline_lives_is_named():
    rng = np.random.default_rng(2)
    units = simulated_units(400, rng)
    units = units[(units["speaker"] != "C") | (units["year"] >= 2010)].reset_index(drop=True)
    outcomes = frame_outcomes(rng.uniform(size=len(units)), names=["security"])
    with pytest.raises(EffectsError, match=r"no unit carries column\(s\) year_s1:speaker\[C\], year_s2:speaker\[C\] \("):
        PrevalenceRegression(knots=4, baseline="A", draws=10).fit(units, outcomes)


def test_collinear_columns_are_named():
    # C speaks only in the 2000s and 2010s: its two decade interactions add up to its speaker dummy.
    years = np.tile(np.arange(1990, 2020), 3)
    units = pd.DataFrame({"year": years, "speaker": np.repeat(["A", "B", "C"], 30)})
    units = units[(units["speaker"] != "C") | (units["year"] >= 2000)].reset_index(drop=True)
    outcomes = frame_outcomes(np.full(len(units), 0.5), names=["trade"])
    with pytest.raises(EffectsError, match="rank 8 of 9 columns") as error:
        PrevalenceRegression(year="decade", baseline="A", min_units=5, draws=10).fit(units, outcomes)
    named = str(error.value).split("column(s) ")[1].split(" are linear")[0].split(", ")
    assert named and set(named) <= {"speaker[C]", "decade[2000]:speaker[C]", "decade[2010]:speaker[C]"}


def test_bad_inputs_stop_with_a_message_naming_the_problem():
    units = simulated_units(120, np.random.default_rng(3))
    probabilities = np.full(120, 0.3)
    with pytest.raises(EffectsError, match="covariates have 119 rows but the outcomes have 120 units"):
        PrevalenceRegression(draws=10).fit(units.iloc[:119], frame_outcomes(probabilities, names=["history"]))
    probabilities[[4, 7]] = [np.nan, 1.2]
    with pytest.raises(EffectsError, match=r"frame 'history': 2 of 120 probabilities are missing or outside \[0, 1\] \(rows 4, 7"):
        frame_outcomes(probabilities, names=["history"])
    few = units.copy()
    few.loc[few.index[:115], "speaker"] = "A"
    few.loc[few.index[115:], "speaker"] = "B"
    with pytest.raises(EffectsError, match=r"fewer than min_units=20 units: B \(5\)"):
        PrevalenceRegression(draws=10).fit(few, frame_outcomes(np.full(120, 0.3), names=["history"]))
    doc_topic = np.full((120, 3), 1 / 3)
    doc_topic[9] = 0
    with pytest.raises(EffectsError, match="1 of 120 doc_topic rows are not proportions .* rows 9"):
        topic_outcomes(doc_topic, np.full(120, 50))
    with pytest.raises(EffectsError, match="1 of 120 token counts are missing or not positive"):
        topic_outcomes(np.full((120, 3), 1 / 3), np.r_[np.full(119, 50), 0])
    with pytest.raises(EffectsError, match="n_tokens has shape \\(119,\\) but doc_topic has 120 rows"):
        topic_outcomes(np.full((120, 3), 1 / 3), np.full(119, 50))


# --------------------------------------------------------------------------- estimation


def test_recovers_coefficients_and_contrasts_without_measurement_noise():
    rng = np.random.default_rng(4)
    units = simulated_units(40_000, rng)
    design = Design.fit(units, knots=4, baseline="A")
    beta = true_coefficients(design, rng, intercept=0.45, scale=0.08)
    frames = (rng.random(len(units)) < design.matrix(units) @ beta).astype(float)  # the classifier is certain: p is 0 or 1
    outcomes = frame_outcomes(frames, names=["security"], measurement=False)
    model = PrevalenceRegression(knots=4, baseline="A", draws=200).fit(units, outcomes)
    table = model.coefficients()
    assert table["term"].tolist() == design.columns
    np.testing.assert_array_less(np.abs(table["estimate"] - beta), 4 * table["std_error"])
    levels = table[table["term"].isin(["intercept", "speaker[B]", "speaker[C]"])]
    assert (levels["std_error"] < 0.04).all()  # anchored spline: the first year's levels are well determined

    expected = model.expected()
    truth = design.matrix(expected) @ beta
    assert (expected["std_error"] < 0.03).all()
    np.testing.assert_array_less(np.abs(expected["estimate"] - truth), 4 * expected["std_error"])

    contrast = model.contrast(later=(2011, 2020), earlier=(1995, 2005))
    for speaker, row in contrast.set_index("speaker").iterrows():
        mean = {name: design.matrix(pd.DataFrame({"speaker": speaker, "year": range(a, b + 1)})).mean(axis=0) @ beta
                for name, (a, b) in (("earlier", (1995, 2005)), ("later", (2011, 2020)))}
        assert abs(row["estimate"] - (mean["later"] - mean["earlier"])) < 4 * row["std_error"]
        assert row["estimate"] == pytest.approx(row["later_estimate"] - row["earlier_estimate"])


def test_a_seed_reproduces_the_draws():
    rng = np.random.default_rng(5)
    units = simulated_units(300, rng)
    outcomes = frame_outcomes(rng.uniform(size=300), names=["security"])
    first, again, other = (PrevalenceRegression(knots=4, draws=120, seed=seed).fit(units, outcomes) for seed in (7, 7, 8))
    np.testing.assert_array_equal(first.coef_draws_, again.coef_draws_)
    pd.testing.assert_frame_equal(first.expected(), again.expected())
    assert not np.allclose(first.coef_draws_, other.coef_draws_)


def test_intervals_widen_when_measurement_uncertainty_is_carried():
    rng = np.random.default_rng(6)
    units = simulated_units(1000, rng)
    design = Design.fit(units, knots=4, baseline="A")
    probabilities, _ = simulate_frames(design.matrix(units) @ true_coefficients(design, rng, intercept=0.45, scale=0.06),
                                       concentration=4, rng=rng)
    doc_topic = simulate_topics((design.matrix(units) @ true_topic_coefficients(design, rng).T), np.full(1000, 10),
                                concentration=20, rng=rng)
    tokens = np.full(1000, 10)
    for carried, point in ((frame_outcomes(probabilities, names=["f"]), frame_outcomes(probabilities, names=["f"], measurement=False)),
                           (topic_outcomes(doc_topic, tokens), topic_outcomes(doc_topic, tokens, measurement=False))):
        widths = [(table["ci_high"] - table["ci_low"]).to_numpy()
                  for table in (PrevalenceRegression(knots=4, baseline="A", draws=200).fit(units, o).coefficients()
                                for o in (carried, point))]
        ratio = widths[0] / widths[1]
        assert (ratio > 1).all() and ratio.mean() > 1.2, (carried.measurement, ratio)


def _coverage(fit_once, beta: np.ndarray, datasets: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Coverage, mean bias and Monte Carlo standard error of the bias, per coefficient."""
    covered, errors = [], []
    for replicate in range(datasets):
        table = fit_once(replicate)
        covered.append((table["ci_low"] <= beta) & (beta <= table["ci_high"]))
        errors.append(table["estimate"] - beta)
    errors = np.array(errors)
    return np.mean(covered, axis=0), errors.mean(axis=0), errors.std(axis=0, ddof=1) / np.sqrt(datasets)


def test_frame_intervals_cover_the_true_coefficients():
    """Calibrated p ~ Beta around the true prevalence, the estimator sees p only; 50 data sets of 500 units."""
    rng = np.random.default_rng(7)
    units = simulated_units(500, rng)
    design = Design.fit(units, knots=4, baseline="A")
    beta = true_coefficients(design, rng, intercept=0.45, scale=0.06)
    prevalence = design.matrix(units) @ beta

    def fit_once(replicate):
        probabilities, _ = simulate_frames(prevalence, concentration=2, rng=rng)
        model = PrevalenceRegression(knots=4, baseline="A", draws=100, seed=replicate)
        return model.fit(units, frame_outcomes(probabilities, names=["f"])).coefficients()

    coverage, bias, mcse = _coverage(fit_once, beta, datasets=50)
    assert coverage.mean() >= 0.90 and coverage.min() >= 0.80, coverage
    np.testing.assert_array_less(np.abs(bias), 3 * mcse)


def test_topic_intervals_cover_the_true_coefficients():
    """Dirichlet topic proportions, tokens drawn from them; the estimator sees token shares and counts."""
    rng = np.random.default_rng(8)
    units = simulated_units(500, rng)
    design = Design.fit(units, knots=4, baseline="A")
    beta = true_topic_coefficients(design, rng)
    prevalence = design.matrix(units) @ beta.T
    n_tokens = rng.integers(20, 150, len(units))

    def fit_once(replicate):
        doc_topic = simulate_topics(prevalence, n_tokens, concentration=5, rng=rng)
        model = PrevalenceRegression(knots=4, baseline="A", draws=100, seed=replicate)
        table = model.fit(units, topic_outcomes(doc_topic, n_tokens)).coefficients()
        return table.set_index(["outcome", "term"])

    truth = pd.Series(beta.ravel(), index=pd.MultiIndex.from_product([[f"topic_{k}" for k in range(3)], design.columns]))
    coverage, bias, mcse = _coverage(fit_once, truth, datasets=50)
    assert coverage.mean() >= 0.90 and coverage.min() >= 0.80, coverage
    np.testing.assert_array_less(np.abs(bias), 3 * mcse)


def test_expected_curves_and_save_load_round_trip(tmp_path):
    rng = np.random.default_rng(9)
    units = simulated_units(400, rng)
    doc_topic = rng.dirichlet([2, 3, 4], size=400)
    outcomes = topic_outcomes(doc_topic, rng.integers(20, 90, 400), topics=[0, 2])
    model = PrevalenceRegression(year="decade", baseline="C", draws=60).fit(units, outcomes)
    expected = model.expected()
    assert list(expected.columns) == ["outcome", "speaker", "year", "estimate", "std_error", "ci_low", "ci_high"]
    assert len(expected) == 2 * 3 * 31 and set(expected["outcome"]) == {"topic_0", "topic_2"}
    assert ((expected["ci_low"] <= expected["estimate"]) & (expected["estimate"] <= expected["ci_high"])).all()

    folder = model.save(tmp_path / "effects")
    assert sorted(p.name for p in folder.iterdir()) == ["coef_draws.npz", "coefficients.parquet", "effects.json",
                                                        "manifest.json"]
    loaded = load_effects(folder)
    pd.testing.assert_frame_equal(loaded.coefficients(), model.coefficients())
    pd.testing.assert_frame_equal(loaded.expected(), expected)
    pd.testing.assert_frame_equal(pd.read_parquet(folder / "coefficients.parquet"), model.coefficients())
    with pytest.raises(FileNotFoundError, match="manifest.json is missing"):
        load_effects(tmp_path)


# --------------------------------------------------------------------------- the command and real covariates


def _run_effects(argv: list[str]) -> int:
    parser = argparse.ArgumentParser()
    register_effects(parser.add_subparsers(dest="stage", required=True), Defaults())
    args = parser.parse_args(["effects", *argv])
    return args.run(args)


def test_effects_command_writes_tables_and_a_manifest(tmp_path, capsys):
    rng = np.random.default_rng(10)
    units = simulated_units(600, rng).assign(unit_id=[f"u#{i}" for i in range(600)], heldout=False)
    for frame in ("security", "trade", "history"):
        units[frame] = rng.uniform(size=600)
    path = tmp_path / "unit_frames.parquet"
    units.to_parquet(path)
    out = tmp_path / "effects"
    code = _run_effects(["--frames", str(path), "--outcomes", "security", "trade", "--speakers", "A", "B",
                         "--baseline", "B", "--knots", "4", "--draws", "40", "--earlier", "1995-2000", "--later", "2010-2020",
                         "--out", str(out)])
    assert code == 0
    written = {p.name for p in out.iterdir()}
    assert {"coefficients.parquet", "coefficients.csv", "expected.parquet", "contrasts.csv", "manifest.json"} <= written
    manifest = json.loads((out / "manifest.json").read_text())
    from analysis.corpus.manifest import sha256_of

    assert manifest["inputs"]["frames"]["sha256"] == sha256_of(path)
    assert manifest["config"]["baseline"] == "B" and manifest["seed"] == 0 and "scikit-learn" in manifest["versions"]
    contrasts = pd.read_csv(out / "contrasts.csv")
    assert sorted(zip(contrasts["outcome"], contrasts["speaker"])) == [(o, s) for o in ("security", "trade") for s in ("A", "B")]
    assert "expected prevalence 2010-2020 minus 1995-2000" in capsys.readouterr().out

    with pytest.raises(SystemExit, match="speaker\\(s\\) JPN have no units"):
        _run_effects(["--frames", str(path), "--speakers", "A", "JPN", "--out", str(out)])
    with pytest.raises(SystemExit, match="has no column\\(s\\) framing"):
        _run_effects(["--frames", str(path), "--outcomes", "framing", "--out", str(out)])


@pytest.fixture(scope="module")
def speeches(data_home, open_named) -> pd.DataFrame:
    """Year and speaker of every UN General Debate speech by five countries (real covariates; ~3 s to read)."""
    five = ("JPN", "KOR", "PRK", "CHN", "USA")
    rows = [(d.meta["year"], d.meta["speaker"]) for d in open_named("ungdc") if d.meta["speaker"] in five]
    return pd.DataFrame(rows, columns=["year", "speaker"])


def test_real_speech_covariates(speeches):
    """The Koreas joined the UN in 1991: over 1946-2022 their own year curves are not identified; from 1991 they are."""
    rng = np.random.default_rng(11)
    outcomes = frame_outcomes(rng.uniform(size=len(speeches)), names=["security"])
    with pytest.raises(EffectsError, match=r"no unit carries column\(s\) year_s1:speaker\[KOR\], year_s1:speaker\[PRK\] \("):
        PrevalenceRegression(knots=4, baseline="JPN", draws=10).fit(speeches, outcomes)

    recent = speeches[speeches["year"] >= 1991].reset_index(drop=True)
    assert recent.groupby("speaker").size().min() >= 30  # one speech a year each
    design = Design.fit(recent, knots=4, baseline="JPN", interaction=False)
    probabilities, _ = simulate_frames(design.matrix(recent) @ true_coefficients(design, rng, intercept=0.5, scale=0.1),
                                       concentration=2, rng=rng)
    model = PrevalenceRegression(knots=4, baseline="JPN", interaction=False, draws=200)
    model.fit(recent, frame_outcomes(probabilities, names=["security"]))
    contrast = model.contrast()
    # without the interaction every speaker's curve is the baseline's shifted: the same change for all five
    np.testing.assert_allclose(contrast["estimate"], contrast["estimate"].iloc[0])
    assert contrast["speaker"].tolist() == ["CHN", "JPN", "KOR", "PRK", "USA"]


def test_skip_sparse_leaves_out_and_records_speakers_with_too_few_units(tmp_path):
    rng = np.random.default_rng(11)
    units = simulated_units(600, rng).assign(unit_id=[f"u#{i}" for i in range(600)], heldout=False)
    units.loc[units.index[:5], "speaker"] = "FEW"  # five units: below --min-units 20
    for frame in ("security", "trade", "history"):
        units[frame] = rng.uniform(size=600)
    path = tmp_path / "unit_frames.parquet"
    units.to_parquet(path)
    base = ["--frames", str(path), "--outcomes", "security", "--speakers", "A", "B", "FEW", "--knots", "4",
            "--draws", "20", "--earlier", "1995-2000", "--later", "2010-2020"]
    with pytest.raises(SystemExit, match=r"fewer than min_units=20 units: FEW \(5\)"):
        _run_effects([*base, "--baseline", "B", "--out", str(tmp_path / "stops")])
    out = tmp_path / "skips"
    assert _run_effects([*base, "--baseline", "B", "--skip-sparse", "--out", str(out)]) == 0
    counts = json.loads((out / "manifest.json").read_text())["counts"]
    assert counts["skipped_speakers"] == {"FEW": 5} and set(counts["units_by_speaker"]) == {"A", "B"}
    assert set(pd.read_csv(out / "contrasts.csv")["speaker"]) == {"A", "B"}
    with pytest.raises(SystemExit, match="the baseline speaker FEW has only 5 units"):
        _run_effects([*base, "--baseline", "FEW", "--skip-sparse", "--out", str(tmp_path / "baseline")])
