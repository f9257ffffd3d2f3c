"""REFI-QDA exchange: the .qdpx project and .qdc codebook validate against the REFI-QDA schemas."""

from __future__ import annotations

import io
import zipfile
from pathlib import Path

import pytest
from lxml import etree

from tverrsnitt.clean.merge_codings import merge
from tverrsnitt.cli import cli, main
from tverrsnitt.cli_qual import load, qual
from tverrsnitt.errors import InputDataError
from tverrsnitt.ingest.codings import Coding, CodingError, ThemeMemo, read_codings
from tverrsnitt.ingest.transcripts import Transcript
from tverrsnitt.report.refi import (
    CODEBOOK_NS,
    PROJECT_NS,
    export_codebook,
    export_project,
    known_codes,
    read_codebook,
    themes_yaml,
    unique_code,
    validate,
)
from tverrsnitt.study.qual import QualDefinition

from .conftest import EXAMPLE

SCHEMAS = Path(__file__).resolve().parents[1] / "src" / "tverrsnitt" / "report" / "schemas"
NS = {"q": PROJECT_NS}

if "qual" not in cli.commands:  # until cli.py registers the group
    cli.add_command(qual)


def schema(name: str) -> etree.XMLSchema:
    return etree.XMLSchema(etree.parse(str(SCHEMAS / name)))


@pytest.fixture(scope="module")
def example() -> tuple[QualDefinition, dict[str, Transcript], list[Coding]]:
    definition, transcripts = load(EXAMPLE)
    codings = [*read_codings(EXAMPLE / "qual" / "codings-a.csv", definition, transcripts),
               *read_codings(EXAMPLE / "qual" / "codings-b.csv", definition, transcripts)]
    consensus = merge(codings, as_coder="konsensus").codings
    return definition, transcripts, [*codings, *consensus]


@pytest.fixture(scope="module")
def qdpx(example) -> bytes:
    definition, transcripts, codings = example
    memos = [ThemeMemo("dypt_vann", "Vikartimer uten opplegg går igjen i begge gruppene.",
                       "koder-a")]
    return export_project(definition, transcripts, codings, name="skolemiljo-2023",
                          title="Skolemiljøansatte", theme_memos=memos).zip_bytes()


def test_the_exported_project_validates_against_the_refi_qda_schema(qdpx: bytes) -> None:
    with zipfile.ZipFile(io.BytesIO(qdpx)) as archive:
        names = archive.namelist()
        project = archive.read("project.qde")
    assert names[0] == "project.qde" and all(n.startswith("sources/") for n in names[1:])
    document = etree.fromstring(project)
    checker = schema("Project-mrt2019.xsd")
    assert checker.validate(document), checker.error_log
    assert validate(project) == []
    assert project.startswith(b'<?xml version="1.0" encoding="utf-8"?>')


def test_the_schema_check_is_not_vacuous(qdpx: bytes) -> None:
    with zipfile.ZipFile(io.BytesIO(qdpx)) as archive:
        document = etree.fromstring(archive.read("project.qde"))
    selection = document.find(".//q:PlainTextSelection", NS)
    assert selection is not None
    del selection.attrib["startPosition"]
    document.find(".//q:Code", NS).set("guid", "not-a-guid")  # type: ignore[union-attr]
    errors = validate(etree.tostring(document))
    assert any("startPosition" in e for e in errors) and any("not-a-guid" in e for e in errors)


def test_selections_point_at_the_coded_text_of_the_anonymised_sources(example, qdpx: bytes) -> None:
    definition, transcripts, codings = example
    with zipfile.ZipFile(io.BytesIO(qdpx)) as archive:
        document = etree.fromstring(archive.read("project.qde"))
        files = {name: archive.read(name).decode("utf-8") for name in archive.namelist()[1:]}
    users = {u.get("guid"): u.get("name") for u in document.iterfind(".//q:User", NS)}
    codes = {c.get("guid"): c.get("name") for c in document.iterfind(".//q:Code", NS)}
    notes = {n.get("guid"): n for n in document.iterfind(".//q:Note", NS)}
    code_of = {t.name: t.code for t in definition.themes_by_code().values()}
    exported = set()
    for source in document.iterfind(".//q:TextSource", NS):
        group = source.get("name", "").split()[0]
        path = source.get("plainTextPath", "")
        assert path.startswith("internal://")
        text = files["sources/" + path.removeprefix("internal://")]
        assert text == transcripts[group].text  # the anonymised text, as coded
        assert "Kari" not in text and "Nordmann" not in text and "Berit" not in text
        for selection in source.iterfind("q:PlainTextSelection", NS):
            start, end = int(selection.get("startPosition", "")), int(selection.get("endPosition", ""))
            coder = users[selection.get("creatingUser")]
            refs = [c.find("q:CodeRef", NS).get("targetGUID") for c in selection.iterfind("q:Coding", NS)]
            themes = tuple(sorted(code_of[codes[ref]] for ref in refs))
            exported.add((coder, group, start, end, themes))
            for ref in selection.iterfind("q:NoteRef", NS):
                assert ref.get("targetGUID") in notes
    assert exported == {(c.coder, c.group, c.start, c.end, c.themes) for c in codings}
    # The cut quote of segment dypt-vann: two selections named by the segment.
    named = [s for s in document.iterfind(".//q:PlainTextSelection", NS) if s.get("name") == "dypt-vann"]
    assert len(named) == 6  # two spans, by koder-a, koder-b and the consensus
    memo = next(n for n in notes.values() if n.get("name") == "Memo: Kastet ut på dypt vann")
    assert memo.findtext("q:PlainTextContent", namespaces=NS) == (
        "Vikartimer uten opplegg går igjen i begge gruppene.")


