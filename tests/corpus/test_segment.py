"""Tests for analysis.corpus.segment: properties, hand-written cases, real data."""

from __future__ import annotations

import gzip
import json
import re
import statistics
import tarfile
import textwrap
import unicodedata
from collections import Counter
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from analysis.corpus.segment import Removed, Segments, normalise, repair_run_together, segment

UNGDC_MEMBERS = {
    "AFG_24_1969": "TXT/Session 24 - 1969/AFG_24_1969.txt",  # wrapped, blank lines, numbered
    "AFG_37_1982": "TXT/Session 37 - 1982/AFG_37_1982.txt",  # wrapped, no blank lines
    "AFG_52_1997": "TXT/Session 52 - 1997/AFG_52_1997.txt",  # wrapped, no blank lines, page numbers
    "ARG_01_1946": "TXT/Session 01 - 1946/ARG_01_1946.txt",  # one paragraph per line
    "AFG_70_2015": "TXT/Session 70 - 2015/AFG_70_2015.txt",  # one per line, page headers
    "GTM_37_1982": "TXT/Session 37 - 1982/GTM_37_1982.txt",  # every paragraph break lost in the source
}
SEED_HEADLINE = "Japan, South Korea Leaders Strengthen Security Ties Ahead of Trump Meeting"
REASONS = {
    "page-number",
    "page-header",
    "separator",
    "navigation",
    "continue-reading",
    "trending",
    "site-blurb",
    "legal-footer",
}
LINE_BREAKS = "\n\r\x0b\x0c\x1c-\x1e\x85\u2028\u2029"  # str.splitlines boundaries
SENTENCE_END = re.compile(r"(?:[.!?:…][\"”’')\]]*|[\"”])\Z")


# --------------------------------------------------------------------------
# fixtures
# --------------------------------------------------------------------------


def _require(path: Path) -> Path:
    if not path.is_file():
        pytest.skip(f"real-data file not found: {path} (set ANALYSIS_DATA_HOME to the corpora folder)")
    return path


@pytest.fixture(scope="session")
def ungdc(data_home: Path) -> dict[str, str]:
    """The example speeches, read in one pass over the archive."""
    archive = _require(data_home / "ungdc" / "UNGDC_1946-2022.tgz")
    wanted = {member: key for key, member in UNGDC_MEMBERS.items()}
    speeches: dict[str, str] = {}
    with tarfile.open(archive, "r:gz") as tar:
        for member in tar:
            if member.name in wanted:
                speeches[wanted[member.name]] = tar.extractfile(member).read().decode("utf-8")
                if len(speeches) == len(wanted):
                    break
    missing = set(UNGDC_MEMBERS) - set(speeches)
    assert not missing, f"speeches missing from the archive: {missing}"
    return speeches


@pytest.fixture(scope="session")
def kcna_stories(data_home: Path) -> list[str]:
    """Non-empty English KCNA stories outside the held-out period."""
    path = _require(data_home / "kcna" / "kcna_stories_2011-2012.jsonl.gz")
    with gzip.open(path, "rt", encoding="utf-8") as lines:
        records = [json.loads(line) for line in lines]
    # Stories dated 2012-07-01 or later are held out for evaluation.
    return [r["text"] for r in records if r["text"] and r["language"] == "en" and r["date"] < "2012-07-01"]


@pytest.fixture(scope="session")
def seed_page(data_home: Path) -> str:
    return _require(data_home / "seed" / "japan_korea_security_ties_2025.txt").read_text(encoding="utf-8")


# --------------------------------------------------------------------------
# properties
# --------------------------------------------------------------------------


def _non_space(text: str) -> str:
    return re.sub(r"\s+", "", text)


