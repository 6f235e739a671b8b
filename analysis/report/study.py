"""A study: one TOML file that says which corpus the report is about and how to analyse it.

``studies/japan-korea.toml`` is the project's own study; any other file in the
same form builds the same report for another corpus
(``make report STUDY=FILE`` or ``python -m analysis report run FILE``). The
file names

- ``[corpus]``: the study corpus, as a named subcorpus spec
  (``subcorpus = "ungdc-japan-korea"``), a corpus manifest (``manifest =
  "reuters21578"``) or a file of one's own (``path``, ``map``, ``format``,
  ``options``), with the unit ``query`` (a regular expression), ``years`` and
  the words the report uses for it;
- ``[comparison]`` (optional): a second corpus the fitted models are applied
  to unchanged; ``[showcase]`` (optional): a page shown paragraph by paragraph;
- ``[speakers]``, ``[effects]`` (optional), ``[topics]``, ``[frames]``;
- ``[smoke]``: the same tables again, with the values of the small build
  (``SMOKE=1``) that replace the full study's.

:func:`load_study` checks every key and value and names the file, the line
and the key of what is wrong (:class:`StudyError`, ``error: FILE:LINE: ...``,
exit status 2). The frame models are not part of a study: they are trained
once from the project's annotations and shared by every study.
"""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from analysis.corpus.manifest import PROJECT_ROOT, Manifest, load_manifest
from analysis.corpus.subcorpus import SubcorpusSpec, load_spec
from analysis.errors import AnalysisError
from analysis.framing import DEFAULT_KIND, MODEL_KINDS

#: Where the project's studies live; ``japan-korea`` is the default study of ``make report``.
STUDY_DIR = PROJECT_ROOT / "studies"
DEFAULT_STUDY = STUDY_DIR / "japan-korea.toml"
ROLES = ("corpus", "comparison", "showcase")

_SOURCE_KEYS = {"subcorpus": str, "manifest": str, "path": str, "map": dict, "format": str, "options": dict,
                "language": str, "query": str, "ignore_case": bool, "years": list, "drop_duplicates": bool,
                "name": str, "sample": int, "label": str, "in_text": str, "description": str}
#: Each table's keys and their types; a key not listed is an error.
SCHEMA: dict[str, dict[str, type]] = {
    "": {"title": str},
    "corpus": {**_SOURCE_KEYS, "documents": str, "about": str, "heldout_note": str,
               "heldout_name": str},
    "comparison": {**_SOURCE_KEYS, "speaker": str, "text": str},
    "showcase": {**_SOURCE_KEYS, "text": str},
    "speakers": {"compare": list, "baseline": str, "overview": list, "names": dict},
    "effects": {"speakers": list, "years": list, "earlier": list, "later": list, "knots": int, "min_units": int, "seed": int},
    "topics": {"backends": list, "k": int, "sweep_ks": list, "sweep_seeds": list, "seed": int, "heatmap_backend": str,
               "period_years": int},
    "frames": {"model": str},
}
TYPE_NAMES = {str: "a string", int: "an integer", bool: "true or false", list: "a list [...]", dict: "a table { ... }"}
#: The keys of a corpus table that name things in the report's sentences (``Source.words``).
WORDS = ("label", "in_text", "documents", "about", "heldout_note", "heldout_name", "speaker", "text")
TOPIC_BACKENDS = ("lda", "nmf", "bertopic")


class StudyError(AnalysisError, ValueError):
    """A study file that cannot be built; the message names the file, the line and the key."""


@dataclass(frozen=True)
class Source:
    """One corpus of a study (its corpus, comparison or showcase) and the subcorpus it becomes."""

    role: str
    spec: SubcorpusSpec
    manifest: Manifest | None  # None: the corpus's named manifest (``spec.corpus``)
    sample: int | None = None
    words: dict[str, str] = field(default_factory=dict)  # label, documents, about, ... as the report writes them


@dataclass(frozen=True)
class Study:
    """A loaded, checked study; see the module docstring for what each part means."""

    path: Path
    name: str
    title: str
    sources: dict[str, Source]
    speakers: dict[str, Any]
    effects: dict[str, Any] | None
    topics: dict[str, Any]
    frame_model: str
    smoke: bool = False

    @property
    def corpus(self) -> Source:
        return self.sources["corpus"]

    @property
    def comparison(self) -> Source | None:
        return self.sources.get("comparison")

    @property
    def showcase(self) -> Source | None:
        return self.sources.get("showcase")

    def speaker_name(self, code: str) -> str:
        """How the report's sentences name a speaker (``[speakers] names``, else its code)."""
        return self.speakers["names"].get(code, code)

    def error(self, table: str, key: str, message: str) -> StudyError:
        return study_error(self.path, table, key, message)


