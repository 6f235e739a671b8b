"""Artifact folders: what each stage writes and the next reads.

Every artifact folder holds its data (parquet, npz, json, safetensors — never a
pickle of ours) beside a ``manifest.json`` that records the inputs with their
sha256, the configuration, the seed, the counts and the package versions.
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


def write_manifest(folder: Path, *, stage: str, inputs: dict[str, Any], config: dict[str, Any],
                   counts: dict[str, Any], seed: int | None = None, extra_packages: tuple[str, ...] = ()) -> Path:
    """Write ``folder/manifest.json`` describing how the folder's artifacts were made."""
    manifest = {
        "stage": stage,
        "inputs": inputs,
        "config": config,
        "seed": seed,
        "counts": counts,
        "versions": package_versions(extra_packages),
        "created": datetime.now(UTC).isoformat(timespec="seconds"),
    }
    path = folder / MANIFEST_NAME
    with atomic_path(path) as temporary:
        temporary.write_text(json.dumps(manifest, indent=2, sort_keys=True, default=str) + "\n", encoding="utf-8")
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
