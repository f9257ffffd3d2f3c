"""Benchmark: the full 2023 report, and all figures at 100k / 1M respondents, Polars vs pandas vs DuckDB.

    python bench/report.py [--sizes 100000 1000000] [--repeat 3]

Not a test: it measures and prints, and checks that every engine gives the same rows. Each
measurement runs in its own Python process (this script with `--only ...`), so that its peak
memory (ru_maxrss) belongs to that engine alone and one engine's garbage does not slow another.
See bench/README.md.
"""

from __future__ import annotations

import argparse
import gc
import json
import os
import pickle
import platform
import resource
import shutil
import subprocess
import sys
import tempfile
import time
import traceback
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
STUDY = ROOT / "examples" / "skolemiljo-2023"
EXPORT = STUDY / "data" / "export.csv"
REGISTER = STUDY / "data" / "register.csv"
MARK = "@@bench-result "

# The targets of the project's issue (2-core machine).
REPORT_TARGET_S = 10.0
TABULATE_TARGET_S = 5.0
TABULATE_TARGET_SIZE = 1_000_000
PANDAS_RATIO_TARGET = 5.0
MEMORY_TARGET_GB = 4.0

# engine name (for --engines) -> label in the output
ENGINES = {
    "polars": "Polars engine (tverrsnitt.tabulate)",
    "duckdb": "DuckDB cubes, Enum codes, one query per item",
    "duckdb-union": "DuckDB cubes, Enum codes, all items in one UNION ALL",
    "duckdb-labels": "DuckDB cubes, labels as VARCHAR, one query per item",
    "pandas": "plain pandas (bench/pandas_baseline.py)",
}
DEFAULT_ENGINES = ["polars", "duckdb", "duckdb-union", "duckdb-labels", "pandas"]


# ----------------------------------------------------------------------------- helpers


def peak_rss_gb(who: int = resource.RUSAGE_SELF) -> float:
    """Peak resident set size so far; ru_maxrss is in KiB on Linux (bytes on macOS)."""
    peak = resource.getrusage(who).ru_maxrss
    return peak / 1e9 if sys.platform == "darwin" else peak * 1024 / 1e9


def current_rss_gb() -> float | None:
    """Resident set size right now (Linux only), to show what the loaded data itself takes."""
    try:
        pages = int(Path("/proc/self/statm").read_text().split()[1])
    except (OSError, ValueError, IndexError):
        return None
    return pages * os.sysconf("SC_PAGE_SIZE") / 1e9


def busy_cpu_seconds() -> float | None:
    """CPU time the whole machine has spent busy since boot (Linux /proc/stat), or None."""
    try:
        values = [int(v) for v in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:9]]
    except (OSError, ValueError):
        return None
    idle = values[3] + values[4]  # idle + iowait
    return (sum(values) - idle) / os.sysconf("SC_CLK_TCK")


def children_cpu_seconds() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def best_of(repeat: int, run: Callable[[], object]) -> tuple[float, object]:
    """Smallest wall time of `repeat` runs, and the result of the last run."""
    best = float("inf")
    result = None
    for _ in range(repeat):
        gc.collect()
        start = time.perf_counter()
        result = run()
        best = min(best, time.perf_counter() - start)
    return best, result


def emit(payload: dict) -> None:
    """A child's result: one marked JSON line on stdout for the parent."""
    print(MARK + json.dumps(payload), flush=True)


def rows_of(tables) -> list[tuple]:
    return [(r.figure, r.item, r.by, r.group, r.category, r.count, r.base, r.percent) for r in tables]


def load(size: int | None, seed: int):
    """The study, and the ingested export (resampled to `size` rows) and register, as Polars."""
    import numpy as np

    from tverrsnitt.ingest import read_export, read_register
    from tverrsnitt.study import load_study

    study = load_study(STUDY)
    responses = read_export(EXPORT, study).frame
    register = read_register(REGISTER, study).frame
    if size is not None:
        # rows drawn with replacement, fixed seed; a gather keeps every dtype (Enum, List[Enum])
        picks = np.random.default_rng(seed).integers(0, responses.height, size)
        responses = responses[picks]
    return study, responses, register


# ----------------------------------------------------------------------------- child: full report


