"""The placement exercise (report 2.2 and 6.3): reading cup positions, the distance table, the diagrams."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
from matplotlib.backends.backend_agg import FigureCanvasAgg

from tverrsnitt.chart.curling import alt_text, curling_figure, draw_curling, extent
from tverrsnitt.errors import ChartError, DataProblem, InputDataError
from tverrsnitt.ingest.placements import MAX_DISTANCE, Placement, angle, distance, read_placements
from tverrsnitt.tabulate.placements import DistanceRow, distance_table

EXAMPLE_CSV = Path(__file__).resolve().parents[1] / "examples" / "skolemiljo-2023" / "qual" / "placement.csv"
HEADER = "group,participant,round,distance,angle,x,y,on_top"
SVG = "{http://www.w3.org/2000/svg}"
PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"

# The education written on each cup in the example (synthetic, like the positions).
EDUCATION = {
    "D1": "Barne- og ungdomsarbeider", "D2": "Barne- og ungdomsarbeider", "D3": "Helsefagarbeider",
    "D4": "Barnevernspedagog", "D5": "Barne- og ungdomsarbeider", "D6": "Barne- og ungdomsarbeider",
    "D7": "Barne- og ungdomsarbeider", "D8": "Ufaglært", "D9": "Vernepleier",
    "D10": "Barne- og ungdomsarbeider", "D11": "Helsefagarbeider", "D12": "Barne- og ungdomsarbeider",
}


def write(tmp_path: Path, *lines: str, header: str = HEADER, name: str = "placement.csv") -> Path:
    path = tmp_path / name
    path.write_text("\n".join([header, *lines]) + "\n", encoding="utf-8")
    return path


def problems(path: Path) -> tuple[DataProblem, ...]:
    with pytest.raises(InputDataError) as caught:
        read_placements(path)
    return caught.value.problems


# ----------------------------------------------------------------------------- reading


def test_both_coordinate_forms_give_the_same_point(tmp_path: Path) -> None:
    path = write(tmp_path,
                 "FG1,D1,laerer,0.5,53.13010235415598,,,nei",  # the 3-4-5 triangle
                 "FG1,D2,laerer,,,0.3,0.4,nei",
                 "FG1,D3,laerer,0.5,90,,,nei",
                 "FG1,D4,laerer,,,0,0.5,nei",
                 "FG1,D5,laerer,0.8,-150,,,nei",
                 "FG1,D6,laerer,,,-0.6928203230275509,-0.4,nei")
    d1, d2, d3, d4, d5, d6 = read_placements(path)
    for first, second in ((d1, d2), (d3, d4), (d5, d6)):
        assert (first.x, first.y) == pytest.approx((second.x, second.y), abs=1e-12)
        assert distance(first) == pytest.approx(distance(second))
        assert angle(first) == pytest.approx(angle(second))
    assert distance(d2) == pytest.approx(0.5)
    assert angle(d5) == pytest.approx(210.0)  # -150° reads as 210°, counter-clockwise from east


def test_reads_norwegian_excel_csv_and_every_on_top_spelling(tmp_path: Path) -> None:
    header = HEADER.replace(",", ";").upper()  # headers match without case
    lines = ["FG2;D7;elev;0,25;90;;;ja", "FG2;D8;Elev;;;-0,2;0,1;Nei", "FG2;D9;E;0.3;0;;;true",
             "FG2;D10;lærer;0.3;0;;;false", "FG2;D11;L;0.3;0;;;1", "FG2;D12;laerer;0.3;0;;;0"]
    path = tmp_path / "excel.csv"
    path.write_bytes(("\n".join([header, *lines]) + "\n").encode("cp1252"))
    placements = read_placements(path)
    assert [p.round for p in placements] == ["elev", "elev", "elev", "laerer", "laerer", "laerer"]
    assert [p.on_top for p in placements] == [True, False, True, False, True, False]
    assert (placements[0].x, placements[0].y) == pytest.approx((0.0, 0.25))
    assert (placements[1].x, placements[1].y) == (-0.2, 0.1)


def test_only_one_coordinate_form_needs_columns(tmp_path: Path) -> None:
    path = write(tmp_path, "FG1,D1,elev,0.1,0.2,ja", header="group,participant,round,x,y,on_top")
    assert read_placements(path) == [Placement("FG1", "D1", "elev", 0.1, 0.2, True)]


BAD_ROWS = [
    # (rows after the header, row, column, value, words of what was expected)
    (["FG1,D1,laerer,0.5,90,0.1,0.2,nei"], 2, "x", "0.1", "not both"),
    (["FG1,D1,laerer,,,,,nei"], 2, "distance", None, "'distance' and 'angle', or 'x' and 'y'"),
    (["FG1,D1,laerer,0.5,,,,nei"], 2, "angle", None, "a number with 'distance'"),
    (["FG1,D1,laerer,,,,0.4,nei"], 2, "x", None, "a number with 'y'"),
    (["FG1,D1,lerer,0.5,90,,,nei"], 2, "round", "lerer", "Did you mean 'laerer'?"),
    (["FG1,D1,elev,0.5,90,,,nei", "FG1,D2,elev,0.4,0,,,ja", "FG1,D1,elev,0.3,10,,,ja"],
     4, "participant", "D1", "already placed in round 'elev' at row 2"),
    (["FG1,D1,elev,-0.2,90,,,nei"], 2, "distance", "-0.2", "from 0 to 1.6 house radii"),
    (["FG1,D1,elev,1.7,90,,,nei"], 2, "distance", "1.7", "from 0 to 1.6 house radii"),
    (["FG1,D1,elev,,,1.5,-1.5,nei"], 2, "x", "1.5", "at most 1.6 house radii from the centre"),
    (["FG1,D1,elev,nær,90,,,nei"], 2, "distance", "nær", "a number (house radii)"),
    (["FG1,D1,elev,0.5,nord,,,nei"], 2, "angle", "nord", "a number (degrees)"),
    (["FG1,D1,elev,0.5,90,,,kanskje"], 2, "on_top", "kanskje", "'ja' or 'nei'"),
    (["FG1,D1,elev,0.5,90,,,"], 2, "on_top", None, "'ja' or 'nei'"),
    (["FG1,,elev,0.5,90,,,ja"], 2, "participant", None, "pseudonym"),
    (["FG1,D1,laerer,0.5,90,,,nei", "FG2,D1,elev,0.5,90,,,ja"], 3, "group", "FG2",
     "participant 'D1' is in that group at row 2"),
]


@pytest.mark.parametrize(("rows", "row", "column", "value", "expected"), BAD_ROWS,
                         ids=["both-forms", "no-position", "half-polar", "half-cartesian", "round",
                              "duplicate", "negative", "too-far", "xy-too-far", "distance-text",
                              "angle-text", "on-top", "on-top-empty", "no-participant", "two-groups"])
def test_every_bad_row_is_located(tmp_path: Path, rows: list[str], row: int, column: str,
                                  value: str | None, expected: str) -> None:
    path = write(tmp_path, *rows)
    (problem,) = problems(path)
    assert (problem.file, problem.row, problem.column, problem.value) == (path, row, column, value)
    assert expected in problem.expected
    assert f"{path}, row {row}, column '{column}'" in str(problem)


def test_all_problems_of_a_file_are_listed_together(tmp_path: Path) -> None:
    path = write(tmp_path, "FG1,D1,laerer,0.5,90,,,nei", "FG1,D2,larer,0.5,90,,,nei",
                 "FG1,D3,laerer,2,90,,,nei", "FG1,D4,laerer,0.5,90,,,kanskje")
    assert [(p.row, p.column) for p in problems(path)] == [(3, "round"), (4, "distance"), (5, "on_top")]


def test_header_problems(tmp_path: Path) -> None:
    (missing,) = problems(write(tmp_path, "FG1,D1,0.5,90,nei",
                                header="group,participant,distance,angle,on_top"))
    assert (missing.row, missing.column, missing.value) == (1, "round", None)
    (no_position,) = problems(write(tmp_path, "FG1,D1,elev,0.5,nei",
                                    header="group,participant,round,distance,on_top"))
    assert (no_position.row, no_position.column) == (1, "distance")
    assert "'x' and 'y'" in no_position.expected
    (typo,) = problems(write(tmp_path, "FG1,D1,elev,0.5,90,nei",
                             header="group,participant,rounds,distance,angle,on_top"))
    assert "Did you mean 'rounds'?" in typo.expected


def test_missing_and_empty_files(tmp_path: Path) -> None:
    (missing,) = problems(tmp_path / "nowhere.csv")
    assert missing.expected == "an existing file"
    (empty,) = problems(write(tmp_path))
    assert empty.value == "(no rows)"


def test_the_example_tells_the_reports_story() -> None:
    """Section 6.3: FG1 spread with two far out in round 1, FG2 closer; in round 2 all close to the
    pupil but FG1's sixth (the SFO leader); five of six and six of six wanted their cup on top."""
    placements = read_placements(EXAMPLE_CSV)
    assert len(placements) == 24
    cells = [line.split(",") for line in EXAMPLE_CSV.read_text(encoding="utf-8").splitlines()[1:]]
    polar = sum(row[5:7] == ["", ""] for row in cells)
    cartesian = sum(row[3:5] == ["", ""] for row in cells)
    assert polar and cartesian and polar + cartesian == 24  # both forms, one per row

    def cups(group: str, round_: str) -> dict[str, Placement]:
        return {p.participant: p for p in placements if p.group == group and p.round == round_}

    fg1_teacher, fg2_teacher = cups("FG1", "laerer"), cups("FG2", "laerer")
    fg1_pupil, fg2_pupil = cups("FG1", "elev"), cups("FG2", "elev")
    assert sorted(fg1_teacher) == sorted(fg1_pupil) == [f"D{i}" for i in range(1, 7)]
    assert sorted(fg2_teacher) == sorted(fg2_pupil) == sorted(f"D{i}" for i in range(7, 13))
    assert sum(distance(p) >= 1.0 for p in fg1_teacher.values()) == 2  # "på sidelinjen"
    assert max(distance(p) for p in fg2_teacher.values()) < 0.6
    assert max(fg1_pupil.values(), key=distance).participant == "D6"
    assert all(distance(p) < 0.3 for k, p in fg1_pupil.items() if k != "D6")
    assert all(distance(p) < 0.3 for p in fg2_pupil.values())
    assert [k for k, p in fg1_pupil.items() if not p.on_top] == ["D6"]
    assert all(p.on_top for p in fg2_pupil.values())
    assert not any(p.on_top for p in [*fg1_teacher.values(), *fg2_teacher.values()])