def test_cases_carry_education_and_job_title(qdpx: bytes) -> None:
    with zipfile.ZipFile(io.BytesIO(qdpx)) as archive:
        document = etree.fromstring(archive.read("project.qde"))
    variables = {v.get("guid"): v.get("name") for v in document.iterfind(".//q:Variable", NS)}
    cases = {c.get("name"): c for c in document.iterfind(".//q:Case", NS)}
    assert sorted(cases, key=lambda n: int(n[1:])) == [f"D{i}" for i in range(1, 13)]
    values = {variables[v.find("q:VariableRef", NS).get("targetGUID")]:
              v.findtext("q:TextValue", namespaces=NS)
              for v in cases["D6"].iterfind("q:VariableValue", NS)}
    assert values == {"Utdanning": "Fagbrev barne- og ungdomsarbeider", "Stilling": "SFO-leder",
                      "Fokusgruppe": "FG1"}


def test_exports_are_reproducible(example, qdpx: bytes) -> None:
    definition, transcripts, codings = example
    memos = [ThemeMemo("dypt_vann", "Vikartimer uten opplegg går igjen i begge gruppene.",
                       "koder-a")]
    again = export_project(definition, transcripts, list(reversed(codings)), name="skolemiljo-2023",
                           title="Skolemiljøansatte", theme_memos=memos).zip_bytes()
    assert again == qdpx
    other = export_project(definition, transcripts, codings, name="en-annen-studie").zip_bytes()
    assert other != qdpx


def test_codings_that_do_not_fit_are_not_exported(example) -> None:
    definition, transcripts, _ = example
    late = Coding("k", "FG1", 10, len(transcripts["FG1"].text) + 5, ("dypt_vann",))
    with pytest.raises(CodingError, match="past the end of the anonymised transcript"):
        export_project(definition, transcripts, [late], name="s")


# ----------------------------------------------------------------------------- codebook


def test_the_codebook_validates_and_comes_back_as_the_same_themes(example, tmp_path: Path) -> None:
    definition = example[0]
    data = export_codebook(definition.themes, name="skolemiljo-2023")
    document = etree.fromstring(data)
    checker = schema("Codebook-mrt2019.xsd")
    assert checker.validate(document), checker.error_log
    assert etree.QName(document).namespace == CODEBOOK_NS
    path = tmp_path / "kodebok.qdc"
    path.write_bytes(data)
    known = known_codes(definition.themes, name="skolemiljo-2023")
    assert read_codebook(path, known=known) == list(definition.themes)
    fresh = read_codebook(path)  # another study: codes made from the names
    assert [t.code for t in fresh] == ["kompetanse_i_bruk", "samarbeid_og_laget_rundt_eleven",
                                       "kompetanseheving", "verdsettelse_og_anerkjennelse",
                                       "forskjeller_mellom_skoleslag", "plassering_i_curlingboet"]
    assert fresh[0].children[2].code == "kastet_ut_pa_dypt_vann"
    assert fresh[0].children[2].description == definition.themes_by_code()["dypt_vann"].description
    text = themes_yaml(read_codebook(path, known=known))
    assert text.startswith("themes:\n- code: kompetanse\n  name: Kompetanse i bruk\n")


def test_a_codebook_from_another_tool_is_read(tmp_path: Path, qdpx: bytes) -> None:
    path = tmp_path / "atlas.qdc"
    path.write_text(
        '<?xml version="1.0" encoding="utf-8"?>\n'
        '<CodeBook xmlns="urn:QDA-XML:codebook:1.0" origin="ATLAS.ti"><Codes>'
        '<Code guid="1FF58B12-6F6F-4B0C-8BE5-BBDC91F55294" name="Trivsel" isCodable="true">'
        '<Description>Hvordan  de\n har det</Description>'
        '<Code guid="2FF58B12-6F6F-4B0C-8BE5-BBDC91F55294" name="Trivsel" isCodable="true"/>'
        '</Code></Codes></CodeBook>', encoding="utf-8")
    (theme,) = read_codebook(path)
    assert (theme.code, theme.name, theme.description) == ("trivsel", "Trivsel", "Hvordan de har det")
    assert theme.children[0].code == "trivsel_2"
    project = tmp_path / "prosjekt.qdpx"
    project.write_bytes(qdpx)
    assert len(read_codebook(project)) == 6
    assert unique_code("Ærlig & åpent!", set()) == "aerlig_apent"


