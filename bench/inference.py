"""Benchmark: SEs, CIs and group tests of every figure at 100k / 1M respondents, tverrsnitt vs R survey.

    python bench/inference.py [--sizes 100000 1000000] [--repeat 3] [--quick]

Not a test: it measures and prints. For each size the example export is resampled (as in
bench/report.py) and given random design weights; tverrsnitt's `add_uncertainty` +
`group_differences` are timed, then the same respondents go to R's survey package
(`r/inference_bench.R`: svyby + svyciprop, svychisq, svyby + svycontrast) in the same run, and
the numbers of both are compared. See bench/README.md.
"""

from __future__ import annotations

import argparse
import math
import os
import platform
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterable
from pathlib import Path

import numpy as np
import polars as pl
from r_survey import RResult, export, run_r
from report import best_of, busy_cpu_seconds, children_cpu_seconds, load

from tverrsnitt.clean import prepare
from tverrsnitt.ingest import WEIGHT
from tverrsnitt.study.model import Study
from tverrsnitt.tabulate import Tables, tabulate
from tverrsnitt.tabulate.differences import Differences, group_differences
from tverrsnitt.tabulate.uncertainty import add_uncertainty

RATIO_TARGET = 20.0
TARGET_SIZE = 1_000_000
# At 1,000,000 respondents R takes about 3 s per svyby + svyciprop call and 6 s per test, and the
# report has ~870 calls and 108 tests (about 47 minutes, see bench/README.md). Above --r-all-up-to,
# R (and, for the ratio, tverrsnitt) computes only these figures, about 5 minutes of R: top-2 shares by six
# groups with tests and pairs (4.3), full distributions overall and by two groups (4.14), and a
# multi-select overall and by school type with a test per option (5.1).
DECLARED_SUBSET = ("4.3", "4.14", "5.1")


def weighted_data(size: int, seed: int):
    """The study, the analysed respondents (resampled to `size`, random weights) and tables."""
    study, responses, register = load(size, seed)
    weights = np.random.default_rng(seed + 1).uniform(0.5, 2.5, responses.height)
    data = prepare(study, responses.with_columns(pl.Series(WEIGHT, weights)), register)
    return study, data, tabulate(study, data)


def only(study: Study, tables: Tables, figures: Iterable[str] | None) -> tuple[Study, Tables]:
    """The study and tables restricted to some figures (all when `figures` is None)."""
    if figures is None:
        return study, tables
    wanted = set(figures)
    unknown = wanted - {f.id for f in study.figures}
    if unknown:
        raise SystemExit(f"unknown figures {sorted(unknown)}")
    kept = study.model_copy(update={"figures": tuple(f for f in study.figures if f.id in wanted)})
    return kept, tables.with_rows(r for r in tables if r.figure in wanted)


def ours(study: Study, data, tables: Tables, repeat: int) -> tuple[float, float, Tables, Differences]:
    """Best-of-`repeat` seconds of add_uncertainty and of group_differences, and their results."""
    weights = data.respondents[WEIGHT].to_numpy()
    ci_s, with_ci = best_of(repeat, lambda: add_uncertainty(study, data, tables, "logit"))
    test_s, differences = best_of(repeat, lambda: group_differences(study, data, weights))
    return ci_s, test_s, with_ci, differences  # type: ignore[return-value]


def largest(pairs: Iterable[tuple[float, float]]) -> tuple[float, int]:
    """Largest absolute difference, and how many pairs disagree on being NaN."""
    worst, nan_mismatch = 0.0, 0
    for a, b in pairs:
        if math.isnan(a) or math.isnan(b):
            nan_mismatch += math.isnan(a) != math.isnan(b)
            continue
        worst = max(worst, abs(a - b))
    return worst, nan_mismatch


def census_groups(study: Study) -> set[tuple[str, str]]:
    """(breakdown, group) of the register sides of sample/population figures: no error to compare."""
    return {(c.code, g.label) for c in study.comparisons for g in c.groups if g.source == "register"}