def line_of(text: str, table: str, key: str) -> int | None:
    """The line of ``key = ...`` in ``[table]`` (``""``: the top level) of a TOML text, if it is written there."""
    current = ""
    for number, line in enumerate(text.splitlines(), start=1):
        stripped = line.strip()
        header = re.fullmatch(r"\[\s*([^\]]+?)\s*\]", stripped)
        if header:
            current = header.group(1)
            if current == table and not key:
                return number
        elif current == table and key and re.match(rf"{re.escape(key)}\s*=", stripped):
            return number
    return None


def study_error(path: Path, table: str, key: str, message: str) -> StudyError:
    try:
        text = Path(path).read_text(encoding="utf-8")
    except OSError:
        text = ""
    line = line_of(text, table, key) or line_of(text, table, "")
    where = f"{path}:{line}" if line else str(path)
    name = ".".join(part for part in (table, key) if part)
    return StudyError(f"{where}: {name}: {message}" if name else f"{where}: {message}")


def _check_types(path: Path, raw: dict, prefix: str = "") -> None:
    for table, value in raw.items():
        if table == "smoke" and not prefix:
            if not isinstance(value, dict):
                raise study_error(path, "", "smoke", "must be a table of the tables it overrides")
            _check_types(path, value, prefix="smoke.")
            continue
        if isinstance(value, dict) and table in SCHEMA and table:
            keys = SCHEMA[table]
            for key, item in value.items():
                if key not in keys:
                    raise study_error(path, prefix + table, key, f"unknown key (known: {', '.join(sorted(keys))})")
                if not isinstance(item, keys[key]) or (keys[key] is int and isinstance(item, bool)):
                    raise study_error(path, prefix + table, key, f"must be {TYPE_NAMES[keys[key]]}, not {item!r}")
        elif table in SCHEMA[""]:
            if not isinstance(value, SCHEMA[""][table]):
                raise study_error(path, prefix.rstrip("."), table, f"must be {TYPE_NAMES[SCHEMA[''][table]]}")
        else:
            known = sorted([*SCHEMA[""], *(t for t in SCHEMA if t), *([] if prefix else ["smoke"])])
            message = f"unknown key or table (known: {', '.join(known)})"
            if isinstance(value, dict):  # a [table] of its own: its header's line
                raise study_error(path, prefix + table, "", message)
            raise study_error(path, prefix.rstrip("."), table, message)


def _years(path: Path, table: str, key: str, value: Any) -> tuple[int, int] | None:
    if value is None:
        return None
    if len(value) != 2 or not all(isinstance(year, int) for year in value) or value[0] > value[1]:
        raise study_error(path, table, key, f"must be [FIRST, LAST] years with FIRST <= LAST, not {value!r}")
    return int(value[0]), int(value[1])


