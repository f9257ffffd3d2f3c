"""Codings of the anonymised transcripts: the codings file, selections, segments, merging."""

from __future__ import annotations

import random
from pathlib import Path

import pytest

from tverrsnitt.clean.merge_codings import codings_of, merge
from tverrsnitt.cli_qual import load
from tverrsnitt.errors import DataProblem, InputDataError
from tverrsnitt.ingest.codings import (
    CUT,
    Coding,
    CodingError,
    check_codings,
    new_coding,
    read_codings,
    segment_quote,
    segments,
)
from tverrsnitt.ingest.transcripts import Transcript
from tverrsnitt.study.qual import QualDefinition

from .conftest import EXAMPLE

CODINGS_A = EXAMPLE / "qual" / "codings-a.csv"
CODINGS_B = EXAMPLE / "qual" / "codings-b.csv"
HEADER = "coder,group,turn,quote,themes,memo,segment"


@pytest.fixture(scope="module")
def example() -> tuple[QualDefinition, dict[str, Transcript]]:
    return load(EXAMPLE)


def write(tmp_path: Path, *lines: str, header: str = HEADER) -> Path:
    path = tmp_path / "codings.csv"
    path.write_text("\n".join([header, *lines]) + "\n", encoding="utf-8")
    return path


def problems(path: Path, example: tuple[QualDefinition, dict[str, Transcript]]
             ) -> tuple[DataProblem, ...]:
    with pytest.raises(InputDataError) as caught:
        read_codings(path, *example)
    return caught.value.problems


# ----------------------------------------------------------------------------- the example


def test_the_example_codings_read_against_the_anonymised_text(example) -> None:
    qual, transcripts = example
    a, b = read_codings(CODINGS_A, qual, transcripts), read_codings(CODINGS_B, qual, transcripts)
    assert {c.coder for c in a} == {"koder-a"} and {c.coder for c in b} == {"koder-b"}
    assert len(a) > 60 and len(b) > 60
    assert check_codings([*a, *b], qual, transcripts) == []
    every_theme = {t for c in [*a, *b] for t in c.themes}
    leaves = {t.code for t in qual.themes_by_code().values() if not t.children}
    assert leaves <= every_theme
    names = [part for entry in qual.anonymisation.names for part in entry.name.split()]
    for coding in [*a, *b]:  # no quote anywhere carries a name
        text = coding.text(transcripts)
        assert text.strip() == text and not any(name in text.split() for name in names)


def test_named_segments_can_be_quoted_and_one_has_a_cut(example) -> None:
    qual, transcripts = example
    codings = read_codings(CODINGS_A, qual, transcripts)
    found = segments(codings)
    assert {"sidelinjen", "dypt-vann", "brannslukking", "a-og-b-lag", "inne-i-varmen"} <= set(found)
    assert segment_quote(found["sidelinjen"], transcripts) == (
        "Jeg er på sidelinjen, føler jeg. Så jeg setter meg helt i ytterkanten.")
    cut = segment_quote(found["dypt-vann"], transcripts)
    assert cut == ("Jeg føler at det å bli kastet ut på dypt vann, det har jeg opplevd mange "
                   "ganger." + CUT + "Ingen opplæring, ikke noe opplegg. Du står der og må finne "
                   "ut av det selv.")
    assert len(found["dypt-vann"]) == 2 and CUT == " […] "


# ----------------------------------------------------------------------------- reading a file


