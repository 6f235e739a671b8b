"""Normalise raw documents and split them into paragraphs.

Paragraphs are the unit of topic and framing analysis, but the corpora store
them in incompatible layouts:

* one paragraph per line (most UNGDC sessions);
* hard-wrapped lines of ~40-170 characters, with a blank line between
  paragraphs (e.g. UNGDC 1969) or with no blank lines at all (1982,
  1992-2012), interrupted by page numbers and running page headers;
* KCNA stories, whose paragraphs are run together on one line as
  ``"..., \\r,  Next paragraph"``;
* scraped web pages with navigation, teasers and a legal footer around the
  article.

Everything here is text-preserving: apart from whitespace, a leading BOM,
the hyphens of line-break hyphenation (:func:`normalise`) and the separator
commas of :func:`repair_run_together`, every character of the input ends up
either in a paragraph or in a :class:`Removed` record that says why it was
dropped.

All steps are linear in the length of the text (no regular expression here
can backtrack super-linearly), so a 20 MB document segments in seconds.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

import numpy as np

__all__ = ["Removed", "Segments", "normalise", "repair_run_together", "segment"]


@dataclass(frozen=True, slots=True)
class Removed:
    """A piece of the document dropped by :func:`segment`.

    Attributes
    ----------
    text : str
        The removed text, stripped and single-spaced.
    reason : str
        Why it was dropped: ``"page-number"``, ``"page-header"`` (running
        header of UN Official Records), ``"separator"`` (a line such as
        ``* * *``), or, with ``strip_boilerplate=True``, ``"navigation"``,
        ``"continue-reading"``, ``"trending"``, ``"site-blurb"`` or
        ``"legal-footer"``.
    """

    text: str
    reason: str


@dataclass(frozen=True, slots=True)
class Segments:
    """Result of :func:`segment`.

    Attributes
    ----------
    paragraphs : tuple of str
        Paragraphs in document order; each is stripped, non-empty and
        single-spaced (no newlines, no runs of whitespace).
    removed : tuple of Removed
        Dropped pieces in document order.
    """

    paragraphs: tuple[str, ...]
    removed: tuple[Removed, ...]


# --------------------------------------------------------------------------
# normalise
# --------------------------------------------------------------------------

_BOM = "\ufeff"
# All characters for which str.isspace() holds, except " " and "\n": line
# boundaries in the sense of str.splitlines become "\n", the others (tab,
# no-break spaces, ideographic space, ...) become " ", so that later stages
# only ever see " " and "\n".
_OTHER_LINE_BREAK = re.compile("[\r\x0b\x0c\x1c-\x1e\x85\u2028\u2029]")
_OTHER_SPACE = re.compile("[\t\x1f\xa0\u1680\u2000-\u200a\u202f\u205f\u3000]")
# A hyphen at a line end, then the next line's first token.  The letters
# before the hyphen (``i`` in ``Mazar-i-``) are checked in Python: a
# look-behind would disable the regex engine's fast scan for the literal "-".
# The tail is what follows the token on its line: nothing (the newline is
# consumed too, so no empty line is left behind) or the spaces before the
# rest of the line.
_LINE_HYPHEN = re.compile(r"-[ ]*\n[ ]*(\S+)([ ]*\n|[ ]*\Z|[ ]+)")
_LETTERS = re.compile(r"[^\W\d_]+")
_HYPHEN_PAIR = re.compile(r"\b([^\W\d_]+)-(?=([^\W\d_]+)\b)")
_LEADING_WORD = re.compile(r"\w+")


def normalise(text: str) -> str:
    """Return `text` with encoding and typesetting artefacts removed.

    Strips a leading BOM, turns CRLF, CR and other line separators into
    ``"\\n"``, applies NFC, turns tabs, no-break and other spaces into ``" "``
    and joins words hyphenated across a line break.  Line structure is kept
    otherwise, so that :func:`segment` can still detect the layout.

    Parameters
    ----------
    text : str
        Raw document text.

    Returns
    -------
    str
        The normalised text.

    Notes
    -----
    Line-break hyphenation is resolved document-locally, without a
    dictionary.  For ``left-\\nright`` where ``right`` starts with a lowercase
    letter the hyphen is dropped if ``leftright`` occurs elsewhere in the
    text, kept if ``left-right`` occurs elsewhere, and dropped otherwise (most
    line-end hyphens in typeset text are soft).  If ``right`` starts with an
    uppercase letter or a digit the hyphen is kept (``Mazar-i-\\nSharif`` ->
    ``Mazar-i-Sharif``).  The joined word goes to the upper line and the lower
    line keeps the rest of its text, so line lengths (which :func:`segment`
    uses to find paragraph ends) barely change.  A line that is only a number
    is left alone: after a hyphen it is more likely a page number than the
    rest of a word.
    """
    if text.startswith(_BOM):
        text = text[1:]
    text = unicodedata.normalize("NFC", text.replace("\r\n", "\n"))
    text = _OTHER_LINE_BREAK.sub("\n", _OTHER_SPACE.sub(" ", text))
    return _join_line_hyphens(text)


def _join_line_hyphens(text: str) -> str:
    """Resolve ``left-\\nright`` hyphenation as described in :func:`normalise`."""
    match = _LINE_HYPHEN.search(text)
    if match is None:
        return text
    words, hyphenated = _vocabulary(text.lower())
    pieces: list[str] = []
    kept_until = 0
    while match is not None:
        hyphen_at = match.start()
        left = _word_before(text, hyphen_at)
        replacement = None if left is None else _hyphen_replacement(left, match, len(text), words, hyphenated)
        if replacement is None:
            match = _LINE_HYPHEN.search(text, hyphen_at + 1)
            continue
        pieces += [text[kept_until:hyphen_at], replacement]
        kept_until = match.end()
        match = _LINE_HYPHEN.search(text, kept_until)
    pieces.append(text[kept_until:])
    return "".join(pieces)


def _is_word_char(char: str) -> bool:
    """Whether `char` matches ``\\w``."""
    return char.isalnum() or char == "_"


def _word_before(text: str, index: int) -> str | None:
    """The whole run of word characters ending at `index`, or None."""
    start = index
    while start > 0 and _is_word_char(text[start - 1]):
        start -= 1
    return text[start:index] if start < index else None


def _hyphen_replacement(
    left: str, match: re.Match[str], text_length: int, words: set[str], hyphenated: set[str]
) -> str | None:
    """Replacement for ``-\\n`` + next token, or None to leave it alone.

    `left` is the word before the hyphen; a lowercase continuation is only
    joined to a word made of letters (``1990s-\\nera`` stays as it is).
    """
    token, tail = match.groups()
    at_text_end = match.end() == text_length and not tail.endswith("\n")
    if token.isdigit() and (tail.endswith("\n") or at_text_end):
        return None
    first = token[0]
    if first.isupper() or first.isdigit():
        hyphen = "-"
    elif first.islower() and _LETTERS.fullmatch(left):
        right = _LEADING_WORD.match(token).group().lower()
        joined_left = left.lower()
        keep = joined_left + right not in words and f"{joined_left}-{right}" in hyphenated
        hyphen = "-" if keep else ""
    else:
        return None
    return hyphen + token + ("" if at_text_end else "\n")


def _vocabulary(lowered: str) -> tuple[set[str], set[str]]:
    """Letter runs and ``a-b`` hyphen pairs occurring in `lowered`.

    Works on the distinct whitespace-separated tokens rather than the whole
    text, which is several times faster on large documents; since neither
    kind of match can span whitespace the result is the same.
    """
    words: set[str] = set()
    hyphenated: set[str] = set()
    for token in set(lowered.split()):
        words.update(_LETTERS.findall(token))
        if "-" in token:
            hyphenated.update(f"{m.group(1)}-{m.group(2)}" for m in _HYPHEN_PAIR.finditer(token))
    return words, hyphenated


# --------------------------------------------------------------------------
# KCNA run-together paragraphs
# --------------------------------------------------------------------------

_COMMA_RUN = re.compile(r",[ \t,\r]*")
_CLOSERS = "\"'”’)]"
_SENTENCE_PUNCT = ".!?:…"
_ABBREVIATION = re.compile(r"(?:\b[A-Za-z]\.)+\Z|\b(?:etc|Mr|Mrs|Ms|Dr|St|Jr|Sr|No|Co|Ltd|Inc|vs)\.\Z")


def repair_run_together(text: str) -> str:
    """Split KCNA-style run-together paragraphs with blank lines.

    KCNA stories store paragraph breaks as runs of commas, ``\\r`` and spaces
    (``"workplace., \\r,  The robust..."``, ``"wisdom., ,  He..."``,
    ``"New Year.,  Placed..."``) and often end in a trail of such commas.

    Parameters
    ----------
    text : str
        One story as stored in the KCNA corpus.

    Returns
    -------
    str
        The story with each separator replaced by ``"\\n\\n"``.  Only commas,
        ``\\r`` and whitespace are ever removed.

    Notes
    -----
    A run counts as a separator if it contains ``\\r`` or at least two
    commas.  A single comma counts only after sentence punctuation (possibly
    followed by closing quotes) and before a non-lowercase character, and,
    when a single space follows it, not after an abbreviation: in
    ``"the C.C., WPK"`` or ``"the U.S., Japan"`` it is a real comma.  A
    separator followed by a lowercase letter joins with a space instead (the
    source broke mid-sentence), and separators at either end of the text are
    dropped.  ``\\r`` outside comma runs (CRLF line ends) is left to
    :func:`normalise`.
    """
    pieces: list[str] = []
    kept_until = 0
    for match in _COMMA_RUN.finditer(text):
        start, end = match.start(), match.end()
        while start > kept_until and text[start - 1] in " \t\r":
            start -= 1
        replacement = _separator_replacement(text, start, end)
        if replacement is not None:
            pieces += [text[kept_until:start], replacement]
            kept_until = end
    pieces.append(text[kept_until:])
    return "".join(pieces)


def _separator_replacement(text: str, start: int, end: int) -> str | None:
    """What the comma run ``text[start:end]`` becomes, or None to keep it."""
    if start == 0:
        return ""
    run = text[start:end]
    at_sentence_end = _ends_sentence_before(text, start)
    if end == len(text):
        return "" if "\r" in run or run.count(",") > 1 or at_sentence_end else None
    following = text[end]
    if "\r" in run or run.count(",") > 1:
        return " " if following.islower() else "\n\n"
    if not at_sentence_end or following.islower():
        return None
    spaces_after_comma = end - (start + run.index(",") + 1)
    if spaces_after_comma >= 2 or not _ABBREVIATION.search(text, max(0, start - 16), start):
        return "\n\n"
    return None


def _ends_sentence_before(text: str, index: int) -> bool:
    """Whether ``text[:index]`` ends in sentence punctuation (plus closers)."""
    i = index - 1
    while i >= 0 and index - i <= 3 and text[i] in _CLOSERS:
        i -= 1
    return i >= 0 and text[i] in _SENTENCE_PUNCT


# --------------------------------------------------------------------------
# segment
# --------------------------------------------------------------------------

# Gap kinds between two consecutive text lines, in increasing precedence.
_NO_GAP, _BLANK_GAP, _PAGE_GAP, _HARD_GAP = range(4)

_PAGE_NUMBER = re.compile(r"\d{1,4}")
# Running headers and footers of UN Official Records.  Either a line made
# only of document symbols (A/70/PV.15), job numbers (15-29425), language
# codes ((E)), barcodes (*1529425*), dates (28/09/2015), "page/pages" and
# page numbers (a lone number is caught as a page number first), or a 1990s
# "General Assembly 22nd plenary meeting" / "Fiftieth session 13 October
# 1995" line.  Each token ends at a space, so the match cannot backtrack
# between alternatives.
_HEADER_TOKEN = (
    r"(?:[A-Z]{1,3}(?:/[A-Z0-9.]+)+|\d{1,2}/\d{1,2}/\d{4}|\d{2}-\d{5}|\d{1,4}/\d{1,4}|\d{1,4}"
    r"|\([A-Z]\)|\*\d{5,}\*)"
)
_PAGE_HEADER = re.compile(
    rf"{_HEADER_TOKEN}(?: +{_HEADER_TOKEN})*"
    r"|General Assembly \d{1,3}(?:st|nd|rd|th) (?:plenary )?meeting"
    r"|[A-Z][a-z]+(?:-[a-z]+)? session \d{1,2} [A-Z][a-z]+ \d{4}"
)
_SEPARATOR = re.compile(r"[*_=~#•·-]{3,}|[*_=~#•·-](?: [*_=~#•·-]){2,}")
_CHROME_MAX_LEN = 80

_TITLE = re.compile(r"(?:^|\W)(?:Mr|Mrs|Ms|Messrs|Dr|Prof|St|Mt|No|Nos|Gen|Rev|H\.E)\.\Z")
_NUMBERED_PARAGRAPH = re.compile(r"\d{1,3}\.(?: |\Z)")
# A block is wrapped text if its lines are at most this long (90th
# percentile) and fewer than half of them end a sentence; one paragraph per
# line gives long lines, or short ones that nearly all end a sentence.
_MAX_WRAP_WIDTH = 200
_MAX_WRAPPED_SENTENCE_END_SHARE = 0.5
_MIN_LINES_FOR_BLOCK_LAYOUT = 8
# A wrapped line ends its paragraph if it ends a sentence and it plus the
# next line's first word would have fit in this share of the wrap width
# (calibrated on UNGDC 1969/2014 speeches whose paragraphs are separated by
# blank lines: 75% of paragraph ends found, 1.7% of other lines flagged
# before the sentence-end condition).
_FIT_SHARE = 0.9
_WIDTH_PERCENTILE = 90


def segment(text: str, *, repair_kcna: bool = False, strip_boilerplate: bool = False,
            max_words: int | None = 300) -> Segments:
    """Split a document into paragraphs.

    Parameters
    ----------
    text : str
        Raw document text.
    repair_kcna : bool, default False
        First apply :func:`repair_run_together` (KCNA stories).
    strip_boilerplate : bool, default False
        Remove the chrome of scraped web pages (navigation, "Continue
        Reading", "Trending", site blurb, legal footer).
    max_words : int or None, default 300
        A paragraph longer than this is cut at sentence ends into passages of
        at most five sentences, the codebook's other unit. Some speeches lost
        every paragraph break in transcription (a 5,000-word "paragraph" is
        no unit to code); ``None`` keeps paragraphs whole.

    Returns
    -------
    Segments
        Paragraphs and removed pieces.  Their non-whitespace characters are
        exactly those of ``normalise(text)`` (after the KCNA repair if
        requested).

    Notes
    -----
    Layout is detected per block of lines between blank lines (blocks of
    fewer than 8 lines use the whole document's statistics):

    * one paragraph per line: every line is a paragraph;
    * hard-wrapped text: a line ends a paragraph if it ends a sentence
      (``. ! ? : ” "``, possibly followed by closing quotes, but not a title
      such as ``Mr.``) and is clearly shorter than the wrap width: it and
      the next line's first word would have fit in 90% of the width (the
      90th percentile of the document's wrapped line lengths).  A sentence
      end before a numbered paragraph (``12. ...``) also ends a paragraph,
      and a line starting with a lowercase letter never starts one.

    A blank line ends a paragraph in either layout, unless it falls
    mid-sentence: the text before it does not end a sentence and the text
    after it starts lowercase (a page break whose number was lost).

    Lines that are only a page number, running page headers of UN documents
    and separator lines (``* * *``) are removed.  A paragraph interrupted by
    a page break is rejoined when the text before the break does not end a
    sentence or the text after it starts lowercase (in wrapped text the
    usual rules decide).
    """
    if repair_kcna:
        text = repair_run_together(text)
    lines, gaps, line_numbers, removed = _text_lines(normalise(text))
    paragraphs = _paragraphs(lines, gaps, line_numbers)
    if strip_boilerplate:
        paragraphs, chrome = _strip_boilerplate(paragraphs)
        removed += chrome
    removed.sort(key=lambda item: item[0])
    units = (paragraph for _, paragraph in paragraphs)
    if max_words is not None:
        units = (passage for paragraph in units for passage in _passages(paragraph, max_words))
    return Segments(
        paragraphs=tuple(units),
        removed=tuple(piece for _, piece in removed),
    )


_SENTENCE_END = re.compile(r"(?<=[.!?])[\"”’)]* (?=[\"“‘(]?[A-Z0-9])")
_TITLE_BEFORE = re.compile(r"(?:\b(?:Mr|Mrs|Ms|Dr|St|No|Messrs|Sir|Prof|Gen|Lt|Col|Sen|Rev)|\b[A-Z])\.$")
_SENTENCES_PER_PASSAGE = 5


def _passages(paragraph: str, max_words: int) -> list[str]:
    """Cut an over-long paragraph at sentence ends into passages of at most five sentences."""
    if paragraph.count(" ") < max_words:
        return [paragraph]
    cuts = [m.end() for m in _SENTENCE_END.finditer(paragraph)
            if not _TITLE_BEFORE.search(paragraph, max(0, m.start() - 8), m.start())]
    # every fifth sentence end closes a passage; the joins are single spaces, so no text is lost
    ends = cuts[_SENTENCES_PER_PASSAGE - 1::_SENTENCES_PER_PASSAGE]
    starts = [0, *ends]
    pieces = [paragraph[a:b].rstrip(" ") for a, b in zip(starts, [*ends, len(paragraph)])]
    return [piece for piece in pieces if piece]


def _single_spaced(text: str) -> str:
    return " ".join(text.split())


def _text_lines(text: str) -> tuple[list[str], list[int], list[int], list[tuple[int, Removed]]]:
    """Classify lines: text lines with the gap before each, and page chrome."""
    lines: list[str] = []
    gaps: list[int] = []
    line_numbers: list[int] = []
    removed: list[tuple[int, Removed]] = []
    gap = _NO_GAP
    for number, raw in enumerate(text.split("\n")):
        line = raw.strip(" ")
        if not line:
            gap = max(gap, _BLANK_GAP)
            continue
        if len(line) <= _CHROME_MAX_LEN:
            chrome = _page_chrome(line)
            if chrome is not None:
                removed.append((number, Removed(_single_spaced(line), chrome)))
                gap = max(gap, _HARD_GAP if chrome == "separator" else _PAGE_GAP)
                continue
        lines.append(line)
        gaps.append(gap if len(lines) > 1 else _NO_GAP)
        line_numbers.append(number)
        gap = _NO_GAP
    return lines, gaps, line_numbers, removed


def _page_chrome(line: str) -> str | None:
    if _PAGE_NUMBER.fullmatch(line):
        return "page-number"
    if _PAGE_HEADER.fullmatch(line):
        return "page-header"
    if _SEPARATOR.fullmatch(line):
        return "separator"
    return None


def _ends_sentence(line: str) -> bool:
    """Whether `line` ends in sentence punctuation, not after a title."""
    if line[-1] in "\"”":
        return True
    stripped = line.rstrip(_CLOSERS)
    return stripped != "" and stripped[-1] in _SENTENCE_PUNCT and _TITLE.search(stripped[-8:]) is None


def _is_wrapped(lengths: np.ndarray, sentence_ends: np.ndarray) -> bool:
    """Whether lines with these lengths and sentence ends are wrapped text."""
    return bool(
        np.percentile(lengths, _WIDTH_PERCENTILE) <= _MAX_WRAP_WIDTH
        and sentence_ends.mean() < _MAX_WRAPPED_SENTENCE_END_SHARE
    )


def _paragraphs(lines: list[str], gaps: list[int], line_numbers: list[int]) -> list[tuple[int, str]]:
    """Group text lines into paragraphs, keyed by their first line number."""
    if not lines:
        return []
    lengths = np.fromiter((len(line) for line in lines), dtype=np.int64, count=len(lines))
    sentence_ends = np.fromiter((_ends_sentence(line) for line in lines), dtype=bool, count=len(lines))

    # Blocks are runs of lines not separated by a blank line or separator.
    starts = [i for i, gap in enumerate(gaps) if i == 0 or gap in (_BLANK_GAP, _HARD_GAP)]
    bounds = list(zip(starts, starts[1:] + [len(lines)]))
    document_wrapped = _is_wrapped(lengths, sentence_ends)
    wrapped = np.zeros(len(lines), dtype=bool)
    for start, end in bounds:
        if end - start >= _MIN_LINES_FOR_BLOCK_LAYOUT:
            wrapped[start:end] = _is_wrapped(lengths[start:end], sentence_ends[start:end])
        else:
            wrapped[start:end] = document_wrapped
    fit_width = _FIT_SHARE * np.percentile(lengths[wrapped], _WIDTH_PERCENTILE) if wrapped.any() else 0.0

    paragraphs: list[tuple[int, str]] = []
    current: list[str] = [lines[0]]
    first_line = line_numbers[0]
    for i in range(1, len(lines)):
        ends_sentence = bool(sentence_ends[i - 1])
        if _ends_paragraph(lines[i - 1], lines[i], gaps[i], ends_sentence, bool(wrapped[i]), fit_width):
            paragraphs.append((first_line, _single_spaced(" ".join(current))))
            current, first_line = [], line_numbers[i]
        current.append(lines[i])
    paragraphs.append((first_line, _single_spaced(" ".join(current))))
    return paragraphs


def _ends_paragraph(
    previous: str, line: str, gap: int, previous_ends_sentence: bool, wrapped: bool, fit_width: float
) -> bool:
    """Whether a paragraph ends between two consecutive text lines."""
    if gap == _HARD_GAP:
        return True
    if gap == _BLANK_GAP:
        # A blank line mid-sentence is a page break whose number was lost.
        return previous_ends_sentence or not line[0].islower()
    if not wrapped:
        # One paragraph per line, except that a line continuing an unfinished
        # sentence in lowercase is a stray wrap; across a page break, either
        # cue alone means the paragraph goes on.
        if gap == _NO_GAP:
            return previous_ends_sentence or not line[0].islower()
        return previous_ends_sentence and not line[0].islower()
    if not previous_ends_sentence or line[0].islower():
        return False
    next_word = line.split(" ", 1)[0]
    return len(previous) + 1 + len(next_word) < fit_width or _NUMBERED_PARAGRAPH.match(line) is not None


# --------------------------------------------------------------------------
# web-page boilerplate
# --------------------------------------------------------------------------

_CONTINUE_READING = re.compile(
    r"(?:continue|keep) reading\b.{0,60}|read (?:more|the (?:full|whole) (?:story|article))\b.{0,60}",
    re.IGNORECASE,
)
_TRENDING = re.compile(
    r"(?:trending|popular|most (?:read|popular|viewed|shared)|related|latest|recommended|"
    r"you (?:may|might) also like)(?: (?:now|today|news|posts|stories|articles|for you))?:?",
    re.IGNORECASE,
)
_SITE_BLURB = re.compile(
    r"(?:our|the) (?:editorial|news|newsroom|content|reporting|writing) (?:team|staff|desk|board)\b"
    r"|about (?:the author|us)\b",
    re.IGNORECASE,
)
_LEGAL_FOOTER = re.compile(r"(?:copyright\b|©|\(c\) ?\d{4})", re.IGNORECASE)
_NAVIGATION_MAX_WORDS = 4
_BODY_MIN_WORDS = 8


def _strip_boilerplate(
    paragraphs: list[tuple[int, str]],
) -> tuple[list[tuple[int, str]], list[tuple[int, Removed]]]:
    """Separate web-page chrome from the article.

    Known chrome (teasers, "Trending" labels, the site's team blurb, the
    copyright footer) is recognised by pattern anywhere on the page.
    Navigation is recognised by position: short paragraphs (at most four
    words) that are not sentences, before the article's first body
    paragraph (a sentence of eight or more words) or after its last one.
    Longer non-sentence lines before the body, such as the headline, stay.
    """
    reasons: list[str | None] = [_chrome_reason(paragraph) for _, paragraph in paragraphs]
    body = [
        i
        for i, (_, paragraph) in enumerate(paragraphs)
        if reasons[i] is None and _ends_sentence(paragraph) and len(paragraph.split()) >= _BODY_MIN_WORDS
    ]
    first_body, last_body = (body[0], body[-1]) if body else (len(paragraphs), -1)
    for i, (_, paragraph) in enumerate(paragraphs):
        outside_body = i < first_body or i > last_body
        if (
            reasons[i] is None
            and outside_body
            and len(paragraph.split()) <= _NAVIGATION_MAX_WORDS
            and not _ends_sentence(paragraph)
        ):
            reasons[i] = "navigation"
    kept = [item for item, reason in zip(paragraphs, reasons) if reason is None]
    removed = [
        (number, Removed(paragraph, reason))
        for (number, paragraph), reason in zip(paragraphs, reasons)
        if reason is not None
    ]
    return kept, removed


def _chrome_reason(paragraph: str) -> str | None:
    if _LEGAL_FOOTER.match(paragraph) or "all rights reserved" in paragraph.lower():
        return "legal-footer"
    if _SITE_BLURB.match(paragraph):
        return "site-blurb"
    if len(paragraph) <= _CHROME_MAX_LEN:
        if _CONTINUE_READING.fullmatch(paragraph):
            return "continue-reading"
        if _TRENDING.fullmatch(paragraph):
            return "trending"
    return None