def compare(study: Study, with_ci: Tables, differences: Differences, r: RResult) -> list[str]:
    """Lines with the largest differences between R and us, per kind of number."""
    rows = {row.key: row for row in with_ci}
    missing = [key for key in r.cells if key not in rows or rows[key].se is None]
    census = census_groups(study)
    extra = {k for k, row in rows.items() if row.se is not None and (row.by, row.group) not in census
             } - set(r.cells)
    found = [(rows[k], v) for k, v in r.cells.items() if k not in missing]
    lines = [f"{len(found):,} cells compared ({len(missing)} of R's missing in ours, "
             f"{len(extra)} of ours missing in R's)"]
    for name, index, scale in (("estimate", 0, "weighted_percent"), ("se", 1, "se"),
                               ("ci_low", 2, "ci_low"), ("ci_high", 3, "ci_high")):
        worst, nan = largest((getattr(row, scale) / 100, value[index]) for row, value in found)
        lines.append(f"  {name:<10} max |R - ours| {worst:.2e}{f', {nan} NaN mismatches' if nan else ''}")
    lines.append("  (R's logit estimate and interval come from svyglm's IRLS fit, which stops within "
                 "~1e-9 of the exact ratio we return)")
    tests = {(d.figure, d.item, d.by, d.share or ""): d for d in differences}
    both = [(tests[k], v) for k, v in r.tests.items() if k in tests]
    lines.append(f"{len(both)} Rao–Scott tests compared (R {len(r.tests)}, ours {len(tests)})")
    for name, index in (("F", 0), ("ndf", 1), ("ddf", 2), ("p", 3)):
        ours_value = {"F": "f", "ndf": "ndf", "ddf": "ddf", "p": "p_value"}[name]
        worst, nan = largest((getattr(d.test, ours_value), v[index]) for d, v in both)
        rel, _ = largest((getattr(d.test, ours_value) / v[index], 1.0) for d, v in both if v[index])
        lines.append(f"  {name:<10} max |R - ours| {worst:.2e} (relative {rel:.2e})"
                     f"{f', {nan} NaN mismatches' if nan else ''}")
    pairs = {(d.figure, d.item, d.by, d.share or "", p.first, p.second): p
             for d in differences if d.pairs is not None for p in d.pairs.pairs}
    matched = [(pairs[k], v) for k, v in r.pairs.items() if k in pairs]
    lines.append(f"{len(matched)} pairwise differences compared (R {len(r.pairs)}, ours {len(pairs)})")
    for name, index, attr in (("difference", 0, "difference"), ("se", 1, "se"),
                              ("p", 2, "p_value"), ("p (Holm)", 3, "p_adjusted")):
        worst, nan = largest((getattr(p, attr), v[index]) for p, v in matched)
        lines.append(f"  {name:<10} max |R - ours| {worst:.2e}{f', {nan} NaN mismatches' if nan else ''}")
    return lines


