"""The second bundled study, tabulated independently: a short pandas script reads the raw
export, applies the definition as its comments describe it in words (consent, groups, bands,
routing, net scores), and every row of the report's tables.csv must equal it.

The script shares no code with tverrsnitt; R checks the uncertainty (test_numeric.py).
"""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from tverrsnitt.pipeline import ReportResult, build_report
from tverrsnitt.tabulate import Tables

from .conftest import ROOT

STUDY = ROOT / "examples" / "arbeidsmiljo-2025"
STEM = "Hvor enig eller uenig er du i disse utsagnene om arbeidsplassen din?"
AGREE = ["Helt uenig", "Litt uenig", "Verken enig eller uenig", "Litt enig", "Helt enig"]
BATTERY = {"q1_tid": "Jeg har nok tid til å gjøre jobben min godt",
           "q1_leder": "Jeg får støtte fra nærmeste leder når jeg trenger det",
           "q1_kolleger": "Vi hjelper hverandre i arbeidsmiljøet",
           "q1_kompetanse": "Kompetansen min blir brukt på en god måte",
           "q1_sliten": "Jeg er ofte sliten etter jobb",
           "q1_slutte": "Jeg tenker på å slutte i jobben"}
GROUPS = ["Helsefagarbeider", "Assistent", "Sykepleier/vernepleier", "Annen stilling"]
ROLE = {"Helsefagarbeider": GROUPS[0], "Assistent": GROUPS[1], "Sykepleier": GROUPS[2],
        "Vernepleier": GROUPS[2], "Annen stilling": GROUPS[3]}
PLACES = ["Sykehjem", "Hjemmetjenesten", "Bolig med heldøgns omsorg"]
YEARS = ["0–2", "3–5", "6–10", "11–20", "21 eller mer"]
HOURS = ["Under 20 timer", "20–29,5 timer", "30–35,4 timer", "35,5 timer eller mer"]
AGES = ["Under 30 år", "30–44 år", "45–59 år", "60 år eller eldre"]
ENPS = ["Kritikere (0–6)", "Nøytrale (7–8)", "Ambassadører (9–10)"]
MEASURES = ["Flere ansatte på vakt", "Mer tid til hver bruker", "Bedre lønn",
            "Mer kompetanseheving", "Bedre ledelse", "Ingen av disse"]
POINTS = [str(p) for p in range(11)]

Key = tuple[str, str, str, str, str]


def respondents() -> pd.DataFrame:
    raw = pd.read_csv(STUDY / "data" / "export.csv", dtype=str, keep_default_na=False,
                      encoding="utf-8-sig")
    raw = raw.apply(lambda c: c.str.strip()).replace("", None)
    df = raw[raw["Jeg har lest informasjonen om undersøkelsen og vil delta"] == "Ja"].copy()

    def number(header: str) -> pd.Series:
        return pd.to_numeric(df[header].str.replace(",", ".", regex=False))

    out = pd.DataFrame(index=df.index)
    out["yrkesgruppe"] = df["Hva er din stilling?"].map(ROLE)
    out["b1_rolle"] = df["Hva er din stilling?"]
    out["b2_arbeidssted"] = df["Hvor jobber du?"]
    out["b3_ar"] = number("Hvor mange år har du jobbet i helse og omsorg?")
    out["b4_timer"] = number("Hvor mange timer jobber du i en vanlig uke?")
    start_year = pd.to_datetime(df["Startet"]).dt.year
    age = start_year - number("Hvilket år er du født?")
    out["ansiennitet"] = pd.cut(out["b3_ar"], [-np.inf, 3, 6, 11, 21, np.inf], right=False,
                                labels=YEARS).astype(object)
    out["arbeidstid"] = pd.cut(out["b4_timer"], [-np.inf, 20, 30, 35.5, np.inf], right=False,
                               labels=HOURS).astype(object)
    out["aldersgruppe"] = pd.cut(age, [-np.inf, 29, 44, 59, np.inf], right=True,
                                 labels=AGES).astype(object)
    for code, statement in BATTERY.items():
        out[code] = df[f"{STEM} [{statement}]"]
    out["q2_tiltak"] = df["Hva ville gjort jobben din bedre? (Velg alt som passer)"].map(
        lambda v: [x for x in v.split(";") if x] if isinstance(v, str) else None)
    out["q3_vold"] = df["Har du i løpet av de siste 12 månedene opplevd vold eller trusler om vold på jobb?"]
    # Routing: the follow-up counts only where the filter question says Ja.
    out["q4_meldt"] = df["Ble den siste hendelsen meldt som avvik?"].where(out["q3_vold"] == "Ja")
    out["q5_anbefale"] = df["Hvor sannsynlig er det at du vil anbefale arbeidsplassen din til en venn?"]
    out["q6_fornoyd"] = df["Alt i alt, hvor fornøyd er du med jobben din?"]
    points = pd.to_numeric(out["q5_anbefale"])
    out["anbefaler"] = pd.cut(points, [-np.inf, 6, 8, np.inf], labels=ENPS).astype(object)
    out["q7_kommentar"] = df["Er det noe mer du vil si om arbeidsmiljøet ditt?"]
    return out


