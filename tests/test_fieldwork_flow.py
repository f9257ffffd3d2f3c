"""The questionnaire's rules without a server: routing, skipping, screening, form checks."""

from __future__ import annotations

import datetime as dt

import pytest

from tverrsnitt.fieldwork import flow
from tverrsnitt.fieldwork.form_answers import REQUIRED, format_number, parse_page, shown_values
from tverrsnitt.fieldwork.form_csrf import form_token, valid_form_token
from tverrsnitt.fieldwork.page_view import blocks, problems
from tverrsnitt.fieldwork.ratelimit import StoredLimit
from tverrsnitt.store import Store
from tverrsnitt.study import Study
from tverrsnitt.study.model import Fieldwork

GRAD = ("Ikke i det hele tatt", "I liten grad", "I noen grad", "I stor grad", "I svært stor grad")
PAGE = {"samtykke": 0, "arbeid": 1, "utdanning": 2, "om_deg": 3, "mer_om": 4, "q41": 5, "q44": 6,
        "q46": 7, "q51": 13, "q54": 14, "last": 17}
KEPT = {"s1_samtykke": "Ja", "s2_arbeid": "Jeg jobber elevrettet", "s3_laererutdanning": "Nei"}


@pytest.fixture(scope="module")
def definition(study: Study) -> Fieldwork:
    assert study.fieldwork is not None
    return study.fieldwork


def codes(study: Study, definition: Fieldwork, page: int, answers: dict[str, object]) -> list[str]:
    return [q.code for q in flow.page_questions(study, definition, page, answers)]


def test_conditions_follow_the_tabulation_semantics(study: Study) -> None:
    routed = study.question("q44_mobbing").asked_if
    assert routed is not None  # q41_mobbing >= 'I noen grad'
    assert [flow.holds(routed, study, {"q41_mobbing": g}) for g in GRAD] == [False, False, True,
                                                                             True, True]
    assert not flow.holds(routed, study, {})
    utbytte = study.question("q54_utbytte").asked_if
    assert utbytte is not None  # has_any_except the 'none of them' option
    none = "Har ikke deltatt på noen av aktivitetene"
    assert not flow.holds(utbytte, study, {"q51_aktiviteter": [none]})
    assert flow.holds(utbytte, study, {"q51_aktiviteter": ["Kurs/seminarer"]})
    assert not flow.holds(utbytte, study, {"q51_aktiviteter": []})


def test_q44_asks_only_about_groups_worked_with_to_some_degree(study: Study,
                                                               definition: Fieldwork) -> None:
    answers = {**KEPT, "q41_mobbing": "I noen grad", "q41_fravaer": "I svært stor grad",
               "q41_utagerende": "I liten grad"}
    assert codes(study, definition, PAGE["q44"], answers) == ["q44_mobbing", "q44_fravaer"]


def test_a_page_without_questions_is_skipped_both_ways(study: Study, definition: Fieldwork) -> None:
    # Nobody worked with any group to some degree: the q44 page is skipped forward and back.
    answers = {**KEPT, **{f"q41_{s}": "I liten grad" for s in ("saerskilte_behov", "mobbing")}}
    assert flow.next_page(study, definition, PAGE["q41"], answers) == PAGE["q46"]
    assert flow.previous_page(study, definition, PAGE["q46"], answers) == PAGE["q41"]
    # Full-time, no 'Annet' role: the 'more about your role' page is skipped too.
    answers |= {"b5_heltid": "Heltid", "b2_rolle": "Skoleassistent"}
    assert flow.next_page(study, definition, PAGE["om_deg"], answers) == PAGE["q41"]
    answers["b5_heltid"] = "Deltid"
    assert flow.next_page(study, definition, PAGE["om_deg"], answers) == PAGE["mer_om"]
    assert codes(study, definition, PAGE["mer_om"], answers) == ["b6_stillingsprosent"]
    assert flow.previous_page(study, definition, PAGE["samtykke"], answers) is None
    assert flow.next_page(study, definition, PAGE["last"], answers) is None


def test_current_page_moves_on_when_the_stored_page_no_longer_applies(study: Study,
                                                                      definition: Fieldwork) -> None:
    answers = {**KEPT, "b5_heltid": "Heltid", "b2_rolle": "Skoleassistent"}
    assert flow.current_page(study, definition, PAGE["mer_om"], answers) == PAGE["q41"]
    assert flow.current_page(study, definition, PAGE["q46"], answers) == PAGE["q46"]