def measure(size: int, repeat: int, seed: int, figures: tuple[str, ...] | None, timeout: float,
            keep: Path | None) -> dict:
    print(f"\n{size:,} respondents" + ("" if figures is None else
                                        f" — R and the ratio on the declared figures {', '.join(figures)}"))
    start = time.perf_counter()
    study, data, tables = weighted_data(size, seed)
    print(f"  {data.respondents.height:,} analysed, {len(tables):,} table rows; data ready in "
          f"{time.perf_counter() - start:.1f} s (untimed)")
    ci_all, test_all, _, _ = ours(study, data, tables, repeat)
    print(f"  tverrsnitt, all {len(study.figures)} figures (best of {repeat}): CIs {ci_all:.3f} s + "
          f"tests {test_all:.3f} s = {ci_all + test_all:.3f} s")
    sub_study, sub_tables = only(study, tables, figures)
    if figures is None:
        ci_s, test_s = ci_all, test_all
        with_ci = add_uncertainty(study, data, tables, "logit")
        differences = group_differences(study, data, data.respondents[WEIGHT].to_numpy())
    else:
        ci_s, test_s, with_ci, differences = ours(sub_study, data, sub_tables, repeat)
        print(f"  tverrsnitt, figures {', '.join(figures)} (best of {repeat}): CIs {ci_s:.3f} s + "
              f"tests {test_s:.3f} s = {ci_s + test_s:.3f} s")
    folder = Path(tempfile.mkdtemp(prefix="bench-inference-"))
    try:
        exported = export(sub_study, data, differences)
        busy, own = busy_cpu_seconds(), children_cpu_seconds()
        r = run_r(sub_study, exported, folder, timeout)
        others = None
        if busy is not None:
            others = max(0.0, (busy_cpu_seconds() - busy - (children_cpu_seconds() - own))
                         / r.wall_seconds)
    finally:
        if keep is None:
            shutil.rmtree(folder)
        else:
            shutil.copytree(folder, keep / f"size-{size}", dirs_exist_ok=True)
            shutil.rmtree(folder)
    print(f"  R survey, same figures, run once: {r.calls} svyby/svyciprop calls {r.cell_seconds:.1f} s "
          f"({r.cell_seconds / max(r.calls, 1) * 1000:.0f} ms per call), {len(exported.tests)} tests "
          f"{r.test_seconds:.1f} s; computing {r.compute_seconds:.1f} s (Rscript wall {r.wall_seconds:.1f} s "
          f"with reading the CSV; other processes kept {others or 0:.2f} cores busy)")
    ratio = r.compute_seconds / (ci_s + test_s)
    print(f"  ratio R / tverrsnitt: {ratio:.0f}x (CIs alone {r.cell_seconds / ci_s:.0f}x, "
          f"tests alone {r.test_seconds / test_s:.0f}x)")
    for line in compare(sub_study, with_ci, differences, r):
        print("  " + line)
    return {"size": size, "ratio": ratio, "ours": ci_s + test_s, "r": r.compute_seconds,
            "subset": figures is not None}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[100_000, TARGET_SIZE])
    parser.add_argument("--repeat", type=int, default=3, help="timed repeats of ours (best kept)")
    parser.add_argument("--seed", type=int, default=2023)
    parser.add_argument("--r-all-up-to", type=int, default=100_000,
                        help="largest size at which R computes every figure; above it, --subset")
    parser.add_argument("--subset", nargs="+", default=list(DECLARED_SUBSET),
                        help="figures R computes above --r-all-up-to")
    parser.add_argument("--timeout", type=float, default=3600, help="seconds allowed per R run")
    parser.add_argument("--keep", type=Path, help="copy R's inputs and outputs to this folder")
    parser.add_argument("--quick", action="store_true",
                        help="smoke run: 20,000 respondents, all figures, one repeat")
    args = parser.parse_args(argv)
    if args.quick:
        args.sizes, args.repeat = [20_000], 1
    if shutil.which("Rscript") is None:
        print("Rscript not found: install R and its survey and data.table packages")
        return 1
    version = subprocess.run(["Rscript", "-e", "cat(R.version.string, 'survey',"
                              " format(packageVersion('survey')))"],
                             capture_output=True, text=True, check=True).stdout.strip()
    print("tverrsnitt inference benchmark (bench/inference.py)")
    print(f"  {platform.platform()}, {os.cpu_count()} CPUs, Python {platform.python_version()}, "
          f"polars {pl.__version__} ({pl.thread_pool_size()} threads), {version}, load average "
          f"{os.getloadavg()[0]:.2f} at start")
    print("  design: svydesign(ids = ~1, weights = ~w), w uniform on [0.5, 2.5]; CIs method 'logit'")
    results = []
    for size in sorted(args.sizes):
        figures = None if size <= args.r_all_up_to else tuple(args.subset)
        results.append(measure(size, args.repeat, args.seed, figures, args.timeout, args.keep))
    print()
    for result in results:
        scope = "declared figures" if result["subset"] else "all figures"
        verdict = ""
        if result["size"] == TARGET_SIZE:
            passed = result["ratio"] >= RATIO_TARGET
            verdict = f"  target >= {RATIO_TARGET:.0f}x: {'PASS' if passed else 'MISS'}"
        print(f"  {result['size']:>9,} respondents, {scope}: R {result['r']:.1f} s, tverrsnitt "
              f"{result['ours']:.3f} s, ratio {result['ratio']:.0f}x{verdict}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
