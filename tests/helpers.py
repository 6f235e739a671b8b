"""Assertions the test modules share."""

import numpy as np


def assert_rows_sum_to_one(matrix, *, min_share: float = 0.5) -> None:
    """Rows are distributions: non-negative, summing to 1, or all zero where nothing is known -- and most are known.

    Checking only the non-zero rows would pass a matrix of zeros.
    """
    matrix = np.asarray(matrix)
    sums = matrix.sum(axis=1)
    assert (matrix >= 0).all()
    assert np.allclose(sums[sums > 0], 1.0)
    assert (sums > 0).mean() >= min_share, f"only {(sums > 0).mean():.0%} of the rows are distributions"


def reseal(folder) -> None:
    """Record the current sha256 of every file in ``folder``'s manifest: a deliberate edit, as a test plants one."""
    import json
    from pathlib import Path

    from analysis.hashing import file_sha256

    path = Path(folder) / "manifest.json"
    manifest = json.loads(path.read_text())
    manifest["files"] = {name: file_sha256(Path(folder) / name) for name in manifest["files"]}
    path.write_text(json.dumps(manifest))