def _source(path: Path, role: str, raw: dict, study_name: str) -> Source:
    """The subcorpus spec (and for a file of one's own, the manifest) of one corpus of the study."""
    given = [key for key in ("subcorpus", "manifest", "path") if key in raw]
    if len(given) != 1:
        raise study_error(path, role, given[-1] if given else "",
                          "name the corpus with exactly one of subcorpus (a spec in corpora/subcorpora), "
                          "manifest (a corpus in corpora/) or path (a file of your own)")
    years = _years(path, role, "years", raw.get("years"))
    manifest = None
    try:
        if "subcorpus" in raw:
            spec = load_spec(raw["subcorpus"])
        else:
            if "manifest" in raw:
                manifest = load_manifest(raw["manifest"])
            else:
                manifest = own_manifest(path, role, raw)
            if "query" not in raw:
                raise study_error(path, role, "", "a corpus given by manifest or path needs a query "
                                                  "(a regular expression a paragraph must match; '.' keeps every one)")
            spec = SubcorpusSpec(name=raw.get("name", f"{study_name}-{role}"), corpus=manifest.name)
    except StudyError:
        raise
    except (AnalysisError, ValueError) as error:
        key = next(k for k in ("subcorpus", "manifest", "path") if k in raw)
        raise study_error(path, role, key, str(error)) from None
    if "map" in raw and manifest is not None and "path" not in raw:
        # a manifest's mapping, changed for this study (e.g. speaker = "label" for a newswire's topic codes)
        fields = {**manifest.fields, **raw["map"]}
        manifest = replace(manifest, fields=fields,
                           constants={k: v for k, v in manifest.constants.items() if k not in raw["map"]})
    overrides = {key: raw[key] for key in ("query", "ignore_case", "language", "drop_duplicates", "description")
                 if key in raw}
    if years is not None:
        overrides["years"] = years
    if "name" in raw:
        overrides["name"] = raw["name"]
    try:
        spec = replace(spec, **overrides)
    except ValueError as error:
        raise study_error(path, role, "query" if "query" in raw else "years", str(error)) from None
    if raw.get("sample") is not None and raw["sample"] < 1:
        raise study_error(path, role, "sample", "must be a positive number of paragraphs")
    words = {key: raw[key] for key in WORDS if key in raw}
    words.setdefault("label", spec.name)
    return Source(role=role, spec=spec, manifest=manifest, sample=raw.get("sample"), words=words)


def own_manifest(path: Path, role: str, raw: dict) -> Manifest:
    """The manifest of a file of one's own: ``path`` (relative to the study file), ``map``, ``format``, ``options``."""
    from analysis.corpus.sources import file_manifest

    file = (Path(path).parent / raw["path"]).expanduser()
    if not file.exists():
        raise study_error(path, role, "path", f"{file.resolve()}: no such file or folder")
    try:
        return file_manifest(file, fmt=raw.get("format"), fields=raw.get("map", {}), options=raw.get("options", {}),
                             language=raw.get("language"))
    except AnalysisError as error:
        raise study_error(path, role, "map" if "map" in raw else "format", str(error)) from None


def _merge(base: dict, override: dict) -> dict:
    merged = dict(base)
    for key, value in override.items():
        merged[key] = _merge(base.get(key, {}), value) if isinstance(value, dict) and key != "map" else value
    return merged


def load_study(path: Path | str, *, smoke: bool = False) -> Study:
    """Read and check a study file; with ``smoke``, its ``[smoke]`` tables replace the full study's values."""
    path = Path(path)
    if not path.is_file():
        raise StudyError(f"{path}: no such study file (the project's are in {STUDY_DIR})")
    try:
        raw = tomllib.loads(path.read_text(encoding="utf-8"))
    except tomllib.TOMLDecodeError as error:
        raise StudyError(f"{path}: not valid TOML: {error}") from None
    _check_types(path, raw)
    if "corpus" not in raw:
        raise study_error(path, "", "", "a study needs a [corpus] table")
    smoke_tables = raw.pop("smoke", {})
    if smoke:
        raw = _merge(raw, smoke_tables)
    name = path.stem
    sources = {role: _source(path, role, raw[role], name) for role in ROLES if role in raw}
    if "showcase" in sources and "comparison" not in sources:
        raise study_error(path, "showcase", "", "a showcase page is shown in the comparison section: add a [comparison]")
    names = [source.spec.name for source in sources.values()]
    if len(set(names)) != len(names):
        raise study_error(path, "comparison", "name", f"the study's corpora need different names, got {names}")

    speakers = dict(raw.get("speakers", {}))
    compare = speakers.setdefault("compare", [])
    if not all(isinstance(code, str) for code in compare):
        raise study_error(path, "speakers", "compare", "must be a list of speaker codes (strings)")
    speakers.setdefault("overview", list(compare))
    speakers.setdefault("names", {})
    if compare:
        speakers.setdefault("baseline", compare[0])
        if speakers["baseline"] not in compare:
            raise study_error(path, "speakers", "baseline", f"{speakers['baseline']!r} is not one of compare {compare}")
    else:
        speakers.setdefault("baseline", None)

    effects = raw.get("effects")
    if effects is not None:
        effects = dict(effects)
        if len(compare) < 1:
            raise study_error(path, "speakers", "compare", "the [effects] regression needs the speakers to compare")
        for key in ("years", "earlier", "later"):
            if key not in effects:
                raise study_error(path, "effects", "", f"needs {key} = [FIRST, LAST]")
            effects[key] = _years(path, "effects", key, effects[key])
        effects.setdefault("speakers", list(compare))
        if speakers["baseline"] not in effects["speakers"]:
            raise study_error(path, "effects", "speakers", f"must include the baseline {speakers['baseline']!r}")
        effects.setdefault("knots", 4)
        effects.setdefault("min_units", 20)
        effects.setdefault("seed", 0)

    topics = {"backends": ["lda", "nmf", "bertopic"], "k": 10, "sweep_ks": [5, 10, 15, 20], "sweep_seeds": [0, 1],
              "seed": 0, "heatmap_backend": "nmf", "period_years": 5, **raw.get("topics", {})}
    unknown = [b for b in topics["backends"] if b not in TOPIC_BACKENDS]
    if unknown or not topics["backends"]:
        raise study_error(path, "topics", "backends", f"choose from {', '.join(TOPIC_BACKENDS)}, not {unknown or '[]'}")
    if topics["heatmap_backend"] not in topics["backends"]:
        raise study_error(path, "topics", "heatmap_backend", f"must be one of backends {topics['backends']}")
    for key in ("sweep_ks", "sweep_seeds"):
        if not topics[key] or not all(isinstance(n, int) and not isinstance(n, bool) for n in topics[key]):
            raise study_error(path, "topics", key, "must be a non-empty list of integers")
    if topics["k"] < 2:
        raise study_error(path, "topics", "k", "needs at least 2 topics")
    frame_model = raw.get("frames", {}).get("model", DEFAULT_KIND)
    if frame_model not in MODEL_KINDS:
        raise study_error(path, "frames", "model", f"choose from {', '.join(MODEL_KINDS)}")
    return Study(path=path, name=name, title=raw.get("title", f"Topics and frames: {name}"), sources=sources,
                 speakers=speakers, effects=effects, topics=topics, frame_model=frame_model, smoke=smoke)