def child_report(launched: float | None) -> None:
    """Run build_report twice (cold: first call in a fresh process, then warm).

    `launched` is the parent's time.time() just before starting this process, so the first run
    can also be timed from interpreter start-up, as a user of the command line would see it.
    """
    started = time.perf_counter()
    try:
        from tverrsnitt.pipeline import build_report
    except ImportError as exc:
        emit({"ok": False, "missing": True, "error": f"{type(exc).__name__}: {exc}"})
        return
    imported = time.perf_counter() - started
    runs = []
    try:
        with tempfile.TemporaryDirectory(prefix="bench-report-") as tmp:
            for number in range(2):
                start = time.perf_counter()
                result = build_report(STUDY, Path(tmp) / f"run{number}", data=EXPORT, register=REGISTER)
                runs.append({"wall": time.perf_counter() - start, "timings": dict(result.timings),
                             "rows": len(result.tables), "files": len(result.files),
                             "since_launch": time.time() - launched if launched else None})
    except ImportError as exc:  # the chart / report stages are imported inside build_report
        emit({"ok": False, "missing": True, "error": f"{type(exc).__name__}: {exc}"})
        return
    except Exception as exc:
        emit({"ok": False, "missing": False, "error": f"{type(exc).__name__}: {exc}",
              "traceback": traceback.format_exc()})
        return
    emit({"ok": True, "import": imported, "runs": runs, "peak_gb": peak_rss_gb()})


# ----------------------------------------------------------------------------- child: one engine


def child_engine(engine: str, size: int, repeat: int, seed: int, dump: str | None) -> None:
    """Load + resample (untimed), then best-of-`repeat` prepare and tabulate with one engine."""
    study, responses, register = load(size, seed)
    if engine == "pandas":
        import pandas_baseline as baseline

        # conversion once, outside the timing; then drop the Polars copies
        responses_pd, register_pd = responses.to_pandas(), register.to_pandas()
        del responses, register
        gc.collect()
        loaded_gb = current_rss_gb()
        prepare_s, data = best_of(repeat, lambda: baseline.prepare(study, responses_pd, register_pd))
        analysed = len(data.respondents)
        tabulate_s, rows = best_of(repeat, lambda: baseline.tabulate(study, data))
    else:
        from tverrsnitt.clean import prepare
        from tverrsnitt.tabulate import tabulate

        if engine == "polars":
            run_tabulate = tabulate
        else:
            import duckdb_engine

            mode = {"duckdb": "codes", "duckdb-union": "union", "duckdb-labels": "labels"}[engine]

            def run_tabulate(s, d):
                return duckdb_engine.tabulate(s, d, mode)

        loaded_gb = current_rss_gb()
        prepare_s, data = best_of(repeat, lambda: prepare(study, responses, register))
        analysed = data.respondents.height
        tabulate_s, tables = best_of(repeat, lambda: run_tabulate(study, data))
        rows = rows_of(tables)
    if dump:
        with open(dump, "wb") as handle:
            pickle.dump(rows, handle)
    emit({"engine": engine, "size": size, "prepare": prepare_s, "tabulate": tabulate_s,
          "analysed": analysed, "rows": len(rows), "loaded_gb": loaded_gb, "peak_gb": peak_rss_gb()})


# ----------------------------------------------------------------------------- child: profile