def test_answers_no_longer_asked_are_cleared_transitively(study: Study) -> None:
    answers = {"s1_samtykke": "Nei", "s2_arbeid": "Jeg jobber elevrettet",
               "s3_laererutdanning": "Nei", "b5_heltid": "Heltid", "b6_stillingsprosent": 50.0,
               "q41_mobbing": "I liten grad", "q44_mobbing": "I stor grad",
               "b2_rolle": "Skoleassistent", "b2_rolle_annet": "Tolk"}
    # Consent withdrawn clears s2, which clears s3; the other answers lose their routing.
    assert flow.no_longer_asked(study, answers) == {
        "s2_arbeid", "s3_laererutdanning", "b6_stillingsprosent", "q44_mobbing", "b2_rolle_annet"}
    assert flow.no_longer_asked(study, {**KEPT, "q41_mobbing": "I stor grad",
                                        "q44_mobbing": "I stor grad"}) == set()


@pytest.mark.parametrize(("answers", "reason"), [
    ({"s1_samtykke": "Nei"}, "Ikke samtykket"),
    ({"s1_samtykke": "Ja", "s2_arbeid": "Jeg jobber administrativt"}, "Ikke elevrettet arbeid"),
    ({**KEPT, "s3_laererutdanning": "Ja"}, "Lærerutdannet"),
    # Only the first failing step counts (Tabell 2.1 counts each exclusion once).
    ({"s1_samtykke": "Nei", "s2_arbeid": "Jeg jobber administrativt"}, "Ikke samtykket"),
])
def test_screening_stops_at_the_first_failing_step(study: Study, answers: dict[str, object],
                                                   reason: str) -> None:
    screened = flow.screen(study, answers)
    assert screened is not None and screened.reason == reason


def test_screening_keeps_those_who_pass_or_have_not_reached_a_step(study: Study) -> None:
    assert flow.screen(study, KEPT) is None
    assert flow.screen(study, {"s1_samtykke": "Ja"}) is None


def test_the_closing_day_is_still_open(definition: Fieldwork) -> None:
    assert definition.opens == dt.date(2023, 2, 2) and definition.closes == dt.date(2023, 3, 26)
    assert not flow.is_open(definition, dt.date(2023, 2, 1))
    assert flow.is_open(definition, dt.date(2023, 2, 2))
    assert flow.is_open(definition, dt.date(2023, 3, 26))
    assert not flow.is_open(definition, dt.date(2023, 3, 27))


# ----------------------------------------------------------------------------- form parsing


def test_single_choice_and_battery_answers_are_labels(study: Study, definition: Fieldwork) -> None:
    questions = flow.page_questions(study, definition, PAGE["q41"], KEPT)
    form = parse_page(questions, {"q41_mobbing": ["I stor grad"], "q41_fravaer": ["Ja"]})
    assert form.values == {"q41_mobbing": "I stor grad"}
    assert form.errors == {"q41_fravaer": "Velg ett av svaralternativene."}
    assert "q41_nyankomne" in form.blank  # optional: left empty is fine


def test_screening_questions_must_be_answered_to_go_forward(study: Study,
                                                            definition: Fieldwork) -> None:
    questions = flow.page_questions(study, definition, PAGE["samtykke"], {})
    assert parse_page(questions, {}).errors == {"s1_samtykke": REQUIRED}
    assert parse_page(questions, {}, require_screening=False).ok


def test_the_exclusive_option_cannot_be_combined(study: Study) -> None:
    question = study.question("q51_aktiviteter")
    none = "Har ikke deltatt på noen av aktivitetene"
    form = parse_page([question], {"q51_aktiviteter": [none, "Kurs/seminarer"]})
    assert form.errors["q51_aktiviteter"] == f"«{none}» kan ikke kombineres med andre svar."
    assert form.typed["q51_aktiviteter"] == [none, "Kurs/seminarer"]  # shown again as ticked
    ok = parse_page([question], {"q51_aktiviteter": ["Fagbrev", "Kurs/seminarer"]})
    assert ok.values == {"q51_aktiviteter": ["Kurs/seminarer", "Fagbrev"]}  # option order
    assert parse_page([question], {"q51_aktiviteter": ["Noe annet"]}).errors


