"""The formula guard: exported free text never starts a formula, and reading our own export
gives back exactly what the respondent wrote."""

from __future__ import annotations

import polars as pl
from hypothesis import given
from hypothesis import strategies as st

from tverrsnitt.ingest.guard import FORMULA_START, GUARD, neutralise, unguard, unguard_column

# Text that is rich in the characters the guard is about. No lone surrogates: they are not
# text a file can hold (UTF-8 cannot encode them), and Polars refuses them.
TEXTS = st.text(alphabet=st.sampled_from([*FORMULA_START, GUARD, "a", " ", "1", "ø"])
                | st.characters(exclude_categories=("Cs",)), max_size=12)


@given(TEXTS)
def test_unguard_undoes_neutralise(text: str) -> None:
    assert unguard(neutralise(text)) == text


@given(TEXTS)
def test_a_neutralised_text_never_starts_a_formula(text: str) -> None:
    guarded = neutralise(text)
    assert not guarded.startswith(FORMULA_START)
    assert guarded in (text, GUARD + text)


@given(st.lists(st.none() | TEXTS, max_size=8))
def test_the_column_rule_is_the_text_rule(texts: list[str | None]) -> None:
    cells = pl.Series("svar", texts, dtype=pl.String)
    assert unguard_column(cells).to_list() == [None if t is None else unguard(t) for t in texts]


def test_examples() -> None:
    assert [neutralise(t) for t in ("=1+1", "- ikke noe", "'=x", "Assistent", "a=b", "''")] == [
        "'=1+1", "'- ikke noe", "''=x", "Assistent", "a=b", "''"]
    assert [unguard(t) for t in ("'=1+1", "'- ikke noe", "''=x", "'Assistent", "'")] == [
        "=1+1", "- ikke noe", "'=x", "'Assistent", "'"]