def child_profile(size: int, seed: int) -> None:
    """Where the Polars engine's time goes at `size` respondents (printed as text)."""
    import polars as pl

    from tverrsnitt.clean import add_derived, prepare, screen
    from tverrsnitt.tabulate.engine import Engine, _figure_rows

    study, responses, register = load(size, seed)
    data = prepare(study, responses, register)  # also a warm-up

    def timed(run: Callable[[], object], repeat: int = 3) -> float:
        return best_of(repeat, run)[0]

    def line(label: str, seconds: float, indent: int = 2) -> None:
        print(f"{' ' * indent}{label:<{70 - indent}} {seconds:7.3f} s")

    print(f"Polars engine at {size:,} respondents ({data.respondents.height:,} analysed), "
          "best of 3 unless noted:")
    print("  prepare")
    screening = screen(responses, study)
    line("screen(): every step's mask, then one filter", timed(lambda: screen(responses, study)), 4)
    line("add_derived(): recodes and age bands", timed(lambda: add_derived(screening.analysed, study)), 4)

    engine = Engine(study, data)
    queries = engine._needed()
    keys = list(queries)

    def sum_rows() -> list:
        rows: list = []
        notes: list[str] = []
        for figure in study.figures:
            rows.extend(_figure_rows(engine, figure, notes))
        return rows

    print("  tabulate")
    line(f"build the {len(keys)} lazy cube queries (_needed)", timed(engine._needed), 4)
    line("pl.collect_all of all cube queries", timed(lambda: pl.collect_all([queries[k] for k in keys])), 4)
    line("build() = collect_all + cube rows to Python tuples", timed(engine.build), 4)
    line("Python summing of the cubes into table rows", timed(sum_rows), 4)
    kinds: dict[str, list] = {}
    for key in keys:
        kinds.setdefault(key[1], []).append(key)
    for kind, members in kinds.items():
        line(f"  collect_all of the {len(members)} '{kind}' cube(s)",
             timed(lambda members=members: pl.collect_all([queries[k] for k in members])), 4)
    alone = {key: timed(lambda key=key: queries[key].collect(), repeat=2) for key in keys}
    routed = [k for k in keys if study.question(k[0]).asked_if is not None]
    median_ms = sorted(alone.values())[len(alone) // 2] * 1000
    line(f"each query collected alone, summed (best of 2; median {median_ms:.1f} ms)",
         sum(alone.values()), 4)
    line(f"  of which the {len(routed)} items with routing (asked_if)", sum(alone[k] for k in routed), 4)
    print("    slowest single queries:")
    for key, seconds in sorted(alone.items(), key=lambda kv: -kv[1])[:5]:
        print(f"      {key[0] + ' (' + key[1] + ')':<64} {seconds * 1000:7.1f} ms")
    emit({"ok": True})


# ----------------------------------------------------------------------------- parent


def run_child(args: list[str], timeout: float) -> tuple[dict | None, str, float]:
    """Run this script in a fresh interpreter; return its result, other output, and wall time.

    The result also gets `others`: how many cores other processes on the machine kept busy
    meanwhile (machine busy time minus the child's own CPU time, per second of wall time).
    """
    # A chart cache of the child's own, empty at its start: its first build draws every chart,
    # a second build in it copies the unchanged ones (chart.cache).
    cache = tempfile.mkdtemp(prefix="bench-chart-cache-")
    env = {**os.environ, "TVERRSNITT_CACHE": cache}
    command = [sys.executable, str(Path(__file__).resolve()), *args]
    busy, own = busy_cpu_seconds(), children_cpu_seconds()
    start = time.perf_counter()
    try:
        done = subprocess.run(command, capture_output=True, text=True, env=env, timeout=timeout,
                              check=False)
    except subprocess.TimeoutExpired:
        return None, f"timed out after {timeout:.0f} s", time.perf_counter() - start
    finally:
        shutil.rmtree(cache, ignore_errors=True)
    wall = time.perf_counter() - start
    result = None
    other = []
    for line in done.stdout.splitlines():
        if line.startswith(MARK):
            result = json.loads(line[len(MARK):])
        else:
            other.append(line)
    if result is None:
        other.append(done.stderr.strip() or f"exit status {done.returncode}")
    else:
        busy_after = busy_cpu_seconds()
        if busy is not None and busy_after is not None and wall > 0:
            others = (busy_after - busy - (children_cpu_seconds() - own)) / wall
            result["others"] = max(0.0, others)
    return result, "\n".join(other), wall


def section(title: str) -> None:
    print()
    print(title)
    print("=" * len(title))


def full_report_section() -> dict:
    section(f"1. Full 2023 report: build_report({STUDY.relative_to(ROOT)}) with its export and register")
    result, other, _wall = run_child(["--only", "report", "--launched", repr(time.time())], timeout=600)
    if result is None:
        print(f"  FAILED to run: {other}")
        return {"status": "failed"}
    if not result["ok"]:
        if result.get("missing"):
            print("  NOT MEASURED: the report pipeline cannot be imported yet (the chart/report")
            print(f"  stages are still being written): {result['error']}")
            return {"status": "missing"}
        print(f"  FAILED: build_report raised {result['error']}")
        print("  " + result.get("traceback", "").strip().replace("\n", "\n  "))
        return {"status": "failed"}
    cold, warm = result["runs"]
    wall = cold["since_launch"] or cold["wall"]
    print(f"  python start + imports + first build_report:                 {wall:6.2f} s")
    print(f"  import tverrsnitt.pipeline:                                  {result['import']:6.2f} s")
    print(f"  build_report, first call (cold: lazy imports, first charts): {cold['wall']:6.2f} s")
    print(f"  build_report, second call (warm; unchanged charts copied):   {warm['wall']:6.2f} s")
    print(f"  produced {cold['rows']} table rows and {cold['files']} files; "
          f"peak RSS {result['peak_gb']:.2f} GB; other processes kept {result.get('others', 0):.2f} "
          "cores busy meanwhile")
    print("  per stage (result.timings):          cold       warm")
    for stage, seconds in cold["timings"].items():
        print(f"    {stage:<28} {seconds:9.3f} s {warm['timings'].get(stage, float('nan')):9.3f} s")
    print(f"    {'sum of stages':<28} {sum(cold['timings'].values()):9.3f} s "
          f"{sum(warm['timings'].values()):9.3f} s")
    formats = {stage.split(".", 1)[1]: warm["timings"][stage] for stage in warm["timings"]
               if stage.startswith("report.")}
    print("  time per format (warm; every format renders the same tables and charts): "
          + ", ".join(f"{name} {seconds:.2f} s" for name, seconds in formats.items()))
    cli = cli_wall()
    if cli is not None:
        print(f"  `tverrsnitt report {STUDY.relative_to(ROOT)} --quiet --out TMP` (whole command):"
              f" {cli:6.2f} s")
    return {"status": "ok", "wall": wall, "cold": cold["wall"], "peak_gb": result["peak_gb"], "cli": cli,
            "formats": formats}


def cli_wall(source: Path | None = None, formats: str | None = None) -> float | None:
    """Wall time of the report command as a user runs it, or None (with a note) if it fails;
    `source` is another build's src/ folder to run instead of this checkout's."""
    return command_wall(["report", str(STUDY), *(["--format", formats] if formats else [])],
                        source)


SECOND = ROOT / "examples" / "arbeidsmiljo-2025"


def command_wall(args: list[str], source: Path | None = None) -> float | None:
    """Wall time of one `tverrsnitt` command with every chart drawn (as by a first build, and
    as by builds older than the chart cache), or None with a note; `source` is another
    build's src/ folder to run instead of this checkout's."""
    with tempfile.TemporaryDirectory(prefix="bench-cmd-") as tmp:
        check = (f"import tverrsnitt.cli as c; assert c.__file__.startswith({str(source)!r}), "
                 "c.__file__; " if source is not None else "")
        code = (f"import sys; {check}from tverrsnitt.cli import main; "
                f"sys.exit(main([*{args!r}, '--quiet', '--out', {tmp + '/out'!r}]))")
        env = {**os.environ, "TVERRSNITT_CACHE": "off",
               **({"PYTHONPATH": str(source)} if source is not None else {})}
        start = time.perf_counter()
        try:
            done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                                  timeout=600, check=False, env=env)
        except subprocess.TimeoutExpired:
            print(f"  `tverrsnitt {' '.join(args[:1])}` timed out after 600 s")
            return None
        wall = time.perf_counter() - start
    if done.returncode != 0:
        last = (done.stderr.strip().splitlines() or [f"exit status {done.returncode}"])[-1]
        print(f"  the {args[0]} command was not measured: {last}")
        return None
    return wall