words = st.one_of(
    st.from_regex(r"[A-Za-z][a-z]{0,11}", fullmatch=True),
    st.text(st.characters(categories=["L", "M", "N"]), min_size=1, max_size=8),
)
pieces = st.one_of(
    words,
    words.map(lambda word: word + " "),
    st.sampled_from([".", ",", "!", "?", ":", ";", "”", '"', "'", "(", ")", "-", "—", "…", "©"]),
    st.sampled_from([" ", "  ", "\t", "\u00a0", "\u3000", "\n", "\n\n", "\r\n", "\r", "\u2028", "\x0c", "\x1f"]),
    st.tuples(words, st.sampled_from(["-\n", "- \n", "-\r\n", "-\n "]), words).map("".join),
    st.sampled_from(["\n12\n", "\n\n19\n\n", "\n7\n", "\n123 \n"]),
    st.just("\ufeff"),
    st.sampled_from([".,", ", \r, ", ", ,  ", ".,  ", ", , , ,", "\r"]),
    st.sampled_from(["\nA/70/PV.15 28/09/2015\n", "\n15-29425 31/34\n", "\n* * *\n"]),
    st.sampled_from(["\nContinue Reading\n", "\nTrending\n", "\nOur editorial team is great.\n", "\nCopyright ©\n"]),
    st.text(max_size=12),
)
documents = st.lists(pieces, max_size=80).map("".join)


@settings(max_examples=300, deadline=None)
@given(documents)
def test_normalise_only_drops_whitespace_bom_and_line_break_hyphens(text: str) -> None:
    result = normalise(text)
    source = unicodedata.normalize("NFC", text.removeprefix("\ufeff"))
    assert _non_space(result).replace("-", "") == _non_space(source).replace("-", "")
    line_break_hyphens = len(re.findall(rf"-[^\S{LINE_BREAKS}]*[{LINE_BREAKS}]", source))
    assert 0 <= source.count("-") - result.count("-") <= line_break_hyphens
    assert set(re.findall(r"\s", result)) <= {" ", "\n"}


@settings(max_examples=300, deadline=None)
@given(documents)
def test_repair_run_together_only_drops_commas_cr_and_whitespace(text: str) -> None:
    result = repair_run_together(text)
    assert re.sub(r"[\s,]", "", result) == re.sub(r"[\s,]", "", text)
    assert len(re.sub(r"[^,]", "", result)) <= text.count(",")


@settings(max_examples=300, deadline=None)
@given(documents, st.booleans(), st.booleans())
def test_segment_loses_no_text_and_yields_clean_paragraphs(text: str, repair: bool, strip: bool) -> None:
    result = segment(text, repair_kcna=repair, strip_boilerplate=strip)
    assert isinstance(result, Segments)
    expected = normalise(repair_run_together(text) if repair else text)
    kept = "".join(result.paragraphs) + "".join(piece.text for piece in result.removed)
    assert Counter(_non_space(kept)) == Counter(_non_space(expected))
    for paragraph in result.paragraphs:
        assert paragraph and paragraph == " ".join(paragraph.split())
        assert not re.fullmatch(r"\d{1,4}", paragraph)
    for piece in result.removed:
        assert isinstance(piece, Removed) and piece.text and piece.reason in REASONS


# --------------------------------------------------------------------------
# normalise: hand-written cases
# --------------------------------------------------------------------------


def test_normalise_encoding_artefacts() -> None:
    assert normalise("\ufeffa\tb\u00a0c\r\nd\re\u2028f") == "a b c\nd\ne\nf"
    assert normalise("caf\u0065\u0301") == "caf\u00e9"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("co-\noperation and cooperation", "cooperation\nand cooperation"),  # joined form elsewhere
        ("co-\noperation and co-operation", "co-operation\nand co-operation"),  # hyphenated form elsewhere
        ("co-\noperation, co-operation, cooperation", "cooperation,\nco-operation, cooperation"),  # both: join
        ("inter-\nnational law", "international\nlaw"),  # neither: join
        ("Mazar-i-\nSharif is a city", "Mazar-i-Sharif\nis a city"),  # uppercase: keep
        ("from 1990-\n1995 on", "from 1990-1995\non"),  # digit: keep
        ("the inter- \n  national.\nNext", "the international.\nNext"),  # spaces; word ends its line
        ("co-\r\noperation", "cooperation"),  # CRLF
        ("the word-\n19\n\nnext", "the word-\n19\n\nnext"),  # a page number is no word part
        ("a dash -\nthere", "a dash -\nthere"),  # spaced dash
        ("the 1990s-\nera", "the 1990s-\nera"),  # not a word of letters
    ],
)
def test_normalise_line_break_hyphenation(text: str, expected: str) -> None:
    assert normalise(text) == expected