def groups_of(df: pd.DataFrame, by: str) -> list[tuple[str, pd.DataFrame]]:
    """The breakdown's groups (in order), then Totalt: everyone with a group."""
    if by == "none":
        return [("Totalt", df)]
    order = {"yrkesgruppe": GROUPS, "b2_arbeidssted": PLACES, "ansiennitet": YEARS,
             "aldersgruppe": AGES}[by]
    return [*((g, df[df[by] == g]) for g in order), ("Totalt", df[df[by].notna()])]


def shares(rows: dict[Key, tuple[int, int, float]], figure: str, item: str, by: str,
           df: pd.DataFrame, column: str, categories: list[str],
           sets: dict[str, list[str]] | None = None) -> None:
    based = df[df[column].notna()]
    for group, part in groups_of(based, by):
        base = len(part)
        for category in [*categories, *(sets or {})]:
            wanted = (sets or {}).get(category, [category])
            count = int(part[column].isin(wanted).sum())
            rows[(figure, item, by, group, category)] = (count, base,
                                                         100 * count / base if base else 0.0)


def numbers(rows: dict[Key, tuple[int, int, float]], figure: str, item: str, by: str,
            df: pd.DataFrame, statistic: str) -> None:
    values = pd.to_numeric(df[item])
    based = df[values.notna()].assign(x=values[values.notna()])
    for group, part in groups_of(based, by):
        if part.empty:
            continue
        n = len(part)
        if statistic == "mean":
            found = {"mean": part["x"].mean()}
        elif statistic == "net":
            found = {"net": 100 * ((part["x"] >= 9).mean() - (part["x"] <= 6).mean())}
        else:
            quartiles = {c: float(np.quantile(part["x"], p, method="inverted_cdf"))
                         for c, p in (("q1", .25), ("median", .5), ("q3", .75))}
            found = ({"median": quartiles["median"]} if statistic == "median" else quartiles)
        for category, value in found.items():
            rows[(figure, item, by, group, category)] = (n, n, float(value))