def waves_section(repeat: int) -> None:
    """The two-wave report (--compare: the earlier wave computed too, changes, change tables)
    beside the same study's single-wave report, run in turn; best of `repeat`."""
    section(f"5. Two waves: `tverrsnitt report {SECOND.relative_to(ROOT)}` alone and with "
            "--compare 2023")
    single = ["report", str(SECOND)]
    both = [*single, "--compare", "2023"]
    times: dict[str, list[float]] = {"single": [], "two": []}
    for _ in range(repeat):
        for name, args in (("single", single), ("two", both)):
            wall = command_wall(args)
            if wall is None:
                return
            times[name].append(wall)
    one, two = min(times["single"]), min(times["two"])
    print(f"  one wave (2025), html + docx + pdf:        {one:6.2f} s")
    print(f"  two waves (2025 --compare 2023), the same: {two:6.2f} s  ({two / one:.2f}× the "
          "single-wave run)")
    for name, args in (("one wave ", single), ("two waves", both)):
        wall = command_wall([*args, "--tables-only"])
        if wall is not None:
            print(f"  {name} --tables-only (numbers and changes.csv):  {wall:6.2f} s")


def against_section(revision: str, repeat: int) -> None:
    """The report command of this checkout and of an earlier build (a git revision), run in
    turn `repeat` times each on the same machine; best times and their ratio."""
    section(f"6. This build against {revision}: `tverrsnitt report` as a user runs it")
    with tempfile.TemporaryDirectory(prefix="bench-previous-") as tmp:
        archive = Path(tmp) / "src.tar"
        subprocess.run(["git", "-C", str(ROOT), "archive", revision, "src", "-o", str(archive)],
                       check=True)
        subprocess.run(["tar", "-xf", str(archive), "-C", tmp], check=True)
        source = Path(tmp) / "src"
        for formats in (None, "html"):
            times: dict[str, list[float]] = {"this build": [], revision: []}
            for _ in range(repeat):
                for name, build in (("this build", None), (revision, source)):
                    wall = cli_wall(build, formats)
                    if wall is not None:
                        times[name].append(wall)
            if not all(times.values()):
                print(f"  {formats or 'html,docx,pdf'}: not measured (a run failed)")
                continue
            best = {name: min(values) for name, values in times.items()}
            print(f"  --format {formats or 'html,docx,pdf'}: this build {best['this build']:.2f} s, "
                  f"{revision} {best[revision]:.2f} s, ratio {best['this build'] / best[revision]:.3f}"
                  f" (best of {repeat} each, in turn)")


