"""Artifact folders: what each stage writes and the next reads, checked and written so that a kill cannot corrupt them.

Every artifact folder holds its data (parquet, npz, json, safetensors — never a
pickle of ours) beside a ``manifest.json`` that records the inputs with their
sha256, the configuration, the seed, the counts, the package versions and the
sha256 of every file in the folder (:func:`write_manifest`). A stage writes the
manifest last, so a folder with a manifest is complete; loading checks every
digest (:func:`verify_folder`) and refuses a folder whose files changed since.
A subfolder with its own manifest is an artifact of its own
(``embeddings/NAME/part-1-of-2/``): the parent's manifest leaves it out and
:func:`artifact_folders` finds each for ``python -m analysis verify``.

Every file a stage writes goes through :func:`atomic_path` (or
:func:`write_text`): it is written under a hidden temporary name in its own
folder and renamed into place once complete, so a killed run leaves either the
old file or the new one, never half of one.
"""

from __future__ import annotations

import json
import os
import platform
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from importlib import metadata
from pathlib import Path
from typing import Any

from analysis.errors import AnalysisError
from analysis.hashing import file_sha256

MANIFEST_NAME = "manifest.json"
_UMASK = os.umask(0o022)  # read once (it can only be read by setting it), then restored
os.umask(_UMASK)
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
    """Write ``folder/manifest.json``: how the folder was made and the sha256 of every file now in it.

    Call it last, once every other file of the folder is written: the manifest is what marks the folder complete.
    """
    manifest = _manifest(stage=stage, inputs=inputs, config=config, counts=counts, seed=seed, extra_packages=extra_packages)
    manifest["files"] = {name: file_sha256(folder / name) for name in _files(folder)}
    return _write(folder, manifest)


def verify_folder(folder: Path) -> dict[str, Any]:
    """The folder's manifest, once every file it lists has the recorded sha256; else :class:`IntegrityError`.

    Files that the manifest does not list are not part of the artifact and are not read by its loaders.
    """
    folder = Path(folder)
    manifest = read_manifest(folder)
    files = manifest.get("files")
    if not isinstance(files, dict):
        raise IntegrityError(f"{folder / MANIFEST_NAME} records no file digests: it was written by an older version "
                             "or by hand; rebuild the folder")
    for name, expected in sorted(files.items()):
        path = folder / name
        if not path.is_file():
            raise IntegrityError(f"{path}: missing; {MANIFEST_NAME} expects a file with sha256 {expected}")
        found = file_sha256(path)
        if found != expected:
            raise IntegrityError(f"{path}: sha256 {found} found, {expected} expected ({folder / MANIFEST_NAME}): "
                                 "the file changed since the folder was written; rebuild it")
    return manifest


def artifact_folders(root: Path) -> list[Path]:
    """``root`` and every folder below it that holds a manifest.json, in sorted order."""
    root = Path(root)
    return sorted({path.parent for path in root.rglob(MANIFEST_NAME) if not _hidden(path.relative_to(root))})


def unlisted_files(folder: Path, manifest: dict[str, Any]) -> list[str]:
    """Files in ``folder`` (outside nested artifact folders) that its manifest does not list."""
    return [name for name in _files(folder) if name not in manifest.get("files", {})]


def _files(folder: Path) -> list[str]:
    """Every file of the folder but its manifest, hidden temporaries and nested artifact folders."""
    folder = Path(folder)
    names = []
    for directory, subdirectories, files in os.walk(folder):
        here = Path(directory)
        subdirectories[:] = [d for d in subdirectories if not d.startswith(".") and not (here / d / MANIFEST_NAME).exists()]
        names.extend(str((here / name).relative_to(folder)) for name in files if not name.startswith("."))
    return sorted(name for name in names if name != MANIFEST_NAME)


def _hidden(relative: Path) -> bool:
    return any(part.startswith(".") for part in relative.parts)


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
    path = Path(folder) / MANIFEST_NAME
    if not path.exists():
        raise FileNotFoundError(f"{folder} is not an artifact folder: {MANIFEST_NAME} is missing")
    try:
        manifest = json.loads(path.read_bytes().decode("utf-8"))
    except UnicodeDecodeError as error:
        raise IntegrityError(f"{path}: not UTF-8 at byte {error.start}: the manifest is damaged; rebuild the folder") from None
    except json.JSONDecodeError as error:
        raise IntegrityError(f"{path}:{error.lineno}: not JSON ({error.msg}): the manifest is damaged; "
                             "rebuild the folder") from None
    if not isinstance(manifest, dict):
        raise IntegrityError(f"{path}: not a manifest (a JSON {type(manifest).__name__}); rebuild the folder")
    return manifest


@contextmanager
def atomic_path(path: Path) -> Iterator[Path]:
    """Yield a hidden temporary path beside ``path``; move it into place only if the block succeeds.

    The temporary name keeps the file's extension (``.weights.npz.k3j2.part.npz``), so writers that go by
    it (``np.savez``, ``savefig``, papermill) write the same bytes as they would to ``path``.
    """
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, name = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=f".part{path.suffix}")
    os.fchmod(handle, 0o666 & ~_UMASK)  # mkstemp's 0600 would make artifacts unreadable to the user's group
    os.close(handle)
    temporary = Path(name)
    try:
        yield temporary
        os.replace(temporary, path)
    finally:
        temporary.unlink(missing_ok=True)


def write_text(path: Path, text: str) -> Path:
    """Write ``text`` (UTF-8) to ``path`` through :func:`atomic_path`."""
    with atomic_path(path) as temporary:
        temporary.write_text(text, encoding="utf-8")
    return Path(path)


def write_json(path: Path, value: Any, *, indent: int = 2, **options: Any) -> Path:
    """``value`` as sorted, indented JSON with a final newline, through :func:`atomic_path`."""
    return write_text(path, json.dumps(value, indent=indent, sort_keys=True, **options) + "\n")


def write_csv(path: Path, table: Any, **options: Any) -> Path:
    """A DataFrame's ``to_csv(path, **options)`` through :func:`atomic_path`."""
    with atomic_path(path) as temporary:
        table.to_csv(temporary, **options)
    return Path(path)


def write_parquet(path: Path, table: Any) -> Path:
    """A DataFrame's ``to_parquet(path, index=False)`` through :func:`atomic_path`."""
    with atomic_path(path) as temporary:
        table.to_parquet(temporary, index=False)
    return Path(path)


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