# ----------------------------------------------------------------------------- table


def test_distance_table_against_hand_computed_values(tmp_path: Path) -> None:
    path = write(tmp_path,
                 "FG1,A,laerer,,,0.3,0.4,nei",  # 0.5
                 "FG1,B,laerer,1.0,180,,,nei",  # 1.0
                 "FG1,A,elev,,,0,0.2,ja",  # 0.2
                 "FG1,B,elev,,,0.6,0.8,nei",  # 1.0
                 "FG2,C,laerer,0.25,270,,,nei",  # 0.25
                 "FG2,C,elev,,,0.12,0.16,ja",  # 0.2
                 "FG2,Z,elev,0.4,0,,,ja")  # 0.4, no education given
    education = {"A": "Barne- og ungdomsarbeider", "B": "Helsefagarbeider", "C": "Barne- og ungdomsarbeider"}
    rows = distance_table(read_placements(path), education)
    expected = [
        DistanceRow("utdanning", "Barne- og ungdomsarbeider", "laerer", 2, 0.375, 0.25, 0.5, 0),
        DistanceRow("utdanning", "Barne- og ungdomsarbeider", "elev", 2, 0.2, 0.2, 0.2, 2),
        DistanceRow("utdanning", "Helsefagarbeider", "laerer", 1, 1.0, 1.0, 1.0, 0),
        DistanceRow("utdanning", "Helsefagarbeider", "elev", 1, 1.0, 1.0, 1.0, 0),
        DistanceRow("utdanning", "Ikke oppgitt", "elev", 1, 0.4, 0.4, 0.4, 1),
        DistanceRow("gruppe", "FG1", "laerer", 2, 0.75, 0.5, 1.0, 0),
        DistanceRow("gruppe", "FG1", "elev", 2, 0.6, 0.2, 1.0, 1),
        DistanceRow("gruppe", "FG2", "laerer", 1, 0.25, 0.25, 0.25, 0),
        DistanceRow("gruppe", "FG2", "elev", 2, 0.3, 0.2, 0.4, 2),
        DistanceRow("alle", "Totalt", "laerer", 3, 1.75 / 3, 0.25, 1.0, 0),
        DistanceRow("alle", "Totalt", "elev", 4, 1.8 / 4, 0.2, 1.0, 3),
    ]
    assert len(rows) == len(expected)
    for got, want in zip(rows, expected, strict=True):
        assert (got.by, got.label, got.round, got.participants, got.on_top) == (
            want.by, want.label, want.round, want.participants, want.on_top)
        assert (got.mean, got.minimum, got.maximum) == pytest.approx((want.mean, want.minimum, want.maximum))