def compare(reference: list[tuple], other: list[tuple], tolerance: float = 1e-9) -> list[str]:
    """Differences between two row lists (same keys; equal count and base; percent within tol)."""
    ref = {r[:5]: r[5:] for r in reference}
    oth = {r[:5]: r[5:] for r in other}
    problems = []
    if len(ref) != len(reference) or len(oth) != len(other):
        problems.append(f"duplicate keys ({len(reference)} vs {len(other)} rows)")
    for key in sorted(set(ref) - set(oth))[:3]:
        problems.append(f"missing {key}")
    for key in sorted(set(oth) - set(ref))[:3]:
        problems.append(f"extra {key}")
    missing = len(set(ref) ^ set(oth))
    if missing > 6:
        problems.append(f"... {missing} keys differ in all")
    wrong = [key for key in ref.keys() & oth.keys()
             if ref[key][:2] != oth[key][:2] or abs(ref[key][2] - oth[key][2]) > tolerance]
    for key in sorted(wrong)[:5]:
        problems.append(f"{key}: {ref[key]} vs {oth[key]}")
    if len(wrong) > 5:
        problems.append(f"... {len(wrong)} rows differ in all")
    return problems


def engines_section(sizes: list[int], repeat: int, seed: int, engines: list[str],
                    tmp: Path) -> tuple[dict, bool | None]:
    section(f"2. All figures on the export resampled to {', '.join(f'{n:,}' for n in sizes)} respondents "
            f"(best of {repeat}, seed {seed})")
    print("  Each engine runs in its own process: ingest + resample (untimed; pandas also converts")
    print("  the frame with to_pandas(), untimed), then prepare (screening + derived variables) and")
    print("  tabulate (every figure) are each timed, best of the repeats. 'data RSS' is the process")
    print("  size once the input frame is loaded (pandas: after to_pandas() and dropping the Polars")
    print("  frame); 'peak RSS' is the process's maximum (ru_maxrss), including loading. 'others' is")
    print("  how many of the 2 cores other processes kept busy during the measurement (from")
    print("  /proc/stat): above ~0.3 the 2-thread engines (Polars, DuckDB) are slowed more than")
    print("  single-threaded pandas, and the pandas/Polars ratio is understated.")
    results: dict[tuple[str, int], dict] = {}
    identical: bool | None = None
    for size in sizes:
        print()
        print(f"  {size:,} respondents")
        print(f"  {'engine':<52} {'prepare':>8} {'tabulate':>9} {'both':>8}  {'data RSS':>8} {'peak RSS':>9}"
              f"  {'others':>6}")
        dumps = {}
        for engine in engines:
            dump = tmp / f"{engine}-{size}.pickle"
            args = ["--only", engine, "--size", str(size), "--repeat", str(repeat), "--seed", str(seed),
                    "--dump", str(dump)]
            result, other, _wall = run_child(args, timeout=1800)
            if result is None:
                print(f"  {ENGINES[engine]:<52} FAILED: {other.strip().splitlines()[-1] if other else ''}")
                continue
            results[(engine, size)] = result
            dumps[engine] = dump
            both = result["prepare"] + result["tabulate"]
            loaded = f"{result['loaded_gb']:5.2f} GB" if result["loaded_gb"] is not None else "    -   "
            print(f"  {ENGINES[engine]:<52} {result['prepare']:7.3f}s {result['tabulate']:8.3f}s "
                  f"{both:7.3f}s  {loaded} {result['peak_gb']:6.2f} GB  {result.get('others', 0):6.2f}")
        polars = results.get(("polars", size))
        if polars is not None:
            print(f"  ({polars['analysed']:,} analysed respondents, {polars['rows']} table rows)")
            for engine in engines:
                other_result = results.get((engine, size))
                if engine == "polars" or other_result is None:
                    continue
                tab = other_result["tabulate"] / polars["tabulate"]
                both = ((other_result["prepare"] + other_result["tabulate"])
                        / (polars["prepare"] + polars["tabulate"]))
                print(f"  ratio {engine + '/polars':<22} tabulate {tab:5.2f}x   "
                      f"prepare+tabulate {both:5.2f}x")
        if "polars" in dumps:
            with open(dumps["polars"], "rb") as handle:
                reference = pickle.load(handle)
            for engine, path in dumps.items():
                if engine == "polars":
                    continue
                with open(path, "rb") as handle:
                    problems = compare(reference, pickle.load(handle))
                same = not problems
                identical = same if identical is None else identical and same
                print(f"  results identical ({engine} vs polars, {size:,}): {'yes' if same else 'no'}")
                for problem in problems:
                    print(f"      {problem}")
    print()
    if identical is None:
        print("  results identical: not checked (needs the polars engine and one other)")
    else:
        print(f"  results identical: {'yes' if identical else 'no'} "
              "(all engines, all sizes: same rows, counts and bases; percents within 1e-9)")
    return results, identical