@pytest.mark.parametrize(("content", "expected"), [
    (b"<CodeBook><Codes>", "well-formed REFI-QDA XML"),
    (b"<Project2/>", "a <CodeBook> element at the top (found <Project2>)"),
    (b'<CodeBook xmlns="urn:QDA-XML:codebook:1.0"><Codes/></CodeBook>', "at least one <Code>"),
])
def test_a_broken_codebook_is_named(tmp_path: Path, content: bytes, expected: str) -> None:
    path = tmp_path / "kodebok.qdc"
    path.write_bytes(content)
    with pytest.raises(InputDataError) as caught:
        read_codebook(path)
    assert expected in str(caught.value) and str(path) in str(caught.value)


# ----------------------------------------------------------------------------- the commands


def run(*args: str) -> int:
    return main(list(args))


def test_the_commands_import_merge_compare_and_export(tmp_path: Path,
                                                      capsys: pytest.CaptureFixture[str]) -> None:
    db = f"sqlite:///{tmp_path / 'qual.db'}"
    files = [str(EXAMPLE / "qual" / "codings-a.csv"), str(EXAMPLE / "qual" / "codings-b.csv")]
    assert run("qual", "import-codings", str(EXAMPLE), "--db", db, *files) == 0
    assert "codings-a.csv: 84 added" in capsys.readouterr().out
    assert run("qual", "import-codings", str(EXAMPLE), "--db", db, files[0]) == 0
    assert "codings-a.csv: 0 added, 0 updated, 84 unchanged" in capsys.readouterr().out
    assert run("qual", "merge", str(EXAMPLE), "--db", db, "--coders", "koder-a,koder-b",
               "--as", "konsensus") == 0
    assert "konsensus: 107 codings, 60 made alike by koder-a and koder-b" in capsys.readouterr().out
    assert run("qual", "agreement", str(EXAMPLE), "--db", db, "--coders", "koder-a,koder-b",
               "--csv", str(tmp_path / "enighet.csv")) == 0
    assert "dypt_vann" in capsys.readouterr().out and (tmp_path / "enighet.csv").is_file()
    out, book = tmp_path / "ut" / "fokusgrupper.qdpx", tmp_path / "kodebok.qdc"
    assert run("qual", "export", str(EXAMPLE), "--db", db, "--out", str(out),
               "--codebook", str(book)) == 0
    assert "274 codings by 3 coders" in capsys.readouterr().out
    with zipfile.ZipFile(out) as archive:
        assert validate(archive.read("project.qde")) == []
    assert [p.name for p in out.parent.iterdir()] == ["fokusgrupper.qdpx"]  # no temporary left
    assert run("qual", "import-codebook", str(book), "--study", str(EXAMPLE)) == 0
    assert capsys.readouterr().out.startswith("themes:\n- code: kompetanse\n")


def test_the_commands_name_bad_input_with_exit_code_1(tmp_path: Path,
                                                      capsys: pytest.CaptureFixture[str]) -> None:
    db = f"sqlite:///{tmp_path / 'qual.db'}"
    bad = tmp_path / "koder.csv"
    bad.write_text("coder,group,turn,quote,themes\nk,FG1,13,dypt vann,dyptvann\n", encoding="utf-8")
    assert run("qual", "import-codings", str(EXAMPLE), "--db", db, str(bad)) == 1
    assert "row 2, column 'themes': found 'dyptvann'" in capsys.readouterr().err
    assert run("qual", "agreement", str(EXAMPLE), "--db", db, "--coders", "a") == 1
    assert "give two different coders" in capsys.readouterr().err
    # The refused import stored nothing, not even an empty database to read from.
    assert run("qual", "agreement", str(EXAMPLE), "--db", db, "--coders", "a,b") == 1
    assert "No database at" in capsys.readouterr().err and not (tmp_path / "qual.db").exists()
    assert run("qual", "export", str(EXAMPLE), "--db", db, "--out", str(tmp_path / "p.zip")) == 1
    assert "ends in .qdpx" in capsys.readouterr().err
    # Without files, the ones qual.yaml declares are read.
    assert run("qual", "import-codings", str(EXAMPLE), "--db", db) == 0
    assert "codings-a.csv: 84 added" in capsys.readouterr().out
    assert run("qual", "agreement", str(EXAMPLE), "--db", db, "--coders", "a,b") == 1
    assert "No codings by coder 'a'" in capsys.readouterr().err
    assert not (tmp_path / "p.zip").exists()
