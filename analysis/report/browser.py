"""The paragraph browser: one self-contained, offline HTML page with every paragraph of a study corpus.

Each row: the citation (document id, paragraph number), speaker, year, each frame's probability, the primary
frame, the dominant topic and the text. A reader filters by speaker, primary frame, topic and years, searches
the text, sorts by year or by a frame's probability, and pages through 100 rows at a time (rendering only the
visible page keeps it quick at the study corpus's 8,000 paragraphs and well beyond). The data is one JSON
blob in the page, read by plain JavaScript; no library, no network. The page is byte-identical from build to
build: rows in corpus order, probabilities to three decimals, keys sorted.
"""

from __future__ import annotations

import html
import json
from collections.abc import Mapping, Sequence
from pathlib import Path

import pandas as pd

from analysis.persist import write_text

BROWSER = "paragraphs.html"
PAGE_ROWS = 100

_STYLE = """
body { font-family: "DejaVu Sans", Arial, sans-serif; margin: 1rem 1.5rem; color: #222; font-size: 0.9rem; }
h1 { font-size: 1.3rem; } .controls { display: flex; flex-wrap: wrap; gap: 0.6rem 1rem; align-items: end; margin: 0.8rem 0; }
.controls label { display: flex; flex-direction: column; font-size: 0.8rem; color: #444; }
.controls input, .controls select { font-size: 0.9rem; padding: 0.15rem 0.3rem; }
#search { width: 18rem; } .years input { width: 4.5rem; }
table { border-collapse: collapse; width: 100%; } th, td { border-bottom: 1px solid #ddd; padding: 0.3rem 0.4rem;
  text-align: left; vertical-align: top; } th { background: #f3f3f3; position: sticky; top: 0; }
td.p { white-space: nowrap; font-variant-numeric: tabular-nums; } td.cite { white-space: nowrap; font-size: 0.8rem; }
td.text { max-width: 48rem; line-height: 1.35; } .bar { display: inline-block; height: 0.55rem; background: #4a78b5;
  margin-right: 0.3rem; vertical-align: middle; } .pager { margin: 0.6rem 0; display: flex; gap: 0.8rem; align-items: center; }
"""

_SCRIPT = r"""
(function () {
  "use strict";
  var data = JSON.parse(document.getElementById("paragraphs-data").textContent);
  var frames = data.frames, rows = data.rows, pageRows = data.page_rows;
  var column = {};
  data.columns.forEach(function (name, index) { column[name] = index; });
  var haystack = rows.map(function (row) { return String(row[column.text]).toLowerCase(); });
  var controls = {};
  ["search", "speaker", "primary", "topic", "from", "to", "sort"].forEach(function (id) {
    controls[id] = document.getElementById(id);
  });
  var body = document.getElementById("rows"), count = document.getElementById("count");
  var pageLabel = document.getElementById("page"), page = 0, shown = [];

  function options(select, values, label) {
    values.forEach(function (value) {
      var option = document.createElement("option");
      option.value = String(value);
      option.textContent = label ? label(value) : String(value);
      select.appendChild(option);
    });
  }
  function distinct(name) {
    var seen = {};
    rows.forEach(function (row) { seen[row[column[name]]] = true; });
    return Object.keys(seen).sort();
  }
  options(controls.speaker, distinct("speaker"));
  options(controls.primary, distinct("primary"));
  options(controls.topic, Object.keys(data.topics).map(Number).sort(function (a, b) { return a - b; }),
          function (topic) { return topic + ": " + data.topics[topic]; });
  options(controls.sort, frames, function (frame) { return "highest " + frame + " first"; });

  function matches(row, index, query, years) {
    if (controls.speaker.value && row[column.speaker] !== controls.speaker.value) return false;
    if (controls.primary.value && row[column.primary] !== controls.primary.value) return false;
    if (controls.topic.value !== "" && String(row[column.topic]) !== controls.topic.value) return false;
    if (row[column.year] < years[0] || row[column.year] > years[1]) return false;
    return !query || haystack[index].indexOf(query) !== -1;
  }
  function apply() {
    var query = controls.search.value.trim().toLowerCase();
    var years = [Number(controls.from.value) || -Infinity, Number(controls.to.value) || Infinity];
    shown = [];
    rows.forEach(function (row, index) { if (matches(row, index, query, years)) shown.push(index); });
    var by = controls.sort.value;
    if (by) {
      shown.sort(function (a, b) { return rows[b][column[by]] - rows[a][column[by]] || a - b; });
    }
    page = 0;
    render();
  }
  function cell(tr, text, className) {
    var td = document.createElement("td");
    if (className) td.className = className;
    td.textContent = text;
    tr.appendChild(td);
    return td;
  }
  function render() {
    var pages = Math.max(1, Math.ceil(shown.length / pageRows));
    page = Math.min(page, pages - 1);
    var fragment = document.createDocumentFragment();
    shown.slice(page * pageRows, (page + 1) * pageRows).forEach(function (index) {
      var row = rows[index], tr = document.createElement("tr");
      cell(tr, row[column.doc_id] + " \u00b6" + row[column.paragraph], "cite");
      cell(tr, row[column.speaker]);
      cell(tr, row[column.year]);
      frames.forEach(function (frame) {
        var value = row[column[frame]], td = cell(tr, "", "p"), bar = document.createElement("span");
        bar.className = "bar";
        bar.style.width = (value * 3) + "rem";
        td.appendChild(bar);
        td.appendChild(document.createTextNode(value.toFixed(2)));
      });
      cell(tr, row[column.primary]);
      cell(tr, row[column.topic] === null ? "" : row[column.topic] + ": " + (data.topics[row[column.topic]] || ""));
      cell(tr, row[column.text], "text");
      fragment.appendChild(tr);
    });
    body.replaceChildren(fragment);
    count.textContent = shown.length + " of " + rows.length + " paragraphs";
    pageLabel.textContent = "page " + (page + 1) + " of " + pages;
  }
  var pending = null;
  controls.search.addEventListener("input", function () {
    clearTimeout(pending);
    pending = setTimeout(apply, 120);
  });
  ["speaker", "primary", "topic", "from", "to", "sort"].forEach(function (id) {
    controls[id].addEventListener("change", apply);
  });
  document.getElementById("previous").addEventListener("click", function () { page = Math.max(0, page - 1); render(); });
  document.getElementById("next").addEventListener("click", function () { page += 1; render(); });
  apply();
})();
"""


