"""Transcripts: .txt and .docx give the same kind of turns, and offsets point into the plain text."""

from __future__ import annotations

import re
from pathlib import Path

import docx
import pytest

from tverrsnitt.ingest.transcripts import (
    Transcript,
    TranscriptError,
    load_transcripts,
    parse_transcript,
    read_transcript,
)
from tverrsnitt.study import Study
from tverrsnitt.study.qual import FocusGroup, Participant, QualDefinition


@pytest.fixture(scope="module")
def qual(study: Study) -> QualDefinition:
    assert study.qual is not None
    return study.qual


@pytest.fixture(scope="module")
def transcripts(qual: QualDefinition) -> dict[str, Transcript]:
    return load_transcripts(qual)


GROUP = FocusGroup(id="FG9", label="Test", transcript="t.txt", participants=[
    Participant(id=f"D{i}", education="Ufaglært", job_title="Skoleassistent") for i in (1, 2, 3)])


def assert_consistent(transcript: Transcript) -> None:
    """Offsets hold, turns are in order, and everything outside turns is labels and blanks."""
    text = transcript.text
    previous_end = 0
    for index, turn in enumerate(transcript.turns):
        assert turn.index == index
        assert text[turn.start:turn.end] == turn.text
        assert turn.text == turn.text.strip()
        between = text[previous_end:turn.start]
        assert re.fullmatch(rf"\s*{re.escape(turn.speaker)}:\s*", between), between
        previous_end = turn.end
    assert text[previous_end:].strip() == ""


def test_txt_transcript_turns(transcripts: dict[str, Transcript], qual: QualDefinition) -> None:
    fg1 = transcripts["FG1"]
    assert_consistent(fg1)
    assert {t.speaker for t in fg1.turns} == {"Intervjuer", *(f"D{i}" for i in range(1, 7))}
    first = fg1.turns[0]
    assert (first.speaker, first.start) == ("Intervjuer", len("Intervjuer: "))
    assert first.text.startswith("Velkommen, og takk")
    assert fg1.text == qual.transcript_path("FG1").read_text(encoding="utf-8")
    # A turn goes on over a line that is speech, even with a colon ("Det jeg mener er: …").
    d1 = next(t for t in fg1.turns if "koker over" in t.text)
    assert d1.speaker == "D1" and "\nDet jeg mener er: jeg kan mye mer" in d1.text
    # … and over a blank line into a second paragraph.
    d3 = next(t for t in fg1.turns if "tatt mer på alvor" in t.text)
    assert "\n\nDet tror jeg handler om" in d3.text and d3.speaker == "D3"


def test_docx_transcript_turns(transcripts: dict[str, Transcript]) -> None:
    fg2 = transcripts["FG2"]
    assert_consistent(fg2)
    assert {t.speaker for t in fg2.turns} == {"Intervjuer", *(f"D{i}" for i in range(7, 13))}
    # A turn over two paragraphs, and a manual line break inside a paragraph.
    d9 = next(t for t in fg2.turns if t.text.startswith("Hos oss føler jeg at vi er"))
    assert d9.speaker == "D9" and "\nMen jeg ser jo at det er en himmelvid forskjell" in d9.text
    d7 = next(t for t in fg2.turns if t.text.startswith("Kan jeg sette den oppå?"))
    assert d7.text == "Kan jeg sette den oppå?\nDet er der jeg er hele dagen, i hvert fall."
    # Empty paragraphs between turns belong to no turn.
    assert "\n\n" in fg2.text and not any(t.text.endswith("\n") for t in fg2.turns)


def test_docx_plain_text_is_one_line_per_paragraph(qual: QualDefinition,
                                                   transcripts: dict[str, Transcript]) -> None:
    document = docx.Document(str(qual.transcript_path("FG2")))
    assert transcripts["FG2"].text == "\n".join(p.text for p in document.paragraphs)


def test_offsets_locate_turns_and_lines(transcripts: dict[str, Transcript]) -> None:
    fg1 = transcripts["FG1"]
    turn = fg1.turns[5]
    assert fg1.turn_at(turn.start) == turn and fg1.turn_at(turn.end - 1) == turn
    assert fg1.turn_at(turn.end) is None  # the blank line and the next label
    assert fg1.turn_at(0) is None  # "Intervjuer: " itself
    assert fg1.line_of(turn.start) == fg1.text[:turn.start].count("\n") + 1
    assert fg1.turns_of("D6")[0].text.startswith("Jeg har også fagbrev")


def test_txt_and_docx_of_the_same_text_agree(tmp_path: Path) -> None:
    lines = ["Intervjuer: Hvordan er det?", "D1: Bra.", "Og litt travelt.", "", "D2: Enig."]
    (tmp_path / "t.txt").write_text("\n".join(lines), encoding="utf-8")
    document = docx.Document()
    for line in lines:
        document.add_paragraph(line)
    document.save(str(tmp_path / "t.docx"))
    txt = read_transcript(tmp_path / "t.txt", GROUP)
    from_docx = read_transcript(tmp_path / "t.docx", GROUP)
    assert txt == from_docx
    assert [(t.speaker, t.text) for t in txt.turns] == [
        ("Intervjuer", "Hvordan er det?"), ("D1", "Bra.\nOg litt travelt."), ("D2", "Enig.")]


