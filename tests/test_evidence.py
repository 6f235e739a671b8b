"""The evidence behind the report: exemplar paragraphs, interactive figures and the paragraph browser."""

import json
import re

import numpy as np
import pandas as pd
import pytest

from analysis.corpus.exemplars import exemplar_lines, most_typical
from analysis.framing.codebook import FRAMES
from analysis.framing.pipeline import frame_exemplars
from analysis.topics.pipeline import topic_exemplars


@pytest.fixture(scope="module")
def korea_units(data_home):
    """General Debate paragraphs of 2008-2012 on Korea (real text, several paragraphs per speech)."""
    from analysis import load_units

    return load_units("ungdc", query=r"(?i)\bkorea", years=(2008, 2012))


def _word_scores(units: pd.DataFrame) -> pd.DataFrame:
    """Scores for each frame from the text itself: the share of the paragraph's words that are a seed word of the
    frame (a stand-in for a model's probabilities, with ties and many paragraphs per speech)."""
    seeds = {"security": r"\b(nuclear|security|missile|peace)\b", "trade": r"\b(trade|economic|development)\b",
             "history": r"\b(history|past|war|colonial)\b"}
    words = units["text"].str.count(r"\w+").clip(lower=1)
    scores = units[["unit_id", "doc_id", "speaker", "year"]].copy()
    for frame, pattern in seeds.items():
        scores[frame] = units["text"].str.lower().str.count(pattern) / words
    return scores


def test_exemplars_are_the_top_paragraphs_of_distinct_documents(korea_units):
    scores = _word_scores(korea_units)
    table = frame_exemplars(scores, korea_units, n=5)
    assert list(table.columns) == ["frame", "rank", "unit_id", "doc_id", "paragraph", "speaker", "year", "probability", "text"]
    for frame, rows in table.groupby("frame"):
        assert rows["rank"].tolist() == [1, 2, 3, 4, 5]
        assert rows["doc_id"].is_unique  # diverse: never two paragraphs of one speech
        assert rows["probability"].is_monotonic_decreasing
        # the same as by hand: each speech's best paragraph, then the five best speeches
        best = scores.sort_values([frame, "unit_id"], ascending=[False, True]).drop_duplicates("doc_id")
        assert rows["unit_id"].tolist() == best["unit_id"].head(5).tolist()
        # the citation points at the paragraph: its text is that unit's
        texts = korea_units.set_index("unit_id")["text"]
        assert (rows["text"].to_numpy() == texts.loc[rows["unit_id"]].to_numpy()).all()
        assert all(unit.startswith(f"{doc}#") for unit, doc in zip(rows["unit_id"], rows["doc_id"]))
    # more than one paragraph of a speech would have made the top five without the one-per-document rule
    history = scores.sort_values(["history", "unit_id"], ascending=[False, True]).head(5)
    security = scores.sort_values(["security", "unit_id"], ascending=[False, True]).head(5)
    assert not (history["doc_id"].is_unique and security["doc_id"].is_unique)


def test_exemplars_per_group_and_per_document(korea_units):
    scores = _word_scores(korea_units)
    table = frame_exemplars(scores, korea_units, frames=["security"], n=2, by=["speaker", "year"], per_document=2)
    cells = scores.groupby(["speaker", "year"]).size()
    assert len(table.groupby(["speaker", "year"])) == len(cells)
    assert table.groupby(["speaker", "year"]).size().max() == 2
    for (speaker, year), rows in table.groupby(["speaker", "year"]):
        cell = scores[(scores["speaker"] == speaker) & (scores["year"] == year)]
        assert rows["unit_id"].tolist() == cell.sort_values(["security", "unit_id"], ascending=[False, True])[
            "unit_id"].head(2).tolist()  # a speaker speaks once a year: two per document allowed, both from it
    with pytest.raises(ValueError, match="unknown frame"):
        frame_exemplars(scores, korea_units, frames=["economy"])
    with pytest.raises(ValueError, match="not among the subcorpus's units"):
        frame_exemplars(scores, korea_units.iloc[10:])


def test_topic_exemplars_and_the_printed_lines(korea_units):
    scores = _word_scores(korea_units).rename(columns={"security": "topic_0", "trade": "topic_1", "history": "topic_2"})
    table = topic_exemplars(scores, korea_units, topics=[2], n=3)
    assert table["topic"].tolist() == [2, 2, 2]
    assert table["unit_id"].tolist() == frame_exemplars(_word_scores(korea_units), korea_units, frames=["history"],
                                                        n=3)["unit_id"].tolist()
    with pytest.raises(ValueError, match="topics 0 to 2"):
        topic_exemplars(scores, korea_units, topics=[3])
    lines = exemplar_lines(table, "topic", labels={2: "history past war"}, width=40)
    assert lines[0] == "## topic 2: history past war"
    first = table.iloc[0]
    assert lines[1].startswith(f"  1. {first['doc_id']} para {first['paragraph']}  {first['speaker']} {first['year']}  "
                               f"p={first['probability']:.3f}  ")
    assert len(lines[1].split(f"p={first['probability']:.3f}  ")[1]) <= 43


def test_most_typical_breaks_ties_by_unit_id_whatever_the_row_order(korea_units):
    scores = _word_scores(korea_units).assign(flat=0.5)  # every unit tied
    joined = scores.merge(korea_units[["unit_id", "paragraph", "text"]], on="unit_id")
    shuffled = joined.sample(frac=1, random_state=3)
    first, second = most_typical(joined, "flat", n=4), most_typical(shuffled, "flat", n=4)
    pd.testing.assert_frame_equal(first, second)
    assert first["unit_id"].tolist() == sorted(first["unit_id"])