def test_distance_table_of_the_example_matches_the_groups() -> None:
    rows = distance_table(read_placements(EXAMPLE_CSV), EDUCATION)
    groups = {(r.label, r.round): r for r in rows if r.by == "gruppe"}
    assert groups["FG1", "laerer"].mean > groups["FG2", "laerer"].mean  # "tettere på læreren"
    assert groups["FG1", "elev"].on_top == 5 and groups["FG2", "elev"].on_top == 6
    total = {r.round: r for r in rows if r.by == "alle"}
    assert total["laerer"].participants == total["elev"].participants == 12
    assert total["elev"].mean < total["laerer"].mean  # closer to the pupil than to the teacher
    by_education = [r for r in rows if r.by == "utdanning"]
    assert sum(r.participants for r in by_education if r.round == "elev") == 12
    assert [r.label for r in by_education][::2] == list(dict.fromkeys(EDUCATION.values()))


# ----------------------------------------------------------------------------- diagrams


@pytest.fixture(scope="module")
def example() -> list[Placement]:
    return read_placements(EXAMPLE_CSV)


@pytest.fixture(scope="module")
def drawn(example: list[Placement], tmp_path_factory: pytest.TempPathFactory
          ) -> dict[tuple[str, str], tuple[Path, Path]]:
    folder = tmp_path_factory.mktemp("curling") / "figurer"
    return {(group, round_): draw_curling(example, group, round_, EDUCATION, folder / f"{group}-{round_}")
            for group in ("FG1", "FG2") for round_ in ("laerer", "elev")}


