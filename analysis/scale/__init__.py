"""The scale stage: the unit pipeline over a whole corpus, in-process or on Dask (:mod:`analysis.scale.pipeline`).

Scale orchestrates the other stages (corpus, framing, topics), so it may import any of them; none imports it.
"""

from __future__ import annotations

import importlib
from typing import Any

__all__ = ["DEFAULT_PARTITION_SIZE", "EMBEDDING_FRAME_KINDS", "EMBEDDING_TOPIC_BACKENDS", "MEMBER_STATES_FILE",
           "OUTPUT_FILE", "PARTS_DIR", "ModelRef", "PartitionTask", "ScaleError", "dask_client", "documents_sha256",
           "frame_model", "load_member_states", "member_state_frame_shares", "model_ref", "output_schema", "part_paths",
           "process_partition", "reusable_part", "run_scale", "topic_model"]


def __getattr__(name: str) -> Any:
    """The public names of :mod:`analysis.scale.pipeline`, imported on first use (``python -m analysis`` stays quick)."""
    if name in __all__:
        return getattr(importlib.import_module("analysis.scale.pipeline"), name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