def test_turn_may_be_a_number_a_speaker_or_left_out(tmp_path: Path, example) -> None:
    qual, transcripts = example
    path = write(tmp_path,
                 "k1,FG1,56,\"Jeg er på sidelinjen, føler jeg.\",plassering,,",
                 "k1,FG1,D2,\"Vi er uerstattelige\",uerstattelig,,",
                 "k1,FG2,,inne i varmen,plassering;sett_og_hort,En memo.,varmen")
    first, second, third = read_codings(path, qual, transcripts)
    fg1, fg2 = transcripts["FG1"], transcripts["FG2"]
    assert first.text(transcripts) == "Jeg er på sidelinjen, føler jeg."
    assert fg1.turn_at(first.start) == fg1.turns[56] and fg1.turns[56].speaker == "D2"
    assert second.text(transcripts) == "Vi er uerstattelige" and second.group == "FG1"
    assert fg2.turn_at(third.start).speaker == "D8"  # type: ignore[union-attr]
    assert third.themes == ("plassering", "sett_og_hort") and third.memo == "En memo."
    assert third.segment == "varmen" and first.segment is None and first.memo == ""


def test_quotes_match_across_line_breaks_and_spacing(tmp_path: Path, example) -> None:
    qual, transcripts = example
    # Turn 8 of FG1 runs over two lines; a quote may write the break as a space.
    path = write(tmp_path, 'k1,FG1,8,"ikke går som planlagt.   Det jeg mener er:",elevgrupper,,')
    (coding,) = read_codings(path, qual, transcripts)
    assert coding.text(transcripts) == "ikke går som planlagt.\nDet jeg mener er:"


def test_an_unknown_theme_names_row_column_value_and_a_close_code(tmp_path: Path, example) -> None:
    path = write(tmp_path, "k1,FG1,56,Jeg er på sidelinjen,plassering;sidelinje_x;Brannslukking,,",
                 "k1,FG1,13,dypt vann,dyptvann,,")
    found = problems(path, example)
    assert [(p.row, p.column, p.value) for p in found] == [
        (2, "themes", "sidelinje_x"), (2, "themes", "Brannslukking"), (3, "themes", "dyptvann")]
    assert "a theme code of the codebook" in found[0].expected
    assert "Did you mean 'brannslukking' (the code of «Brannslukking»)?" in found[1].expected
    assert "Did you mean 'dypt_vann'?" in found[2].expected
    assert str(found[2]).startswith(f"{path}, row 3, column 'themes': found 'dyptvann'; expected")


def test_a_quote_not_in_the_turn_says_where_it_stops_matching(tmp_path: Path, example) -> None:
    path = write(tmp_path,
                 "k1,FG1,13,\"Jeg føler at det å bli kastet ut på grunt vann\",dypt_vann,,",
                 "k1,FG1,,\"Kari Nordmann tok meg med\",elevgrupper,,")
    first, second = problems(path, example)
    assert (first.row, first.column) == (2, "quote")
    assert "FG1 turn 13 (D4)" in first.expected
    assert "matches up to 'Jeg føler at det å bli kastet ut på' and then differs at 'grunt'" \
        in first.expected
    assert "anonymised text, where names read '[navn]'" in second.expected


def test_an_ambiguous_quote_asks_for_the_turn_or_more_words(tmp_path: Path, example) -> None:
    path = write(tmp_path, "k1,FG1,,brannslukking,brannslukking,,",
                 "k1,FG1,52,\"hen\",elever_og_foreldre,,")
    first, second = problems(path, example)
    assert "it occurs in turns 20, 30" in first.expected and "give the turn number" in first.expected
    assert "occurs 3 times in turn 52: quote more of it" in second.expected


def test_unknown_group_turn_and_speaker_are_named(tmp_path: Path, example) -> None:
    path = write(tmp_path, "k1,FG3,1,Ja,elevgrupper,,",
                 "k1,FG1,99,Ja,elevgrupper,,",
                 "k1,FG1,D7,Ja,elevgrupper,,",
                 "koder a,FG1,1,\"Ja, jeg kan starte.\",elevgrupper,,Sidelinjen")
    found = problems(path, example)
    assert [(p.row, p.column, p.value) for p in found] == [
        (2, "group", "FG3"), (3, "turn", "99"), (4, "turn", "D7"),
        (5, "coder", "koder a"), (5, "segment", "Sidelinjen")]
    assert "one of ['FG1', 'FG2']" in found[0].expected
    assert "from 0 to 64" in found[1].expected
    assert "a speaker of FG1" in found[2].expected


