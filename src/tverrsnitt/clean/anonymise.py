"""Anonymise transcripts before anyone codes or quotes them.

Three passes over each turn, each leaving the text an earlier pass put in untouched:

1. listed names (qual.yaml `anonymisation.names`): the full name, each of its parts, the
   possessive ("Karis", "Lars'") and a surname that follows ("Kari Hansen"), case-sensitive and
   as whole words, so "Ola" never changes "Olav" or "Olabukse";
2. other names (`detect_names`): capitalised words found in a bundled list of common Norwegian
   first names (and a few surnames) become "[navn]". Names that are also ordinary words ("Per",
   "Liv", "Hans", "Finn") count only inside a sentence, where the capital says they are names;
3. pronouns (`gender_neutral`): han/hun/ham/henne → hen, hans/hennes → hens, as the report does.

Then possible identifiers are flagged for review, never changed: schools ("Bryne skole"),
municipalities ("Stavanger kommune"), employers ("hos Coop"), places after "i"/"på"/"fra",
contact details and the words listed under `flag`. A human decides what to do with those.

Offsets are recomputed: the anonymised Transcript satisfies text[start:end] == turn.text again,
and every Replacement says where it sits both in the new text and in the source text.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from functools import cache
from importlib import resources
from typing import Literal

from ..ingest.transcripts import Transcript, Turn
from ..study.qual import Anonymisation, QualDefinition

ReplacementKind = Literal["listed", "detected", "pronoun"]
FlagKind = Literal["school", "municipality", "employer", "contact", "word", "place"]
DETECTED_REPLACEMENT = "[navn]"


@dataclass(frozen=True)
class Replacement:
    """One change made: `start`/`end` in the anonymised text, `source_*` in the original."""

    group: str
    turn: int
    start: int
    end: int
    original: str
    replacement: str
    kind: ReplacementKind
    source_start: int
    source_end: int


@dataclass(frozen=True)
class Flag:
    """A possible identifier left in the anonymised text for a person to review."""

    group: str
    turn: int
    start: int
    end: int
    text: str
    kind: FlagKind
    reason: str


@dataclass(frozen=True)
class Anonymised:
    """An anonymised transcript, what was changed in it and what needs a second look."""

    transcript: Transcript
    flags: tuple[Flag, ...]
    replacements: tuple[Replacement, ...]

    def review(self) -> list[str]:
        """One line per flag, for a person going through the transcript."""
        lines = []
        for flag in self.flags:
            turn = self.transcript.turns[flag.turn]
            lines.append(f"{flag.group}, turn {flag.turn} ({turn.speaker}), line "
                         f"{self.transcript.line_of(flag.start)}: {flag.text!r} [{flag.kind}] "
                         f"{flag.reason}")
        return lines


# ----------------------------------------------------------------------------- word lists


@cache
def first_names() -> frozenset[str]:
    """The bundled common Norwegian given names."""
    return _word_list("fornavn.txt")


@cache
def surnames() -> frozenset[str]:
    """The bundled common Norwegian surnames."""
    return _word_list("etternavn.txt")


@cache
def known_names() -> frozenset[str]:
    """First names and surnames together: what detection looks for."""
    return first_names() | surnames()


def _word_list(name: str) -> frozenset[str]:
    text = resources.files("tverrsnitt.clean").joinpath("data", name).read_text(encoding="utf-8")
    return frozenset(line.strip() for line in text.splitlines()
                     if line.strip() and not line.startswith("#"))


# Names that are also ordinary words: at the start of a sentence the capital proves nothing
# ("Per i dag …", "Liv og røre", "Hans mor …" is «his mother»), so only mid-sentence counts.
ALSO_WORDS = frozenset({
    "ane", "are", "bakke", "berg", "berge", "bjørn", "bo", "dag", "dahl", "eide", "even",
    "finn", "frank", "gro", "gry", "hagen", "hans", "haugen", "iver", "jo", "kai", "lea", "lene",
    "lie", "line", "liv", "live", "lund", "mette", "moe", "moen", "odd", "per", "rune", "signe",
    "siv", "stein", "stig", "strand", "tom", "tone", "tor", "tveit", "vilde",
})

# Sentence-initial words that start a capitalised run without being part of a name.
COMMON_WORDS = frozenset({
    "alle", "andre", "annen", "at", "bare", "da", "de", "del", "den", "denne", "der", "dere",
    "det", "dette", "din", "disse", "du", "ei", "eller", "en", "et", "etter", "for", "fra",
    "hele", "her", "hos", "hun", "hvis", "hver", "i", "ingen", "jeg", "kanskje", "men", "min",
    "mitt", "mine", "med", "nye", "ny", "når", "og", "om", "på", "samme", "selv", "sin",
    "som", "så", "til", "ved", "vi", "vår", "vårt", "våre", "ja", "nei", "altså", "gamle",
    "store", "lille", "vanlig", "vanlige", "noen", "mange",
    "skolen", "skole", "barneskolen", "barneskole", "ungdomsskolen", "ungdomsskole",
    "grunnskolen", "grunnskole", "videregående", "nærskolen", "kulturskolen", "sfo",
})

# Capitalised words after i/på/fra that say nothing about who the informant is.
BUILTIN_IGNORE = frozenset({
    "Norge", "Norden", "Europa", "Skandinavia", "Sverige", "Danmark", "Teams", "Zoom",
    "Facebook", "Google", "Utdanningsdirektoratet", "Kunnskapsdepartementet", "Statped",
    "Stortinget", "Intervjuer",
})

PRONOUNS = {"han": "hen", "hun": "hen", "ham": "hen", "henne": "hen", "hans": "hens",
            "hennes": "hens"}

_LOWER = "a-zæøåéèüöäáóñ"
_UPPER = "A-ZÆØÅÉÜÖÄ"
# A capitalised word (not an acronym); hyphenated names stay one token ("Anne-Lise").
_NAME_TOKEN = re.compile(rf"(?<![\w\[])[{_UPPER}][{_LOWER}]+(?:-[{_UPPER}][{_LOWER}]+)*(?!\w)")
_PRONOUN = re.compile(r"(?<!\w)(?:han|hun|ham|henne|hans|hennes)(?!\w)", re.IGNORECASE)
_OPENERS = "«“”\"'‘’(–—-"
_CAP = rf"[{_UPPER}][\w\-]*"
_CAPS = rf"{_CAP}(?:[ ]{_CAP}){{0,2}}"
_SCHOOL_WORDS = (r"(?:barneskole|barneskule|ungdomsskole|ungdomsskule|skole|skule|skolen|skulen|"
                 r"videregående skole|vidaregåande skule|videregående|vgs|VGS|SFO|AKS|"
                 r"skolefritidsordning|oppvekstsenter|barnehage|barnehagen|friskole)")
_PATTERNS: tuple[tuple[FlagKind, re.Pattern[str], str], ...] = (
    ("school", re.compile(rf"(?<!\w)(?P<x>(?P<n>{_CAPS})[ ]{_SCHOOL_WORDS})(?!\w)"),
     "a school's name can point to the informant's workplace"),
    ("school", re.compile(rf"(?<!\w)(?P<x>[{_UPPER}][\w\-]*(?:skolen|skole|skule|skulen))(?!\w)"),
     "a school's name can point to the informant's workplace"),
    ("municipality", re.compile(
        rf"(?<!\w)(?P<x>(?P<n>{_CAPS})[ ](?:kommune|kommunes|fylkeskommune|fylke|bydel))(?!\w)"),
     "a municipality or county narrows down where the informant works"),
    ("municipality", re.compile(rf"(?<!\w)(?P<x>[Bb]ydel[ ]{_CAP})(?!\w)"),
     "a municipality or county narrows down where the informant works"),
    ("employer", re.compile(
        rf"(?<!\w)(?P<x>(?P<n>{_CAPS})[ ](?:AS|ASA|SA|IKS|KF|sykehjem|sykehus|helsestasjon))(?!\w)"),
     "an employer's name can identify the informant"),
    ("employer", re.compile(rf"(?<!\w)hos[ ](?P<x>{_CAPS})(?!\w)"),
     "a capitalised name after 'hos' may be an employer"),
    ("contact", re.compile(r"(?P<x>[\w.+\-]+@[\w\-]+(?:\.[\w\-]+)+)"), "an e-mail address"),
    ("contact", re.compile(r"(?<![\d\w])(?P<x>(?:\+47[ ]?)?"
                           r"(?:\d{3}[ ]?\d{2}[ ]?\d{3}|\d{2}[ ]?\d{2}[ ]?\d{2}[ ]?\d{2}))(?!\d)"),
     "a phone number"),
    ("place", re.compile(rf"(?<!\w)(?P<p>[iI]|[pP]å|[fF]ra)[ ](?P<x>{_CAPS})(?!\w)"),
     "a capitalised name after '{p}' may be a place"),
)
_PRIORITY: dict[FlagKind, int] = {"school": 0, "municipality": 1, "employer": 2, "contact": 3,
                                  "word": 4, "place": 5}


# ----------------------------------------------------------------------------- anonymising


def anonymise_all(qual: QualDefinition, transcripts: dict[str, Transcript]) -> dict[str, Anonymised]:
    """Anonymise every group's transcript with the study's settings."""
    return {group_id: anonymise(transcript, qual.anonymisation,
                                protected=qual.group(group_id).speaker_labels)
            for group_id, transcript in transcripts.items()}


def anonymise(transcript: Transcript, settings: Anonymisation, *,
              protected: Iterable[str] = ()) -> Anonymised:
    """Replace names (and gendered pronouns, if asked), flag possible identifiers.

    `protected` words (speaker labels, say) are never taken for names. Guarantees that no
    listed or detectable name is left in any turn; raises RuntimeError (a bug) otherwise.
    """
    matcher = _Matcher(settings, protected)
    pieces_by_turn = [matcher.anonymise_turn(turn.text) for turn in transcript.turns]
    for turn, pieces in zip(transcript.turns, pieces_by_turn, strict=True):
        left = matcher.names_left(pieces)
        if left:
            raise RuntimeError(f"anonymisation left names in {transcript.group} turn {turn.index}: "
                               f"{left}")
    return _rebuild(transcript, pieces_by_turn, matcher)


@dataclass
class _Piece:
    """Part of a turn: source text, or a replacement standing for source[source_start:end]."""

    text: str
    source_start: int
    source_end: int
    kind: ReplacementKind | None = None


@dataclass(frozen=True)
class _Edit:
    start: int
    end: int
    text: str
    kind: ReplacementKind


@dataclass
class _Matcher:
    settings: Anonymisation
    protected_words: Iterable[str]
    listed: dict[str, str] = field(init=False)
    listed_re: re.Pattern[str] | None = field(init=False)
    skip: frozenset[str] = field(init=False)

    def __post_init__(self) -> None:
        self.listed = {}
        for entry in self.settings.names:  # names as written first, then their parts
            self.listed.setdefault(entry.name, entry.replacement)
        for entry in self.settings.names:
            for part in entry.name.split():
                if len(part) > 1 and part[0].isupper():
                    self.listed.setdefault(part, entry.replacement)
        alternatives = sorted(self.listed, key=len, reverse=True)
        self.listed_re = re.compile(
            r"(?<!\w)(?P<name>" + "|".join(r"\s+".join(map(re.escape, a.split()))
                                           for a in alternatives)
            + r")(?P<poss>s|')?(?!\w)") if alternatives else None
        self.skip = frozenset({*self.protected_words, *self.settings.ignore, *BUILTIN_IGNORE})

    # -- the three passes
    def anonymise_turn(self, text: str) -> list[_Piece]:
        pieces = [_Piece(text, 0, len(text))]
        pieces = _apply(pieces, self.listed_edits(_join(pieces), _protected(pieces)))
        if self.settings.detect_names:
            pieces = _apply(pieces, self.detected_edits(_join(pieces), _protected(pieces)))
        if self.settings.gender_neutral:
            pieces = _apply(pieces, self.pronoun_edits(_join(pieces), _protected(pieces)))
        return pieces

    def listed_edits(self, text: str, protected: Sequence[tuple[int, int]]) -> list[_Edit]:
        edits: list[_Edit] = []
        if self.listed_re is None:
            return edits
        for match in self.listed_re.finditer(text):
            if _overlaps(match.start(), match.end(), protected) or (
                    edits and match.start() < edits[-1].end):
                continue
            name = " ".join(match.group("name").split())
            poss = match.group("poss") or ""
            end = match.end() if poss else self.surname_end(text, match.end(), protected)
            edits.append(_Edit(match.start(), end, self.listed[name] + poss, "listed"))
        return edits

    def detected_edits(self, text: str, protected: Sequence[tuple[int, int]]) -> list[_Edit]:
        edits: list[_Edit] = []
        for start, end, poss in self.detected(text, protected):
            if poss:
                edits.append(_Edit(start, end, DETECTED_REPLACEMENT + poss, "detected"))
            else:
                edits.append(_Edit(start, self.surname_end(text, end, protected),
                                   DETECTED_REPLACEMENT, "detected"))
        return _non_overlapping(edits)

    def pronoun_edits(self, text: str, protected: Sequence[tuple[int, int]]) -> list[_Edit]:
        edits = []
        for match in _PRONOUN.finditer(text):
            word = match.group()
            if _overlaps(match.start(), match.end(), protected):
                continue
            if word == "Hans" and not _sentence_start(text, match.start()):
                continue  # a capitalised "Hans" inside a sentence is the name, not «his»
            edits.append(_Edit(match.start(), match.end(), _same_case(PRONOUNS[word.lower()], word),
                               "pronoun"))
        return edits

    # -- helpers
    def detected(self, text: str, protected: Sequence[tuple[int, int]]
                 ) -> Iterator[tuple[int, int, str]]:
        """(start, end, possessive ending) of every name the bundled lists find."""
        for match in _NAME_TOKEN.finditer(text):
            if _overlaps(match.start(), match.end(), protected):
                continue
            poss = self.name_form(match.group(), _sentence_start(text, match.start()))
            if poss is not None:
                yield match.start(), match.end(), poss

    def name_form(self, token: str, sentence_start: bool) -> str | None:
        """'' for a name, 's' for a name's possessive, None for anything else."""
        if token in self.skip:
            return None
        known = known_names()
        parts = token.split("-")
        if any(part in known for part in parts):
            if sentence_start and len(parts) == 1 and token.lower() in ALSO_WORDS:
                return None
            return ""
        last = parts[-1]
        if last.endswith("s") and last[:-1] in known:
            stem = token[:-1]
            if sentence_start and len(parts) == 1 and stem.lower() in ALSO_WORDS:
                return None
            return "s"
        return None

    def surname_end(self, text: str, end: int, protected: Sequence[tuple[int, int]]) -> int:
        """Extend a name over up to two capitalised words that follow it ("Kari Hansen")."""
        for _ in range(2):
            match = _NAME_TOKEN.match(text, end + 1) if text[end:end + 1] == " " else None
            if match is None or match.group() in self.skip or _overlaps(
                    match.start(), match.end(), protected):
                break
            after = text[match.end():match.end() + 12]
            if re.match(rf"[ ]{_SCHOOL_WORDS}(?!\w)|[ ](?:kommune|fylke)", after):
                break  # "Ola Bryne skole": the school is flagged, not swallowed as a surname
            end = match.end()
        return end

    def names_left(self, pieces: list[_Piece]) -> list[str]:
        """Listed or detectable names still in the source text of a turn (should be none)."""
        text, protected = _join(pieces), _protected(pieces)
        left = [m.group() for m in self.listed_re.finditer(text)
                if not _overlaps(m.start(), m.end(), protected)] if self.listed_re else []
        if self.settings.detect_names:
            left += [text[s:e] for s, e, _ in self.detected(text, protected)]
        return left

    def flags(self, text: str, protected: Sequence[tuple[int, int]]
              ) -> list[tuple[int, int, FlagKind, str]]:
        """Possible identifiers in a turn's final text: (start, end, kind, reason)."""
        found: list[tuple[int, int, FlagKind, str]] = []
        for kind, pattern, reason in _PATTERNS:
            for match in pattern.finditer(text):
                start, end = self.trim(text, match.start("x"), match.end("x"), kind)
                # "På SFO": once "På" is trimmed no name is left, only the kind of place.
                name_end = match.end("n") if "n" in pattern.groupindex else end
                if start >= min(end, name_end) or _overlaps(start, end, protected):
                    continue
                words = dict(p=match.groupdict().get("p") or "")
                found.append((start, end, kind, reason.format(**words)))
        for word in self.settings.flag:
            for match in re.finditer(rf"(?<!\w){re.escape(word)}(?!\w)", text, re.IGNORECASE):
                found.append((match.start(), match.end(), "word",
                              "listed under anonymisation.flag in qual.yaml"))
        found.sort(key=lambda f: (_PRIORITY[f[2]], f[0], -(f[1] - f[0])))
        kept: list[tuple[int, int, FlagKind, str]] = []
        for flag in found:
            if not _overlaps(flag[0], flag[1], [(k[0], k[1]) for k in kept]):
                kept.append(flag)
        return sorted(kept)

    def trim(self, text: str, start: int, end: int, kind: FlagKind) -> tuple[int, int]:
        """Drop leading words that are not part of a name: a sentence's first common word,
        ignored words and (for places) acronyms such as SFO or PPT."""
        if kind == "contact":
            return start, end
        while start < end:
            word = re.match(r"\S+", text[start:end])
            if word is None:
                break
            token = word.group()
            common = (token.lower() in COMMON_WORDS and _sentence_start(text, start))
            acronym = kind == "place" and token.isupper()
            if not (common or token in self.skip or acronym):
                break
            start += len(token)
            while start < end and text[start] == " ":
                start += 1
        # What is left must still start with a capital ("Denne skolen" leaves "skolen": no name).
        if start < end and not text[start].isupper():
            return start, start
        return start, end


