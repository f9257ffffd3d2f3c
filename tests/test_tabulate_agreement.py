"""Agreement between two coders: Cohen's κ and percent agreement per theme, by hand and on the example."""

from __future__ import annotations

from pathlib import Path

import pytest

from tverrsnitt.cli_qual import agreement_csv, agreement_table, load
from tverrsnitt.ingest.codings import Coding, CodingError, read_codings
from tverrsnitt.ingest.transcripts import Transcript
from tverrsnitt.study.qual import QualDefinition
from tverrsnitt.tabulate.agreement import POOLED, compare, kappa_table, units

from .conftest import EXAMPLE

QUAL_YAML = """\
groups:
  - id: G1
    label: Gruppe 1
    transcript: g1.txt
    participants:
      - {id: P1, education: Fagbrev, job_title: Assistent}
      - {id: P2, education: Ufaglært, job_title: Assistent}
      - {id: P3, education: Vernepleier, job_title: Miljøterapeut}
themes:
  - code: p
    name: Forelder
    children:
      - {code: x, name: Tema X}
      - {code: y, name: Tema Y}
  - code: z
    name: Tema Z
"""


@pytest.fixture
def ten_units(tmp_path: Path) -> tuple[QualDefinition, dict[str, Transcript]]:
    """A group with ten participant turns (units 0–9) and two interviewer turns."""
    lines = ["Intervjuer: Første spørsmål."]
    for unit in range(10):
        if unit == 5:
            lines.append("Intervjuer: Neste spørsmål.")
        lines.append(f"P{unit % 3 + 1}: Svar nummer {unit}.")
    (tmp_path / "qual.yaml").write_text(QUAL_YAML, encoding="utf-8")
    (tmp_path / "g1.txt").write_text("\n\n".join(lines) + "\n", encoding="utf-8")
    return load(tmp_path)


def unit_span(transcripts: dict[str, Transcript], unit: int) -> tuple[int, int]:
    turn = next(t for t in transcripts["G1"].turns if t.text == f"Svar nummer {unit}.")
    return turn.start, turn.end


def codings_on(coder: str, theme: str, unit_list: set[int],
               transcripts: dict[str, Transcript]) -> list[Coding]:
    """One coding per unit, a few characters inside the turn."""
    result = []
    for unit in sorted(unit_list):
        start, end = unit_span(transcripts, unit)
        result.append(Coding(coder, "G1", start + 2, end - 3, (theme,)))
    return result


def test_kappa_equals_the_hand_computed_value(ten_units) -> None:
    qual, transcripts = ten_units
    assert len(units(qual, transcripts)) == 10  # interviewer turns are not units
    a = [*codings_on("A", "x", {0, 1, 2, 3, 4}, transcripts),
         *codings_on("A", "y", {6, 7, 8}, transcripts)]
    b = [*codings_on("B", "x", {0, 1, 2, 3, 5}, transcripts),
         *codings_on("B", "y", {6, 7, 9, 1}, transcripts)]
    result = compare(qual, transcripts, [*a, *b], "A", "B")
    x, y, p, z = (result.theme(code) for code in ("x", "y", "p", "z"))

    # Theme x, 10 units: both coded units 0–3, only A unit 4, only B unit 5, neither 6–9.
    #   p_o = (4 + 4) / 10 = 0.8;  p_A = 5/10, p_B = 5/10
    #   p_e = 0.5·0.5 + 0.5·0.5 = 0.5;  κ = (0.8 − 0.5) / (1 − 0.5) = 0.6
    assert (x.units, x.both, x.only_a, x.only_b, x.neither) == (10, 4, 1, 1, 4)
    assert (x.p_o, x.p_e, x.kappa, x.percent) == (0.8, 0.5, 0.6, 80.0)

    # Theme y: both 6 and 7, only A 8, only B 9 and 1, neither the other five.
    #   p_o = 7/10;  p_A = 3/10, p_B = 4/10;  p_e = 0.3·0.4 + 0.7·0.6 = 0.54
    #   κ = (0.7 − 0.54) / (1 − 0.54) = 0.16 / 0.46 = 8/23
    assert (y.both, y.only_a, y.only_b, y.neither) == (2, 1, 2, 5)
    assert y.p_o == 0.7 and y.p_e == 0.54 and y.kappa == 8 / 23

    # Parent p rolls up x and y: A {0,1,2,3,4,6,7,8}, B {0,1,2,3,5,6,7,9}.
    #   both 6, only A 2 (4, 8), only B 2 (5, 9), neither 0;  p_o = 0.6, p_A = p_B = 0.8
    #   p_e = 0.64 + 0.04 = 0.68;  κ = (0.6 − 0.68) / 0.32 = −0.25 (worse than chance)
    assert (p.both, p.only_a, p.only_b, p.neither, p.kappa) == (6, 2, 2, 0, -0.25)

    # Theme z: neither coder used it, so p_e = 1 and κ is undefined.
    assert (z.kappa, z.p_e, z.p_o, z.reason) == (None, 1.0, 1.0, "neither coder used the theme")

    # Pooled over the four themes as coded, without roll-up (40 unit × theme decisions; p was
    # never coded itself): both 6, A only 2, B only 3, neither 29.
    #   p_o = 35/40, p_A = 8/40, p_B = 9/40, p_e = (8·9 + 32·31)/1600 = 1064/1600
    #   κ = (1400 − 1064) / (1600 − 1064) = 336/536 = 42/67
    pooled = result.pooled
    assert (pooled.theme, pooled.units, pooled.both, pooled.only_a, pooled.only_b,
            pooled.neither) == (POOLED, 40, 6, 2, 3, 29)
    assert pooled.kappa == 42 / 67
    assert result.mean_kappa == pytest.approx((0.6 + 8 / 23 - 0.25) / 3)