@pytest.mark.parametrize(("typed", "value", "error"), [
    ("50", 50.0, None), ("37,5", 37.5, None), (" 99 ", 99.0, None), ("1", 1.0, None),
    ("0", None, "Skriv et tall fra 1 til 99."), ("100", None, "Skriv et tall fra 1 til 99."),
    ("femti", None, "Skriv et helt tall eller et desimaltall, for eksempel 50."),
    ("1e2", None, "Skriv et helt tall eller et desimaltall, for eksempel 50."),
    ("", None, None),
])
def test_numbers_are_range_checked_and_kept_as_typed(study: Study, typed: str, value: float | None,
                                                     error: str | None) -> None:
    question = study.question("b6_stillingsprosent")
    form = parse_page([question], {"b6_stillingsprosent": [typed]})
    assert form.values.get("b6_stillingsprosent") == value
    assert form.errors.get("b6_stillingsprosent") == error
    assert form.typed["b6_stillingsprosent"] == typed


def test_free_text_is_trimmed_and_limited(study: Study) -> None:
    question = study.question("b2_rolle_annet")
    form = parse_page([question], {"b2_rolle_annet": ["  Tolk\r\nog miljøarbeider  "]})
    assert form.values == {"b2_rolle_annet": "Tolk\nog miljøarbeider"}
    assert parse_page([question], {"b2_rolle_annet": ["   "]}).blank == {"b2_rolle_annet"}
    assert "høyst 2000 tegn" in parse_page([question], {"b2_rolle_annet": ["x" * 2001]}).errors[
        "b2_rolle_annet"]


def test_saved_answers_are_shown_again_the_norwegian_way(study: Study) -> None:
    questions = [study.question(c) for c in ("b6_stillingsprosent", "q51_aktiviteter", "b5_heltid")]
    shown = shown_values(questions, {"b6_stillingsprosent": 37.5, "q51_aktiviteter": ["Fagbrev"],
                                     "b5_heltid": "Deltid"})
    assert shown == {"b6_stillingsprosent": "37,5", "q51_aktiviteter": ["Fagbrev"],
                     "b5_heltid": "Deltid"}
    assert format_number(80.0) == "80"


def test_battery_statements_form_one_block_and_errors_link_to_fields(study: Study,
                                                                     definition: Fieldwork) -> None:
    questions = flow.page_questions(study, definition, PAGE["om_deg"], KEPT)
    assert [b.kind for b in blocks(questions)] == ["single"] * 5
    q55_page = flow.page_questions(study, definition, 15, KEPT)  # q55 and q56: two batteries
    assert [(b.kind, len(b.questions)) for b in blocks(q55_page)] == [("battery", 4), ("battery", 4)]
    found = problems(q55_page, {"q56_okonomi": "Velg ett av svaralternativene."})
    assert [(p.anchor, p.label) for p in found] == [
        ("q56_okonomi-0", "Jeg har ikke økonomi til å prioritere faglig utvikling")]


def test_the_form_field_is_bound_to_respondent_and_page() -> None:
    token = form_token("secret", 7, 3)
    assert valid_form_token("secret", 7, 3, token)
    assert not valid_form_token("secret", 8, 3, token)
    assert not valid_form_token("secret", 7, 4, token)
    assert not valid_form_token("other", 7, 3, token)
    assert not valid_form_token("secret", 7, 3, None)


def test_a_stored_limit_is_shared_by_workers_and_its_window_ends(store_url: str) -> None:
    now = [1_700_000_000.0]
    first, second = Store(store_url), Store(store_url)  # two workers, one database
    try:
        limit = StoredLimit(first, "wrong-link", 3, 60, clock=lambda: now[0])
        other = StoredLimit(second, "wrong-link", 3, 60, clock=lambda: now[0])
        for _ in range(3):
            assert not limit.exceeded("1.2.3.4")
            other.hit("1.2.3.4")
        assert limit.exceeded("1.2.3.4") and not limit.exceeded("5.6.7.8")
        assert limit.retry_after("1.2.3.4") == 60
        now[0] += 59.5
        assert other.exceeded("1.2.3.4") and other.retry_after("1.2.3.4") == 1
        now[0] += 0.5
        assert not limit.exceeded("1.2.3.4")
        limit.hit("1.2.3.4")  # a new window starts with this event
        assert first.limit_count("wrong-link", "1.2.3.4", dt.datetime.fromtimestamp(
            now[0], dt.UTC), 60) == 1
    finally:
        first.close()
        second.close()