# --------------------------------------------------------------------------
# repair_run_together: hand-written and real cases
# --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            "It ends here., \r,  Second one starts., ,  Third., , ,  , , ,",
            "It ends here.\n\nSecond one starts.\n\nThird.",
        ),
        ("The message said:, \r,  We", "The message said:\n\nWe"),
        ("on Friday., The audience", "on Friday.\n\nThe audience"),
        ("last year. ,  Kim in the message", "last year.\n\nKim in the message"),
        ('Ministry of Justice.",  Rodong Sinmun', 'Ministry of Justice."\n\nRodong Sinmun'),
        ("member of the C.C., WPK and others", "member of the C.C., WPK and others"),
        ("of the U.S., quite contrary", "of the U.S., quite contrary"),
        ('songs "A", "B" and "C"', 'songs "A", "B" and "C"'),
        ("on Feb. 14th, ,  issue articles", "on Feb. 14th issue articles"),
    ],
)
def test_repair_run_together_cases(text: str, expected: str) -> None:
    assert repair_run_together(text) == expected


def test_repair_run_together_on_real_kcna_stories(kcna_stories: list[str]) -> None:
    repaired = [repair_run_together(story) for story in kcna_stories]
    assert not any("\r" in story for story in repaired)
    separator = re.compile(r"[.!?:][\"”]?[ ]*,[ ]*(?:,|\Z)")
    assert not any(separator.search(story) for story in repaired)
    story = next(s for s in kcna_stories if s.count("\r") >= 4)
    result = segment(story, repair_kcna=True)
    assert len(result.paragraphs) >= 5
    assert all(SENTENCE_END.search(paragraph) for paragraph in result.paragraphs)
    assert not any(re.search(r"[.!?:],", paragraph) for paragraph in result.paragraphs)


# --------------------------------------------------------------------------
# segment: hand-written layouts
# --------------------------------------------------------------------------


def _wrap(paragraph: str, width: int = 60) -> list[str]:
    return textwrap.wrap(paragraph, width)


PARAGRAPHS = [
    "The General Assembly meets at a time of grave danger to international peace and security. "
    "Conflicts have multiplied and the arms race continues on land, at sea and in outer space. "
    "We must act together.",
    "My delegation welcomes the new Members of the Organization and wishes them every success "
    "in the work ahead of them in the many bodies of the system.",
    "Finally, let me thank the Secretary-General for his tireless efforts on behalf of all the "
    "peoples of the world who look to this Organization for help.",
]


def test_segment_wrapped_text_without_blank_lines_and_with_a_page_number() -> None:
    lines = [line for paragraph in PARAGRAPHS for line in _wrap(paragraph)]
    page_break = len(_wrap(PARAGRAPHS[0])) + 1
    assert not lines[page_break - 1].endswith(".")  # the page break falls mid-sentence
    text = "\n".join(lines[:page_break] + ["17", ""] + lines[page_break:])
    result = segment(text)
    assert result.paragraphs == tuple(PARAGRAPHS)
    assert result.removed == (Removed("17", "page-number"),)


def test_segment_wrapped_text_with_blank_lines_and_numbers() -> None:
    numbered = [f"{i}. {paragraph}" for i, paragraph in enumerate(PARAGRAPHS, start=1)]
    text = "\n\n".join("\n".join(_wrap(paragraph)) for paragraph in numbered)
    assert segment(text).paragraphs == tuple(numbered)