def test_missing_columns_and_empty_files_are_named(tmp_path: Path, example) -> None:
    (missing,) = problems(write(tmp_path, "k1,FG1,Ja,x", header="coder,group,quote,theme"), example)
    assert (missing.row, missing.column) == (1, "themes") and "Did you mean 'theme'?" in missing.expected
    (empty,) = problems(write(tmp_path), example)
    assert empty.value == "(no rows)"


def test_the_same_coding_twice_and_segments_across_groups_are_refused(tmp_path: Path,
                                                                      example) -> None:
    path = write(tmp_path,
                 "k1,FG1,56,Jeg er på sidelinjen,plassering,,s1",
                 "k1,FG1,56,Jeg er på sidelinjen,plassering,,",
                 "k1,FG2,54,inne i varmen,plassering,,s1",
                 "k1,FG1,56,på sidelinjen,sett_og_hort,,s1",
                 "k2,FG2,54,inne i varmen,plassering,,s1")  # another coder's own segment names
    found = problems(path, example)
    assert [(p.row, p.column) for p in found] == [(3, "quote"), (4, "segment"), (5, "quote")]
    assert "row 2 codes the same text" in found[0].expected
    assert "'s1' of k1 is in FG1 at row 2" in found[1].expected
    assert "overlaps the one on row 2" in found[2].expected


# ----------------------------------------------------------------------------- a selection


def test_a_selection_from_the_web_app_is_checked(example) -> None:
    qual, transcripts = example
    text = transcripts["FG1"].text
    start = text.index("Jeg er på sidelinjen")
    coding = new_coding(qual, transcripts, coder="koder-a", group="FG1", start=start,
                        end=start + 20, themes=["plassering", " sett_og_hort "], memo=" m ")
    assert coding.text(transcripts) == "Jeg er på sidelinjen" and coding.memo == "m"
    with pytest.raises(CodingError) as caught:
        new_coding(qual, transcripts, coder="koder a", group="FG1", start=10, end=len(text) + 1,
                   themes=["dyptvann"], segment="Ny Del")
    message = str(caught.value)
    assert "coder 'koder a'" in message and f"end <= {len(text)}" in message
    assert "Did you mean 'dypt_vann'?" in message and "segment 'Ny Del'" in message
    with pytest.raises(CodingError, match="only white space"):
        new_coding(qual, transcripts, coder="k", group="FG1", start=text.index("\n\n"),
                   end=text.index("\n\n") + 2, themes=["plassering"])


def test_a_coding_keeps_its_themes_sorted_and_refuses_empty_spans() -> None:
    coding = Coding("k", "FG1", 3, 9, ("b", "a", "b"))
    assert coding.themes == ("a", "b") and coding.coders == ("k",)
    with pytest.raises(ValueError):
        Coding("k", "FG1", 9, 9, ("a",))
    with pytest.raises(ValueError):
        Coding("k", "FG1", 1, 9, ())


# ----------------------------------------------------------------------------- merging


def random_codings(rng: random.Random, coders: list[str]) -> list[Coding]:
    """Codings that often coincide: few spans and themes, so identical ones are common."""
    spans = [(g, s, s + rng.randint(1, 30)) for g in ("FG1", "FG2") for s in rng.sample(range(200), 6)]
    themes = ["a", "b", "c", "d"]
    result = []
    for coder in coders:
        for _ in range(rng.randint(0, 14)):
            group, start, end = rng.choice(spans)
            result.append(Coding(coder, group, start, end, tuple(rng.sample(themes, rng.randint(1, 2))),
                                 rng.choice(["", "", "memo 1", "memo 2"]),
                                 rng.choice([None, None, "s1", "s2"])))
    unique = {c.key: c for c in result}  # one coding per coder, span and themes (as a file has)
    return list(unique.values())


