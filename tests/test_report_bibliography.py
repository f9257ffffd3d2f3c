"""The reference list: built from the works the printed report cites, in Norwegian order, the
same in every format; validate refuses a listed work nothing cites and a citation with no work."""

from __future__ import annotations

from pathlib import Path

import docx
from markupsafe import escape

from tverrsnitt.report.outline import build_outline, norwegian_order
from tverrsnitt.study import Study
from tverrsnitt.study.citations import citations, cites
from tverrsnitt.tabulate import Tables

from .conftest import ExampleReport, edit, problems_of


def test_the_list_holds_the_cited_works_in_order(study: Study, tables: Tables) -> None:
    outline = build_outline(study, tables)
    last = outline.chapters[-1]
    assert (last.anchor, last.number, last.title) == ("referanser", "", "Referanser")
    cited = [w.entry for w in study.report.bibliography]
    assert sorted(last.paragraphs) == sorted(cited)  # every work is cited somewhere
    assert last.paragraphs == sorted(cited, key=norwegian_order)
    assert [p.split(",")[0] for p in last.paragraphs[:3]] == ["Al Sayah", "Alne", "Anthun"]
    assert norwegian_order("Ås") > norwegian_order("Øvre") > norwegian_order("Ære") > \
        norwegian_order("Zahl")


def test_html_and_word_print_the_same_list(example_report: ExampleReport, study: Study) -> None:
    result = example_report.result
    html = (result.out_dir / "report.html").read_text(encoding="utf-8")
    assert '<a href="#referanser">Referanser</a>' in html  # in the contents
    words = [p.text for p in docx.Document(str(result.out_dir / "report.docx")).paragraphs]
    heading = words.index("Referanser")
    for work in study.report.bibliography:
        entry = " ".join(work.entry.split())
        assert str(escape(entry)) in html
        assert entry in words[heading:]


def test_a_work_nothing_cites_and_a_citation_without_a_work(copy: Path, study: Study) -> None:
    index = [w.cite for w in study.report.bibliography].index("Teige og Hedlund 2016")
    line = edit(copy / "report.yaml", "  - cite: Teige og Hedlund 2016\n",
                "  - cite: Ukjent 1999\n    entry: Ukjent, U. (1999). Ingen.\n"
                "  - cite: Teige og Hedlund 2016\n")
    cited = edit(copy / "figures.yaml", "citation: Gjerustad m.fl. 2020",
                 "citation: Gjerustad mfl. 2020")
    message = problems_of(copy)
    assert (f"report.yaml, line {line}, at bibliography[{index}].cite: nothing in the report cites "
            "'Ukjent 1999'") in message
    assert (f"figures.yaml, line {cited}, at references[2 'talis_ss2018'].citation: the citation 'Gjerustad "
            "mfl. 2020' has no work in report.yaml's bibliography; add it there. Did you mean "
            "'Gjerustad m.fl. 2020'?") in message
    # The prose still cites Gjerustad m.fl. 2020, so its work stays: two problems in all.
    assert message.startswith("The study definition has 2 problems")


def test_report_problems_are_listed_beside_figure_problems(copy: Path) -> None:
    # A figure problem does not hide the report's: every problem in one run.
    edit(copy / "figures.yaml", "title: Figur 4.19 Andelen som oppgir å ha samarbeidet, prosent",
         "title: Figur 4.19 Andelen som oppgir å ha samarbeidet, prosent (N=2186)")
    edit(copy / "report.yaml", "  - cite: Teige og Hedlund 2016\n",
         "  - cite: Ukjent 1999\n    entry: Ukjent, U. (1999). Ingen.\n"
         "  - cite: Teige og Hedlund 2016\n")
    message = problems_of(copy)
    assert "the title gives its own N" in message
    assert "nothing in the report cites 'Ukjent 1999'" in message


def test_citations_in_prose_are_read_in_every_usual_form() -> None:
    known = frozenset({"Bergene m.fl. 2021", "Teige og Hedlund 2016", "Al Sayah m.fl. 2014"})
    text = ("Forskningen (blant annet Teige og Hedlund 2016; Al Sayah m.fl.\n2014) viser det. "
            "Som Bergene m.fl. (2021) skriver, gjelder det høsten (Høsten 2021) og i "
            "(Bergene m.fl., 2021), men ikke Meld. St. 21 (2016–2017) eller (Tabell 2.1).")
    assert citations(text, known) == ["Teige og Hedlund 2016", "Al Sayah m.fl. 2014",
                                      "Bergene m.fl. 2021", "Bergene m.fl. 2021"]
    # Without the bibliography the capitalised first word of the sentence cannot be told
    # from a name, so the check would name it as written.
    assert citations("Som Bergene (2021) skriver.") == ["Som Bergene 2021"]
    assert cites("slik Bergene m.fl. (2021) viser", "Bergene m.fl. 2021")
    assert cites("(blant annet NOU 2009:18)", "NOU 2009:18")
    assert not cites("(Bergene m.fl. 2020)", "Bergene m.fl. 2021")


def test_a_citation_without_a_work_is_refused_where_it_is(copy: Path) -> None:
    line = edit(copy / "report.yaml", "    - Oslo, 14. september 2023\n",
                "    - >-\n      Som Bergene mfl. (2021) og andre (Navn 2020) har vist.\n"
                "    - Oslo, 14. september 2023\n")
    message = problems_of(copy)
    assert (f"report.yaml, line {line}, at foreword.paragraphs[2]: the text cites 'Som Bergene "
            "mfl. 2021', but the bibliography has no work with that cite") in message
    assert "Did you mean 'Bergene m.fl. 2021'?" in message
    assert "the text cites 'Navn 2020'" in message


def test_the_foreword_comes_first_and_its_numbers_are_checked(
        copy: Path, study: Study, tables: Tables) -> None:
    outline = build_outline(study, tables)
    assert [(part.anchor, part.title) for part in outline.front] == [
        ("forord", "Forord"), ("sammendrag", "Sammendrag")]
    assert outline.front[0].paragraphs[-2:] == [
        "Oslo, 14. september 2023", "Vibeke Opheim, direktør · Cay Gjerustad, forskningsleder"]
    edit(copy / "report.yaml", "    - Oslo, 14. september 2023\n",
         "    - text: 'Vi takker {svart} som svarte.'\n"
         "      values: {svart: {figure: T2.1, item: svarstatus, category: Svar}}\n"
         "    - Oslo, 14. september 2023\n")
    message = problems_of(copy)
    assert "at foreword.paragraphs[2].values.svart: unknown category of 'svarstatus' 'Svar'" \
        in message