def test_a_unit_counts_when_any_span_overlaps_it(ten_units) -> None:
    qual, transcripts = ten_units
    interviewer = transcripts["G1"].turns[0]
    first_start, _ = unit_span(transcripts, 0)
    _, second_end = unit_span(transcripts, 1)
    a = [Coding("A", "G1", interviewer.start, interviewer.end, ("x",)),  # not a unit
         Coding("A", "G1", interviewer.start + 3, first_start + 1, ("z",)),  # reaches unit 0
         Coding("A", "G1", first_start, second_end, ("y",))]  # units 0 and 1
    b = [Coding("B", "G1", first_start + 4, first_start + 5, ("y",))]
    result = compare(qual, transcripts, [*a, *b], "A", "B")
    assert result.theme("x").only_a == 0 and result.theme("z").only_a == 1
    assert (result.theme("y").both, result.theme("y").only_a) == (1, 1)
    no_roll_up = compare(qual, transcripts, [*a, *b], "A", "B", roll_up=False)
    assert no_roll_up.theme("p").reason == "neither coder used the theme"
    assert compare(qual, transcripts, [*a, *b], "A", "B").theme("p").both == 1


def test_undefined_kappa_and_unknown_coders_are_explained(ten_units) -> None:
    assert kappa_table("t", 10, 0, 0, 0).reason == "both coders coded every unit with the theme"
    assert kappa_table("t", 0, 0, 0, 0).kappa is None
    qual, transcripts = ten_units
    with pytest.raises(CodingError, match=r"No codings by coder 'C'.*\['A'\]"):
        compare(qual, transcripts, codings_on("A", "x", {1}, transcripts), "A", "C")


def test_the_example_coders_agree_moderately_to_well(ten_units) -> None:
    del ten_units
    qual, transcripts = load(EXAMPLE)
    codings = [*read_codings(EXAMPLE / "qual" / "codings-a.csv", qual, transcripts),
               *read_codings(EXAMPLE / "qual" / "codings-b.csv", qual, transcripts)]
    result = compare(qual, transcripts, codings, "koder-a", "koder-b")
    assert result.units == 101  # every participant turn of both groups
    kappas = [t.kappa for t in result.themes]
    assert all(k is not None and 0.5 <= k <= 0.85 for k in kappas)
    assert sum(1 for k in kappas if k is not None and k <= 0.8) >= 15
    assert 0.7 <= (result.pooled.kappa or 0) <= 0.8
    table = agreement_table(result, qual)
    assert "Agreement between koder-a (A) and koder-b (B): 101 participant turns" in table
    assert "\n  dypt_vann " in table and "(alle temaer)" in table
    rows = agreement_csv(result).splitlines()
    assert rows[0] == "coder_a,coder_b,theme,units,both,only_a,only_b,neither,p_o,p_e,kappa,reason"
    assert len(rows) == 1 + len(result.themes) + 1
