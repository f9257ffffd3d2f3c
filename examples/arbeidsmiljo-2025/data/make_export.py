"""Make the synthetic exports of the arbeidsmiljo-2025 example: the 2025 wave (data/export.csv)
and the 2023 wave before it (data/export-2023.csv).

The answers are drawn at random (fixed seed) with differences between groups, so the report
has something to show: no real person's answers are in them. The file is written as a survey
tool would export it: UTF-8 with BOM, comma-separated, headers are the question texts, a
battery's header is '<stem> [<statement>]', multi-select answers are labels joined by ';'.

The 2023 wave is drawn the same way with changes planted against 2025 (see WAVE_2023): less
time to do the job well and less violence then (both rise to 2025, significantly), helping each
other unchanged, the statement about quitting worded differently, the agreement scale's ends
called 'Svært …' instead of 'Helt …', and the satisfaction question not yet asked.

Run from the repository root:  python examples/arbeidsmiljo-2025/data/make_export.py
"""

from __future__ import annotations

import csv
import datetime as dt
from pathlib import Path
from typing import Any

import numpy as np

RESPONDENTS = 1400
SEED = 2025
OUT = Path(__file__).with_name("export.csv")
# The earlier wave: fewer answers, its own seed, and what was different then.
RESPONDENTS_2023 = 1100
SEED_2023 = 2023
OUT_2023 = Path(__file__).with_name("export-2023.csv")
WAVE_2023 = {
    # A statement's lean in 2023 (2025's is in STATEMENTS).
    "lean": {"Jeg har nok tid til å gjøre jobben min godt": -1.0,
             "Jeg er ofte sliten etter jobb": 0.45},
    "violence": -0.10,  # added to every workplace's share who met violence or threats
    "reworded": {"Jeg tenker på å slutte i jobben": "Jeg har tenkt på å slutte i jobben"},
    "agree": ["Svært uenig", "Litt uenig", "Verken enig eller uenig", "Litt enig",
              "Svært enig"],
    "not_asked": ["Alt i alt, hvor fornøyd er du med jobben din?"],
}

STEM = "Hvor enig eller uenig er du i disse utsagnene om arbeidsplassen din?"
AGREE = ["Helt uenig", "Litt uenig", "Verken enig eller uenig", "Litt enig", "Helt enig"]
STATEMENTS = {
    "Jeg har nok tid til å gjøre jobben min godt": -0.6,
    "Jeg får støtte fra nærmeste leder når jeg trenger det": 0.4,
    "Vi hjelper hverandre i arbeidsmiljøet": 1.0,
    "Kompetansen min blir brukt på en god måte": 0.3,
    "Jeg er ofte sliten etter jobb": 0.5,
    "Jeg tenker på å slutte i jobben": -0.9,
}
ROLES = ["Helsefagarbeider", "Assistent", "Sykepleier", "Vernepleier", "Annen stilling"]
ROLE_SHARE = [0.42, 0.22, 0.20, 0.10, 0.06]
# A role's lean: towards agreement, and on the 0–10 scales.
ROLE_LEAN = {"Helsefagarbeider": -0.1, "Assistent": 0.2, "Sykepleier": -0.4, "Vernepleier": 0.1,
             "Annen stilling": 0.3}
PLACES = ["Sykehjem", "Hjemmetjenesten", "Bolig med heldøgns omsorg"]
VIOLENCE = {"Sykehjem": 0.45, "Hjemmetjenesten": 0.22, "Bolig med heldøgns omsorg": 0.55}
MEASURES = ["Flere ansatte på vakt", "Mer tid til hver bruker", "Bedre lønn",
            "Mer kompetanseheving", "Bedre ledelse"]
NONE_OF_THESE = "Ingen av disse"
COMMENTS = [
    "For mange brukere per ansatt på kveldsvakt.",
    "Gode kolleger gjør at jeg blir.",
    "Vi trenger flere faste stillinger.",
    "Lederen er lite til stede.",
    "Det er for lite tid til dokumentasjon.",
    "Jeg ønsker meg mer opplæring i velferdsteknologi.",
    "Turnusen gjør det vanskelig å få fri.",
    "Bra arbeidsplass, men for lav lønn.",
]
HEADERS = [
    "Svar-ID", "Startet", "Fullført",
    "Jeg har lest informasjonen om undersøkelsen og vil delta",
    "Hva er din stilling?", "Hvor jobber du?",
    "Hvor mange år har du jobbet i helse og omsorg?",
    "Hvor mange timer jobber du i en vanlig uke?", "Hvilket år er du født?",
    *(f"{STEM} [{statement}]" for statement in STATEMENTS),
    "Hva ville gjort jobben din bedre? (Velg alt som passer)",
    "Har du i løpet av de siste 12 månedene opplevd vold eller trusler om vold på jobb?",
    "Ble den siste hendelsen meldt som avvik?",
    "Hvor sannsynlig er det at du vil anbefale arbeidsplassen din til en venn?",
    "Alt i alt, hvor fornøyd er du med jobben din?",
    "Er det noe mer du vil si om arbeidsmiljøet ditt?",
]


