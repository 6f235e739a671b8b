"""Streaming a whole corpus into paragraph units, against a read-only baseline, side by side.

    .venv/bin/python benchmarks/corpus_units.py [--corpus ungdc] [--repeat 1]

The baseline reads and decodes every document (the archive's cost); the
measured run also segments them into units and writes parquet. The ratio says
what segmentation costs on top of reading; peak RSS is measured in a fresh
child process per run, so the two do not share memory.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile

CHILD = r"""
import json, sys, time
from pathlib import Path
from analysis.cli_support import peak_rss_mib
from analysis.corpus.manifest import load_manifest
from analysis.corpus.readers import open_corpus
from analysis.corpus.units import SegmentOptions, iter_units, write_units
name, mode, out = sys.argv[1:4]
manifest = load_manifest(name)
corpus = open_corpus(manifest)
started = time.perf_counter()
if mode == "read":
    documents = sum(1 for _ in corpus)
    units = 0
else:
    units = write_units(iter_units(corpus, SegmentOptions(**manifest.units)), Path(out))
    documents = corpus.last_report.documents
seconds = time.perf_counter() - started
print(json.dumps({"documents": documents, "units": units, "seconds": seconds,
                  "peak_rss_mib": peak_rss_mib()}))
"""


def run(name: str, mode: str) -> dict:
    with tempfile.TemporaryDirectory() as folder:
        result = subprocess.run([sys.executable, "-c", CHILD, name, mode, f"{folder}/units.parquet"],
                                capture_output=True, text=True, check=True)
    return json.loads(result.stdout.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--corpus", default="ungdc")
    parser.add_argument("--repeat", type=int, default=1, help="runs of each, interleaved; the best is reported")
    args = parser.parse_args()
    runs = {"read": [], "units": []}
    for _ in range(args.repeat):
        for mode in runs:
            runs[mode].append(run(args.corpus, mode))
    baseline = min(runs["read"], key=lambda r: r["seconds"])
    measured = min(runs["units"], key=lambda r: r["seconds"])
    print(f"corpus {args.corpus}: {measured['documents']:,} documents, {measured['units']:,} units")
    print(f"{'run':<28}{'seconds':>9}{'units/s':>10}{'peak RSS MiB':>14}")
    print(f"{'read + decode (baseline)':<28}{baseline['seconds']:>9.1f}{'-':>10}{baseline['peak_rss_mib']:>14.0f}")
    print(f"{'read + segment + parquet':<28}{measured['seconds']:>9.1f}{measured['units'] / measured['seconds']:>10,.0f}"
          f"{measured['peak_rss_mib']:>14.0f}")
    print(f"ratio to baseline: {measured['seconds'] / baseline['seconds']:.2f}x time, "
          f"{measured['peak_rss_mib'] / baseline['peak_rss_mib']:.2f}x memory")


if __name__ == "__main__":
    main()
