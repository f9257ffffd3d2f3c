"""What the report takes from the focus groups: quotes, coded passages per theme, placements.

Everything here works on the anonymised transcripts, so no quote in any output can carry a
name. The codings are the study's codings files (qual.yaml `codings:`), or the fieldwork
database's when the run names one; several coders' codings are merged into one consensus set
(identical codings counted once), so a passage two coders agreed on is quoted once.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field

from ..clean.anonymise import anonymise_all
from ..clean.merge_codings import merge
from ..ingest.codings import Coding, read_codings, segment_quote, segments
from ..ingest.placements import Placement, read_placements
from ..ingest.transcripts import Transcript, load_transcripts
from ..store import Store
from ..study.model import QuoteRef, Study
from ..study.qual import QualDefinition

CONSENSUS = "rapport"


@dataclass(frozen=True)
class Quote:
    """A quote as printed: the text (cuts as " […] ") and the group it comes from."""

    text: str
    source: str


@dataclass(frozen=True)
class QualEvidence:
    """The anonymised transcripts, the consensus codings and the placements of one run."""

    qual: QualDefinition
    transcripts: dict[str, Transcript]
    codings: tuple[Coding, ...]
    placements: tuple[Placement, ...] = ()
    coders: tuple[str, ...] = ()
    conflicts: tuple[str, ...] = field(default_factory=tuple)

    def quotes(self, ref: QuoteRef) -> list[Quote]:
        """The quotes a section's `quotes:` entry stands for (empty when none is coded)."""
        if ref.segment is not None:
            spans = segments(self.codings).get(ref.segment, [])
            if not spans:
                return []
            return [Quote(segment_quote(spans, self.transcripts), self._source(spans[0].group))]
        themes = {ref.theme, *self._descendants(str(ref.theme))}
        coded = sorted((c for c in self.codings if themes & set(c.themes)),
                       key=lambda c: (c.group, c.start))
        return [Quote(self.transcripts[c.group].text[c.start:c.end].strip(),
                      self._source(c.group)) for c in coded[:ref.limit]]

    def theme_counts(self) -> dict[tuple[str, str], int]:
        """Coded passages per (theme, group), a passage counting for its themes' parents too."""
        parents = {child.code: top.code for top in self.qual.themes for child in top.walk()
                   if child.code != top.code}
        counts: Counter[tuple[str, str]] = Counter()
        for coding in self.codings:
            themes = set(coding.themes) | {parents[t] for t in coding.themes if t in parents}
            for theme in themes:
                counts[(theme, coding.group)] += 1
        return dict(counts)

    def education(self) -> dict[str, str]:
        """Each participant's education, as written on the cup."""
        return {p.id: p.education for g in self.qual.groups for p in g.participants}

    def has_placements(self, group: str | None, round_: str | None) -> bool:
        """True when the placements hold cups of `group` in `round_` (any, when None)."""
        return any((group is None or p.group == group) and (round_ is None or p.round == round_)
                   for p in self.placements)

    def _source(self, group: str) -> str:
        return self.qual.group(group).label

    def _descendants(self, code: str) -> set[str]:
        theme = self.qual.themes_by_code().get(code)
        return {t.code for t in theme.walk()} if theme is not None else set()


def gather(study: Study, codings_db: str | None = None) -> QualEvidence | None:
    """Read, anonymise and merge what the report needs; None when the study has no qual.yaml."""
    qual = study.qual
    if qual is None:
        return None
    anonymised = {group: result.transcript
                  for group, result in anonymise_all(qual, load_transcripts(qual)).items()}
    if codings_db is not None:
        store = Store(codings_db)
        try:
            found = store.codings()
        finally:
            store.close()
    else:
        found = [c for path in qual.codings_paths for c in read_codings(path, qual, anonymised)]
    merged = merge(found, as_coder=CONSENSUS)
    placements = (tuple(read_placements(qual.placements_path))
                  if qual.placements_path is not None else ())
    coders = tuple(sorted({coder for c in found for coder in c.coders}))
    return QualEvidence(qual, anonymised, merged.codings, placements, coders, merged.conflicts)
