"""The report stage: what the notebooks write, and the assembly of ``report.md`` and ``report.html``.

Each notebook draws from stage artifacts and leaves three kinds of output in
the reports folder: figures (``figures/*.png``), tables (``tables/*.csv``) and
one section (``sections/NN-slug.json``) whose text, captions and findings it
computed from the data. :func:`build_report` puts the sections together in
order; nothing in the report is typed by hand.

Everything written here is byte-for-byte reproducible: PNGs carry no
timestamp or software version, tables are sorted by the caller and rounded
here, JSON keys are sorted.
"""

from __future__ import annotations

import html
import json
from collections.abc import Sequence
from pathlib import Path

import pandas as pd

from analysis.persist import atomic_path, write_csv, write_json, write_text
from analysis.report.interactive import plotly_bundle

FIGURES, TABLES, SECTIONS = "figures", "tables", "sections"
FLOAT_FORMAT = "%.4f"


def use_report_style() -> None:
    """Headless matplotlib with the same fonts and sizes in every notebook."""
    import matplotlib

    matplotlib.use("Agg")
    matplotlib.rcParams.update({
        "figure.dpi": 100, "savefig.dpi": 110, "font.family": "DejaVu Sans", "font.size": 9,
        "axes.titlesize": 10, "axes.spines.top": False, "axes.spines.right": False, "svg.hashsalt": "analysis",
    })


def topic_label(topic_words: Sequence[Sequence], n: int = 3) -> str:
    """A topic's name in figures and tables: its ``n`` best words, as stored in ``topics.json`` (word, weight)."""
    return " / ".join(word for word, _ in topic_words[:n])


def save_figure(figure, reports: Path, name: str) -> str:
    """Write ``figures/NAME.png`` without metadata that changes between runs; return its path in the report."""
    import matplotlib.pyplot as plt

    relative = f"{FIGURES}/{name}.png"
    path = Path(reports) / relative
    with atomic_path(path) as temporary:
        figure.savefig(temporary, metadata={"Software": None}, bbox_inches="tight")
    plt.close(figure)
    return relative


def write_table(table: pd.DataFrame, reports: Path, name: str) -> str:
    """Write ``tables/NAME.csv`` (floats to four decimals); return its path in the report."""
    relative = f"{TABLES}/{name}.csv"
    path = Path(reports) / relative
    write_csv(path, table, index=False, float_format=FLOAT_FORMAT, lineterminator="\n")
    return relative


def write_section(reports: Path, *, order: int, slug: str, title: str, blocks: Sequence[dict],
                  findings: Sequence[str] = ()) -> Path:
    """One report section, as JSON.

    Parameters
    ----------
    blocks
        In reading order, each one of ``{"text": ...}``, ``{"figure": path,
        "caption": ...}`` (with ``"interactive": path``, the plotly fragment
        that report.html shows instead of the PNG), ``{"table": path, "caption": ...,
        "rows": n}`` or ``{"link": path, "label": ...}`` (a page beside the report)
        (paths as returned by :func:`save_figure`, :func:`write_table` and
        :func:`analysis.report.interactive.save_interactive`; ``rows`` caps how
        many rows the report shows, the CSV keeps all).
    findings
        Sentences for the report's opening findings paragraph.
    """
    for block in blocks:
        kinds = {"text", "figure", "table", "link"} & set(block)
        if len(kinds) != 1:
            raise ValueError(f"a section block needs exactly one of text, figure, table or link, got {sorted(block)}")
        if "interactive" in block and "figure" not in block:
            raise ValueError(f"an interactive figure goes beside its static PNG (a figure block), got {sorted(block)}")
    path = Path(reports) / SECTIONS / f"{order:02d}-{slug}.json"
    section = {"order": order, "slug": slug, "title": title, "blocks": list(blocks), "findings": list(findings)}
    return write_json(path, section, indent=1, ensure_ascii=False)


def load_sections(reports: Path) -> list[dict]:
    paths = sorted((Path(reports) / SECTIONS).glob("*.json"))
    if not paths:
        raise FileNotFoundError(f"no report sections under {Path(reports) / SECTIONS}: run the notebooks first (make report)")
    return [json.loads(path.read_text()) for path in paths]


def _table_rows(reports: Path, block: dict) -> tuple[pd.DataFrame, int]:
    table = pd.read_csv(Path(reports) / block["table"], keep_default_na=False)
    return table.head(block.get("rows", 20)), len(table)


def _markdown_table(table: pd.DataFrame) -> str:
    cells = [[str(value) for value in row] for row in table.itertuples(index=False)]
    lines = ["| " + " | ".join(map(str, table.columns)) + " |", "|" + "---|" * len(table.columns)]
    lines += ["| " + " | ".join(value.replace("|", "\\|") for value in row) + " |" for row in cells]
    return "\n".join(lines)


def render_markdown(sections: list[dict], reports: Path, *, title: str) -> str:
    parts = [f"# {title}", "", "## Findings", ""]
    parts += [" ".join(finding for section in sections for finding in section["findings"]), ""]
    for section in sections:
        parts += [f"## {section['title']}", ""]
        for block in section["blocks"]:
            if "text" in block:
                parts += [block["text"], ""]
            elif "figure" in block:
                interactive = " (interactive in report.html)" if "interactive" in block else ""
                parts += [f"![{block['caption']}]({block['figure']})", "", f"*{block['caption']}*{interactive}", ""]
            elif "link" in block:
                parts += [f"[{block['label']}]({block['link']})", ""]
            else:
                shown, total = _table_rows(reports, block)
                more = f" (first {len(shown)} of {total} rows; all in `{block['table']}`)" if total > len(shown) else ""
                parts += [f"*{block['caption']}*{more}", "", _markdown_table(shown), ""]
    return "\n".join(parts).rstrip() + "\n"