#: The report's notebooks, and which part of a study each needs (``None``: every study).
NOTEBOOKS = {"01_corpus_overview": None, "02_topics": None, "03_framing": None, "04_frames_over_time": "effects",
             "05_model_reuse": "comparison"}


def notebooks_of(study: Study) -> list[str]:
    """The notebooks the study's report runs: those whose part of the study is given."""
    return [stem for stem, needs in NOTEBOOKS.items()
            if needs is None or (needs == "effects" and study.effects) or (needs == "comparison" and study.comparison)]


def make_variables(study: Study) -> str:
    """The study as Makefile variables: what the report's targets are made of (``make report STUDY=...``)."""
    def words(values) -> str:
        return " ".join(str(value) for value in values)

    topics = study.topics
    variables = {
        "STUDY_TITLE": study.title,
        "CORPUS": study.corpus.spec.name,
        "OTHER": study.comparison.spec.name if study.comparison else "",
        "SHOWCASE": study.showcase.spec.name if study.showcase else "",
        "BACKENDS": words(topics["backends"]), "K": topics["k"], "SELECT_KS": words(topics["sweep_ks"]),
        "SELECT_SEEDS": words(topics["sweep_seeds"]), "TOPIC_SEED": topics["seed"], "FRAME_MODEL": study.frame_model,
        "STUDY_NOTEBOOKS": words(notebooks_of(study)),
        "EFFECT_OPTIONS": "",
    }
    for source in study.sources.values():
        variables[f"ROLE_{source.spec.name}"] = source.role
        if source.sample:
            variables[f"SAMPLE_{source.spec.name}"] = f"--sample {source.sample}"
    if study.effects:
        effects, speakers = study.effects, study.speakers
        span = "{0}-{1}".format
        variables["EFFECT_OPTIONS"] = (
            f"--speakers {words(effects['speakers'])} --baseline {speakers['baseline']} --years {span(*effects['years'])} "
            f"--earlier {span(*effects['earlier'])} --later {span(*effects['later'])} --knots {effects['knots']} "
            f"--min-units {effects['min_units']} --seed {effects['seed']} --skip-sparse")
    def escaped(value) -> str:  # make reads `#` as a comment and `$` as a reference
        return str(value).replace("$", "$$").replace("#", "\\#")

    return "".join(f"{name} := {escaped(value)}\n" for name, value in variables.items())


