"""Whatever a user feeds the command line, it ends in exit 0, or exit 2 with ``error: ...``, never a traceback.

Hypothesis writes random and mutated inputs -- broken JSON Lines and CSV,
arbitrary bytes, gzip that is not, empty lines, a huge field, values of the
wrong JSON type -- and runs the readers (``corpus info``, ``corpus units``,
``corpus subset`` with random ``--map``, ``--query`` and ``--years``) and
``frames predict --input`` in-process through :func:`analysis.cli.main`. Each
run must return 0 or 2 (argparse's own usage errors count as 2), print a one-line
``error:`` when it fails, and leave no output file behind when it fails. The
full run is marked slow; ``test-fast`` runs a quick variant of each.
"""

from __future__ import annotations

import csv
import gzip
import io
import json
import tempfile
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from analysis.cli import main
from analysis.framing.models import make_model

FULL_READER_EXAMPLES, FULL_PREDICT_EXAMPLES = 700, 400
QUICK_EXAMPLES = 60

SENTENCES = ["Japan and the Republic of Korea discussed trade and export controls.",
             "The delegate spoke of missile launches.\n\nA second paragraph on the colonial past.",
             "", " ", "Korea " * 40]
FIELDS = ["id", "text", "year", "date", "speaker", "body", "title"]
values = st.one_of(st.sampled_from(SENTENCES), st.text(max_size=40), st.integers(), st.floats(), st.none(),
                   st.booleans(), st.lists(st.integers(), max_size=3),
                   st.dictionaries(st.text(max_size=3), st.integers(), max_size=2),
                   st.sampled_from(["2005", "2005-06-01", "abc", "99999999999999999999", "1e400"]))
records = st.lists(st.dictionaries(st.sampled_from(FIELDS), values, max_size=len(FIELDS)), max_size=6)


@st.composite
def damaged(draw, content: bytes) -> bytes:
    """``content`` with a few mutations: cut short, random bytes, blank lines, a huge field, duplicated lines."""
    for _ in range(draw(st.integers(0, 3))):
        position = draw(st.integers(0, len(content)))
        mutation = draw(st.sampled_from(["cut", "bytes", "blank", "huge", "repeat"]))
        if mutation == "cut":
            content = content[:position]
        elif mutation == "bytes":
            content = content[:position] + draw(st.binary(min_size=1, max_size=12)) + content[position:]
        elif mutation == "blank":
            content = content[:position] + b"\n\n \n" + content[position:]
        elif mutation == "huge":
            content = content[:position] + b"korea trade " * 20_000 + content[position:]
        else:
            content = content + content
    return content


def _jsonl(rows: list[dict]) -> bytes:
    return "".join(json.dumps(row) + "\n" for row in rows).encode()


def _csv(rows: list[dict]) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out)
    header = sorted({key for row in rows for key in row}) or ["text"]
    writer.writerow(header)
    for row in rows:
        writer.writerow([row.get(key, "") for key in header])
    return out.getvalue().encode()


@st.composite
def user_file(draw) -> tuple[str, bytes]:
    """A file name and its bytes: well-formed, damaged, or noise, as JSONL, CSV, gzip or text."""
    suffix = draw(st.sampled_from([".jsonl", ".csv", ".tsv", ".jsonl.gz", ".txt"]))
    rows = draw(records)
    base = _csv(rows) if suffix in (".csv", ".tsv") else _jsonl(rows)
    content = draw(st.one_of(st.just(base), damaged(base), st.binary(max_size=300)))
    if suffix.endswith(".gz") and draw(st.booleans()):
        content = gzip.compress(content, mtime=0)[: draw(st.integers(1, 400))]
    return f"corpus{suffix}", content


maps = st.lists(st.sampled_from(["text=text", "text=body", "id=id", "year=year", "date=date", "speaker=speaker",
                                 "title=title", "id={speaker}_{year}", "text={body", "id={0}", "id={year:x}", "bad",
                                 "=x", "text=", "text=missing"]), max_size=3)
queries = st.one_of(st.none(), st.sampled_from(["(?i)korea", "trade|export", "(", "[a-", "*", "\\"]), st.text(max_size=6))
years = st.one_of(st.none(), st.sampled_from(["2000-2010", "2005", "abc", "2010-2000", "-", "1e3", ""]))


