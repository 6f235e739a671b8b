"""Artifact folders: what each stage writes and the next reads.

Every artifact folder holds its data (parquet, npz, json, safetensors — never a
pickle of ours) beside a ``manifest.json`` that records the inputs with their
sha256, the configuration, the seed, the counts and the package versions.

A model folder (:meth:`analysis.base.Estimator.save`) also records the sha256
of every file in it (:func:`write_folder_manifest`); loading checks them
(:func:`verify_folder`) and refuses a folder whose files changed since.
"""

from __future__ import annotations

import json
import os
import platform
import tempfile
from contextlib import contextmanager
from datetime import UTC, datetime
from importlib import metadata
from pathlib import Path
from typing import Any

from analysis.errors import AnalysisError
from analysis.hashing import file_sha256

MANIFEST_NAME = "manifest.json"
_VERSIONED = ("analysis", "numpy", "pandas", "pyarrow")


def package_versions(extra: tuple[str, ...] = ()) -> dict[str, str]:
    versions = {"python": platform.python_version()}
    for name in (*_VERSIONED, *extra):
        try:
            versions[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            versions[name] = "not installed"
    return versions


class IntegrityError(AnalysisError, ValueError):
    """A file of a saved folder is missing or differs from the sha256 its manifest recorded."""


def write_manifest(folder: Path, *, stage: str, inputs: dict[str, Any], config: dict[str, Any],
                   counts: dict[str, Any], seed: int | None = None, extra_packages: tuple[str, ...] = ()) -> Path:
    """Write ``folder/manifest.json`` describing how the folder's artifacts were made."""
    return _write(folder, _manifest(stage=stage, inputs=inputs, config=config, counts=counts, seed=seed,
                                    extra_packages=extra_packages))


def write_folder_manifest(folder: Path, *, stage: str, inputs: dict[str, Any], config: dict[str, Any],
                          counts: dict[str, Any], seed: int | None = None, extra_packages: tuple[str, ...] = ()) -> Path:
    """:func:`write_manifest` plus ``files``: the sha256 of every file now in ``folder`` (but the manifest)."""
    manifest = _manifest(stage=stage, inputs=inputs, config=config, counts=counts, seed=seed, extra_packages=extra_packages)
    manifest["files"] = {name: file_sha256(folder / name) for name in _files(folder)}
    return _write(folder, manifest)


def verify_folder(folder: Path) -> dict[str, Any]:
    """The folder's manifest, once every file it lists has the recorded sha256; else :class:`IntegrityError`.

    Files added after the manifest (a model card, tables) are not checked: they are not part of the model.
    """
    folder = Path(folder)
    manifest = read_manifest(folder)
    if "files" not in manifest:
        raise IntegrityError(f"{folder / MANIFEST_NAME} records no file digests: the folder was not saved by "
                             "Estimator.save; save it again")
    for name, expected in sorted(manifest["files"].items()):
        path = folder / name
        if not path.is_file():
            raise IntegrityError(f"{path}: missing; {MANIFEST_NAME} expects a file with sha256 {expected}")
        found = file_sha256(path)
        if found != expected:
            raise IntegrityError(f"{path}: sha256 {found} found, {expected} expected ({MANIFEST_NAME}): "
                                 "the file changed since the folder was saved")
    return manifest


def _files(folder: Path) -> list[str]:
    return sorted(str(path.relative_to(folder)) for path in folder.rglob("*")
                  if path.is_file() and path.name != MANIFEST_NAME and not path.name.startswith("."))


def _jsonable(value: Any) -> Any:
    """``json.dumps`` default: dataclasses (a PreprocessConfig) as dicts, anything else as its string."""
    import dataclasses

    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return dataclasses.asdict(value)
    return str(value)


def _manifest(*, stage: str, inputs: dict[str, Any], config: dict[str, Any], counts: dict[str, Any],
              seed: int | None, extra_packages: tuple[str, ...]) -> dict[str, Any]:
    return {
        "stage": stage,
        "inputs": inputs,
        "config": config,
        "seed": seed,
        "counts": counts,
        "versions": package_versions(extra_packages),
        "created": datetime.now(UTC).isoformat(timespec="seconds"),
    }


def _write(folder: Path, manifest: dict[str, Any]) -> Path:
    path = folder / MANIFEST_NAME
    with atomic_path(path) as temporary:
        temporary.write_text(json.dumps(manifest, indent=2, sort_keys=True, default=_jsonable) + "\n", encoding="utf-8")
    return path


def read_manifest(folder: Path) -> dict[str, Any]:
    path = folder / MANIFEST_NAME
    if not path.exists():
        raise FileNotFoundError(f"{folder} is not an artifact folder: {MANIFEST_NAME} is missing")
    return json.loads(path.read_text(encoding="utf-8"))


@contextmanager
def atomic_path(path: Path):
    """Yield a temporary path beside ``path``; move it into place only if the block succeeds."""
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, name = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".part")
    os.close(handle)
    temporary = Path(name)
    try:
        yield temporary
        os.replace(temporary, path)
    finally:
        temporary.unlink(missing_ok=True)


@contextmanager
def exclusive_lock(path: Path):
    """Hold an exclusive lock on the file ``path`` (created if need be) for the block; other holders wait.

    For work that processes side by side must not do twice (``make -j2``, Dask workers): the first does it
    while the others wait, then find its result.
    """
    import fcntl

    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "w") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        yield