# ----------------------------------------------------------------------------- pieces


def _join(pieces: Sequence[_Piece]) -> str:
    return "".join(p.text for p in pieces)


def _protected(pieces: Sequence[_Piece]) -> list[tuple[int, int]]:
    """Where the replacements made so far sit in the joined text."""
    spans, offset = [], 0
    for piece in pieces:
        if piece.kind is not None:
            spans.append((offset, offset + len(piece.text)))
        offset += len(piece.text)
    return spans


def _apply(pieces: list[_Piece], edits: Sequence[_Edit]) -> list[_Piece]:
    """Cut edits (sorted, non-overlapping, each inside one source piece) into the pieces."""
    result: list[_Piece] = []
    offset, queue = 0, list(edits)
    for piece in pieces:
        length = len(piece.text)
        if piece.kind is not None:
            result.append(piece)
            offset += length
            continue
        local = 0
        while queue and queue[0].start < offset + length:
            edit = queue.pop(0)
            a, b = edit.start - offset, edit.end - offset
            if a > local:
                result.append(_Piece(piece.text[local:a], piece.source_start + local,
                                     piece.source_start + a))
            result.append(_Piece(edit.text, piece.source_start + a, piece.source_start + b,
                                 edit.kind))
            local = b
        if local < length:
            result.append(_Piece(piece.text[local:], piece.source_start + local, piece.source_end))
        offset += length
    return result