def test_line_endings_bom_and_windows_1252_are_normalised(tmp_path: Path) -> None:
    path = tmp_path / "t.txt"
    path.write_bytes("\ufeffIntervjuer: Hei på dere.\r\nD1: Hei!\r\n".encode())
    transcript = read_transcript(path, GROUP)
    assert transcript.text == "Intervjuer: Hei på dere.\nD1: Hei!\n"
    assert_consistent(transcript)
    path.write_bytes("Intervjuer: Hva gjør dere på SFO?\nD1: Vi leker ute.\n".encode("cp1252"))
    assert read_transcript(path, GROUP).turns[0].text == "Hva gjør dere på SFO?"


def test_label_on_its_own_line_and_empty_turn() -> None:
    transcript = parse_transcript("Intervjuer:\nHvem vil begynne?\nD1:\nD2: Jeg kan.", GROUP)
    assert [(t.speaker, t.text) for t in transcript.turns] == [
        ("Intervjuer", "Hvem vil begynne?"), ("D1", ""), ("D2", "Jeg kan.")]
    assert_consistent(transcript)


def test_unknown_speaker_label_names_file_line_and_a_close_label(tmp_path: Path) -> None:
    path = tmp_path / "fg9.txt"
    path.write_text("Intervjuer: Hei.\n\nD13: Hei!\nD2: Hallo.\nIntervjuar: Flott.\n",
                    encoding="utf-8")
    with pytest.raises(TranscriptError) as caught:
        read_transcript(path, GROUP)
    message = caught.value.message
    assert "2 problems in the transcripts" in message
    assert f"{path}, line 3: unknown speaker label 'D13'; expected a participant id of FG9 or " \
           "an interviewer label: ['Intervjuer', 'D1', 'D2', 'D3']. Did you mean 'D3'?" in message
    assert f"{path}, line 5: unknown speaker label 'Intervjuar'" in message
    assert "Did you mean 'Intervjuer'?" in message


def test_unknown_label_in_docx_names_the_paragraph(tmp_path: Path) -> None:
    document = docx.Document()
    for line in ["Intervjuer: Hei.", "D1: Hei.", "Moderator: Velkommen."]:
        document.add_paragraph(line)
    document.save(str(tmp_path / "t.docx"))
    with pytest.raises(TranscriptError, match=r"t\.docx, paragraph 3: unknown speaker label "
                                              r"'Moderator'"):
        read_transcript(tmp_path / "t.docx", GROUP)


def test_participant_of_another_group_is_named(qual: QualDefinition, tmp_path: Path) -> None:
    fg1 = qual.group("FG1")
    path = tmp_path / "fg1.txt"
    path.write_text("Intervjuer: Hei.\nD7: Jeg er med.\n", encoding="utf-8")
    with pytest.raises(TranscriptError, match="line 2: unknown speaker label 'D7': D7 is a "
                                              "participant of FG2, not of FG1"):
        read_transcript(path, fg1, others={"D7": "FG2"})


def test_text_before_the_first_label_and_no_turns_are_errors() -> None:
    with pytest.raises(TranscriptError, match="line 1: text before the first speaker label"):
        parse_transcript("Fokusgruppe 1, mars 2023\nIntervjuer: Hei.", GROUP)
    with pytest.raises(TranscriptError, match="no speaker turns found"):
        parse_transcript("\n\n", GROUP)


def test_speech_with_a_colon_is_not_a_label() -> None:
    transcript = parse_transcript(
        "D1: Jeg sa det slik:\nvi må ha mer tid.\nDet er sånn det er: ingen tid.\nD2: Ja.", GROUP)
    assert [t.speaker for t in transcript.turns] == ["D1", "D2"]


def test_load_transcripts_reports_every_file(qual: QualDefinition, tmp_path: Path) -> None:
    for name in ("fg1.txt", "fg2.docx"):
        (tmp_path / "qual").mkdir(exist_ok=True)
        source = qual.root / "qual" / name
        (tmp_path / "qual" / name).write_bytes(source.read_bytes())
    broken = tmp_path / "qual" / "fg1.txt"
    broken.write_text(broken.read_text(encoding="utf-8").replace("\nD4: ", "\nD44: ", 1),
                      encoding="utf-8")
    moved = qual.model_copy(update={"root": tmp_path})
    with pytest.raises(TranscriptError, match=r"fg1\.txt, line \d+: unknown speaker label 'D44'"):
        load_transcripts(moved)


def test_missing_or_broken_files(tmp_path: Path) -> None:
    with pytest.raises(TranscriptError, match="file not found"):
        read_transcript(tmp_path / "nope.txt", GROUP)
    (tmp_path / "bad.docx").write_bytes(b"not a zip")
    with pytest.raises(TranscriptError, match="not a Word document"):
        read_transcript(tmp_path / "bad.docx", GROUP)