def browser_page(paragraphs: pd.DataFrame, *, title: str, frames: Sequence[str], topics: Mapping[int, str],
                 topic_backend: str) -> str:
    """The page's HTML. ``paragraphs``: ``doc_id``, ``paragraph``, ``speaker``, ``year``, each frame's probability,
    ``primary``, ``dominant_topic`` (-1 or missing: none) and ``text``, one row per paragraph, in the page's order."""
    columns = ["doc_id", "paragraph", "speaker", "year", *frames, "primary", "topic", "text"]
    table = paragraphs.assign(topic=paragraphs["dominant_topic"].astype("Int64").where(paragraphs["dominant_topic"] >= 0))
    rows = [[None if pd.isna(value) else value.item() if hasattr(value, "item") else value for value in row]
            for row in table[columns].itertuples(index=False)]
    for row in rows:
        for index in range(4, 4 + len(frames)):
            row[index] = round(row[index], 3)
    data = {"columns": columns, "rows": rows, "frames": list(frames), "page_rows": PAGE_ROWS,
            "topics": {str(topic): label for topic, label in sorted(topics.items())}}
    # inside <script>, "</" would end the element: JSON allows the escaped form
    blob = json.dumps(data, ensure_ascii=False, sort_keys=True, separators=(",", ":")).replace("</", "<\\/")
    escape = html.escape
    heads = ["cited as", "speaker", "year", *frames, "primary", f"dominant {topic_backend} topic", "text"]
    return "\n".join([
        "<!DOCTYPE html>", '<html lang="en">', "<head>", '<meta charset="utf-8">', f"<title>{escape(title)}</title>",
        f"<style>{_STYLE}</style>", "</head>", "<body>", f"<h1>{escape(title)}</h1>",
        f"<p>Every paragraph of the study corpus ({len(rows):,}) with the frame model's probabilities, its primary "
        f"frame and its dominant {escape(topic_backend)} topic. A paragraph is cited as document id and paragraph "
        "number. Filter, search the text (case-insensitive), or sort by a frame's probability.</p>",
        '<div class="controls">',
        '<label>search the text<input id="search" type="search" placeholder="e.g. colonial"></label>',
        '<label>speaker<select id="speaker"><option value="">all</option></select></label>',
        '<label>primary frame<select id="primary"><option value="">all</option></select></label>',
        '<label>dominant topic<select id="topic"><option value="">all</option></select></label>',
        '<label class="years">from year<input id="from" type="number"></label>',
        '<label class="years">to year<input id="to" type="number"></label>',
        '<label>order<select id="sort"><option value="">corpus order</option></select></label>',
        "</div>",
        '<div class="pager"><button id="previous" type="button">previous</button><span id="page"></span>'
        '<button id="next" type="button">next</button><strong id="count"></strong></div>',
        "<table>", "<thead><tr>" + "".join(f"<th>{escape(head)}</th>" for head in heads) + "</tr></thead>",
        '<tbody id="rows"></tbody>', "</table>",
        f'<script type="application/json" id="paragraphs-data">{blob}</script>',
        f"<script>{_SCRIPT}</script>", "</body>", "</html>"]) + "\n"


def write_browser(paragraphs: pd.DataFrame, reports: Path, **page) -> str:
    """Write ``paragraphs.html`` into the reports folder (see :func:`browser_page`); return its path in the report."""
    write_text(Path(reports) / BROWSER, browser_page(paragraphs, **page))
    return BROWSER
