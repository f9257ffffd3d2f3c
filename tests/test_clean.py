"""Screening and derived variables, checked against Tabell 2.1, Tabell 3.1 and rules.md."""

from __future__ import annotations

import datetime as dt

import polars as pl

from tverrsnitt.clean import AnalysisData, add_derived, screen
from tverrsnitt.ingest import Ingested
from tverrsnitt.study import Study


def test_screening_counts_each_exclusion_once_at_the_first_step(study: Study,
                                                                export: Ingested) -> None:
    screening = screen(export.frame, study)
    assert screening.answered == 3147
    assert screening.excluded == (("Ikke samtykket", 164), ("Ikke elevrettet arbeid", 660),
                                  ("Lærerutdannet", 64))
    assert screening.excluded_count == 888
    assert screening.analysed_count == 2259


def test_missing_screening_answer_excludes(study: Study, export: Ingested) -> None:
    frame = export.frame.head(10).with_columns(pl.lit(None, dtype=pl.String).cast(
        export.frame.schema["s1_samtykke"]).alias("s1_samtykke"))
    screening = screen(frame, study)
    assert screening.analysed_count == 0
    assert screening.excluded[0] == ("Ikke samtykket", 10)


def test_occupational_groups_follow_tabell_3_1(analysis: AnalysisData) -> None:
    counts = dict(analysis.respondents["yrkesgruppe"].value_counts().iter_rows())
    assert counts == {"Barne- og ungdomsarbeider": 1087, "Skoleassistent/miljøarbeider": 767,
                      "Lærer (uten godkjenning)": 52, "Miljøterapeut/spesped/BSV": 184,
                      "SFO-leder/Base-leder": 54, "Annet": 91, None: 24}


def test_skoleslag_leaves_out_uavhengig_av_trinn(analysis: AnalysisData) -> None:
    frame = analysis.respondents
    independent = frame.filter(pl.col("b3_skoletrinn") == "Uavhengig av trinn")
    assert independent.height == 152
    assert independent["skoleslag"].null_count() == 152
    assert independent["skoletype"].cast(pl.String).unique().to_list() == ["Uavhengig av trinn"]


def test_ufaglaert(analysis: AnalysisData) -> None:
    counts = dict(analysis.respondents["ufaglaert"].value_counts().iter_rows())
    assert counts["Ufaglært"] == 112 + 261  # grunnskole + studieforberedende (Figur 3.1)


def test_age_uses_the_year_of_the_reference_date(study: Study) -> None:
    frame = pl.DataFrame({
        "reg_fodselsar": [1993.0, 1994.0, 1963.0, None],
        "starttid": [dt.datetime(2023, 2, 2)] * 4,
    })
    ages = add_derived(frame, study)["aldersgruppe"].cast(pl.String).to_list()
    assert ages == ["30–39", "Under 30", "60 og over", None]
