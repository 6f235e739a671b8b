"""The report stage: notebook helpers and the assembly of the report (:mod:`analysis.report.build`)."""

from __future__ import annotations

import importlib
from typing import Any

__all__ = ["FLOAT_FORMAT", "build_report", "load_sections", "render_html", "render_markdown", "run_notebook",
           "save_figure", "topic_label", "use_report_style", "write_section", "write_table"]


def __getattr__(name: str) -> Any:
    """The public names of :mod:`analysis.report.build`, imported on first use (``python -m analysis`` stays quick)."""
    if name in __all__:
        return getattr(importlib.import_module("analysis.report.build"), name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
