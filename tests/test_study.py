"""Study files: the loader's checks and messages, the Makefile variables, `study init`, and the Python API."""

import re
from pathlib import Path

import pandas as pd
import pytest

from analysis.cli import main
from analysis.report.study import (
    DEFAULT_STUDY,
    STUDY_DIR,
    StudyError,
    build_study_subcorpus,
    load_study,
    make_variables,
    notebooks_of,
)

REPO = Path(__file__).resolve().parents[1]


def _write(path: Path, text: str) -> Path:
    path.write_text(text)
    return path


def test_the_projects_study_gives_the_makefile_what_it_hard_coded_before():
    full = make_variables(load_study(DEFAULT_STUDY))
    smoke = make_variables(load_study(DEFAULT_STUDY, smoke=True))
    assert "CORPUS := ungdc-japan-korea\n" in full and "OTHER := kcna-japan-korea\n" in full
    assert ("EFFECT_OPTIONS := --speakers JPN KOR PRK CHN USA --baseline JPN --years 1991-2022 --earlier 2000-2010 "
            "--later 2011-2022 --knots 4") in full
    assert "K := 10\n" in full and "SELECT_KS := 5 10 15 20\n" in full and "SAMPLE_kcna-japan-korea := --sample 3000\n" in full
    assert "K := 6\n" in smoke and "SELECT_SEEDS := 0\n" in smoke and "SAMPLE_kcna-japan-korea := --sample 300\n" in smoke
    assert "--speakers JPN KOR PRK --baseline JPN --years 2000-2012 --earlier 2000-2006 --later 2007-2012" in smoke
    assert load_study(DEFAULT_STUDY, smoke=True).corpus.spec.years == (2000, 2012)


def test_every_committed_study_loads_and_a_study_without_effects_or_comparison_runs_fewer_notebooks():
    studies = sorted(STUDY_DIR.glob("*.toml"))
    assert len(studies) >= 2
    for path in studies:
        for smoke in (False, True):
            assert notebooks_of(load_study(path, smoke=smoke))[:3] == ["01_corpus_overview", "02_topics", "03_framing"]
    news = load_study(STUDY_DIR / "news-japan-korea.toml")
    assert news.effects is None and notebooks_of(news)[-1] == "05_model_reuse"
    assert news.corpus.manifest.fields["speaker"] == "topics" and "speaker" not in news.corpus.manifest.constants


@pytest.mark.parametrize(("text", "message"), [
    ('[corpus]\nsubcorpus = "ungdc-japan-korea"\nqeury = "x"\n', r":3: corpus\.qeury: unknown key"),
    ('title = "t"\n[corpus]\nsubcorpus = "ungdc-japan-korea"\n[topics]\nk = "ten"\n', r":5: topics\.k: must be an integer, not 'ten'"),
    ('[corpus]\npath = "nowhere.csv"\nquery = "x"\n', r":2: corpus\.path: .*nowhere\.csv: no such file"),
    ('[corpus]\nsubcorpus = "no-such-spec"\n', r":2: corpus\.subcorpus: no subcorpus spec named 'no-such-spec'"),
    ('[corpus]\nsubcorpus = "ungdc-japan-korea"\n[speakers]\ncompare = ["KOR"]\nbaseline = "JPN"\n',
     r":5: speakers\.baseline: 'JPN' is not one of compare"),
    ('[corpus]\nsubcorpus = "ungdc-japan-korea"\nyears = [2012, 2000]\n', r":3: corpus\.years: must be \[FIRST, LAST\]"),
    ('[corpus]\nsubcorpus = "ungdc-japan-korea"\n[smoke.topics]\nbackends = ["gibbs"]\n', None),
    ('[corpus]\nsubcorpus = "ungdc-japan-korea"\n[effect]\nyears = [1, 2]\n', r":3: effect: unknown key or table"),
    ('[corpus]\nsubcorpus = "ungdc-japan-korea"\n[showcase]\nsubcorpus = "seed"\n', r":3: showcase: .* add a \[comparison\]"),
])
def test_a_bad_study_file_is_named_with_its_line_and_key(tmp_path, text, message):
    path = _write(tmp_path / "bad.toml", text)
    if message is None:  # a bad value under [smoke] counts only for the smoke build
        load_study(path)
        with pytest.raises(StudyError, match=r"topics\.backends: choose from"):
            load_study(path, smoke=True)
        return
    with pytest.raises(StudyError, match=re.escape(str(path)) + message):
        load_study(path)


