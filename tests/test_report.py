"""The report stage: section assembly, the smoke build's determinism, and the page in a real browser."""

import hashlib
import os
import re
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt
import pandas as pd
import pytest

from analysis.report import build_report, save_figure, write_section, write_table

REPO = Path(__file__).resolve().parents[1]
CHROMIUM, CHROMEDRIVER = shutil.which("chromium"), shutil.which("chromedriver")


def _a_section(reports: Path) -> None:
    figure, axis = plt.subplots()
    axis.plot([1, 2, 3], [3, 1, 2])
    figure_path = save_figure(figure, reports, "line")
    table_path = write_table(pd.DataFrame({"speaker": ["JPN", "K|R"], "share": [0.123456, 0.5]}), reports, "shares")
    write_section(reports, order=2, slug="second", title="Second <section>", blocks=[
        {"text": "Text & more."}, {"figure": figure_path, "caption": "A line."},
        {"table": table_path, "caption": "Shares", "rows": 1}], findings=["Second finding."])
    write_section(reports, order=1, slug="first", title="First", blocks=[{"text": "Opening."}], findings=["First finding."])


def test_sections_assemble_in_order_with_escaped_html_and_capped_tables(tmp_path):
    _a_section(tmp_path)
    markdown, page = build_report(tmp_path, title="T")
    text, html = markdown.read_text(), page.read_text()
    assert text.index("## First") < text.index("## Second <section>")
    assert "First finding. Second finding." in text  # findings gathered in section order
    assert "| JPN | 0.1235 |" in text and "K\\|R" not in text  # rounded; only the first row shown
    assert "(first 1 of 2 rows; all in `tables/shares.csv`)" in text
    assert "Second &lt;section&gt;" in html and "Text &amp; more." in html
    assert '<img src="figures/line.png" alt="A line.">' in html


def test_a_section_block_must_be_one_kind_and_missing_files_are_named(tmp_path):
    with pytest.raises(ValueError, match="exactly one of text, figure, table or link"):
        write_section(tmp_path, order=1, slug="x", title="X", blocks=[{"text": "a", "figure": "b"}])
    write_section(tmp_path, order=1, slug="x", title="X", blocks=[{"figure": "figures/gone.png", "caption": "c"}])
    with pytest.raises(FileNotFoundError, match="figures/gone.png"):
        build_report(tmp_path)
    with pytest.raises(FileNotFoundError, match="run the notebooks first"):
        build_report(tmp_path / "empty")


def test_figures_and_tables_are_byte_identical_when_redrawn(tmp_path):
    _a_section(tmp_path / "a")
    _a_section(tmp_path / "b")
    for name in ("figures/line.png", "tables/shares.csv", "sections/02-second.json"):
        assert (tmp_path / "a" / name).read_bytes() == (tmp_path / "b" / name).read_bytes(), name


# ---- the smoke build: the whole pipeline from the raw corpora, twice: once straight, once killed and resumed ---------


def _make_report(artifacts: Path, reports: Path) -> list[str]:
    return ["make", "--no-print-directory", "report", "SMOKE=1", f"ARTIFACTS={artifacts}", f"REPORTS={reports}"]


def _smoke(root: Path) -> Path:
    artifacts, reports = root / "artifacts", root / "reports"
    subprocess.run(_make_report(artifacts, reports), cwd=REPO, check=True, env={**os.environ, "TQDM_DISABLE": "1"})
    return reports


def _session_commands(session: int) -> list[str]:
    """The command lines of the processes of a session (make and every step it started)."""
    commands = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
            if int(fields[3]) == session:
                commands.append((stat.parent / "cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace"))
        except (OSError, IndexError, ValueError):
            continue  # the process ended meanwhile
    return commands


