"""The effects stage: prevalence regression with uncertainty (:mod:`analysis.effects.regression`)."""

from analysis.effects.regression import (
    DEFAULT_DRAWS,
    DEFAULT_MIN_UNITS,
    INTERCEPT,
    INTERVAL,
    SPLINE_DEGREE,
    YEAR_CODINGS,
    Design,
    EffectsError,
    Outcomes,
    PrevalenceRegression,
    check_rank,
    compose,
    frame_outcomes,
    load_effects,
    simulate_frames,
    simulate_topics,
    topic_outcomes,
)

__all__ = ["DEFAULT_DRAWS", "DEFAULT_MIN_UNITS", "INTERCEPT", "INTERVAL", "SPLINE_DEGREE", "YEAR_CODINGS", "Design",
           "EffectsError", "Outcomes", "PrevalenceRegression", "check_rank", "compose", "frame_outcomes", "load_effects",
           "simulate_frames", "simulate_topics", "topic_outcomes"]
