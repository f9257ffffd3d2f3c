"""The qualitative part of a study (qual.yaml): focus groups, theme codebook, anonymisation.

Section 2.2 of the 2023 report ran two focus groups of six; chapters 4–6 quote them under
themes such as «Kastet ut på dypt vann» and «A- og B-lag», with pseudonyms (D1–D12) and a
gender-neutral «hen». This file says who took part (by pseudonym only), where each transcript is,
which themes the codebook has and how transcripts are anonymised before anyone quotes them.

Shape is checked by the models; `read_qual` checks meaning (unique ids and codes, transcript
files that exist) and reports every problem with file, line and key path, like the rest of the
study definition.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Literal

from pydantic import Field, ValidationError

from ..errors import DefinitionProblem, StudyDefinitionError, did_you_mean, one_of
from .frozen import Frozen
from .messages import keys_of, pydantic_message
from .yamlfile import KeyPath, YamlDocument, format_key_path, read_yaml

QUAL_FILE = "qual.yaml"
TRANSCRIPT_SUFFIXES = (".txt", ".docx")
DEFAULT_REPLACEMENT = "[navn]"

# A speaker label is what starts a turn in a transcript ("D3: …"): no colon, no line break.
_LABEL = re.compile(r"[^\s:][^:\n]{0,39}")
_LOOKS_LIKE_ID = re.compile(r"[A-ZÆØÅ]+\d+")


class Participant(Frozen):
    """One informant, known only by pseudonym; education and job title say whose voice it is."""

    id: str
    """The pseudonym, as the transcript's speaker label ('D3')."""
    education: str
    """The participant's education, as the report describes voices."""
    job_title: str
    """The participant's job title."""


class FocusGroup(Frozen):
    """One focus-group interview: its transcript and the speakers who may appear in it."""

    id: str = Field(min_length=1)
    """The group's id."""
    label: str
    """Its name in print."""
    transcript: str
    """The transcript file (.txt or .docx), relative to the study folder."""
    interviewers: tuple[str, ...] = Field(default=("Intervjuer",), min_length=1)
    """Speaker labels of the interviewers."""
    participants: tuple[Participant, ...] = Field(min_length=1)
    """The participants (pseudonyms only)."""
    date: dt.date | None = None
    """The date of the interview."""

    @property
    def speaker_labels(self) -> tuple[str, ...]:
        """Every label a turn of this group's transcript may start with."""
        return (*self.interviewers, *(p.id for p in self.participants))

    def participant(self, participant_id: str) -> Participant | None:
        """The participant with this id, if they are in this group."""
        return next((p for p in self.participants if p.id == participant_id), None)


class Theme(Frozen):
    """A code of the codebook; children refine it (any depth)."""

    code: str = Field(min_length=1)
    """The theme's code (used by codings and report quotes)."""
    name: str
    """Its name ('Kastet ut på dypt vann')."""
    description: str = ""
    """What passages it covers."""
    children: tuple[Theme, ...] = ()
    """Sub-themes (any depth)."""

    def walk(self) -> Iterator[Theme]:
        """This theme and every theme below it, depth first."""
        yield self
        for child in self.children:
            yield from child.walk()


class NameReplacement(Frozen):
    """A real name and what replaces it (a pseudonym such as 'D3', or '[navn]').

    A full name also replaces each of its parts on their own ('Kari', 'Nordmann').
    """

    name: str = Field(min_length=1)
    """A real name in the transcripts."""
    replacement: str = DEFAULT_REPLACEMENT
    """What replaces it (a pseudonym, or '[navn]')."""


class Anonymisation(Frozen):
    """How transcripts are made safe to quote.

    `names` are replaced everywhere (case-sensitive, whole words, possessive -s too); with
    `detect_names` other common Norwegian first names become '[navn]'; `flag` lists words shown
    for review (never changed) besides the schools, municipalities and places found by pattern;
    `ignore` lists words that are neither replaced nor flagged; `gender_neutral` turns
    han/hun/ham/henne/hans/hennes into hen/hens as the report writes.
    """

    names: tuple[NameReplacement, ...] = ()
    """Names replaced everywhere."""
    detect_names: bool = True
    """Replace other common Norwegian first names with '[navn]'."""
    flag: tuple[str, ...] = ()
    """Words shown for review (never changed)."""
    ignore: tuple[str, ...] = ()
    """Words neither replaced nor flagged."""
    gender_neutral: bool = True
    """Turn han/hun/ham/henne/hans/hennes into hen/hens."""


class QualFigure(Frozen):
    """A figure or table of the placement exercise, placed in report.yaml like any other.

    `kind: placement` draws one group's cups in one round (Figur 6.2-6.5); `kind: distances`
    is the table of distances from the centre by education, group and round.
    """

    id: str
    """The figure's id (placed in report.yaml)."""
    title: str
    """Its caption."""
    kind: Literal["placement", "distances"]
    """`placement` (one group's cups in one round) or `distances` (the table of distances)."""
    group: str | None = None
    """The focus group (for `placement`)."""
    round: Literal["laerer", "elev"] | None = None
    """`laerer` or `elev` (for `placement`)."""