COMBINATIONS = [("FG1", "laerer"), ("FG1", "elev"), ("FG2", "laerer"), ("FG2", "elev")]


@pytest.mark.parametrize(("group", "round_"), COMBINATIONS)
def test_diagram_files_labels_centre_and_stars(drawn: dict[tuple[str, str], tuple[Path, Path]],
                                               example: list[Placement], group: str, round_: str) -> None:
    svg, png = drawn[group, round_]
    assert svg.name == f"{group}-{round_}.svg" and png.name == f"{group}-{round_}.png"
    assert png.read_bytes().startswith(PNG_SIGNATURE)
    root = ET.parse(svg).getroot()
    texts = [t.text or "" for t in root.iter(f"{SVG}text")]
    cups = [p for p in example if p.group == group and p.round == round_]
    for cup in cups:
        # A label is wrapped onto lines, one text element each; the words are all there.
        words = " ".join(t.text or "" for g in root.iter(f"{SVG}g")
                         if g.get("id", "").startswith(f"etikett-{cup.participant}-")
                         for t in g.iter(f"{SVG}text"))
        assert words.split() == EDUCATION[cup.participant].split()
    assert ("L" if round_ == "laerer" else "E") in texts
    ids = [element.get("id", "") for element in root.iter()]
    assert sum(i.startswith("oppaa-") for i in ids) == sum(p.on_top for p in cups)
    assert sorted(i for i in ids if i.startswith("kopp-") and not i.endswith("-bunn")) == sorted(
        f"kopp-{p.participant}" for p in cups)
    assert ("tegnforklaring-oppaa" in ids) == any(p.on_top for p in cups)