def test_segment_one_paragraph_per_line() -> None:
    text = "\n".join(PARAGRAPHS + ["Thank you."])
    assert segment(text).paragraphs == (*PARAGRAPHS, "Thank you.")


def test_segment_strips_generic_web_boilerplate() -> None:
    body = [
        "The minister said on Monday that the two countries would expand their defence talks this year.",
        "Officials added that a joint statement on trade was expected before the end of the month.",
    ]
    page = "\n\n".join(
        ["Home", "World News", "Asia", "Ministers Agree to Expand Defence Talks Next Year", *body]
        + ["Read more", "Related Stories", "About the author: Jane Doe covers diplomacy for us."]
        + ["© 2024 Example Media. All rights reserved."]
    )
    result = segment(page, strip_boilerplate=True)
    assert result.paragraphs == ("Ministers Agree to Expand Defence Talks Next Year", *body)
    assert [piece.reason for piece in result.removed] == [
        "navigation",
        "navigation",
        "navigation",
        "continue-reading",
        "trending",
        "site-blurb",
        "legal-footer",
    ]
    assert segment(page).paragraphs[0] == "Home"  # nothing is stripped unless asked


def test_segment_of_a_20_megabyte_document() -> None:
    paragraph = (
        "The Assembly must strengthen co-operation between Member States in the face of new "
        "threats to international peace and security, and it must do so now"
    )
    lines = _wrap(f"{paragraph} {paragraph} {paragraph}. That is all.")
    lines[3] = lines[3] + " co-"
    lines[4] = "operation " + lines[4]
    assert not lines[4].endswith(".")
    block = "\n".join(lines[:5] + ["42", ""] + lines[5:]) + "\n"
    count = 20_000_000 // len(block)
    result = segment(block * count)
    assert len(result.paragraphs) == count
    assert len(result.removed) == count
    # "co-operation" occurs elsewhere in the text, so the hyphen stays.
    assert result.paragraphs[0] == " ".join(" ".join(lines).replace("co- operation", "co-operation").split())


# --------------------------------------------------------------------------
# segment: real documents
# --------------------------------------------------------------------------


def _median_line_length(text: str) -> float:
    return statistics.median(len(line.strip()) for line in text.splitlines() if line.strip())


def _assert_plausible_wrapped(result: Segments, text: str) -> None:
    lengths = [len(paragraph) for paragraph in result.paragraphs]
    assert statistics.median(lengths) > 4 * _median_line_length(text)
    assert not any(re.fullmatch(r"\d+", paragraph) for paragraph in result.paragraphs)
    assert all(SENTENCE_END.search(paragraph) for paragraph in result.paragraphs)
    assert not any(paragraph[0].islower() for paragraph in result.paragraphs)


def test_ungdc_wrapped_with_blank_lines_and_numbered_paragraphs(ungdc: dict[str, str]) -> None:
    text = ungdc["AFG_24_1969"]
    result = segment(text)
    numbers = re.findall(r"^(\d+)\. ", text, flags=re.MULTILINE)
    assert len(result.paragraphs) == len(numbers) == 41
    for number, paragraph in enumerate(result.paragraphs, start=1):
        assert paragraph.startswith(f"{number}. ")
    _assert_plausible_wrapped(result, text)


def test_ungdc_wrapped_without_blank_lines_with_page_numbers(ungdc: dict[str, str]) -> None:
    text = ungdc["AFG_52_1997"]
    result = segment(text)
    assert result.removed == tuple(Removed(str(page), "page-number") for page in range(19, 24))
    _assert_plausible_wrapped(result, text)
    assert 35 <= len(result.paragraphs) <= 60
    assert "city of Mazar-i-Sharif, the sixteenth" in result.paragraphs[0]
    assert result.paragraphs[0].endswith("recognized by the world today.")
    # Page 19 ends mid-sentence: the paragraph continues on page 20.
    assert any("Ghafoorzai died in the service of his nation." in p for p in result.paragraphs)


