"""Codings: spans of the anonymised transcripts coded with themes of the codebook.

A coding says that characters `start`..`end` of one focus group's anonymised plain text (the
text `anonymise_all` gives, so no quote anywhere carries a name) are about one or more themes.
Each coder's codings are kept apart; `agreement` compares two coders and `merge` joins them.
A coding may carry a memo, and a segment name that prose can refer to: several spans of one
group may share a segment name (a quote with cuts, joined with " […] " when printed).

Codings come from the web app (`new_coding`, which checks a selection) or from a file
(`read_codings`): CSV or .xlsx with the columns

    coder,group,turn,quote,themes,memo,segment
    koder-a,FG1,56,"Jeg er på sidelinjen, føler jeg.",plassering;sett_og_hort,,sidelinjen

`quote` is the exact text of the span as it reads in the anonymised transcript ("[navn]" for
names, "hen" for han/hun); spaces and line breaks may differ. `turn` narrows the search: a
turn number (0 is the first turn, as `Turn.index` and the anonymisation review count), or a
speaker label (that speaker's turns), or empty (every turn of the group). The quote must then
occur exactly once. `themes` are theme codes separated by ";". `memo` and `segment` are
optional. Quotes rather than offsets keep the file readable, easy to write by hand and valid
when anonymisation settings change.
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from ..errors import DataProblem, InputDataError, TverrsnittError, did_you_mean, one_of
from ..study.qual import QualDefinition
from .transcripts import Transcript, Turn

COLUMNS = ("coder", "group", "turn", "quote", "themes", "memo", "segment")
_REQUIRED = ("coder", "group", "quote", "themes")
THEME_SEPARATOR = ";"
CUT = " […] "  # between the spans of one segment when a quote is printed

# A coder is a short name without spaces or separators ("koder-a", "ingrid.h").
CODER = re.compile(r"[^\W_][\w.\-]{0,99}")
# A segment name is what prose refers to: lower case, digits, '-' and '_' ("dypt-vann").
SEGMENT = re.compile(r"[a-z0-9æøå][a-z0-9æøå_\-]{0,99}")


class CodingError(TverrsnittError):
    """A coding cannot be made as asked (unknown theme, a span outside the transcript, …)."""


@dataclass(frozen=True)
class Coding:
    """One coder's coding of `start`..`end` (character offsets into a group's anonymised text).

    `themes` are kept sorted and unique. `merged_from` is empty for a coder's own coding; a
    consensus coding made by `merge` lists every coder whose identical coding it stands for.
    """

    coder: str
    group: str
    start: int
    end: int
    themes: tuple[str, ...]
    memo: str = ""
    segment: str | None = None
    created: dt.datetime | None = field(default=None, compare=False)
    merged_from: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        if not 0 <= self.start < self.end:
            raise ValueError(f"a coding spans at least one character: start={self.start}, "
                             f"end={self.end}")
        themes = tuple(sorted(set(self.themes)))
        if not themes:
            raise ValueError("a coding has at least one theme")
        object.__setattr__(self, "themes", themes)
        object.__setattr__(self, "merged_from", tuple(sorted(set(self.merged_from))))

    @property
    def span(self) -> tuple[str, int, int]:
        """(group, start, end)."""
        return self.group, self.start, self.end

    @property
    def key(self) -> tuple[str, str, int, int, tuple[str, ...]]:
        """What makes a coding the same coding: coder, span and themes."""
        return self.coder, self.group, self.start, self.end, self.themes

    @property
    def coders(self) -> tuple[str, ...]:
        """Who made this coding: the coders merged into it, or its own coder."""
        return self.merged_from or (self.coder,)

    def text(self, transcripts: Mapping[str, Transcript]) -> str:
        """The coded text."""
        return transcripts[self.group].text[self.start:self.end]

    def overlaps(self, start: int, end: int) -> bool:
        """True when the coded span shares at least one character with start..end."""
        return self.start < end and start < self.end


@dataclass(frozen=True)
class ThemeMemo:
    """A memo on a theme as a whole (the project's notes on what the theme has come to mean)."""

    theme: str
    memo: str
    author: str = ""
    updated: dt.datetime | None = None


# ----------------------------------------------------------------------------- one coding


def new_coding(qual: QualDefinition, transcripts: Mapping[str, Transcript], *, coder: str,
               group: str, start: int, end: int, themes: Iterable[str], memo: str = "",
               segment: str | None = None) -> Coding:
    """Check a selection (as the web app sends it) and make it a coding.

    Raises CodingError naming what is wrong: unknown coder name form, group or theme, a span
    outside the group's text or covering no word, a malformed segment name.
    """
    problems: list[str] = []
    if not CODER.fullmatch(coder or ""):
        problems.append(f"coder {coder!r}: expected a short name of letters, digits, '.', '-' "
                        "and '_' (e.g. 'koder-a')")
    transcript = transcripts.get(group)
    if transcript is None:
        problems.append(f"group {group!r}: expected one of {one_of(sorted(transcripts))}."
                        + did_you_mean(group, transcripts))
    elif not 0 <= start < end <= len(transcript.text):
        problems.append(f"span {start}..{end}: expected 0 <= start < end <= {len(transcript.text)} "
                        f"(the length of {group}'s anonymised text)")
    elif not transcript.text[start:end].strip():
        problems.append(f"span {start}..{end}: the selection holds only white space")
    theme_list = [t.strip() for t in themes if t.strip()]
    problems.extend(_theme_problems(theme_list, qual))
    if segment is not None and not SEGMENT.fullmatch(segment):
        problems.append(_segment_expected(segment))
    if problems:
        raise CodingError("Cannot code this selection:\n" + "\n".join(f"  - {p}" for p in problems))
    return Coding(coder, group, start, end, tuple(theme_list), memo.strip(), segment or None)


def _theme_problems(codes: Sequence[str], qual: QualDefinition) -> list[str]:
    if not codes:
        return ["themes: expected at least one theme code of the codebook"]
    known = qual.themes_by_code()
    return [f"theme {code!r}: {_theme_expected(code, qual)}" for code in codes if code not in known]


def _theme_expected(code: str, qual: QualDefinition) -> str:
    known = qual.themes_by_code()
    by_name = {t.name.casefold(): t.code for t in known.values()}
    hint = (f" Did you mean '{by_name[code.casefold()]}' (the code of «{code}»)?"
            if code.casefold() in by_name else did_you_mean(code, known))
    return f"a theme code of the codebook in qual.yaml, one of {one_of(list(known))}.{hint}"


SEGMENT_EXPECTED = ("a name of lower-case letters, digits, '-' and '_' (e.g. 'dypt-vann'), which "
                    "prose can refer to")


def _segment_expected(segment: str) -> str:
    return f"segment {segment!r}: expected {SEGMENT_EXPECTED}"


# ----------------------------------------------------------------------------- files


def read_codings(path: Path, qual: QualDefinition, transcripts: Mapping[str, Transcript]
                 ) -> list[Coding]:
    """Read a codings file (.csv or .xlsx) against the anonymised `transcripts`.

    Every problem of the file is raised together as one InputDataError naming file, row,
    column, the value found and what was expected. Rows come back in file order.
    """
    from .readers import ROW, read_table

    path = Path(path)
    table = read_table(path)
    columns = _header_columns(table.file, table.headers, table.columns)
    problems: list[DataProblem] = []
    codings: list[Coding] = []
    first_row: dict[tuple[str, str, int, int, tuple[str, ...]], int] = {}
    segment_home: dict[tuple[str, str], tuple[str, int]] = {}  # (coder, segment) -> group, row
    segment_spans: dict[tuple[str, str], list[tuple[int, int, int]]] = {}
    for record in table.frame.iter_rows(named=True):
        row = int(record[ROW])
        cells = {name: (record[column] if column else None) for name, column in columns.items()}
        coding = _row_coding(_Row(path, row, cells, problems), qual, transcripts)
        if coding is None:
            continue
        if coding.key in first_row:
            problems.append(DataProblem(path, row, "quote", cells["quote"],
                                        f"each coding once: row {first_row[coding.key]} codes the "
                                        "same text with the same themes for the same coder"))
            continue
        if coding.segment is not None:
            seg = (coding.coder, coding.segment)
            home, home_row = segment_home.setdefault(seg, (coding.group, row))
            if home != coding.group:
                problems.append(DataProblem(
                    path, row, "segment", coding.segment,
                    f"a segment within one focus group: '{coding.segment}' of {coding.coder} is in "
                    f"{home} at row {home_row} (give this quote another segment name)"))
                continue
            clash = next((r for s, e, r in segment_spans.get(seg, [])
                          if coding.overlaps(s, e) and (s, e) != (coding.start, coding.end)), None)
            if clash is not None:
                problems.append(DataProblem(
                    path, row, "quote", cells["quote"],
                    f"spans of segment '{coding.segment}' that do not overlap: this quote overlaps "
                    f"the one on row {clash}"))
                continue
            segment_spans.setdefault(seg, []).append((coding.start, coding.end, row))
        first_row[coding.key] = row
        codings.append(coding)
    if problems:
        raise InputDataError(problems)
    if not codings:
        raise InputDataError([DataProblem(path, None, None, "(no rows)",
                                          "one row per coded quote under the header "
                                          f"({','.join(COLUMNS)})")])
    return codings


def _header_columns(file: Path, headers: Sequence[str], columns: Sequence[str]
                    ) -> dict[str, str | None]:
    """The frame column of each known header (matched without case or surrounding space)."""
    found: dict[str, str] = {}
    problems = []
    for header, column in zip(headers, columns, strict=True):
        name = header.strip().lower()
        if name in found:
            problems.append(DataProblem(file, 1, header, header, "each column once in the header row"))
        elif name in COLUMNS:
            found[name] = column
    stripped = [h.strip() for h in headers]
    for name in _REQUIRED:
        if name not in found:
            problems.append(DataProblem(
                file, 1, name, None,
                f"a column '{name}' in the header row (found {one_of(stripped)}; the columns are "
                f"{','.join(COLUMNS)})" + did_you_mean(name, stripped)))
    if problems:
        raise InputDataError(problems)
    return {name: found.get(name) for name in COLUMNS}


@dataclass
class _Row:
    """One row being read: its cells and where its problems go."""

    file: Path
    number: int
    cells: Mapping[str, str | None]
    problems: list[DataProblem]

    def problem(self, column: str, expected: str, value: str | None = None) -> None:
        self.problems.append(DataProblem(self.file, self.number, column,
                                         value if value is not None else self.cells.get(column),
                                         expected))


def _row_coding(row: _Row, qual: QualDefinition, transcripts: Mapping[str, Transcript]
                ) -> Coding | None:
    """The coding of one row, or None with its problems recorded."""
    cells = row.cells
    count = len(row.problems)
    coder = (cells["coder"] or "").strip()
    if not CODER.fullmatch(coder):
        row.problem("coder", "the coder's short name: letters, digits, '.', '-' and '_' "
                             "(e.g. 'koder-a')")
    group = (cells["group"] or "").strip()
    transcript = transcripts.get(group)
    if transcript is None:
        row.problem("group", f"a focus group id of qual.yaml, one of {one_of(sorted(transcripts))}."
                    + did_you_mean(group, transcripts))
    codes = [c.strip() for c in (cells["themes"] or "").split(THEME_SEPARATOR) if c.strip()]
    if not codes:
        row.problem("themes", "one or more theme codes of the codebook, separated by ';' "
                              "(e.g. 'dypt_vann;elevgrupper')")
    for code in codes:
        if code not in qual.themes_by_code():
            row.problem("themes", _theme_expected(code, qual), code)
    segment = (cells["segment"] or "").strip() or None
    if segment is not None and not SEGMENT.fullmatch(segment):
        row.problem("segment", SEGMENT_EXPECTED)
    span = _locate(row, transcript, qual) if transcript is not None else None
    if span is None or len(row.problems) > count:
        return None
    memo = (cells["memo"] or "").strip()
    return Coding(coder, group, span[0], span[1], tuple(codes), memo, segment)


def _scope(row: _Row, transcript: Transcript, qual: QualDefinition) -> tuple[list[Turn], str] | None:
    """The turns a row's quote is looked for in, and how to name them."""
    text = (row.cells["turn"] or "").strip()
    group = transcript.group
    if not text:
        return list(transcript.turns), f"the turns of {group}"
    if re.fullmatch(r"\d+", text):
        index = int(text)
        if index >= len(transcript.turns):
            row.problem("turn", f"a turn number of {group}, from 0 to {len(transcript.turns) - 1} "
                                "(0 is the first turn), or a speaker label, or nothing")
            return None
        turn = transcript.turns[index]
        return [turn], f"{group} turn {index} ({turn.speaker})"
    labels = qual.group(group).speaker_labels
    if text not in labels:
        row.problem("turn", f"a turn number of {group} (0 to {len(transcript.turns) - 1}) or a "
                            f"speaker of {group}, one of {one_of(list(labels))}."
                    + did_you_mean(text, labels))
        return None
    return list(transcript.turns_of(text)), f"the turns of {text} in {group}"


def _locate(row: _Row, transcript: Transcript, qual: QualDefinition) -> tuple[int, int] | None:
    """Where the row's quote is in the anonymised transcript (exactly one place), or None."""
    quote = unicodedata.normalize("NFC", (row.cells["quote"] or "").strip())
    scope = _scope(row, transcript, qual)
    if not quote:
        row.problem("quote", "the coded text exactly as it reads in the anonymised transcript")
        return None
    if scope is None:
        return None
    turns, where = scope
    pattern = quote_pattern(quote)
    hits = [(turn, match) for turn in turns for match in pattern.finditer(turn.text)]
    if len(hits) == 1:
        turn, match = hits[0]
        return turn.start + match.start(), turn.start + match.end()
    if not hits:
        row.problem("quote", f"text that occurs in {where}; it is not there"
                    + _near_miss(quote, turns)
                    + " (quotes are matched in the anonymised text, where names read '[navn]' "
                      "and han/hun read 'hen'; spaces and line breaks may differ)")
        return None
    places = sorted({t.index for t, _ in hits})
    if len(places) == 1:
        row.problem("quote", f"text that occurs once in {where}; it occurs {len(hits)} times in "
                             f"turn {places[0]}: quote more of it")
    else:
        listed = ", ".join(str(p) for p in places)
        row.problem("quote", f"text that occurs once in {where}; it occurs in turns {listed}: give "
                             "the turn number in 'turn' or quote more of it")
    return None


def quote_pattern(quote: str) -> re.Pattern[str]:
    """A pattern matching the quote's words with any white space between them."""
    return re.compile(r"\s+".join(re.escape(word) for word in quote.split()))


def _near_miss(quote: str, turns: Sequence[Turn]) -> str:
    """Where the quote stops matching, when a good part of its beginning does match."""
    words = quote.split()
    best = 0
    for size in range(len(words) - 1, 2, -1):
        prefix = quote_pattern(" ".join(words[:size]))
        if any(prefix.search(turn.text) for turn in turns):
            best = size
            break
    if not best:
        return ""
    matched = " ".join(words[:best])
    shown = matched if len(matched) <= 60 else "…" + matched[-57:]
    return f"; it matches up to {shown!r} and then differs at {words[best]!r}"


# ----------------------------------------------------------------------------- checks


def check_codings(codings: Iterable[Coding], qual: QualDefinition,
                  transcripts: Mapping[str, Transcript]) -> list[str]:
    """Problems of codings from elsewhere (the database): unknown groups or themes, spans past
    the end of a transcript (the transcript changed since), segments across groups."""
    problems = []
    known = qual.themes_by_code()
    homes: dict[tuple[str, str], str] = {}
    for coding in codings:
        what = f"{coding.coder}'s coding {coding.group} {coding.start}..{coding.end}"
        transcript = transcripts.get(coding.group)
        if transcript is None:
            problems.append(f"{what}: no focus group {coding.group!r} in qual.yaml")
        elif coding.end > len(transcript.text):
            problems.append(f"{what}: past the end of the anonymised transcript "
                            f"({len(transcript.text)} characters); has the transcript changed?")
        for theme in coding.themes:
            if theme not in known:
                problems.append(f"{what}: theme {theme!r} is not in the codebook."
                                + did_you_mean(theme, known))
        if coding.segment is not None:
            home = homes.setdefault((coding.coder, coding.segment), coding.group)
            if home != coding.group:
                problems.append(f"{what}: segment {coding.segment!r} is also used in {home}")
    return problems


# ----------------------------------------------------------------------------- segments


def segments(codings: Iterable[Coding]) -> dict[str, list[Coding]]:
    """The codings of each segment name, by start (several coders' codings together)."""
    result: dict[str, list[Coding]] = {}
    for coding in codings:
        if coding.segment is not None:
            result.setdefault(coding.segment, []).append(coding)
    return {name: sorted(spans, key=lambda c: (c.group, c.start, c.end))
            for name, spans in sorted(result.items())}


def segment_quote(spans: Iterable[Coding], transcripts: Mapping[str, Transcript]) -> str:
    """The text of a segment: its distinct spans in text order, joined with " […] "."""
    distinct = sorted({(c.group, c.start, c.end) for c in spans})
    return CUT.join(transcripts[group].text[start:end].strip() for group, start, end in distinct)


def coded_turns(coding: Coding, transcript: Transcript) -> list[Turn]:
    """The turns a coding overlaps."""
    return [turn for turn in transcript.turns if coding.overlaps(turn.start, turn.end)]
