"""Reliability coefficients against Krippendorff's own worked examples."""

import math

import pytest

from analysis.framing.agreement import cohen_kappa, krippendorff_alpha_nominal


def test_alpha_matches_krippendorffs_binary_two_coder_example():
    # Krippendorff (2011), "Computing Krippendorff's Alpha-Reliability", section B: alpha = 0.095
    coder_a = [0, 1, 0, 0, 0, 0, 0, 0, 1, 0]
    coder_b = [1, 1, 1, 0, 0, 1, 0, 0, 0, 0]
    assert krippendorff_alpha_nominal([coder_a, coder_b]) == pytest.approx(0.095, abs=5e-4)


def test_alpha_matches_krippendorffs_nominal_example_with_missing_values():
    # Same paper, section C: four coders, twelve units, missing values; nominal alpha = 0.743
    n = None
    ratings = [
        [1, 2, 3, 3, 2, 1, 4, 1, 2, n, n, n],
        [1, 2, 3, 3, 2, 2, 4, 1, 2, 5, n, 3],
        [n, 3, 3, 3, 2, 3, 4, 2, 2, 5, 1, n],
        [1, 2, 3, 3, 2, 4, 4, 1, 2, 5, 1, n],
    ]
    assert krippendorff_alpha_nominal(ratings) == pytest.approx(0.743, abs=5e-4)


def test_perfect_agreement_and_chance_agreement():
    labels = ["security", "trade", "history", "other"] * 5
    assert krippendorff_alpha_nominal([labels, labels]) == 1.0
    assert cohen_kappa(labels, labels) == 1.0
    # one coder says the opposite of the other on a balanced binary item: systematic disagreement
    assert krippendorff_alpha_nominal([[0, 1] * 10, [1, 0] * 10]) < 0
    assert math.isclose(cohen_kappa([0, 1] * 10, [1, 0] * 10), -1.0)


def test_unpairable_data_is_refused():
    with pytest.raises(ValueError, match="no unit was coded by two"):
        krippendorff_alpha_nominal([[1, None], [None, 2]])
    with pytest.raises(ValueError, match="different numbers of units"):
        cohen_kappa([1, 2], [1])