def build_study_subcorpus(study: Study, role: str, out: Path) -> Path:
    """Build the subcorpus of one of the study's corpora into ``out``; a query that matches nothing is an error."""
    import shutil

    from analysis.corpus.subcorpus import build_subcorpus
    from analysis.persist import read_manifest

    if role not in study.sources:
        raise StudyError(f"{study.path}: the study has no [{role}] table")
    source = study.sources[role]
    folder = build_subcorpus(source.spec, out_dir=Path(out), manifest=source.manifest)
    counts = read_manifest(folder)["counts"]
    if counts["units"] == 0:
        shutil.rmtree(folder)
        raise study.error(role, "query" if source.spec.query else "years",
                          f"no paragraph matches: {counts['units_scanned']:,} paragraphs of "
                          f"{counts['documents_after_filters']:,} documents scanned")
    return folder


def run_study(path: Path | str, *, artifacts: Path | str = "artifacts", reports: Path | str | None = None,
              smoke: bool = False, jobs: int = 2) -> Path:
    """Build a study's report with the project's Makefile (stale steps only); return ``report.html``.

    The Makefile is the one description of the build (file targets, two steps side by side), so this needs a
    source checkout of the project with ``make``; a wheel has no Makefile or notebooks.
    """
    import shutil
    import subprocess

    study = load_study(path, smoke=smoke)
    makefile = PROJECT_ROOT / "Makefile"
    if not makefile.is_file() or not (PROJECT_ROOT / "notebooks").is_dir() or shutil.which("make") is None:
        raise StudyError(f"building a report needs a source checkout of the project and make (no {makefile})")
    reports = Path(reports) if reports is not None else default_reports(study)
    command = ["make", "--no-print-directory", "report", f"STUDY={study.path.resolve()}",
               f"ARTIFACTS={Path(artifacts).resolve()}", f"REPORTS={reports.resolve()}", f"JOBS={jobs}"]
    if smoke:
        command.append("SMOKE=1")
    if subprocess.run(command, cwd=PROJECT_ROOT).returncode != 0:
        raise StudyError(f"{study.path}: the report build failed (its output is above)")
    return reports / "report.html"


def default_reports(study: Study) -> Path:
    """Where a study's report goes unless told: ``reports/`` for the project's study, else ``reports/studies/NAME``."""
    if study.path.resolve() == DEFAULT_STUDY.resolve():
        return PROJECT_ROOT / "reports"
    return PROJECT_ROOT / "reports" / "studies" / study.name


def suggest_names(texts: list[str], *, words: int = 3) -> list[str]:
    """The proper names (capitalised inside a sentence) that most paragraphs use, lower-cased: a query to start from."""
    from collections import Counter

    names: Counter = Counter()
    for text in texts:
        names.update(set(re.findall(r"(?<=[a-z,;] )([A-Z][a-z]{3,})\b", text)))
    return [name.lower() for name, _ in names.most_common(words)]


def names_query(names: list[str]) -> str:
    """A case-insensitive query for paragraphs that use any of the names (``korea`` also finds Korean, Koreas)."""
    return r"(?i:\b(?:" + "|".join(map(re.escape, names)) + r")\w*)" if names else "."