class QualFile(Frozen):
    """What qual.yaml holds."""

    groups: tuple[FocusGroup, ...] = Field(min_length=1)
    """The focus groups."""
    themes: tuple[Theme, ...] = ()
    """The theme codebook."""
    anonymisation: Anonymisation = Anonymisation()
    """How transcripts are anonymised before anyone quotes them."""
    codings: str | tuple[str, ...] | None = None  # one codings file, or several (one per coder)
    """The codings file, or one per coder."""
    placements: str | None = None
    """The placement exercise's CSV."""
    figures: tuple[QualFigure, ...] = ()
    """The placement exercise's figures and table."""


class QualDefinition(QualFile):
    """A validated qual.yaml, with the study folder its paths are relative to."""

    root: Path

    def group(self, group_id: str) -> FocusGroup:
        """Look up a focus group by id (KeyError if unknown)."""
        for group in self.groups:
            if group.id == group_id:
                return group
        raise KeyError(group_id)

    def transcript_path(self, group_id: str) -> Path:
        """Where the transcript of a group lives."""
        return self.root / self.group(group_id).transcript

    @property
    def codings_path(self) -> Path | None:
        """The codings file, when declared (the first, when several are)."""
        paths = self.codings_paths
        return paths[0] if paths else None

    @property
    def codings_paths(self) -> tuple[Path, ...]:
        """Every declared codings file."""
        if self.codings is None:
            return ()
        names = (self.codings,) if isinstance(self.codings, str) else self.codings
        return tuple(self.root / name for name in names)

    @property
    def placements_path(self) -> Path | None:
        """The placements file, when declared."""
        return self.root / self.placements if self.placements is not None else None

    def participants(self) -> dict[str, tuple[FocusGroup, Participant]]:
        """Every participant by id, with the group they took part in."""
        return {p.id: (g, p) for g in self.groups for p in g.participants}

    def themes_by_code(self) -> dict[str, Theme]:
        """Every theme of the codebook, at any depth, by code."""
        return {t.code: t for top in self.themes for t in top.walk()}


# ----------------------------------------------------------------------------- loading


def load_qual(folder: str | Path) -> QualDefinition:
    """Read and check `qual.yaml` of a study folder on its own; raise listing every problem."""
    root = Path(folder)
    doc = read_yaml(root / QUAL_FILE)
    qual, problems = read_qual(doc, root)
    if problems or qual is None:
        raise StudyDefinitionError(problems or [DefinitionProblem(doc.path, "", "invalid")])
    return qual


def read_qual(doc: YamlDocument, root: Path) -> tuple[QualDefinition | None, list[DefinitionProblem]]:
    """Validate a parsed qual.yaml; return the definition (None if invalid) and its problems."""
    problems: list[DefinitionProblem] = []
    if not isinstance(doc.data, dict):
        return None, [doc.problem((), "expected a mapping of keys at the top of the file")]
    try:
        spec = QualFile.model_validate(doc.data)
    except ValidationError as exc:
        for err in exc.errors():
            loc = tuple(p for p in err["loc"] if not (isinstance(p, str) and "[" in p))
            problems.append(doc.problem(loc, pydantic_message(err, keys_of([QualFile]))))
        return None, problems
    problems.extend(_Checks(doc, root, spec).run())
    if problems:
        return None, problems
    return QualDefinition(root=root.resolve(), **dict(spec)), []


