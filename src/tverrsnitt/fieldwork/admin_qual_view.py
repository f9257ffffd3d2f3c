"""What the focus-group coding pages show, worked out apart from the web layer.

The transcript is shown turn by turn. Each turn's text element holds exactly the characters
`text[turn.start:turn.end]` of the anonymised transcript (and nothing else), split into pieces
where codings begin or end, so the page's script can turn a selection back into character
offsets by counting characters from the element's `data-start`. The markup of a turn's text is
built here, escaped piece by piece, so no template whitespace can creep into it.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from itertools import pairwise

from markupsafe import Markup, escape

from ..ingest.codings import CODER, SEGMENT, Coding, CodingError, new_coding
from ..ingest.transcripts import Transcript
from ..store.codings import StoredCoding
from ..study.qual import FocusGroup, QualDefinition, Theme

MAX_MEMO = 5000  # characters of a coding's memo or a theme memo


@dataclass(frozen=True)
class TurnView:
    """One turn as shown: who speaks, where it is, and its text's markup with highlights."""

    index: int
    speaker: str
    interviewer: bool
    start: int
    end: int
    html: Markup


@dataclass(frozen=True)
class ThemeOption:
    """A theme of the codebook as a checkbox: its depth in the tree and whether it is ticked."""

    code: str
    name: str
    description: str
    depth: int
    checked: bool
    children: tuple[ThemeOption, ...]


@dataclass(frozen=True)
class CodingRow:
    """A coding in the page's list: the stored coding, its text, the turn it starts in."""

    id: int
    coding: Coding
    text: str
    themes: tuple[tuple[str, str], ...]  # (code, name)
    turn: int | None


def turn_views(transcript: Transcript, group: FocusGroup, own: Sequence[StoredCoding],
               other: Sequence[StoredCoding]) -> list[TurnView]:
    """The turns with the user's codings (and another coder's, when shown) marked."""
    interviewers = set(group.interviewers)
    views = []
    for turn in transcript.turns:
        views.append(TurnView(turn.index, turn.speaker, turn.speaker in interviewers, turn.start,
                              turn.end, _turn_html(transcript.text, turn.start, turn.end, own,
                                                   other)))
    return views


def _turn_html(text: str, start: int, end: int, own: Sequence[StoredCoding],
               other: Sequence[StoredCoding]) -> Markup:
    """The text start..end in pieces; a piece inside codings is a <mark> naming them."""
    inside = [s for s in (*own, *other) if s.coding.overlaps(start, end)]
    cuts = {start, end}
    for stored in inside:
        cuts.update(p for p in (stored.coding.start, stored.coding.end) if start < p < end)
    bounds = sorted(cuts)
    own_ids = {s.id for s in own}
    parts: list[str] = []
    for left, right in pairwise(bounds):
        piece = escape(text[left:right])
        covering = [s for s in inside if s.coding.start <= left and right <= s.coding.end]
        if not covering:
            parts.append(piece)
            continue
        mine = [s for s in covering if s.id in own_ids]
        theirs = [s for s in covering if s.id not in own_ids]
        classes = " ".join(c for c, hit in (("own", mine), ("other", theirs)) if hit)
        ids = " ".join(str(s.id) for s in mine)
        title = "; ".join(f"{s.coding.coder}: {', '.join(s.coding.themes)}" for s in covering)
        parts.append(f'<mark class="{classes}" data-codings="{ids}" title="{escape(title)}">'
                     f"{piece}</mark>")
    return Markup("".join(parts))


def theme_options(themes: Sequence[Theme], checked: Iterable[str], depth: int = 0
                  ) -> tuple[ThemeOption, ...]:
    """The codebook as a tree of checkboxes, with the given codes ticked."""
    ticked = set(checked)
    return tuple(ThemeOption(t.code, t.name, t.description, depth, t.code in ticked,
                             theme_options(t.children, ticked, depth + 1)) for t in themes)


