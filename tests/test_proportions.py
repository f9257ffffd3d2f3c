"""Proportions with SEs and CIs against R's svyciprop / svyby (fixtures: r/design_crosscheck.R)."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

from tests.test_weight import ESTIMATE_TOL, SE_TOL, read_fixture, respondent_designs, respondents
from tverrsnitt.tabulate.closed_form import intervals, share_and_se
from tverrsnitt.tabulate.proportions import (
    METHODS,
    Method,
    Proportion,
    _interval,
    proportion,
    proportions_by,
)
from tverrsnitt.weight import Design, DesignError

ORDER = ["Barne- og ungdomsarbeider", "Skoleassistent/miljøarbeider", "Lærer (uten godkjenning)",
         "Miljøterapeut/spesped/BSV", "SFO-leder/Base-leder", "Annet"]


def close(got: float, want: float, tol: float) -> bool:
    """Equal within tol, with NaN equal to NaN (R's beta bounds at p = 0 or 1)."""
    return (math.isnan(got) and math.isnan(want)) or abs(got - want) < tol


@pytest.fixture(scope="module")
def computed() -> dict[tuple[str, str, str, str], Proportion]:
    resp = respondents()
    groups = [None if pd.isna(g) else str(g) for g in resp["yrkesgruppe"]]
    has_group = resp["yrkesgruppe"].notna().to_numpy()
    out: dict[tuple[str, str, str, str], Proportion] = {}
    designs = respondent_designs(resp)
    for name in ("unweighted", "made_up", "stratified", "raked", "trimmed"):
        for item in ("q41", "q410", "q51", "q54", "sfo"):
            y = resp[f"{item}_y"].to_numpy() == 1
            base = (resp[f"{item}_base"].to_numpy() == 1) & has_group
            for method in ("logit", "beta", "wilson"):
                rows = proportions_by(designs[name], y, groups, base, method=method, order=ORDER)
                total = proportion(designs[name], y, base, method=method)
                for row in (*rows, total):
                    out[(name, item, method, row.group)] = row
    return out


def test_every_r_number_is_matched(computed: dict[tuple[str, str, str, str], Proportion]) -> None:
    expected = read_fixture("design_proportions.csv")
    assert len(expected) == 5 * 5 * 4 * 7 and len(computed) == 5 * 5 * 3 * 7
    key = ["design", "item", "group"]
    logit = expected[expected["method"] == "logit"].set_index(key)
    xlogit_rows = expected[expected["method"] == "xlogit"].set_index(key)
    # svyglm's IRLS breaks down for a few groups of the raked designs: R's logit returns NaN or 0
    # where svymean gives a share well inside (0, 1). There R's xlogit, the same Wald interval on
    # the logit scale computed from svymean, is the check.
    gap = (logit["estimate"] - xlogit_rows.loc[logit.index, "estimate"]).abs()
    broken = set(logit.index[gap.isna() & (xlogit_rows.loc[logit.index, "se"] > 0) | (gap > 1e-6)])
    assert {k[0] for k in broken} <= {"raked", "trimmed"} and len(broken) <= 4, broken
    keys = list(zip(expected["design"], expected["item"], expected["group"], strict=True))
    in_broken = pd.Series([k in broken for k in keys], index=expected.index)
    method = expected["method"]
    # xlogit is checked everywhere except at p = 0 or 1 (logit of 0 is -inf in R).
    xlogit_ok = (method == "xlogit") & (expected["estimate"] > 0) & (expected["estimate"] < 1)
    checked = expected[((method != "xlogit") & ~((method == "logit") & in_broken)) | xlogit_ok]
    worst = {"estimate": 0.0, "logit_estimate": 0.0, "se": 0.0, "ci": 0.0}
    for row in checked.itertuples():
        method = "logit" if row.method == "xlogit" else str(row.method)
        got = computed[(str(row.design), str(row.item), method, str(row.group))]
        assert got.df == row.df and got.base == row.n, row
        # R's logit estimate is expit of svyglm's IRLS coefficient, which stops within ~1e-9 of
        # the exact ratio; the exact ratio is checked against svymean (beta, xlogit, wilson rows).
        tol = 1e-8 if row.method == "logit" else ESTIMATE_TOL
        assert close(got.estimate, float(row.estimate), tol), (row, got)
        assert close(got.se, float(row.se), SE_TOL), (row, got)
        assert close(got.ci_low, float(row.ci_low), SE_TOL), (row, got)
        assert close(got.ci_high, float(row.ci_high), SE_TOL), (row, got)
        what = "logit_estimate" if row.method == "logit" else "estimate"
        worst[what] = max(worst[what], abs(got.estimate - row.estimate))
        worst["se"] = max(worst["se"], abs(got.se - row.se))
        for a, b in ((got.ci_low, row.ci_low), (got.ci_high, row.ci_high)):
            if not math.isnan(a):
                worst["ci"] = max(worst["ci"], abs(a - b))
    print("largest differences from R:", worst)


def test_groups_come_in_the_given_order(computed: dict[tuple[str, str, str, str], Proportion]) -> None:
    resp = respondents()
    groups = [None if pd.isna(g) else str(g) for g in resp["yrkesgruppe"]]
    design = respondent_designs(resp)["unweighted"]
    y = resp["q41_y"].to_numpy() == 1
    rows = proportions_by(design, y, groups, resp["q41_base"].to_numpy() == 1, order=ORDER)
    assert [r.group for r in rows] == ORDER
    assert rows[0] == computed[("unweighted", "q41", "logit", ORDER[0])]


def test_edge_shares_zero_and_one(computed: dict[tuple[str, str, str, str], Proportion]) -> None:
    # 'sfo' is 1 among SFO-leaders and 0 in every other group.
    sfo = computed[("raked", "sfo", "logit", "SFO-leder/Base-leder")]
    assert (sfo.estimate, sfo.se, sfo.ci_low, sfo.ci_high) == (1.0, 0.0, 1.0, 1.0)
    other = computed[("raked", "sfo", "beta", "Annet")]
    assert other.estimate == 0.0 and math.isnan(other.ci_low) and math.isnan(other.ci_high)
    wilson = computed[("unweighted", "sfo", "wilson", "Annet")]
    t2 = 1.9866745407037255**2  # qt(0.975, 90)
    assert wilson.ci_low == 0.0 and wilson.ci_high == pytest.approx(t2 / (91 + t2), rel=1e-12)


def test_bases_and_weighted_bases(computed: dict[tuple[str, str, str, str], Proportion]) -> None:
    total = computed[("unweighted", "q51", "logit", "Totalt")]
    # rules.md: 2 022 ticked at least one option; the Totalt leaves out those without a yrkesgruppe.
    assert total.base <= 2022 and total.weighted_base == total.base
    assert total.count == pytest.approx(total.estimate * total.base, abs=1e-6)
    raked = computed[("raked", "q51", "logit", "Totalt")]
    assert raked.weighted_count / raked.weighted_base == pytest.approx(raked.estimate, rel=1e-12)


def test_one_psu_gives_nan_interval() -> None:
    # A domain of one unit has degf 0: R's intervals are NaN.
    design = Design.create(np.ones(3))
    got = proportion(design, np.array([True, False, True]), np.array([True, False, False]))
    assert got.df == 0 and math.isnan(got.ci_low) and math.isnan(got.ci_high)


def test_bad_method_is_an_error() -> None:
    design = Design.create(np.ones(3))
    with pytest.raises(DesignError, match="Unknown interval method 'wald'"):
        proportion(design, np.array([True, False, True]), method="wald")  # type: ignore[arg-type]


# ---- the closed form for ids = ~1 (the fast path of the tables) -----------------------------


@pytest.mark.parametrize("method", METHODS)
@pytest.mark.parametrize("name", ["unweighted", "made_up"])
def test_closed_form_equals_the_reference(computed: dict[tuple[str, str, str, str], Proportion],
                                          name: str, method: Method) -> None:
    """Shares, SEs and intervals from per-group sums equal svyciprop's per-cell reference."""
    resp = respondents()
    w = resp["one" if name == "unweighted" else "w_made_up"].to_numpy().astype(float)
    group = resp["yrkesgruppe"].fillna("").to_numpy()
    labels = [*ORDER, "Totalt"]
    checked = 0
    for item in ("q41", "q410", "q51", "q54", "sfo"):
        y = resp[f"{item}_y"].to_numpy() == 1
        base = (resp[f"{item}_base"].to_numpy() == 1) & (group != "")
        domains = [base & (group == g) for g in ORDER] + [base]
        sums = np.array([[d.sum(), w[d].sum(), (w[d] ** 2).sum(), w[d & y].sum(),
                          (w[d & y] ** 2).sum()] for d in domains]).T
        p, se = share_and_se(np.full(len(domains), float(w.size)), *sums[1:])
        low, high = intervals(p, se, sums[0] - 1, sums[0], method)
        for i, label in enumerate(labels):
            want = computed[(name, item, method, label)]
            for got, ref in ((p[i], want.estimate), (se[i], want.se), (low[i], want.ci_low),
                             (high[i], want.ci_high)):
                assert close(float(got), ref, 1e-12), (item, label, got, ref)
            checked += 1
    assert checked == 5 * 7


@pytest.mark.parametrize("method", METHODS)
def test_vectorised_intervals_equal_the_reference_at_the_edges(method: Method) -> None:
    # p = 0 or 1 (then se = 0), se = 0, df <= 0, one unit, and an SE so small that beta
    # quantiles give up.
    cases = [(p, se, df, n) for p in (0.0, 1e-3, 0.3, 0.5, 1.0) for se in (0.0, 1e-10, 0.02, 0.2)
             for df, n in ((0, 1), (1, 2), (4, 5), (299, 300)) if se == 0 or 0 < p < 1]
    p, se, df, n = (np.array(x, dtype=float) for x in zip(*cases, strict=True))
    low, high = intervals(p, se, df, n, method)
    for i, (pi, sei, dfi, ni) in enumerate(cases):
        want = _interval(pi, sei, dfi, ni, ni, method, 0.95)
        assert close(float(low[i]), want[0], 1e-12) and close(float(high[i]), want[1], 1e-12), \
            (cases[i], (low[i], high[i]), want)


def test_vectorised_intervals_refuse_what_the_reference_refuses() -> None:
    with pytest.raises(DesignError, match="Unknown interval method 'wald'"):
        intervals([0.5], [0.1], [10], [11], "wald")  # type: ignore[arg-type]
    with pytest.raises(DesignError, match="between 0 and 1"):
        intervals([0.5], [0.1], [10], [11], "logit", level=95)