class _Checks:
    """Cross-references of qual.yaml: what the models cannot see one entry at a time."""

    def __init__(self, doc: YamlDocument, root: Path, spec: QualFile) -> None:
        self.doc, self.root, self.spec = doc, root, spec
        self.problems: list[DefinitionProblem] = []

    def add(self, path: KeyPath, message: str) -> None:
        self.problems.append(self.doc.problem(path, message))

    def run(self) -> list[DefinitionProblem]:
        self.groups()
        self.themes()
        self.anonymisation()
        self.figures()
        return self.problems

    def figures(self) -> None:
        groups = [g.id for g in self.spec.groups]
        seen: set[str] = set()
        for index, figure in enumerate(self.spec.figures):
            path: KeyPath = ("figures", index)
            if figure.id in seen:
                self.add((*path, "id"), f"figure id {figure.id!r} is used more than once")
            seen.add(figure.id)
            if figure.kind == "placement":
                if figure.group not in groups:
                    self.add((*path, "group"), f"unknown group {figure.group!r}; expected one of "
                                               f"{one_of(groups)}."
                                               f"{did_you_mean(str(figure.group), groups)}")
                if figure.round is None:
                    self.add((*path, "round"), "a placement figure needs 'round: laerer' or "
                                               "'round: elev'")
                if figure.id.startswith("T"):
                    self.add((*path, "id"), "a placement diagram is a figure: its id must not "
                                            "start with 'T'")
            elif not figure.id.startswith("T"):
                self.add((*path, "id"), "the distance table is a table: give it an id starting "
                                        "with 'T'")
            if self.spec.placements is None:
                self.add(path, "placement figures need 'placements:' (the cups' CSV file)")

    def groups(self) -> None:
        group_seen: dict[str, int] = {}
        participant_seen: dict[str, str] = {}
        for gi, group in enumerate(self.spec.groups):
            path: KeyPath = ("groups", gi)
            if group.id in group_seen:
                self.add((*path, "id"), f"focus group id {group.id!r} is already used by "
                         f"groups[{group_seen[group.id]}]; ids must be unique")
            group_seen.setdefault(group.id, gi)
            self.transcript(group, (*path, "transcript"))
            labels: set[str] = set()
            for li, label in enumerate(group.interviewers):
                self.label(label, (*path, "interviewers", li), "interviewer label")
                if label in labels:
                    self.add((*path, "interviewers", li), f"interviewer label {label!r} is listed twice")
                labels.add(label)
            for pi, participant in enumerate(group.participants):
                ppath: KeyPath = (*path, "participants", pi, "id")
                self.label(participant.id, ppath, "participant id")
                if participant.id in participant_seen:
                    self.add(ppath, f"participant id {participant.id!r} is already used in "
                             f"{participant_seen[participant.id]}; ids are pseudonyms and must be "
                             "unique across all focus groups")
                elif participant.id in labels:
                    self.add(ppath, f"participant id {participant.id!r} is also an interviewer "
                             "label of this group")
                participant_seen.setdefault(participant.id, group.id)

    def label(self, label: str, path: KeyPath, what: str) -> None:
        if _LABEL.fullmatch(label) is None or label != label.strip():
            self.add(path, f"{what} {label!r} cannot start a turn: it must be 1–40 characters "
                     "without a colon or line break, and not start or end with a space")

    def transcript(self, group: FocusGroup, path: KeyPath) -> None:
        file = self.root / group.transcript
        if Path(group.transcript).is_absolute():
            self.add(path, "give the transcript's path relative to the study folder")
        elif file.suffix.lower() not in TRANSCRIPT_SUFFIXES:
            self.add(path, f"transcripts are read from {one_of(list(TRANSCRIPT_SUFFIXES))} files, "
                     f"not {file.suffix or 'a file without suffix'!r}")
        elif not file.is_file():
            nearby = [p.name for p in file.parent.glob("*")
                      if p.suffix.lower() in TRANSCRIPT_SUFFIXES] if file.parent.is_dir() else []
            self.add(path, f"transcript file not found: {file}.{did_you_mean(file.name, nearby)}")

    def themes(self) -> None:
        seen: dict[str, str] = {}

        def visit(theme: Theme, path: KeyPath) -> None:
            where = self.doc_path(path)
            if theme.code in seen:
                self.add((*path, "code"), f"theme code {theme.code!r} is already used at "
                         f"{seen[theme.code]}; codes must be unique across the whole codebook")
            seen.setdefault(theme.code, where)
            for ci, child in enumerate(theme.children):
                visit(child, (*path, "children", ci))

        for ti, theme in enumerate(self.spec.themes):
            visit(theme, ("themes", ti))

    def doc_path(self, path: KeyPath) -> str:
        line = self.doc.line_of(path)
        return format_key_path(path, self.doc.data) + (f" (line {line})" if line else "")

    def anonymisation(self) -> None:
        settings = self.spec.anonymisation
        base: KeyPath = ("anonymisation",)
        names = [entry.name for entry in settings.names]
        parts = {part for name in names for part in name.split()}
        participant_ids = [p.id for g in self.spec.groups for p in g.participants]
        seen: set[str] = set()
        for ni, entry in enumerate(settings.names):
            path: KeyPath = (*base, "names", ni)
            if entry.name in seen:
                self.add((*path, "name"), f"name {entry.name!r} is listed twice")
            seen.add(entry.name)
            if entry.name != " ".join(entry.name.split()):
                self.add((*path, "name"), "write a name with single spaces and no spaces around it")
            back = [w for w in re.findall(r"\w+", entry.replacement) if w in parts]
            if back:
                self.add((*path, "replacement"), f"the replacement {entry.replacement!r} contains the "
                         f"listed name {back[0]!r}; it would put a real name back")
            if (_LOOKS_LIKE_ID.fullmatch(entry.replacement)
                    and entry.replacement not in participant_ids):
                self.add((*path, "replacement"), f"{entry.replacement!r} looks like a participant "
                         f"id but no focus group has it.{did_you_mean(entry.replacement, participant_ids)}")
        for key in ("flag", "ignore"):
            words: tuple[str, ...] = getattr(settings, key)
            listed: set[str] = set()
            for wi, word in enumerate(words):
                if not word.strip():
                    self.add((*base, key, wi), "a word cannot be empty")
                elif word in listed:
                    self.add((*base, key, wi), f"{word!r} is listed twice")
                listed.add(word)
        for wi, word in enumerate(settings.ignore):
            if word in parts:
                self.add((*base, "ignore", wi), f"{word!r} is a listed name; a name is always replaced")

