"""Topic and framing analysis of political text; the public Python API is :mod:`analysis.api`.

``from analysis import load_units, apply_frames, fit_topics, apply_topics, estimate_effects, load_study, run_study``
imports the API on first use, so that ``python -m analysis`` and the stages' own imports stay quick.
"""

from __future__ import annotations

import importlib
from typing import Any

__all__ = ["DEFAULT_FRAME_MODEL", "Effects", "Study", "apply_frames", "apply_topics", "corpus_manifest",
           "estimate_effects", "fit_topics", "frame_exemplars", "load_frame_model", "load_study", "load_units",
           "run_study", "topic_exemplars"]


def __getattr__(name: str) -> Any:
    if name in __all__:
        return getattr(importlib.import_module("analysis.api"), name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