def test_the_command_line_prints_a_study_error_with_status_2_and_no_traceback(tmp_path, capsys):
    path = _write(tmp_path / "bad.toml", '[corpus]\nsubcorpus = "ungdc-japan-korea"\nspeakers = ["JPN"]\n')
    assert main(["study", "check", str(path)]) == 2
    err = capsys.readouterr().err
    assert err.startswith(f"error: {path}:3: corpus.speakers: unknown key") and "Traceback" not in err


def test_load_units_reads_a_csv_with_a_mapping_and_keeps_every_paragraph_the_query_matches(korea_csv):
    from analysis import load_units

    path, written = korea_csv
    units = load_units(path, map={"id": "pid", "text": "body", "speaker": "country", "year": "session"},
                       query=r"(?i)\bkorea")
    assert len(units) == len(written) > 200
    assert units["speaker"].value_counts().to_dict() == written["speaker"].value_counts().to_dict()
    assert units["text"].str.contains(r"(?i)\bkorea").all()


def test_study_init_writes_a_starter_file_from_the_data_that_loads_as_it_is(korea_csv, tmp_path, capsys):
    path, units = korea_csv
    out = tmp_path / "studies" / "my-korea.toml"
    assert main(["study", "init", "--path", str(path), "--map", "id=pid,text=body,speaker=country,year=session",
                 "--query", r"(?i)\bkorea", "--out", str(out)]) == 0
    text = out.read_text()
    study = load_study(out)
    counts = units["speaker"].value_counts()
    assert study.speakers["compare"] == [s for s in counts.index if counts[s] >= 20]  # the speakers with enough units
    assert study.speakers["baseline"] == counts.index[0]
    assert study.effects["years"] == (2004, 2012) and study.corpus.manifest.file == str(path.resolve())
    assert f"{len(units):,} match the query" in text and "make report STUDY=" in capsys.readouterr().out
    folder = build_study_subcorpus(study, "corpus", tmp_path / "subcorpora")
    assert len(pd.read_parquet(folder / "units.parquet")) == len(units)


def test_study_init_suggests_a_query_from_the_data_when_none_is_given(korea_csv, tmp_path):
    path, _ = korea_csv
    out = tmp_path / "suggested.toml"
    assert main(["study", "init", "--path", str(path), "--map", "id=pid,text=body,speaker=country,year=session",
                 "--out", str(out)]) == 0
    query = load_study(out).corpus.spec.query
    assert query.startswith("(?i:") and "korea" in query  # the name most paragraphs use


def test_a_query_that_matches_no_paragraph_is_named_and_leaves_no_subcorpus_behind(korea_csv, tmp_path):
    path, _ = korea_csv
    study_file = _write(tmp_path / "empty.toml", f'[corpus]\npath = "{path}"\nmap = {{ id = "pid", text = "body" }}\n'
                                                 'query = "zzxq"\n')
    with pytest.raises(StudyError, match=re.escape(f"{study_file}:4: corpus.query: no paragraph matches")):
        build_study_subcorpus(load_study(study_file), "corpus", tmp_path / "subcorpora")
    assert not (tmp_path / "subcorpora" / "empty-corpus").exists()


def test_a_mapping_to_a_column_that_does_not_exist_is_an_error_naming_the_file_and_line(korea_csv, tmp_path, capsys):
    path, _ = korea_csv
    study_file = _write(tmp_path / "typo.toml", f'[corpus]\npath = "{path}"\nmap = {{ text = "bodyy" }}\nquery = "."\n')
    assert main(["study", "subcorpus", str(study_file), "corpus", "--out", str(tmp_path / "sub")]) == 2
    assert f"error: {path}:2: mapped column(s) 'bodyy' not found" in capsys.readouterr().err
