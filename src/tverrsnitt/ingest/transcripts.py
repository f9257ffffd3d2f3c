"""Focus-group transcripts (.txt or .docx) read into speaker turns with character offsets.

A transcript is a sequence of turns, each opened by a speaker label at the start of a line
("Intervjuer: …", "D3: …"); a turn goes on over further lines and paragraphs until the next
label. The plain text kept in `Transcript.text` is the text every later stage refers to: codings
and REFI-QDA's PlainTextSelection count characters into it (startPosition/endPosition), so it is
exported exactly as it is here, and `text[turn.start:turn.end] == turn.text` always holds.

Plain text is the file's text with line breaks as "\\n", NFC-normalised; a .docx gives one line
per paragraph (a manual line break inside a paragraph is a line break too).
"""

from __future__ import annotations

import bisect
import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from ..errors import TverrsnittError, did_you_mean, one_of
from ..study.qual import FocusGroup, QualDefinition

# A line opening a turn: a label, a colon, then a space or the end of the line.
_LABEL_LINE = re.compile(r"(?P<label>[^\s:][^:\n]{0,39}?)[ \t]*:(?:[ \t]+|$)")
# A would-be label that is not declared: one word starting with a capital or digit ("D13",
# "Moderator"). Other "words: …" lines are speech ("Det jeg mener er: …").
_CANDIDATE = re.compile(r"[A-ZÆØÅ0-9][\w.\-]{0,19}")


@dataclass(frozen=True)
class Turn:
    """One speaker's turn; `start`/`end` are character offsets of `text` in the transcript."""

    index: int
    speaker: str
    text: str
    start: int
    end: int


@dataclass(frozen=True)
class Transcript:
    """A focus group's transcript: the full plain text and its turns in order."""

    group: str
    text: str
    turns: tuple[Turn, ...]

    def line_of(self, offset: int) -> int:
        """The 1-based line of the plain text that holds a character offset."""
        return self.text.count("\n", 0, offset) + 1

    def turn_at(self, offset: int) -> Turn | None:
        """The turn whose text contains `offset` (None between turns, e.g. on a label)."""
        starts = [t.start for t in self.turns]
        index = bisect.bisect_right(starts, offset) - 1
        if index >= 0 and offset < self.turns[index].end:
            return self.turns[index]
        return None

    def turns_of(self, speaker: str) -> tuple[Turn, ...]:
        """Every turn by one speaker."""
        return tuple(t for t in self.turns if t.speaker == speaker)


@dataclass(frozen=True)
class TranscriptProblem:
    """One problem in a transcript file, at a line (a paragraph for .docx)."""

    file: Path
    line: int | None
    message: str
    unit: str = "line"

    def __str__(self) -> str:
        where = f"{self.file}, {self.unit} {self.line}" if self.line is not None else str(self.file)
        return f"{where}: {self.message}"


class TranscriptError(TverrsnittError):
    """A transcript cannot be read into turns; lists every problem found."""

    def __init__(self, problems: Sequence[TranscriptProblem]) -> None:
        self.problems = tuple(problems)
        count = len(self.problems)
        head = f"{count} problem{'s' if count != 1 else ''} in the transcripts:"
        super().__init__("\n".join([head, *(f"  - {p}" for p in self.problems)]))


def load_transcripts(qual: QualDefinition) -> dict[str, Transcript]:
    """Read every focus group's transcript; raise one error listing the problems of all files."""
    result: dict[str, Transcript] = {}
    problems: list[TranscriptProblem] = []
    for group in qual.groups:
        try:
            result[group.id] = read_transcript(qual.root / group.transcript, group,
                                               others=_others(qual, group))
        except TranscriptError as exc:
            problems.extend(exc.problems)
    if problems:
        raise TranscriptError(problems)
    return result


def _others(qual: QualDefinition, group: FocusGroup) -> dict[str, str]:
    return {p.id: g.id for g in qual.groups if g.id != group.id for p in g.participants}


def read_transcript(path: Path, group: FocusGroup, *,
                    others: dict[str, str] | None = None) -> Transcript:
    """Read a .txt or .docx transcript of `group`. `others` maps participant ids of other
    groups to their group, so a label from the wrong group is named as such."""
    suffix = path.suffix.lower()
    if suffix == ".docx":
        paragraphs = _docx_lines(path)
        locations = [number for number, paragraph in enumerate(paragraphs, start=1)
                     for _ in normalise_text(paragraph).split("\n")]
        return parse_transcript("\n".join(paragraphs), group, source=path, unit="paragraph",
                                others=others, locations=locations)
    if suffix == ".txt":
        return parse_transcript(_read_text(path), group, source=path, others=others)
    raise TranscriptError([TranscriptProblem(path, None, "transcripts are read from .txt or "
                                             f".docx files, not {suffix or 'a file without suffix'!r}")])