def starter_study(manifest: Manifest, *, query: str | None, years: str | None, out: Path,
                  min_units: int = 20, most_speakers: int = 5) -> str:
    """A commented study file for a corpus, from its data: speakers and years found, a query, settings that build."""
    import json
    import os

    from analysis.corpus.readers import open_corpus
    from analysis.corpus.units import SegmentOptions, iter_units

    span = None
    if years:
        first, _, last = years.partition("-")
        span = (int(first), int(last or first))
    units = [unit for unit in iter_units(open_corpus(manifest), SegmentOptions(**manifest.units))
             if span is None or (unit["year"] is not None and span[0] <= unit["year"] <= span[1])]
    if not units:
        raise StudyError(f"{manifest.file}: no paragraphs" + (f" in {years}" if years else ""))
    suggested = query is None
    names = suggest_names([unit["text"] for unit in units]) if suggested else []
    query = query or names_query(names)
    about = ", ".join(names[:-1]) + f" or {names[-1]}" if len(names) > 1 else (names or ["the query"])[0]
    pattern = re.compile(query)
    matched = [unit for unit in units if pattern.search(unit["text"])]
    if not matched:
        raise StudyError(f"{manifest.file}: the query {query!r} matches none of its {len(units):,} paragraphs")
    found_years = sorted({unit["year"] for unit in matched if unit["year"] is not None})
    if not found_years:
        raise StudyError(f"{manifest.file}: no paragraph has a year; map a date or year column (--map date=COLUMN): "
                         "the report draws the corpus over time")
    from collections import Counter

    per_speaker = Counter(unit["speaker"] for unit in matched if unit["speaker"] is not None)
    speakers = [speaker for speaker, n in per_speaker.most_common(most_speakers) if n >= min_units]
    n = len(matched)
    k = max(2, min(10, n // 60))
    sweep = sorted({max(2, k // 2), k, k + max(1, k // 2)})
    backends = ["lda", "nmf"] + (["bertopic"] if n >= 1000 else [])
    middle = (found_years[0] + found_years[-1]) // 2
    file = os.path.relpath(Path(manifest.file).resolve(), Path(out).resolve().parent)

    def toml(value) -> str:
        if isinstance(value, dict):
            return "{ " + ", ".join(f"{key} = {toml(item)}" for key, item in value.items()) + " }"
        return json.dumps(value, ensure_ascii=False)

    lines = [
        f"# A study of {Path(manifest.file).name}, written by `python -m analysis study init` from its data:",
        f"# {len(units):,} paragraphs read, {n:,} match the query, years {found_years[0]}-{found_years[-1]},",
        f"# {len(per_speaker)} speakers among them. Build its report with: make report STUDY={out}",
        "# (or python -m analysis report run " + str(out) + "). Edit anything below; `python -m analysis study check`",
        "# says what is wrong with a file, naming its line.",
        f"title = {toml('Topics and frames in ' + Path(manifest.file).name)}",
        "",
        "[corpus]",
        *([f"manifest = {toml(manifest.name)}      # a corpus of corpora/*.toml"] if manifest.defined_in else [
            f"path = {toml(file)}                 # relative to this file",
            f"map = {toml(manifest.fields)}        # FIELD = COLUMN (fields: id, text, date, year, speaker, title, label)",
            f"format = {toml(manifest.format)}",
            *([f"options = {toml(manifest.reader)}"] if manifest.reader else [])]),
        f"query = {toml(query)}   # a paragraph must match this regular expression"
        + (" (suggested from the data: the names most paragraphs use; put your own)" if suggested else ""),
        f"years = [{span[0]}, {span[1]}]" if span else f"# years = [{found_years[0]}, {found_years[-1]}]   # all years are kept",
        f"label = {toml(Path(manifest.file).name.split('.')[0])}             # its short name in tables and legends",
        "documents = \"documents\"                # what a document is, in the report's sentences",
        f"about = {toml(about)}                    # what the query selects, in the report's sentences",
        "",
        "# [comparison]                        # optional: a second corpus the fitted models are applied to unchanged",
        "# manifest = \"bbc\"                    # or path = ..., map = {...}",
        "# query = '(?i:\\bjapan\\b)'",
        "",
        "[speakers]",
        "# the speakers with most matching paragraphs (at least " + str(min_units) + "): "
        + ", ".join(f"{s} {c}" for s, c in per_speaker.most_common(8)),
        f"compare = {toml(speakers)}",
        *([f"baseline = {toml(speakers[0])}"] if speakers else []),
        "",
    ]
    if len(speakers) >= 1 and len(found_years) >= 4:
        lines += ["[effects]                             # prevalence regression of frames on year and speaker",
                  f"years = [{found_years[0]}, {found_years[-1]}]",
                  f"earlier = [{found_years[0]}, {middle}]",
                  f"later = [{middle + 1}, {found_years[-1]}]",
                  "knots = 4", ""]
    else:
        lines += ["# [effects] needs speakers with at least " + str(min_units) + " paragraphs and four or more years;",
                  "# this corpus has " + f"{len(speakers)} such speakers and {len(found_years)} years.", ""]
    lines += ["[topics]",
              f"backends = {toml(backends)}          # lda, nmf, bertopic (BERTopic embeds every paragraph: slower)",
              f"k = {k}", f"sweep_ks = {toml(sweep)}", "sweep_seeds = [0]", "seed = 0",
              f"heatmap_backend = {toml('nmf')}", "",
              "[frames]",
              f"model = {toml(DEFAULT_KIND)}   # trained once from the project's annotations (diplomatic speech and news), shared", ""]
    return "\n".join(lines)