def summary(report: dict, results: dict, identical: bool | None) -> None:
    section("4. Peak memory and targets")
    peaks = {f"{engine} at {size:,}": r["peak_gb"] for (engine, size), r in results.items()}
    if report.get("peak_gb") is not None:
        peaks["full report"] = report["peak_gb"]
    for name, gb in peaks.items():
        print(f"  peak RSS {name:<30} {gb:6.2f} GB")
    overall = max([peak_rss_gb(), peak_rss_gb(resource.RUSAGE_CHILDREN), *peaks.values()])
    print(f"  overall peak RSS of this run (largest single process): {overall:.2f} GB")
    print()

    def verdict(ok: bool | None) -> str:
        return "not measured" if ok is None else "PASS" if ok else "MISS"

    if report.get("status") == "ok":
        wall = report["wall"]
        cli = f"; report command {report['cli']:.2f} s" if report.get("cli") is not None else ""
        worst = max(wall, report.get("cli") or 0.0)
        print(f"  full report <= {REPORT_TARGET_S:.0f} s: {verdict(worst <= REPORT_TARGET_S)} "
              f"(build_report {report['cold']:.2f} s; from python start {wall:.2f} s{cli})")
    else:
        why = {"skipped": "--skip-report", "missing": "report stages not available yet"}.get(
            report.get("status", ""), "the report run failed")
        print(f"  full report <= {REPORT_TARGET_S:.0f} s: not measured ({why})")
    polars = results.get(("polars", TABULATE_TARGET_SIZE))
    pandas = results.get(("pandas", TABULATE_TARGET_SIZE))
    if polars is None:
        print(f"  all figures at {TABULATE_TARGET_SIZE:,} <= {TABULATE_TARGET_S:.0f} s: not measured "
              f"(add {TABULATE_TARGET_SIZE} to --sizes)")
    else:
        both = polars["prepare"] + polars["tabulate"]
        print(f"  all figures at {TABULATE_TARGET_SIZE:,} <= {TABULATE_TARGET_S:.0f} s: "
              f"{verdict(both <= TABULATE_TARGET_S)} (tabulate {polars['tabulate']:.2f} s, "
              f"prepare+tabulate {both:.2f} s)")
    if polars is None or pandas is None:
        print(f"  >= {PANDAS_RATIO_TARGET:.0f}x faster than pandas at {TABULATE_TARGET_SIZE:,}: not measured")
    else:
        tab = pandas["tabulate"] / polars["tabulate"]
        both = (pandas["prepare"] + pandas["tabulate"]) / (polars["prepare"] + polars["tabulate"])
        print(f"  >= {PANDAS_RATIO_TARGET:.0f}x faster than pandas at {TABULATE_TARGET_SIZE:,}: "
              f"tabulate {verdict(tab >= PANDAS_RATIO_TARGET)} ({tab:.2f}x); "
              f"prepare+tabulate {verdict(both >= PANDAS_RATIO_TARGET)} ({both:.2f}x)")
    polars_peaks = [r["peak_gb"] for (engine, _size), r in results.items() if engine == "polars"]
    if report.get("peak_gb") is not None:
        polars_peaks.append(report["peak_gb"])
    if polars_peaks:
        print(f"  peak memory <= {MEMORY_TARGET_GB:.0f} GB (tverrsnitt's own runs): "
              f"{verdict(max(polars_peaks) <= MEMORY_TARGET_GB)} ({max(polars_peaks):.2f} GB); "
              f"largest process of the whole benchmark {overall:.2f} GB")
    print(f"  results identical: {'yes' if identical else 'no' if identical is False else 'not checked'}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[100_000, 1_000_000],
                        help="numbers of respondents to resample the export to")
    parser.add_argument("--repeat", type=int, default=3, help="timed repeats per measurement (best is kept)")
    parser.add_argument("--seed", type=int, default=2023, help="seed of the resampling")
    parser.add_argument("--engines", nargs="+", choices=list(ENGINES), default=DEFAULT_ENGINES)
    parser.add_argument("--skip-report", action="store_true", help="leave out the full-report timing")
    parser.add_argument("--against", metavar="REVISION",
                        help="also time the report command of an earlier build (a git revision) "
                             "in turn with this one, and print the ratio")
    parser.add_argument("--skip-waves", action="store_true",
                        help="leave out the two-wave report beside the single-wave one")
    parser.add_argument("--no-profile", action="store_true",
                        help="leave out the breakdown of the Polars engine's time at the largest size")
    # internal: one measurement in this process (what the parent runs in a subprocess)
    parser.add_argument("--only", choices=["report", "profile", *ENGINES], help=argparse.SUPPRESS)
    parser.add_argument("--size", type=int, help=argparse.SUPPRESS)
    parser.add_argument("--dump", help=argparse.SUPPRESS)
    parser.add_argument("--launched", type=float, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)

    if args.only == "report":
        child_report(args.launched)
        return 0
    if args.only == "profile":
        child_profile(args.size or max(args.sizes), args.seed)
        return 0
    if args.only is not None:
        child_engine(args.only, args.size or max(args.sizes), args.repeat, args.seed, args.dump)
        return 0

    import duckdb
    import pandas
    import polars
    import pyarrow

    started = time.perf_counter()
    print("tverrsnitt benchmark (bench/report.py)")
    print(f"  {platform.platform()}, {os.cpu_count()} CPUs, Python {platform.python_version()}, "
          f"load average {os.getloadavg()[0]:.2f} at start")
    print(f"  polars {polars.__version__} ({polars.thread_pool_size()} threads), "
          f"pandas {pandas.__version__}, duckdb {duckdb.__version__}, pyarrow {pyarrow.__version__}")
    report = {"status": "skipped"} if args.skip_report else full_report_section()
    with tempfile.TemporaryDirectory(prefix="bench-rows-") as tmp:
        results, identical = engines_section(sorted(args.sizes), args.repeat, args.seed, args.engines,
                                             Path(tmp))
    if not args.no_profile:
        size = max(args.sizes)
        section(f"3. Where the Polars engine spends its time ({size:,} respondents)")
        result, other, _wall = run_child(["--only", "profile", "--size", str(size), "--seed",
                                          str(args.seed)], timeout=900)
        if result is None:
            print(f"  FAILED: {other}")
        else:
            print(other)
            print(f"  (other processes kept {result.get('others', 0):.2f} of the cores busy meanwhile)")
    summary(report, results, identical)
    if not args.skip_waves:
        waves_section(args.repeat)
    if args.against:
        against_section(args.against, args.repeat)
    print(f"\n  benchmark wall time {time.perf_counter() - started:.0f} s")
    return 0 if identical is not False else 1


if __name__ == "__main__":
    sys.exit(main())