def _missing(rng: np.random.Generator, share: float, value: str) -> str:
    return "" if rng.random() < share else value


def _agreement(rng: np.random.Generator, lean: float, labels: list[str] = AGREE) -> str:
    score = rng.normal(2.0 + lean, 1.1)
    return labels[int(np.clip(np.rint(score), 0, 4))]


def _points(rng: np.random.Generator, centre: float) -> int:
    return int(np.clip(np.rint(rng.normal(centre, 2.0)), 0, 10))


def respondent(rng: np.random.Generator, number: int, wave: dict[str, Any] | None = None,
               year: int = 2025) -> list[str]:
    """One row of the export (of 2025, or of the wave `wave` describes)."""
    wave = wave or {}
    shifts = {**STATEMENTS, **wave.get("lean", {})}
    agree = wave.get("agree", AGREE)
    start = dt.datetime(year, 3, 3, 7) + dt.timedelta(minutes=int(rng.integers(0, 21 * 24 * 60)))
    end = start + dt.timedelta(minutes=int(rng.integers(4, 25)), seconds=int(rng.integers(60)))
    row = [str(number), start.strftime("%Y-%m-%d %H:%M:%S"), end.strftime("%Y-%m-%d %H:%M:%S")]
    if rng.random() < 0.03:
        return [*row, "Nei", *[""] * (len(HEADERS) - 4)]
    role = str(rng.choice(ROLES, p=ROLE_SHARE))
    place = str(rng.choice(PLACES, p=[0.5, 0.35, 0.15]))
    lean = ROLE_LEAN[role]
    years = int(np.clip(rng.gamma(2.2, 5.5 if role != "Assistent" else 2.5), 0, 50))
    hours = float(rng.choice([37.5, 35.5, *np.arange(8.0, 36.0, 2.5).tolist()],
                             p=[0.3, 0.1, *[0.6 / 12] * 12]))
    born = int(np.clip(rng.normal(1983 - years * 0.6, 9), 1950, 2005))
    ticked = [m for m in MEASURES if rng.random() < (0.55 if m != "Bedre ledelse" else 0.25)]
    measures = NONE_OF_THESE if not ticked and rng.random() < 0.6 else ";".join(ticked)
    violent = rng.random() < (VIOLENCE[place] + wave.get("violence", 0.0)
                              + (0.1 if role == "Helsefagarbeider" else 0.0))
    reported = ""
    if violent:
        reported = str(rng.choice(["Ja", "Nei", "Vet ikke"], p=[0.55, 0.3, 0.15]))
    recommend = _points(rng, 7.0 + 2 * lean)
    content = int(np.clip(round(recommend * 0.6 + rng.normal(3.0, 1.2)), 0, 10))
    comment = str(rng.choice(COMMENTS)) if rng.random() < 0.08 else ""
    return [
        *row, "Ja",
        _missing(rng, 0.01, role), _missing(rng, 0.01, place),
        _missing(rng, 0.02, str(years)),
        _missing(rng, 0.03, f"{hours:g}".replace(".", ",")),
        _missing(rng, 0.05, str(born)),
        *(_missing(rng, 0.02, _agreement(rng, shift + lean, agree)) for shift in shifts.values()),
        _missing(rng, 0.02, f"{measures};" if measures else ""),
        _missing(rng, 0.01, "Ja" if violent else "Nei"),
        reported,
        _missing(rng, 0.02, str(recommend)),
        _missing(rng, 0.02, str(content)),
        comment,
    ]


def write(path: Path, headers: list[str], rows: list[list[str]]) -> None:
    with path.open("w", encoding="utf-8-sig", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(headers)
        writer.writerows(rows)


def wave_2023() -> None:
    """The earlier wave's export: its own headers, scale labels and questions."""
    rng = np.random.default_rng(SEED_2023)
    rows = [respondent(rng, number, WAVE_2023, 2023) for number in range(1, RESPONDENTS_2023 + 1)]
    headers = list(HEADERS)
    for now, then in WAVE_2023["reworded"].items():
        headers[headers.index(f"{STEM} [{now}]")] = f"{STEM} [{then}]"
    dropped = [headers.index(h) for h in WAVE_2023["not_asked"]]
    write(OUT_2023, [h for i, h in enumerate(headers) if i not in dropped],
          [[v for i, v in enumerate(row) if i not in dropped] for row in rows])


def main() -> None:
    rng = np.random.default_rng(SEED)
    rows = [respondent(rng, number) for number in range(1, RESPONDENTS + 1)]
    # A few answers break the routing: the follow-up answered although the filter question
    # says no (a tool without routing, or an edited file). The report counts them.
    follow_up = HEADERS.index("Ble den siste hendelsen meldt som avvik?")
    filter_question = follow_up - 1
    broken = [r for r in rows if r[filter_question] == "Nei"][:7]
    for row in broken:
        row[follow_up] = "Vet ikke"
    write(OUT, HEADERS, rows)
    wave_2023()


if __name__ == "__main__":
    main()