@pytest.mark.parametrize("seed", range(40))
def test_merging_never_loses_a_coding_and_is_order_free_and_idempotent(seed: int) -> None:
    rng = random.Random(seed)
    inputs = random_codings(rng, ["a", "b", "c"][: rng.randint(2, 3)])
    merged = merge(inputs, as_coder="k").codings
    # Every input coding is recoverable by coder, span and themes, and nothing else is there.
    for coder in {c.coder for c in inputs}:
        own = {(c.group, c.start, c.end, c.themes) for c in inputs if c.coder == coder}
        assert {(c.group, c.start, c.end, c.themes) for c in codings_of(merged, coder)} == own
    # Identical spans and themes collapse: one consensus coding per (span, themes).
    keys = [(c.group, c.start, c.end, c.themes) for c in merged]
    assert len(keys) == len(set(keys)) == len({(c.group, c.start, c.end, c.themes) for c in inputs})
    assert all(c.coder == "k" and c.merged_from for c in merged)
    # Order-independent, idempotent (inputs twice), and a consensus merged again is itself.
    shuffled = inputs[:]
    rng.shuffle(shuffled)
    assert merge(shuffled, as_coder="k") == merge(inputs, as_coder="k")
    assert merge([*inputs, *inputs], as_coder="k").codings == merged
    assert merge(merged, as_coder="k").codings == merged
    # Merging coder by coder gives what merging all at once gives.
    coders = sorted({c.coder for c in inputs})
    step = merge([c for c in inputs if c.coder == coders[0]], as_coder="k").codings
    for coder in coders[1:]:
        step = merge([*step, *(c for c in inputs if c.coder == coder)], as_coder="k").codings
    assert [(c.span, c.themes, c.merged_from) for c in step] == \
        [(c.span, c.themes, c.merged_from) for c in merged]


def test_merge_records_coders_keeps_memos_and_reports_conflicts() -> None:
    a = [Coding("a", "FG1", 0, 10, ("x",), "Samme memo.", "s1"),
         Coding("a", "FG1", 20, 30, ("x",), "A sier dette.", "sitat"),
         Coding("a", "FG1", 40, 50, ("y",))]
    b = [Coding("b", "FG1", 0, 10, ("x",), "Samme memo.", "s1"),
         Coding("b", "FG1", 20, 30, ("x",), "B sier noe annet.", "sitatet"),
         Coding("b", "FG1", 40, 50, ("y", "z")),
         Coding("b", "FG2", 45, 55, ("y",), segment="s1")]
    result = merge([*a, *b], as_coder="konsensus")
    first, second, third, fourth, fifth = result.codings
    assert (first.merged_from, first.memo, first.segment) == (("a", "b"), "Samme memo.", "s1")
    assert second.memo == "[a] A sier dette.\n\n[b] B sier noe annet." and second.segment == "sitat"
    assert (third.themes, third.merged_from) == (("y",), ("a",))
    assert (fourth.themes, fourth.merged_from) == (("y", "z"), ("b",))
    assert fifth.group == "FG2" and fifth.merged_from == ("b",)
    assert len(result.conflicts) == 2
    assert "coders named it 'sitat', 'sitatet'; kept 'sitat'" in result.conflicts[0]
    assert "segment 's1' is in several groups (FG1, FG2)" in result.conflicts[1]


def test_the_example_coders_merge_into_a_consensus_that_keeps_both(example) -> None:
    qual, transcripts = example
    a, b = read_codings(CODINGS_A, qual, transcripts), read_codings(CODINGS_B, qual, transcripts)
    result = merge([*a, *b], as_coder="konsensus")
    assert result.conflicts == ()
    both = [c for c in result.codings if c.merged_from == ("koder-a", "koder-b")]
    assert len(both) > 40 and len(result.codings) == len(a) + len(b) - len(both)
    sidelinjen = segments(result.codings)["sidelinjen"]
    assert [c.merged_from for c in sidelinjen] == [("koder-a", "koder-b")]
    assert sidelinjen[0].memo.startswith("[koder-a] Plasseringen begrunnes")