def test_labels_overlap_neither_each_other_nor_the_edge(example: list[Placement]) -> None:
    for group, round_ in COMBINATIONS:
        figure = curling_figure(example, group, round_, EDUCATION)
        renderer = FigureCanvasAgg(figure).get_renderer()
        page = figure.bbox
        boxes = {}
        for text in figure.texts:
            gid = text.get_gid() or ""
            if gid.startswith("etikett-"):
                extent_ = text.get_window_extent(renderer)
                assert page.x0 <= extent_.x0 and extent_.x1 <= page.x1
                assert page.y0 <= extent_.y0 and extent_.y1 <= page.y1
                boxes[gid] = extent_
        participants = {gid.rsplit("-", 1)[0] for gid in boxes}
        assert len(participants) == 6
        for first in boxes:
            for second in boxes:
                if first.rsplit("-", 1)[0] != second.rsplit("-", 1)[0]:
                    assert not boxes[first].overlaps(boxes[second]), (group, round_, first, second)


def test_diagram_size_and_shared_scale(drawn: dict[tuple[str, str], tuple[Path, Path]],
                                       example: list[Placement]) -> None:
    # The PNG's width is the first field of its IHDR chunk.
    widths = {int.from_bytes(png.read_bytes()[16:20], "big") for _, png in drawn.values()}
    assert widths == {round(5.5 * 150)}  # 14 cm at 150 dpi, the report's chart resolution
    # The farthest cup (FG1's "på sidelinjen", 1.30) sets one scale for all four diagrams.
    assert extent(example) == pytest.approx(1.30 + 0.3)
    assert extent([Placement("G", "P", "elev", 0.2, 0.0, True)]) == pytest.approx(1.3)
    assert extent([Placement("G", "P", "elev", MAX_DISTANCE, 0.0, True)]) == pytest.approx(MAX_DISTANCE + 0.3)


def test_alt_text(example: list[Placement]) -> None:
    assert alt_text(example, "FG1", "elev") == (
        "Curlingbo sett ovenfra med eleven (E) i sentrum, fokusgruppe 1: 6 kopper; gjennomsnittlig "
        "avstand 0,35 husradier (fra 0,22 til 0,85); 5 ønsket å plassere koppen oppå.")
    teacher = alt_text(example, "FG2", "laerer")
    assert teacher.startswith("Curlingbo sett ovenfra med læreren (L) i sentrum, fokusgruppe 2: 6 kopper")
    assert "oppå" not in teacher  # nobody was asked in the first round


def test_nothing_to_draw_is_a_chart_error(example: list[Placement], tmp_path: Path) -> None:
    with pytest.raises(ChartError, match="FG3"):
        draw_curling(example, "FG3", "elev", EDUCATION, tmp_path / "x")
    with pytest.raises(ChartError, match="round"):
        draw_curling(example, "FG1", "pupil", EDUCATION, tmp_path / "x")
    assert not list(tmp_path.iterdir())


def test_unlabelled_cups_show_the_pseudonym(example: list[Placement], tmp_path: Path) -> None:
    svg, _ = draw_curling(example, "FG2", "elev", {}, tmp_path / "pseudonym")
    texts = {t.text for t in ET.parse(svg).getroot().iter(f"{SVG}text")}
    assert {f"D{i}" for i in range(7, 13)} <= texts


def test_a_diagram_of_no_cups_or_an_unknown_round_is_refused() -> None:
    example = read_placements(EXAMPLE_CSV)
    with pytest.raises(ChartError, match="Unknown round 'rektor'"):
        curling_figure(example, "FG1", "rektor", EDUCATION)
    with pytest.raises(ChartError, match=r"No placements of group 'FG9' in round 'laerer'.*FG1, FG2"):
        curling_figure(example, "FG9", "laerer", EDUCATION)