def expected() -> dict[Key, tuple[int, int, float]]:
    df = respondents()
    rows: dict[Key, tuple[int, int, float]] = {}
    top2 = {"top2": ["Litt enig", "Helt enig"], "bottom2": ["Helt uenig", "Litt uenig"]}
    shares(rows, "2.1", "b3_ar", "yrkesgruppe", df, "ansiennitet", YEARS)
    shares(rows, "2.3", "b4_timer", "aldersgruppe", df, "arbeidstid", HOURS)
    for code in BATTERY:
        shares(rows, "3.1", code, "none", df, code, AGREE, top2)
        based = df[df[code].notna()]
        for group, part in groups_of(based, "yrkesgruppe"):
            count = int(part[code].isin(top2["top2"]).sum())
            rows[("3.2", code, "yrkesgruppe", group, "top2")] = (
                count, len(part), 100 * count / len(part) if len(part) else 0.0)
    for code in ("q1_tid", "q1_leder", "q1_kolleger"):
        based = df[df[code].notna()]
        for group, part in groups_of(based, "b2_arbeidssted"):
            plus, minus = part[code].isin(top2["top2"]).mean(), part[code].isin(top2["bottom2"]).mean()
            rows[("3.3", code, "b2_arbeidssted", group, "net")] = (
                len(part), len(part), 100 * (plus - minus))
    ticked = df[df["q2_tiltak"].map(lambda v: bool(v))]
    for group, part in groups_of(ticked, "yrkesgruppe"):
        for option in MEASURES:
            count = int(part["q2_tiltak"].map(lambda v, o=option: o in v).sum())
            rows[("3.4", "q2_tiltak", "yrkesgruppe", group, option)] = (
                count, len(part), 100 * count / len(part) if len(part) else 0.0)
    shares(rows, "4.1", "q3_vold", "b2_arbeidssted", df, "q3_vold", ["Ja", "Nei"])
    shares(rows, "4.2", "q4_meldt", "none", df, "q4_meldt", ["Ja", "Nei", "Vet ikke"])
    shares(rows, "5.1", "q5_anbefale", "none", df, "q5_anbefale", POINTS)
    shares(rows, "5.3", "q5_anbefale", "yrkesgruppe", df, "anbefaler", ENPS)
    numbers(rows, "2.2", "b4_timer", "yrkesgruppe", df, "mean")
    numbers(rows, "2.2", "b4_timer", "b2_arbeidssted", df, "mean")
    for item in ("b3_ar", "b4_timer"):
        numbers(rows, "T2.2", item, "yrkesgruppe", df, "quantiles")
    numbers(rows, "5.2", "q5_anbefale", "yrkesgruppe", df, "net")
    for item in ("q5_anbefale", "q6_fornoyd"):
        numbers(rows, "5.4", item, "ansiennitet", df, "mean")
    numbers(rows, "T5.1", "q6_fornoyd", "yrkesgruppe", df, "median")
    return rows


@pytest.fixture(scope="module")
def run(tmp_path_factory: pytest.TempPathFactory) -> ReportResult:
    return build_report(STUDY, tmp_path_factory.mktemp("second") / "out", formats=["html"])


def value(tables: Tables, key: Key) -> tuple[int, int, float]:
    row = tables.get(*key)
    assert row is not None, key
    number = row.percent if row.estimate is None or row.category not in (
        "mean", "median", "q1", "q3", "net") else row.estimate
    assert number is not None, key
    return row.count, row.base, number


def test_every_row_equals_the_independent_tabulation(run: ReportResult) -> None:
    want = expected()
    figures = {key[0] for key in want}
    ours = {r.key for r in run.tables if r.figure in figures and r.count > 0}
    assert ours == {k for k, v in want.items() if v[0] > 0}
    for key, (count, base, number) in want.items():
        got = value(run.tables, key)
        assert got[:2] == (count, base), key
        assert math.isclose(got[2], number, rel_tol=1e-12, abs_tol=1e-9), (key, got, number)
    assert len(want) > 250  # 16 of the 17 entries (T2.1 is a count table)


def test_the_report_shows_what_the_second_example_is_for(run: ReportResult) -> None:
    html = (run.out_dir / "report.html").read_text(encoding="utf-8")
    enps = run.tables.get("5.2", "q5_anbefale", "yrkesgruppe", "Totalt", "net")
    hours = run.tables.get("2.2", "b4_timer", "yrkesgruppe", "Totalt", "mean")
    assert enps is not None and enps.estimate is not None and hours is not None
    points = round(enps.estimate)
    assert f"(eNPS) er {'+' if points > 0 else '−'}{abs(points)}" in html
    assert f"{hours.estimate:.1f}".replace(".", ",") + "\u00a0timer" in html
    # The seven planted answers that break the routing are counted, with the file and line.
    assert "«Hendelsen meldt som avvik» (q4_meldt): 9 svar fra respondenter" in html
    assert [f.kind for f in run.quality.findings] == ["routing"]
    assert "Wald F" in html and "95 % KI" in html


def test_the_export_is_what_make_export_writes(tmp_path: Path) -> None:
    import runpy

    target = STUDY / "data" / "export.csv"
    before = target.read_bytes()
    runpy.run_path(str(STUDY / "data" / "make_export.py"), run_name="__main__")
    assert target.read_bytes() == before