def test_ungdc_wrapped_without_blank_lines(ungdc: dict[str, str]) -> None:
    text = ungdc["AFG_37_1982"]
    result = segment(text)
    _assert_plausible_wrapped(result, text)
    assert 25 <= len(result.paragraphs) <= 60
    assert result.paragraphs[0].startswith("May I, on behalf of the delegation")
    assert result.paragraphs[0].endswith("in maintaining peace and security.")
    assert result.paragraphs[1].startswith("At the thirty-sixth session")
    # "Mr." at a line end does not end a paragraph.
    assert any("personal representative, Mr. Diego Cordovez" in p for p in result.paragraphs)


def test_ungdc_one_paragraph_per_line(ungdc: dict[str, str]) -> None:
    text = ungdc["ARG_01_1946"]
    lines = [" ".join(line.split()) for line in text.removeprefix("\ufeff").splitlines() if line.strip()]
    result = segment(text)
    assert result.paragraphs == tuple(lines)
    assert len(result.paragraphs) == 47
    assert result.removed == ()


def test_ungdc_one_paragraph_per_line_with_page_headers(ungdc: dict[str, str]) -> None:
    result = segment(ungdc["AFG_70_2015"])
    assert {piece.reason for piece in result.removed} == {"page-header"}
    assert len(result.removed) == 6
    assert any("However, it also poses a serious challenge" in p for p in result.paragraphs)
    assert not any("A/70/PV.15" in p or "15-29425" in p for p in result.paragraphs)


def test_seed_page_boilerplate(seed_page: str) -> None:
    result = segment(seed_page, strip_boilerplate=True)
    reasons = Counter(piece.reason for piece in result.removed)
    assert reasons["navigation"] >= 3
    assert reasons["continue-reading"] == reasons["trending"] == 1
    assert reasons["site-blurb"] == reasons["legal-footer"] == 1
    assert [piece.text for piece in result.removed if piece.reason == "navigation"][0] == "Connect with us"
    # The headline and the eight body paragraphs stay, in order.
    assert len(result.paragraphs) == 9
    assert result.paragraphs[0] == SEED_HEADLINE
    assert result.paragraphs[1].startswith("Japanese Prime Minister Shigeru Ishiba")
    assert result.paragraphs[-1].startswith("The upcoming discussions in Washington")
    assert all(len(paragraph.split()) >= 30 for paragraph in result.paragraphs[1:])
    assert not any("Copyright" in p or "Editorial team" in p for p in result.paragraphs)
    unstripped = segment(seed_page)
    assert unstripped.removed == ()
    assert set(result.paragraphs) < set(unstripped.paragraphs)


def test_speech_without_paragraph_breaks_is_cut_into_passages_of_five_sentences(ungdc: dict[str, str]) -> None:
    whole = segment(ungdc["GTM_37_1982"], max_words=None)
    cut = segment(ungdc["GTM_37_1982"])
    assert max(len(p.split()) for p in whole.paragraphs) > 4000
    assert len(cut.paragraphs) > 5 * len(whole.paragraphs)
    assert " ".join(cut.paragraphs) == " ".join(whole.paragraphs)
    sentence_ends = [len(re.findall(r"[.!?][\"”’)]* (?=[A-Z])", p)) for p in cut.paragraphs]
    assert max(sentence_ends) <= 8  # five sentences, give or take abbreviations such as "U.N. Charter"
    assert max(len(p.split()) for p in cut.paragraphs) < 600  # one 14-point sentence runs to 330 words


@settings(max_examples=200, deadline=None)
@given(documents, st.integers(min_value=1, max_value=40))
def test_cutting_long_paragraphs_loses_no_text(text: str, max_words: int) -> None:
    whole = segment(text, max_words=None)
    cut = segment(text, max_words=max_words)
    assert " ".join(cut.paragraphs) == " ".join(whole.paragraphs)
    assert all(cut.paragraphs)