def _kill_when(command: list[str], env: dict, *, running: str, ready) -> bool:
    """Run ``command`` in a session of its own; SIGKILL the whole session once a step whose command line contains
    ``running`` is at work and ``ready()`` holds. False if the build finished first."""
    process = subprocess.Popen(command, cwd=REPO, env=env, start_new_session=True,
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        while process.poll() is None:
            if any(running in line for line in _session_commands(process.pid)) and ready():
                os.killpg(process.pid, signal.SIGKILL)
                process.wait()
                return True
            time.sleep(0.1)
        return False
    finally:
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()


def _half_done(artifacts: Path, reports: Path) -> list[str]:
    """What a killed build left that a rerun could take for done: a manifest whose files do not match, a notebook
    that is not executed to its end."""
    import json

    from analysis.persist import IntegrityError, artifact_folders, verify_folder

    problems = []
    for folder in artifact_folders(artifacts):
        try:
            verify_folder(folder)
        except IntegrityError as error:
            problems.append(str(error))
    for notebook in (reports / "notebooks").glob("[!.]*.ipynb"):  # hidden: a temporary a kill left, never a target
        if notebook.name.endswith(".failed.ipynb"):
            continue  # a failed run, kept beside: never a make target either
        metadata = json.loads(notebook.read_text())["metadata"]["papermill"]
        if metadata.get("end_time") is None or metadata.get("exception"):
            problems.append(f"{notebook}: not executed to its end")
    return problems


def _killed_and_resumed(root: Path) -> tuple[Path, list[str], list[str]]:
    """The smoke build with an empty embedding cache, SIGKILLed while embedding, while training the frame models
    and while a notebook runs, then run to its end; the kill points reached and what each kill left half done."""
    artifacts, reports = root / "artifacts", root / "reports"
    env = {**os.environ, "TQDM_DISABLE": "1", "ANALYSIS_CACHE": str(root / "cache")}
    shards = root / "cache" / "embeddings"
    points = [
        ("embedding", "corpus embed", lambda: len(list(shards.rglob("shard-*.npz"))) >= 1),
        ("training", "frames train", lambda: (artifacts / "models" / "frames" / "tfidf" / "manifest.json").exists()),
        ("a notebook", "report notebook", lambda: any((reports / "notebooks").glob(".*.running.ipynb"))),
    ]
    reached, half_done = [], []
    for name, running, ready in points:
        if _kill_when(_make_report(artifacts, reports), env, running=running, ready=ready):
            reached.append(name)
            half_done += [f"after the kill while {name}: {problem}" for problem in _half_done(artifacts, reports)]
    subprocess.run(_make_report(artifacts, reports), cwd=REPO, check=True, env=env)
    return reports, reached, half_done


@pytest.fixture(scope="module")
def smoke_reports(tmp_path_factory):
    root = tmp_path_factory.mktemp("smoke")
    return _smoke(root / "first"), *_killed_and_resumed(root / "second")


def _checksums(reports: Path) -> dict[str, str]:
    files = sorted([*reports.glob("figures/*.png"), *reports.glob("figures/*.plotly.html"), *reports.glob("tables/*.csv"),
                    reports / "report.md", reports / "report.html", reports / "paragraphs.html"])
    return {str(path.relative_to(reports)): hashlib.sha256(path.read_bytes()).hexdigest() for path in files}


@pytest.mark.slow
def test_a_build_killed_three_times_and_resumed_gives_the_same_tables_figures_and_text(smoke_reports):
    first, second, reached, half_done = smoke_reports
    assert reached == ["embedding", "training", "a notebook"]
    assert half_done == []  # every folder with a manifest was complete, every notebook on disk executed
    first, second = _checksums(first), _checksums(second)
    assert len([name for name in first if name.startswith("figures/") and name.endswith(".png")]) >= 8
    assert len([name for name in first if name.endswith(".plotly.html")]) == 3  # and report.html, paragraphs.html
    assert first == second


@pytest.mark.slow
def test_the_smoke_report_has_every_section_and_executed_notebook(smoke_reports):
    reports = smoke_reports[0]
    assert sorted(p.stem for p in (reports / "notebooks").glob("*.ipynb")) == sorted(
        p.stem for p in (REPO / "notebooks").glob("0[1-9]_*.py"))
    text = (reports / "report.md").read_text()
    for title in ("## Findings", "## The study corpus", "## Topics", "## The framing classifier",
                  "## Frames over time, by speaker", "## Reusing the models"):
        assert title in text
    # BERTopic's default (k-means on the projection) leaves no paragraph without a topic and builds no catch-all
    topic_metrics = pd.read_csv(reports / "tables" / "topics_metrics.csv").set_index("backend")
    assert list(topic_metrics.index) == ["lda", "nmf", "bertopic"] and set(topic_metrics["source"]) == {"this build"}
    assert topic_metrics.loc["bertopic", "outlier_share"] == 0 and topic_metrics.loc["bertopic", "largest_topic_share"] < 0.5


# ---- a second study through the same command, on the shared frame models of the smoke build -------------


@pytest.fixture(scope="module")
def news_reports(smoke_reports):
    root = smoke_reports[0].parent
    reports = root / "news-reports"
    subprocess.run(["make", "--no-print-directory", "report", "SMOKE=1", "STUDY=studies/news-japan-korea.toml",
                    f"ARTIFACTS={root / 'artifacts'}", f"REPORTS={reports}"],
                   cwd=REPO, check=True, env={**os.environ, "TQDM_DISABLE": "1"})
    return reports


@pytest.mark.slow
def test_a_second_study_builds_its_own_report_with_its_own_artifacts_and_the_shared_frame_models(news_reports, smoke_reports):
    text = (news_reports / "report.md").read_text()
    assert text.startswith("# How Japan and Korea are framed in the news")
    for title in ("## The study corpus", "## Topics", "## The framing classifier", "## Reusing the models: BBC News"):
        assert title in text
    assert "## Frames over time" not in text  # the study has no [effects]: one year of newswire
    assert "applied here unchanged" in text and "Caution: these figures were measured on diplomatic speech and news" in text
    assert "Reuters stories" in text and "General Debate" not in text.split("## The framing classifier")[0]
    artifacts = smoke_reports[0].parent / "artifacts"
    assert (artifacts / "studies" / "news-japan-korea-smoke" / "subcorpora" / "reuters-japan-korea-by-topic").is_dir()
    assert (artifacts / "studies" / "japan-korea-smoke" / "subcorpora" / "ungdc-japan-korea").is_dir()
    # the default study's report is untouched by the second study's build
    assert _checksums(smoke_reports[0]) == _checksums(smoke_reports[1])


@pytest.mark.slow
def test_a_study_started_by_study_init_from_a_csv_builds_as_it_is(korea_csv, smoke_reports, tmp_path):
    from analysis.cli import main

    path, units = korea_csv
    study = tmp_path / "my-korea.toml"
    assert main(["study", "init", "--path", str(path), "--map", "id=pid,text=body,speaker=country,year=session",
                 "--query", r"(?i)\bkorea", "--out", str(study)]) == 0
    counts = units["speaker"].value_counts()
    sparse = counts.index[counts < 20][0]  # a speaker with too few paragraphs is left out of the regression, with a note
    text = study.read_text()
    study.write_text(text.replace("compare = [", f'compare = ["{sparse}", ', 1))
    reports = tmp_path / "reports"
    subprocess.run([sys.executable, "-m", "analysis", "report", "run", str(study), "--smoke",
                    "--artifacts", str(smoke_reports[0].parent / "artifacts"), "--reports", str(reports)],
                   cwd=REPO, check=True, env={**os.environ, "TQDM_DISABLE": "1"})
    text = (reports / "report.md").read_text()
    assert f"The study corpus holds {len(units):,} paragraphs" in text
    assert "## Frames over time, by speaker" in text and "## Reusing the models" not in text  # no comparison corpus
    assert "Caution: these figures were measured on diplomatic speech and news" in text
    assert (f"Left out of the regression for having fewer than 20 paragraphs in 2004–2012: {sparse} ({counts[sparse]})"
            in text)


@pytest.mark.slow
def test_the_tutorial_notebook_runs_headless_on_the_trained_frame_model(smoke_reports, tmp_path):
    import json

    from analysis.report import run_notebook

    model = smoke_reports[0].parent / "artifacts" / "models" / "frames" / "tfidf"
    executed = run_notebook(REPO / "notebooks" / "00_your_corpus.py", tmp_path / "00_your_corpus.ipynb",
                            {"frame_model": str(model), "workdir": str(tmp_path / "work")})
    cells = json.loads(executed.read_text())["cells"]
    outputs = [output for cell in cells if cell["cell_type"] == "code" for output in cell.get("outputs", [])]
    assert not [output for output in outputs if output["output_type"] == "error"]
    assert any("paragraphs written to" in "".join(o.get("data", {}).get("text/plain", "")) for o in outputs)
    assert (tmp_path / "work" / "korea_paragraphs.csv").stat().st_size > 10_000


#: The report's interactive figures: every study's, and those of the frames-over-time section (studies with effects).
INTERACTIVE = {"smoke_reports": ["topics_prevalence_over_time", "frames_by_topic", "frames_over_time_by_speaker"],
               "news_reports": ["topics_prevalence_over_time", "frames_by_topic"]}


def _hover_each_figure(driver, screenshots: Path) -> dict[str, str]:
    """Move the mouse onto the first point of each plotly figure of the open page; its hover text, figure by figure,
    and a screenshot of each figure with its hover (``screenshots/figure-NAME.png``)."""
    from selenium.webdriver.common.action_chains import ActionChains
    from selenium.webdriver.common.by import By

    hovers = {}
    for figure in driver.find_elements(By.CSS_SELECTOR, ".plotly-graph-div"):
        driver.execute_script("arguments[0].scrollIntoView({block: 'center'})", figure)
        # the first point of the first trace, in pixels from the figure's top left corner
        x, y = driver.execute_script(
            "var gd = arguments[0], trace = gd._fullData[0], layout = gd._fullLayout;"
            "var xa = layout[trace.xaxis.replace('x', 'xaxis')], ya = layout[trace.yaxis.replace('y', 'yaxis')];"
            "var i = trace.type === 'heatmap' ? 0 : Math.min(1, trace.x.length - 1), j = trace.type === 'heatmap' ? 0 : i;"
            "return [xa._offset + xa.d2p(trace.x[i]), ya._offset + ya.d2p(trace.y[j])];",
            figure)
        size = figure.size
        ActionChains(driver).move_to_element_with_offset(figure, int(x - size["width"] / 2), int(y - size["height"] / 2)).perform()
        time.sleep(0.3)
        name = figure.get_attribute("id").removeprefix("figure-")
        hovers[name] = " ".join(driver.execute_script(
            "return Array.from(arguments[0].querySelectorAll('.hovertext')).map(e => e.textContent)", figure))
        figure.screenshot(str(screenshots / f"figure-{name}.png"))
    return hovers


def _filter_the_browser(driver, word: str) -> tuple[str, str, list[str]]:
    """Type ``word`` into the paragraph browser's search box: the row count before and after, and the visible texts."""
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support.ui import WebDriverWait

    count = driver.find_element(By.ID, "count")
    before = count.text
    driver.find_element(By.ID, "search").send_keys(word)
    WebDriverWait(driver, 5).until(lambda _: count.text != before)
    texts = [cell.text for cell in driver.find_elements(By.CSS_SELECTOR, "#rows td.text")]
    return before, count.text, texts


@pytest.mark.slow
@pytest.mark.parametrize("which", ["smoke_reports", "news_reports"])
@pytest.mark.skipif(not (CHROMIUM and CHROMEDRIVER),
                    reason="needs Debian's chromium and chromium-driver: `apt-get install chromium chromium-driver` "
                           "(or `make setup-browser`)")
def test_the_report_opens_in_chromium_without_console_errors_or_broken_images(which, request):
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    built = request.getfixturevalue(which)
    reports = built[0] if which == "smoke_reports" else built
    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    for argument in ("--headless=new", "--no-sandbox", "--disable-gpu", "--window-size=1280,900"):
        options.add_argument(argument)
    options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    os.environ.setdefault("SE_OFFLINE", "true")  # never let Selenium Manager look for a driver online
    driver = webdriver.Chrome(service=Service(CHROMEDRIVER), options=options)
    try:
        driver.get((reports / "report.html").as_uri())
        errors = [entry for entry in driver.get_log("browser") if entry["level"] == "SEVERE"]
        images = driver.execute_script(
            "return Array.from(document.images).map(i => [i.getAttribute('src'), i.complete && i.naturalWidth > 0])")
        screenshot = reports / "screenshots" / "report-first-screen.png"
        screenshot.parent.mkdir(parents=True, exist_ok=True)
        driver.save_screenshot(str(screenshot))
        rendered = driver.execute_script("return Array.from(document.querySelectorAll('.plotly-graph-div'))"
                                         ".map(f => [f.id, f.querySelectorAll('.scatterlayer .trace, .main-svg image').length])")
        hovers = _hover_each_figure(driver, screenshot.parent)
        errors += [entry for entry in driver.get_log("browser") if entry["level"] == "SEVERE"]
        driver.get((reports / "paragraphs.html").as_uri())
        rows = driver.execute_script("return document.querySelectorAll('#rows tr').length")
        before, after, texts = _filter_the_browser(driver, "japan")
        driver.save_screenshot(str(screenshot.parent / "paragraphs-filtered.png"))
        errors += [entry for entry in driver.get_log("browser") if entry["level"] == "SEVERE"]
    finally:
        driver.quit()
    assert errors == []
    assert len(images) >= 8 and [src for src, loaded in images if not loaded] == []
    assert screenshot.stat().st_size > 10_000
    # every interactive figure drew its marks, and its hover names counts and the interval
    assert [name for name, _ in rendered] == [f"figure-{name}" for name in INTERACTIVE[which]]
    assert all(marks > 0 for _, marks in rendered)
    for name in INTERACTIVE[which]:
        assert re.search(r"95% interval \d\.\d{3} to \d\.\d{3}", hovers[name]) and "paragraphs" in hovers[name], (name, hovers)
        assert (screenshot.parent / f"figure-{name}.png").stat().st_size > 10_000
    # the browser shows its first page of every paragraph, and a search narrows the rows to those that match
    total = int(before.split(" of ")[1].split()[0])
    assert before == f"{total} of {total} paragraphs" and rows == min(total, 100)
    matching = int(after.split(" of ")[0])
    assert 0 < matching < total and texts and all("japan" in text.lower() for text in texts)