_STYLE = """
body { font-family: "DejaVu Sans", Arial, sans-serif; max-width: 60rem; margin: 2rem auto; padding: 0 1rem;
       line-height: 1.45; color: #222; }
h1 { font-size: 1.6rem; } h2 { font-size: 1.25rem; margin-top: 2.2rem; border-bottom: 1px solid #ddd; }
figure { margin: 1.2rem 0; } figure img { max-width: 100%; } figcaption, .caption { font-size: 0.9rem; color: #444; }
table { border-collapse: collapse; font-size: 0.85rem; margin: 0.5rem 0 1.2rem; }
th, td { border: 1px solid #ccc; padding: 0.2rem 0.45rem; text-align: left; } th { background: #f3f3f3; }
.findings { background: #f7f9fc; border-left: 4px solid #4a78b5; padding: 0.6rem 1rem; }
figure.interactive img.static { display: none; }
@media print { figure.interactive .plotly-graph-div { display: none; } figure.interactive img.static { display: block; } }
"""


def render_html(sections: list[dict], reports: Path, *, title: str) -> str:
    escape = html.escape
    findings = " ".join(finding for section in sections for finding in section["findings"])
    interactive = any("interactive" in block for section in sections for block in section["blocks"])
    # plotly.js once, inline, before the figures that call it: the page needs no network
    bundle = [f'<script type="text/javascript">{plotly_bundle()}</script>'] if interactive else []
    parts = ["<!DOCTYPE html>", '<html lang="en">', "<head>", '<meta charset="utf-8">',
             f"<title>{escape(title)}</title>", f"<style>{_STYLE}</style>", *bundle, "</head>", "<body>",
             f"<h1>{escape(title)}</h1>", "<h2>Findings</h2>", f'<p class="findings">{escape(findings)}</p>']
    for section in sections:
        parts.append(f'<h2 id="{escape(section["slug"])}">{escape(section["title"])}</h2>')
        for block in section["blocks"]:
            if "text" in block:
                parts.append(f"<p>{escape(block['text'])}</p>")
            elif "figure" in block:
                image = f'<img src="{escape(block["figure"])}" alt="{escape(block["caption"])}"'
                if "interactive" in block:
                    fragment = (reports / block["interactive"]).read_text()
                    parts.append(f'<figure class="interactive">{fragment}{image} class="static">')
                else:
                    parts.append(f"<figure>{image}>")
                parts.append(f"<figcaption>{escape(block['caption'])}</figcaption></figure>")
            elif "link" in block:
                parts.append(f'<p class="link"><a href="{escape(block["link"])}">{escape(block["label"])}</a></p>')
            else:
                shown, total = _table_rows(reports, block)
                more = f" (first {len(shown)} of {total} rows; all in {block['table']})" if total > len(shown) else ""
                parts.append(f'<p class="caption">{escape(block["caption"] + more)}</p>')
                parts.append(shown.to_html(index=False, border=0, escape=True))
    parts += ["</body>", "</html>"]
    return "\n".join(parts) + "\n"


def build_report(reports: Path, *, title: str = "How Japan-Korea relations are framed") -> tuple[Path, Path]:
    """Assemble ``report.md`` and ``report.html`` from the sections the notebooks wrote."""
    reports = Path(reports)
    sections = load_sections(reports)
    for section in sections:
        for block in section["blocks"]:
            for key in ("figure", "table", "interactive", "link"):
                if key in block and not (reports / block[key]).exists():
                    raise FileNotFoundError(f"section {section['slug']!r} refers to {block[key]}, which is missing under {reports}")
    markdown, page = reports / "report.md", reports / "report.html"
    write_text(markdown, render_markdown(sections, reports, title=title))
    write_text(page, render_html(sections, reports, title=title))
    return markdown, page


def run_notebook(source: Path, executed: Path, parameters: dict) -> Path:
    """Execute a jupytext ``py:percent`` notebook with papermill and keep the executed ``.ipynb``.

    The source is paired into an ``.ipynb`` with the ``python3`` kernel set (papermill needs the kernel
    metadata), its ``parameters`` cell is overridden by ``parameters``, and the executed copy with
    its outputs is written to ``executed``, which a researcher can open in Jupyter.
    """
    import jupytext
    import nbformat
    import papermill

    notebook = jupytext.read(source)
    notebook.metadata["kernelspec"] = {"display_name": "Python 3", "language": "python", "name": "python3"}
    executed = Path(executed)
    executed.parent.mkdir(parents=True, exist_ok=True)
    # hidden, like every temporary: never a make target
    unexecuted, running = (executed.parent / f".{executed.stem}.{part}.ipynb" for part in ("source", "running"))
    jupytext.write(notebook, unexecuted)
    try:
        # papermill saves its output after every cell: under another name, so that a killed run leaves no
        # executed-looking notebook that `make` would take for a finished one
        result = papermill.execute_notebook(str(unexecuted), str(running), parameters=parameters, kernel_name="python3",
                                            progress_bar=False, cwd=str(Path.cwd()))
        result.metadata["papermill"]["output_path"] = str(executed)
        nbformat.write(result, str(running))
    except BaseException:
        # a failed run is kept beside, never as the executed notebook: make must not take it for built
        if running.exists():
            running.replace(executed.with_suffix(".failed.ipynb"))
        raise
    finally:
        unexecuted.unlink(missing_ok=True)
    running.replace(executed)
    executed.with_suffix(".failed.ipynb").unlink(missing_ok=True)
    return executed
