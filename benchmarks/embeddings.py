"""The encoder runtimes side by side: torch against ONNX Runtime on the same General Debate paragraphs.

    nice .venv/bin/python benchmarks/embeddings.py                 # 2,000 paragraphs (some 5 minutes of one core)
    nice .venv/bin/python benchmarks/embeddings.py --paragraphs 200

The paragraphs are every 140th unit of the UN General Debate that is not held
out, from the start of the corpus, up to ``--paragraphs``. Both encoders are
loaded in this process (load times are reported apart) and embed the
paragraphs one text per call on one thread, as ``analysis.embeddings.embed``
does, in rounds of ``--chunk`` paragraphs that alternate which runtime goes
first: a change in the machine's load then falls on both alike. Paragraphs/s
per core is paragraphs over this process's CPU seconds (one thread, so one
core); the wall-clock rate is shown beside it. The cache is not used. The
vectors of the two runtimes are compared (cosine). The table goes to
``benchmarks/results/embeddings.md`` with the command, commit and machine.
"""

from __future__ import annotations

import argparse
import itertools
import os
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd
from scale import machine  # benchmarks/scale.py, beside this file

from analysis.corpus.manifest import find_data_home, load_manifest
from analysis.corpus.readers import open_corpus
from analysis.corpus.units import SegmentOptions, iter_units
from analysis.embeddings import RUNTIMES, load_encoder
from analysis.report.build import _markdown_table as markdown_table  # the report's own table writer

BASELINE = "torch"


def paragraphs(count: int, stride: int) -> list[str]:
    manifest = load_manifest("ungdc")
    units = iter_units(open_corpus(manifest, data_home=find_data_home()), SegmentOptions(**manifest.units))
    kept = itertools.islice((unit for unit in units if not unit["heldout"]), 0, None, stride)
    return [unit["text"] for unit in itertools.islice(kept, count)]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--paragraphs", type=int, default=2000)
    parser.add_argument("--stride", type=int, default=140, help="take every N-th non-held-out unit")
    parser.add_argument("--chunk", type=int, default=100, help="paragraphs per round of the alternation")
    parser.add_argument("--out", type=Path, default=Path("benchmarks/results/embeddings.md"))
    args = parser.parse_args()

    commit = subprocess.run(["git", "rev-parse", "--short", "HEAD"], capture_output=True, text=True).stdout.strip()
    texts = paragraphs(args.paragraphs, args.stride)
    load_seconds = {}
    for runtime in RUNTIMES:
        started = time.perf_counter()
        load_encoder(runtime)
        load_seconds[runtime] = time.perf_counter() - started
    cpu = dict.fromkeys(RUNTIMES, 0.0)
    wall = dict.fromkeys(RUNTIMES, 0.0)
    vectors: dict[str, list[np.ndarray]] = {runtime: [] for runtime in RUNTIMES}
    load_average = os.getloadavg()[0]
    for round_number, start in enumerate(range(0, len(texts), args.chunk)):
        chunk = texts[start:start + args.chunk]
        for runtime in (RUNTIMES if round_number % 2 == 0 else RUNTIMES[::-1]):
            cpu_started, wall_started = time.process_time(), time.perf_counter()
            vectors[runtime].append(load_encoder(runtime).encode(chunk))
            cpu[runtime] += time.process_time() - cpu_started
            wall[runtime] += time.perf_counter() - wall_started
    stacked = {runtime: np.vstack(parts) for runtime, parts in vectors.items()}
    cosine = (stacked["onnxruntime"] * stacked[BASELINE]).sum(axis=1)
    rows = [{"runtime": runtime, "paragraphs": len(texts), "cpu_s": round(cpu[runtime], 1),
             "paragraphs_per_s_per_core": round(len(texts) / cpu[runtime], 1), "wall_s": round(wall[runtime], 1),
             "paragraphs_per_s_wall": round(len(texts) / wall[runtime], 1),
             "speed_vs_torch": round(cpu[BASELINE] / cpu[runtime], 2), "load_s": round(load_seconds[runtime], 1)}
            for runtime in RUNTIMES]
    table = pd.DataFrame(rows)
    words = np.array([len(text.split()) for text in texts])
    lines = [
        "# Encoder runtimes: paragraphs per second per core",
        "",
        f"Command: `{' '.join([Path(sys.executable).name, *sys.argv])}`; commit {commit or 'unknown'}; {machine()}; "
        f"load average {load_average:.2f} at the start (the cores are shared).",
        "",
        f"{len(texts):,} UN General Debate paragraphs (every {args.stride}th non-held-out unit; {words.mean():.0f} words "
        f"on average, {int((words > 190).sum())} over 190), one text per call on one thread, rounds of {args.chunk} "
        "alternating which runtime goes first. `speed_vs_torch` is the ratio of CPU seconds.",
        "",
        markdown_table(table),
        "",
        f"Cosine of ONNX Runtime to torch vectors: min {cosine.min():.7f}, mean {cosine.mean():.7f}; "
        f"largest absolute difference {np.abs(stacked['onnxruntime'] - stacked[BASELINE]).max():.2e}.",
        "",
    ]
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text("\n".join(lines))
    print("\n".join(lines))
    print(f"written to {args.out}")


if __name__ == "__main__":
    main()