def _read_text(path: Path) -> str:
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        raise TranscriptError([TranscriptProblem(path, None, "file not found")]) from None
    if raw.startswith((b"\xff\xfe", b"\xfe\xff")):
        return raw.decode("utf-16")  # Word's "Unicode text"
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        try:
            return raw.decode("cp1252")  # Windows Notepad / Word "Windows (standard)"
        except UnicodeDecodeError as exc:
            raise TranscriptError([TranscriptProblem(
                path, None, f"not UTF-8 or Windows-1252 text ({exc.reason})")]) from None


def _docx_lines(path: Path) -> list[str]:
    import zipfile

    import docx
    from docx.opc.exceptions import PackageNotFoundError

    if not path.is_file():
        raise TranscriptError([TranscriptProblem(path, None, "file not found")])
    try:
        document = docx.Document(str(path))
    except (PackageNotFoundError, zipfile.BadZipFile, KeyError, ValueError) as exc:
        raise TranscriptError([TranscriptProblem(
            path, None, f"not a Word document that can be read ({exc})")]) from None
    # One line per paragraph; python-docx gives a manual line break inside one as "\n".
    return [paragraph.text for paragraph in document.paragraphs]


def normalise_text(text: str) -> str:
    """The plain text as kept and exported: "\\n" line breaks, NFC, no BOM."""
    text = text.removeprefix("\ufeff").replace("\r\n", "\n").replace("\r", "\n")
    return unicodedata.normalize("NFC", text)


def parse_transcript(text: str, group: FocusGroup, *, source: Path | None = None,
                     unit: str = "line", others: dict[str, str] | None = None,
                     locations: Sequence[int] | None = None) -> Transcript:
    """Split a transcript's text into turns by the group's speaker labels.

    Messages name the line, or `locations[i]` for the i-th line (a .docx paragraph's number).

    Raises TranscriptError for text before the first label, labels the group does not
    declare (with the line and a did-you-mean), and a transcript without turns.
    """
    text = normalise_text(text)
    file = source if source is not None else Path(f"<{group.id}>")
    known = group.speaker_labels
    others = others or {}
    problems: list[TranscriptProblem] = []
    # (line number, offset of the label, offset just after "label: ", speaker)
    openings: list[tuple[int, int, int, str]] = []
    offset = 0
    for index, line in enumerate(text.split("\n")):
        number = locations[index] if locations is not None and index < len(locations) else index + 1
        label = _label(line, known)
        if label is not None:
            speaker, length = label
            openings.append((number, offset, offset + length, speaker))
        else:
            unknown = _unknown_label(line, known)
            if unknown is not None:
                problems.append(TranscriptProblem(file, number, _unknown_message(
                    unknown, group, known, others), unit))
            elif not openings and line.strip():
                problems.append(TranscriptProblem(
                    file, number, "text before the first speaker label; a transcript starts with "
                    f"a turn such as '{known[0]}: …' (put a date or heading in qual.yaml)", unit))
        offset += len(line) + 1
    if not openings and not problems:
        problems.append(TranscriptProblem(file, None, "no speaker turns found; every turn starts "
                                          f"on a new line with a label such as '{known[0]}: '"))
    if problems:
        raise TranscriptError(problems)
    turns = []
    for index, (_, _, body, speaker) in enumerate(openings):
        limit = openings[index + 1][1] if index + 1 < len(openings) else len(text)
        start, end = _strip_span(text, body, limit)
        turns.append(Turn(index, speaker, text[start:end], start, end))
    return Transcript(group.id, text, tuple(turns))


def _label(line: str, known: Sequence[str]) -> tuple[str, int] | None:
    """(speaker, length of "label: ") when the line opens a turn by a declared speaker."""
    match = _LABEL_LINE.match(line)
    if match is None:
        return None
    label = match.group("label").strip()
    return (label, match.end()) if label in known else None


def _unknown_label(line: str, known: Sequence[str]) -> str | None:
    """The label of a line that looks like it opens a turn by an undeclared speaker."""
    match = _LABEL_LINE.match(line)
    if match is None:
        return None
    label = match.group("label").strip()
    folded = {k.casefold() for k in known}
    if _CANDIDATE.fullmatch(label) or label.casefold() in folded or did_you_mean(label, known):
        return label
    return None


def _unknown_message(label: str, group: FocusGroup, known: Sequence[str],
                     others: dict[str, str]) -> str:
    message = f"unknown speaker label {label!r}"
    if label in others:
        return (f"{message}: {label} is a participant of {others[label]}, not of {group.id} "
                f"(speakers of {group.id}: {one_of(list(known))})")
    hint = next((f" Did you mean '{k}'?" for k in known if k.casefold() == label.casefold()), "")
    hint = hint or did_you_mean(label, known)
    return (f"{message}; expected a participant id of {group.id} or an interviewer label: "
            f"{one_of(list(known))}.{hint} (add the speaker to qual.yaml if they took part)")


def _strip_span(text: str, start: int, end: int) -> tuple[int, int]:
    """Narrow [start, end) to leave out surrounding whitespace (blank lines between turns)."""
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    return start, end