def _study_folders(root, units, scores):
    """A built subcorpus and its applied frames, as `corpus build` and `frames apply` leave them."""
    from analysis.persist import write_manifest, write_parquet

    subcorpus, applied = root / "subcorpora" / "korea", root / "frames" / "korea"
    write_parquet(subcorpus / "units.parquet", units)
    write_manifest(subcorpus, stage="subcorpus", inputs={"sha256": "x"}, config={}, counts={"units": len(units)})
    write_parquet(applied / "unit_frames.parquet", scores)
    write_manifest(applied, stage="frames-apply", inputs={}, config={}, counts={"units": len(scores)})
    return applied


def test_frames_exemplars_command_prints_citations_and_refuses_what_it_cannot_choose_from(korea_units, tmp_path, capsys):
    from analysis.cli import main

    scores = _word_scores(korea_units)
    applied = _study_folders(tmp_path, korea_units, scores)
    assert main(["frames", "exemplars", "--corpus", "korea", "--artifacts", str(tmp_path), "--frame", "history",
                 "--n", "3", "--speaker", "JPN", "KOR", "--csv", str(tmp_path / "history.csv")]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines[0] == "## frame history" and len(lines) == 4
    assert all(re.match(r"^  \d\. \S+ para \d+  (JPN|KOR) 20(08|09|10|11|12)  p=\d\.\d{3}  \S", line) for line in lines[1:])
    written = pd.read_csv(tmp_path / "history.csv")
    assert len(written) == 3 and written["text"].str.len().min() > 40  # the full text in the CSV
    assert main(["frames", "exemplars", "--corpus", "korea", "--artifacts", str(tmp_path), "--speaker", "XYZ"]) == 2
    assert "error: no paragraph of speakers ['XYZ']" in capsys.readouterr().err
    (applied / "unit_frames.parquet").write_bytes(b"changed")
    assert main(["frames", "exemplars", "--corpus", "korea", "--artifacts", str(tmp_path)]) == 2
    assert "unit_frames.parquet: sha256" in capsys.readouterr().err


# ---- the report's pages -------------------------------------------------------------------------------------


def test_the_paragraph_browser_holds_every_row_once_escaped_and_the_same_bytes_each_time(korea_units):
    from analysis.report.browser import browser_page

    paragraphs = korea_units[["unit_id", "doc_id", "paragraph", "speaker", "year", "text"]].merge(
        _word_scores(korea_units)[["unit_id", *FRAMES]], on="unit_id").assign(
        primary="security", dominant_topic=np.arange(len(korea_units)) % 3 - 1)
    paragraphs.loc[0, "text"] = "A </script><b>closing</b> tag & more"
    page = browser_page(paragraphs, title="T <1>", frames=list(FRAMES), topics={0: "a", 1: "b"}, topic_backend="nmf")
    assert page == browser_page(paragraphs, title="T <1>", frames=list(FRAMES), topics={0: "a", 1: "b"},
                                topic_backend="nmf")
    assert page.count("</script>") == 2 and "<title>T &lt;1&gt;</title>" in page
    assert "http://" not in page and "https://" not in page  # offline: nothing to fetch
    blob = re.search(r'<script type="application/json" id="paragraphs-data">(.*?)</script>', page, re.S).group(1)
    data = json.loads(blob)
    assert len(data["rows"]) == len(paragraphs)
    assert data["rows"][0][data["columns"].index("text")] == "A </script><b>closing</b> tag & more"
    topics = [row[data["columns"].index("topic")] for row in data["rows"]]
    assert topics[:3] == [None, 0, 1]  # -1 (no topic) becomes null


def test_interactive_figures_have_fixed_ids_and_the_page_carries_plotly_once(tmp_path):
    import plotly.graph_objects as go

    from analysis.report import build_report, write_section
    from analysis.report.interactive import mean_interval, save_interactive

    def draw(reports):
        import matplotlib.pyplot as plt

        from analysis.report import save_figure

        figure = go.Figure(go.Scatter(x=[1, 2, 3], y=[0.2, 0.4, 0.3]))
        paths = [save_interactive(figure, reports, name) for name in ("one", "two")]
        static = save_figure(plt.subplots()[0], reports, "one")
        write_section(reports, order=1, slug="s", title="S", blocks=[
            {"figure": static, "caption": f"Figure {i}.", "interactive": path} for i, path in enumerate(paths)])
        return build_report(reports, title="T")

    markdown, page = draw(tmp_path / "a")
    again = draw(tmp_path / "b")[1]
    assert page.read_bytes() == again.read_bytes()
    html = page.read_text()
    assert html.count('id="figure-one"') == 1 and html.count('id="figure-two"') == 1
    assert html.count("plotly.js v") <= 2 and html.count("<script type=\"text/javascript\">/**") == 1  # the bundle once
    assert "cdn.plot.ly" not in html.split("</head>")[1] and 'src="https://' not in html
    assert "*Figure 0.* (interactive in report.html)" in markdown.read_text()
    with pytest.raises(ValueError, match="beside its static PNG"):
        write_section(tmp_path, order=2, slug="x", title="X", blocks=[{"text": "t", "interactive": "figures/x.plotly.html"}])
    # a share's interval stays within [0, 1], and one observation has none
    stats = mean_interval(pd.DataFrame({"g": [1, 1, 1, 2], "p": [0.0, 0.0, 0.9, 0.5]}), ["g"], ["p"])
    assert stats["ci_low"].min() == 0 and (stats["ci_high"] <= 1).all()
    assert stats.loc[stats["g"] == 2, ["ci_low", "ci_high", "n"]].to_numpy().tolist() == [[0.5, 0.5, 1]]