def coding_rows(stored: Iterable[StoredCoding], transcript: Transcript,
                names: Mapping[str, Theme]) -> list[CodingRow]:
    """The codings of one group as listed, in text order."""
    rows = []
    for item in sorted(stored, key=lambda s: (s.coding.start, s.coding.end, s.id)):
        coding = item.coding
        turn = transcript.turn_at(coding.start)
        if turn is None:  # starts on a label or between turns: the next turn it reaches
            turn = next((t for t in transcript.turns if t.end > coding.start), None)
        rows.append(CodingRow(item.id, coding, transcript.text[coding.start:coding.end],
                              tuple((code, names[code].name if code in names else code)
                                    for code in coding.themes),
                              turn.index if turn is not None else None))
    return rows


# ----------------------------------------------------------------------------- checking a post


@dataclass(frozen=True)
class CodingForm:
    """What the coding form posted (kept as typed, so a refused form comes back filled in)."""

    start: str = ""
    end: str = ""
    themes: tuple[str, ...] = ()
    segment: str = ""
    memo: str = ""


def check_coding(form: CodingForm, *, coder: str, group: str, qual: QualDefinition,
                 transcripts: Mapping[str, Transcript], own: Sequence[StoredCoding]
                 ) -> tuple[Coding | None, list[str]]:
    """The coding a form asks for, or the problems with it in Norwegian (for the page)."""
    problems: list[str] = []
    if not CODER.fullmatch(coder):
        problems.append(f"Brukernavnet ditt ({coder}) kan ikke brukes som kodernavn: det må være "
                        "bokstaver, tall, punktum, - og _ uten mellomrom. Be om en ny innlogging.")
    transcript = transcripts[group]
    length = len(transcript.text)
    span: tuple[int, int] | None = None
    if not form.start.strip() and not form.end.strip():
        problems.append("Marker teksten du vil kode i transkripsjonen (eller skriv inn fra og til "
                        "tegn).")
    else:
        try:
            start, end = int(form.start.strip()), int(form.end.strip())
        except ValueError:
            problems.append("Fra og til tegn må være hele tall.")
        else:
            if not 0 <= start < end <= length:
                problems.append(f"Markeringen må ligge innenfor transkripsjonen: fra tegn 0 til "
                                f"{length}, og «fra» må være mindre enn «til».")
            elif not transcript.text[start:end].strip():
                problems.append("Markeringen inneholder bare mellomrom. Marker tekst.")
            else:
                span = start, end
    known = qual.themes_by_code()
    if not form.themes:
        problems.append("Kryss av for minst ett tema.")
    for code in form.themes:
        if code not in known:
            problems.append(f"Temaet «{code}» finnes ikke i kodeboken.")
    segment = form.segment.strip() or None
    if segment is not None:
        if not SEGMENT.fullmatch(segment):
            problems.append("Segmentnavnet kan bare ha små bokstaver, tall, - og _, og må begynne "
                            "med en bokstav eller et tall (for eksempel «dypt-vann»).")
        else:
            problems.extend(_segment_problems(segment, group, span, own))
    if len(form.memo) > MAX_MEMO:
        problems.append(f"Memoet kan være høyst {MAX_MEMO} tegn.")
    if problems or span is None:
        return None, problems
    try:
        coding = new_coding(qual, transcripts, coder=coder, group=group, start=span[0],
                            end=span[1], themes=form.themes, memo=form.memo, segment=segment)
    except CodingError as exc:  # what the checks above did not foresee
        return None, [exc.message]
    return coding, []


def _segment_problems(segment: str, group: str, span: tuple[int, int] | None,
                      own: Sequence[StoredCoding]) -> list[str]:
    """A segment lies in one focus group, and its spans do not overlap (as in codings files)."""
    same = [s.coding for s in own if s.coding.segment == segment]
    elsewhere = sorted({c.group for c in same if c.group != group})
    if elsewhere:
        return [f"Segmentet «{segment}» er allerede brukt i {elsewhere[0]}. Et segment hører til "
                "én fokusgruppe; gi dette sitatet et annet segmentnavn."]
    if span is not None and any(c.overlaps(*span) and (c.start, c.end) != span for c in same):
        return [f"Markeringen overlapper en annen del av segmentet «{segment}». Delene av et "
                "segment kan ikke overlappe hverandre."]
    return []