def _run(argv: list[str], capsys) -> tuple[int, str]:
    import logging

    root = logging.getLogger()
    for handler in [h for h in root.handlers if type(h) is logging.StreamHandler]:
        root.removeHandler(handler)  # main() binds its handler to this example's stderr, not a closed earlier one
    try:
        code = main(argv)
    except SystemExit as stop:  # argparse: a usage error
        code = stop.code
    return code, capsys.readouterr().err


def _assert_clean(code: int, err: str) -> None:
    assert code in (0, 2), (code, err)
    assert "Traceback" not in err
    if code == 2:
        assert "error:" in err and err.strip().splitlines()[-1].count("error:") == 1, err


def _check_readers(case, capsys) -> None:
    (name, content), mapping, query, year_range, command = case
    with tempfile.TemporaryDirectory() as folder:
        root = Path(folder)
        path = root / name
        path.write_bytes(content)
        out = root / "out"
        argv = ["corpus", command, "--path", str(path), *(item for pair in mapping for item in ("--map", pair))]
        if command == "units":
            argv += ["--out", str(out / "units.parquet")]
        if command == "subset":
            argv += ["--subcorpus", "mine", "--out", str(out)]
            argv += ["--query", query] if query is not None else []
            argv += [f"--years={year_range}"] if year_range is not None else []
        code, err = _run(argv, capsys)
        _assert_clean(code, err)
        written = sorted(p.relative_to(out) for p in out.rglob("*") if p.is_file()) if out.exists() else []
        if code == 2:
            assert written == [], f"a failed run left {written}"
        elif command == "units":
            assert written == [Path("units.parquet")]
        elif command == "subset":
            assert written == [Path("mine/manifest.json"), Path("mine/units.parquet")]


reader_cases = st.tuples(user_file(), maps, queries, years, st.sampled_from(["info", "units", "subset"]))
prediction_lines = st.one_of(
    st.lists(st.fixed_dictionaries({"id": values, "text": values}), max_size=5).map(_jsonl),
    st.lists(st.dictionaries(st.sampled_from(["id", "text", "other"]), values), max_size=5).map(_jsonl),
    st.binary(max_size=200))


@pytest.fixture(scope="module")
def lexicon_model(tmp_path_factory):
    """A lexicon frame model (no embeddings: fast to fit and apply) fitted on self-written texts."""
    from tests.test_integrity import _frame_texts

    texts, labels = _frame_texts()
    return make_model("lexicon").fit(texts, labels).save(tmp_path_factory.mktemp("model") / "lexicon")


def _check_predict(case, model: Path, capsys) -> None:
    content = case
    with tempfile.TemporaryDirectory() as folder:
        source, output = Path(folder) / "in.jsonl", Path(folder) / "out" / "predictions.jsonl"
        source.write_bytes(content)
        code, err = _run(["frames", "predict", "--input", str(source), "--output", str(output), "--model", str(model)], capsys)
        _assert_clean(code, err)
        if code == 2:
            assert not output.exists() and f"{source}" in err
        else:
            assert output.read_bytes().count(b"\n") == len(io.BytesIO(content).readlines())


_FUZZ = dict(deadline=None, derandomize=True, database=None,
             suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow, HealthCheck.data_too_large])


@pytest.mark.slow
@settings(max_examples=FULL_READER_EXAMPLES, **_FUZZ)
@given(case=reader_cases)
def test_readers_never_raise_on_random_and_mutated_input(case, capsys):
    _check_readers(case, capsys)


@pytest.mark.slow
@settings(max_examples=FULL_PREDICT_EXAMPLES, **_FUZZ)
@given(case=prediction_lines)
def test_predict_never_raises_on_random_and_mutated_input(case, lexicon_model, capsys):
    _check_predict(case, lexicon_model, capsys)


@settings(max_examples=QUICK_EXAMPLES, **_FUZZ)
@given(case=reader_cases)
def test_readers_quick(case, capsys):
    _check_readers(case, capsys)


@settings(max_examples=QUICK_EXAMPLES, **_FUZZ)
@given(case=prediction_lines)
def test_predict_quick(case, lexicon_model, capsys):
    _check_predict(case, lexicon_model, capsys)
