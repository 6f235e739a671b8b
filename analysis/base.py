"""The one estimator base: scikit-learn's contract, one ``save``/``load`` protocol, verified model folders.

A model of any stage inherits :class:`Estimator` and gets

* ``get_params``, ``set_params``, ``clone`` and a ``repr`` from scikit-learn's
  :class:`~sklearn.base.BaseEstimator`, read off the keyword-only constructor:
  the constructor only stores its arguments under their own names, so the
  parameters are listed once;
* :meth:`Estimator._check_fitted`, raising scikit-learn's
  :class:`~sklearn.exceptions.NotFittedError` (a ``ValueError``) until
  ``__sklearn_is_fitted__`` says the fitted state (names ending in ``_``) is there;
* :meth:`Estimator.save` -> :meth:`_save_state` writes the state (json, npz,
  safetensors, parquet: never a pickle), then a ``manifest.json`` with the
  inputs, the configuration (every parameter), the seed, package versions and
  the sha256 of every file in the folder (:func:`analysis.persist.write_manifest`), last, so that a
  folder with a manifest is complete; files a caller adds to the folder
  before ``save`` (a model card, tables) are covered as well;
* :meth:`Estimator.load` (a classmethod) checks those sha256 first and refuses
  a changed or missing file with an error that names the file, the expected
  and the found digest, then rebuilds the model with :meth:`_load_state`.

Using it::

    class MyModel(Estimator):
        stage = "my-stage"                    # recorded in the manifest
        packages = ("scikit-learn",)          # versions recorded beside numpy, pandas, pyarrow

        def __init__(self, *, alpha: float = 1.0, seed: int = 0):
            self.alpha = alpha                # store, never validate or compute here
            self.seed = seed

        def fit(self, X, y=None, *, embeddings=None):
            ...
            self.coef_ = ...
            return self

        def __sklearn_is_fitted__(self):
            return hasattr(self, "coef_")

        def _save_state(self, folder):
            with atomic_path(folder / "coef.npz") as temporary:   # every file through analysis.persist
                np.savez(temporary, coef=self.coef_)

        @classmethod
        def _load_state(cls, folder, manifest):
            model = cls(**manifest["config"]["params"])
            with np.load(folder / "coef.npz", allow_pickle=False) as data:
                model.coef_ = data["coef"]
            return model

Models that read text embeddings take them precomputed (``fit(docs, embeddings=...)``,
``transform(docs, embeddings=...)``, as BERTopic and turftopic do) and otherwise
embed through the one shared :func:`analysis.embeddings.shared_cache`.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, ClassVar

from sklearn.base import BaseEstimator
from sklearn.exceptions import NotFittedError

from analysis.persist import verify_folder, write_manifest

__all__ = ["Estimator", "NotFittedError"]


class Estimator(BaseEstimator):
    """Base of the frame classifiers, the topic backends and the prevalence regression (see the module docstring)."""

    #: The ``stage`` of the manifest.json that :meth:`save` writes.
    stage: ClassVar[str] = "model"
    #: Packages whose versions the manifest records (beside python, analysis, numpy, pandas, pyarrow).
    packages: ClassVar[tuple[str, ...]] = ()

    def __sklearn_is_fitted__(self) -> bool:
        return any(name.endswith("_") and not name.startswith("_") for name in vars(self))

    def _check_fitted(self) -> None:
        if not self.__sklearn_is_fitted__():
            raise NotFittedError(f"this {type(self).__name__} is not fitted yet: call fit first")

    # ---- persistence ----------------------------------------------------------------------------------

    def save(self, folder: Path, *, inputs: dict[str, Any] | None = None, config: dict[str, Any] | None = None,
             counts: dict[str, Any] | None = None) -> Path:
        """Write the fitted state into ``folder``, then its manifest.json (``config`` adds to the parameters)."""
        self._check_fitted()
        folder = Path(folder)
        folder.mkdir(parents=True, exist_ok=True)
        self._save_state(folder)
        write_manifest(folder, stage=self.stage, inputs=inputs or {},
                       config={"estimator": f"{type(self).__module__}.{type(self).__qualname__}",
                               "params": self.get_params(deep=False), **(config or {})},
                       counts=counts or {}, seed=getattr(self, "seed", None), extra_packages=self.packages)
        return folder

    @classmethod
    def load(cls, folder: Path):
        """The model saved in ``folder``, once every file matches the sha256 its manifest recorded."""
        folder = Path(folder)
        manifest = verify_folder(folder)
        return cls._load_state(folder, manifest)

    def _save_state(self, folder: Path) -> None:
        raise NotImplementedError

    @classmethod
    def _load_state(cls, folder: Path, manifest: dict[str, Any]):
        raise NotImplementedError