def _rebuild(transcript: Transcript, pieces_by_turn: list[list[_Piece]],
             matcher: _Matcher) -> Anonymised:
    """The anonymised transcript with fresh offsets, its replacements and flags."""
    source = transcript.text
    out: list[str] = []
    length = 0
    previous = 0
    turns: list[Turn] = []
    replacements: list[Replacement] = []
    flags: list[Flag] = []
    group = transcript.group
    for turn, pieces in zip(transcript.turns, pieces_by_turn, strict=True):
        gap = source[previous:turn.start]
        out.append(gap)
        length += len(gap)
        start = length
        local = 0
        for piece in pieces:
            if piece.kind is not None:
                replacements.append(Replacement(
                    group, turn.index, start + local, start + local + len(piece.text),
                    turn.text[piece.source_start:piece.source_end], piece.text, piece.kind,
                    turn.start + piece.source_start, turn.start + piece.source_end))
            local += len(piece.text)
        text = _join(pieces)
        for a, b, kind, reason in matcher.flags(text, _protected(pieces)):
            flags.append(Flag(group, turn.index, start + a, start + b, text[a:b], kind, reason))
        out.append(text)
        length += len(text)
        turns.append(Turn(turn.index, turn.speaker, text, start, length))
        previous = turn.end
    out.append(source[previous:])
    anonymised = Transcript(group, "".join(out), tuple(turns))
    return Anonymised(anonymised, tuple(flags), tuple(replacements))


# ----------------------------------------------------------------------------- text helpers


def _overlaps(start: int, end: int, spans: Iterable[tuple[int, int]]) -> bool:
    return any(start < b and a < end for a, b in spans)


def _non_overlapping(edits: list[_Edit]) -> list[_Edit]:
    kept: list[_Edit] = []
    for edit in sorted(edits, key=lambda e: e.start):
        if not kept or edit.start >= kept[-1].end:
            kept.append(edit)
    return kept


def _sentence_start(text: str, pos: int) -> bool:
    """True when `pos` starts a sentence, a paragraph, a quote or the text after a cut "[…]"."""
    i = pos - 1
    while i >= 0 and (text[i] in " \t" or text[i] in _OPENERS):
        i -= 1
    if i < 0 or text[i] in "\n.!?:;…":
        return True
    return text[i] == "]" and text[max(0, i - 4):i + 1].endswith(("[…]", "[...]"))


def _same_case(word: str, like: str) -> str:
    if len(like) > 1 and like.isupper():
        return word.upper()
    if like[:1].isupper():
        return word.capitalize()
    return word
