"""Focus groups: the qualitative part of a study (qual.yaml, transcripts, anonymisation).

Transcripts are read into speaker turns with character offsets, anonymised (offsets recomputed)
and then coded and quoted by later stages; the offsets are what codings and REFI-QDA refer to.
"""

from .anonymise import Anonymised, Flag, Replacement, anonymise, anonymise_all
from .definition import (
    Anonymisation,
    FocusGroup,
    NameReplacement,
    Participant,
    QualDefinition,
    Theme,
    load_qual,
)
from .transcripts import (
    Transcript,
    TranscriptError,
    Turn,
    load_transcripts,
    parse_transcript,
    read_transcript,
)

__all__ = [
    "Anonymisation", "Anonymised", "Flag", "FocusGroup", "NameReplacement", "Participant",
    "QualDefinition", "Replacement", "Theme", "Transcript", "TranscriptError", "Turn",
    "anonymise", "anonymise_all", "load_qual", "load_transcripts", "parse_transcript",
    "read_transcript",
]
