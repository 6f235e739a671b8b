"""Build hook: ship ``corpora/`` (manifests, codebook, annotations, references) inside the package.

The repository keeps ``corpora/`` at its root, where the Makefile and the
README name it. A wheel has no root, so ``build_py`` copies the folder to
``analysis/_corpora/`` in the build; :data:`analysis.corpus.manifest.MANIFEST_DIR`
reads it through :mod:`importlib.resources` when the package runs outside a
checkout. Everything else is in ``pyproject.toml``.
"""

import shutil
from pathlib import Path

from setuptools import setup
from setuptools.command.build_py import build_py

DATA_SUFFIXES = {".toml", ".jsonl", ".json", ".md", ".csv"}


class BuildWithCorpora(build_py):
    def run(self):
        super().run()
        source = Path(__file__).resolve().parent / "corpora"
        target = Path(self.build_lib) / "analysis" / "_corpora"
        for path in sorted(source.rglob("*")):
            if path.is_file() and path.suffix in DATA_SUFFIXES:
                destination = target / path.relative_to(source)
                destination.parent.mkdir(parents=True, exist_ok=True)
                shutil.copyfile(path, destination)


setup(cmdclass={"build_py": BuildWithCorpora})
