"""Benchmark: the web questionnaire under load, and what a crashing server loses.

    python bench/fieldwork.py [--respondents 300] [--clients 2 5 20 50] [--seconds 60]
                               [--db sqlite|postgresql|both] [--no-crash]

Everything runs on this machine over loopback: one `tverrsnitt serve` process and simulated
respondents in separate processes. Each respondent opens its personal link, answers every page
it is shown (reading the form's fields from the HTML, as a browser would) and posts it.

1. Load at each number of concurrent clients (`--clients`): page-saves per second and the
   p50/p99 latency of a save (POST until its redirect), with the CPU the load generator itself
   used (it shares the machine's cores with the server).
2. Crash: the same load while the server is killed with SIGKILL at random moments and started
   again. Every save the server acknowledged (answered with its redirect) is recorded by the
   respondent; afterwards the database is checked: an acknowledged answer that is missing is
   "lost", a respondent or answer stored twice is "duplicated".

Bounded in count (respondents) and time (--seconds per run); it stops by itself.
"""

from __future__ import annotations

import argparse
import html
import multiprocessing as mp
import os
import random
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
EXAMPLE = ROOT / "examples" / "skolemiljo-2023"
SECRET = "bench-secret-key-kept-across-restarts"
POSTGRES_ADMIN = "postgresql://postgres@127.0.0.1:5432/postgres"

INPUT = re.compile(r"<input\b[^>]*>", re.S)
TEXTAREA = re.compile(r"<textarea\b[^>]*\bname=\"([^\"]+)\"", re.S)
ATTR = re.compile(r'(\w[\w-]*)="([^"]*)"')


# ----------------------------------------------------------------------------- setup


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def study_copy(folder: Path) -> Path:
    """The example study, open for answers today (its 2023 fieldwork dates are past)."""
    target = folder / "study"
    shutil.copytree(EXAMPLE, target, ignore=shutil.ignore_patterns("data", "*.db*"))
    text = (target / "fieldwork.yaml").read_text(encoding="utf-8")
    text = re.sub(r"^(opens|closes):.*$", "", text, flags=re.M)
    (target / "fieldwork.yaml").write_text(text, encoding="utf-8")
    return target


def database(kind: str, folder: Path) -> tuple[str, str | None]:
    """A fresh database URL (and the PostgreSQL database name to drop afterwards)."""
    if kind == "sqlite":
        return f"sqlite:///{folder / 'bench.db'}", None
    import psycopg

    name = f"tverrsnitt_bench_{uuid.uuid4().hex[:10]}"
    with psycopg.connect(POSTGRES_ADMIN, autocommit=True) as admin:
        admin.execute(f'CREATE DATABASE "{name}"')
    return f"postgresql://postgres@127.0.0.1:5432/{name}", name


def drop_database(name: str | None) -> None:
    if name is None:
        return
    import psycopg

    with psycopg.connect(POSTGRES_ADMIN, autocommit=True) as admin:
        admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def invite(url: str, count: int) -> list[str]:
    """Members and one personal link each, straight through the store (no mail needed)."""
    from tverrsnitt.store import Store

    store = Store(url)
    store.import_members({"member_no": str(100000 + i), "email": f"m{i}@example.org",
                          "background": {"member_no": str(100000 + i)}} for i in range(count))
    tokens = [store.issue_token(member.id, "invitation") for member in store.members()]
    store.close()
    return tokens


class Server:
    """`tverrsnitt serve` in a subprocess that can be killed and started again."""

    def __init__(self, study: Path, url: str, port: int, workers: int) -> None:
        self.command = [sys.executable, "-m", "tverrsnitt.cli", "serve", str(study), "--db", url,
                        "--port", str(port), "--workers", str(workers)]
        self.port = port
        self.process: subprocess.Popen[bytes] | None = None

    def start(self) -> None:
        env = {**os.environ, "TVERRSNITT_SECRET_KEY": SECRET}
        # In its own process group: a SIGKILL takes the worker processes with it, as a
        # machine's crash (or systemd stopping the service) would.
        self.process = subprocess.Popen(self.command, env=env, stdout=subprocess.DEVNULL,
                                        stderr=subprocess.DEVNULL, start_new_session=True)
        # Ready when it answers HTTP (a bare TCP connect can be fooled: a connection to a
        # free loopback port may connect to itself).
        import httpx

        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            try:
                httpx.get(f"http://127.0.0.1:{self.port}/admin/login", timeout=5.0)
                return
            except httpx.HTTPError:
                time.sleep(0.05)
        raise RuntimeError("the server did not start within 30 s")

    def kill(self) -> None:
        if self.process is not None:
            with suppress(ProcessLookupError):
                os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait()

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.kill()


# ----------------------------------------------------------------------------- respondents


def form_fields(page: str) -> tuple[dict[str, str], dict[str, list[str]], list[str], list[str]]:
    """(hidden fields, choices by name (radio/checkbox), number inputs, text inputs)."""
    hidden: dict[str, str] = {}
    choices: dict[str, list[str]] = {}
    numbers: list[str] = []
    texts: list[str] = []
    for tag in INPUT.findall(page):
        attrs = {k: html.unescape(v) for k, v in ATTR.findall(tag)}
        kind, name = attrs.get("type", "text"), attrs.get("name")
        if name is None:
            continue
        if kind == "hidden":
            hidden[name] = attrs.get("value", "")
        elif kind in ("radio", "checkbox"):
            choices.setdefault(name, []).append(attrs.get("value", ""))
        elif "number" in attrs.get("class", "") or attrs.get("inputmode") == "decimal":
            numbers.append(name)
        else:
            texts.append(name)
    texts += [html.unescape(n) for n in TEXTAREA.findall(page)]
    return hidden, choices, numbers, texts


def answer(page: str, keep: dict[str, tuple[str, ...]], rng: random.Random) -> list[tuple[str, str]]:
    """A plausible filled-in form: screening answers that keep the respondent in."""
    hidden, choices, numbers, texts = form_fields(page)
    fields = list(hidden.items())
    for name, options in choices.items():
        chosen = [o for o in options if o in keep[name]] if name in keep else options
        fields.append((name, rng.choice(chosen or options)))
    fields += [(name, str(rng.randint(20, 90))) for name in numbers]
    fields += [(name, "Fritekst <b>fra</b> benchmark") for name in texts]
    fields.append(("action", "next"))
    return fields


@dataclass
class Outcome:
    saves: int
    latencies: list[float]
    acknowledged: list[tuple[str, str, str]]  # (token, field, value) the server confirmed
    errors: int

    def record(self, token: str, fields: list[tuple[str, str]], status: int,
               elapsed: float) -> None:
        """One posted page: a save the server acknowledged (303), or an error."""
        if status != 303:
            self.errors += 1
            return
        self.saves += 1
        self.latencies.append(elapsed)
        self.acknowledged += [(token, k, v) for k, v in fields
                              if k not in ("page", "csrf", "action")]


def respondent_worker(port: int, tokens: list[str], keep: dict[str, tuple[str, ...]],
                      deadline: float, seed: int, queue: mp.Queue) -> None:
    """Walk each token's questionnaire to the end; retry through server restarts."""
    import httpx

    rng = random.Random(seed)
    base = f"http://127.0.0.1:{port}"
    outcome = Outcome(0, [], [], 0)
    with httpx.Client(base_url=base, timeout=10.0) as client:
        for token in tokens:
            for _step in range(60):  # at most 18 pages plus retries
                if time.monotonic() > deadline:
                    break
                try:
                    page = client.get(f"/s/{token}").text
                except httpx.HTTPError:
                    outcome.errors += 1
                    time.sleep(0.05)
                    continue
                if 'name="csrf"' not in page:
                    break  # receipt or screened-out page: this respondent is done
                fields = answer(page, keep, rng)
                started = time.perf_counter()
                try:
                    response = client.post(f"/s/{token}", data=_multi(fields))
                except httpx.HTTPError:
                    outcome.errors += 1  # not acknowledged: the respondent will try again
                    time.sleep(0.05)
                    continue
                outcome.record(token, fields, response.status_code,
                               time.perf_counter() - started)
    queue.put(outcome)


def async_worker(port: int, tokens: list[str], keep: dict[str, tuple[str, ...]],
                 deadline: float, seed: int, clients: int, queue: mp.Queue) -> None:
    """`clients` respondents at a time in one process (asyncio), each walking its links one
    after the other: the concurrency a load level asks for, at little client CPU (aiohttp
    needs about a third of httpx's CPU per request, and the client shares the cores)."""
    import asyncio

    import aiohttp

    outcome = Outcome(0, [], [], 0)
    failures = (aiohttp.ClientError, asyncio.TimeoutError)
    timeout = aiohttp.ClientTimeout(total=30)
    base = f"http://127.0.0.1:{port}"

    async def walk(mine: list[str], rng: random.Random) -> None:
        for token in mine:
            if time.monotonic() > deadline:
                return
            # Each respondent is a browser of its own: a connection kept for its pages only
            # (so the server's workers share the respondents as they arrive).
            async with aiohttp.ClientSession(base, timeout=timeout) as session:
                await pages(session, token, rng)

    async def pages(session: aiohttp.ClientSession, token: str, rng: random.Random) -> None:
        for _step in range(60):
            if time.monotonic() > deadline:
                return
            try:
                async with session.get(f"/s/{token}") as reply:
                    page = await reply.text()
            except failures:
                outcome.errors += 1
                await asyncio.sleep(0.05)
                continue
            if 'name="csrf"' not in page:
                return  # receipt or screened-out page: this respondent is done
            fields = answer(page, keep, rng)
            started = time.perf_counter()
            try:
                async with session.post(f"/s/{token}", data=fields,
                                        allow_redirects=False) as reply:
                    await reply.read()
                    status = reply.status
            except failures:
                outcome.errors += 1  # not acknowledged: the respondent will try again
                await asyncio.sleep(0.05)
                continue
            outcome.record(token, fields, status, time.perf_counter() - started)

    async def run() -> None:
        await asyncio.gather(*(walk(tokens[i::clients], random.Random(seed * 1000 + i))
                               for i in range(clients)))

    asyncio.run(run())
    queue.put(outcome)


def _multi(fields: list[tuple[str, str]]) -> dict[str, list[str]]:
    data: dict[str, list[str]] = {}
    for key, value in fields:
        data.setdefault(key, []).append(value)
    return data


def run_load(port: int, tokens: list[str], workers: int, seconds: float,
             clients: int | None = None) -> tuple[Outcome, float]:
    """All respondents in `workers` processes (sequential clients), or `clients` concurrent
    asyncio clients spread over two processes; returns the merged outcome and wall time."""
    from tverrsnitt.study import load_study

    study = load_study(EXAMPLE)
    keep = {step.question: step.keep for step in study.screening}
    queue: mp.Queue = mp.Queue()
    deadline = time.monotonic() + seconds
    if clients is None:
        chunks = [tokens[i::workers] for i in range(workers)]
        processes = [mp.Process(target=respondent_worker,
                                args=(port, chunk, keep, deadline, index, queue))
                     for index, chunk in enumerate(chunks) if chunk]
    else:
        parts = min(2, clients)
        shares = [clients // parts + (1 if i < clients % parts else 0) for i in range(parts)]
        processes = [mp.Process(target=async_worker,
                                args=(port, tokens[i::parts], keep, deadline, i + 1, share, queue))
                     for i, share in enumerate(shares)]
    started = time.perf_counter()
    for process in processes:
        process.start()
    outcomes = [queue.get() for _ in processes]
    for process in processes:
        process.join()
    wall = time.perf_counter() - started
    merged = Outcome(sum(o.saves for o in outcomes), [x for o in outcomes for x in o.latencies],
                     [x for o in outcomes for x in o.acknowledged], sum(o.errors for o in outcomes))
    return merged, wall


# ----------------------------------------------------------------------------- checks


def check_acknowledged(url: str, acknowledged: list[tuple[str, str, str]]) -> tuple[int, int]:
    """(lost, duplicated): acknowledged answers missing from the database; doubles."""
    import json

    from sqlalchemy import func, select

    from tverrsnitt.store import Store, hash_token
    from tverrsnitt.store.schema import answers, respondents, tokens

    store = Store(url)
    with store.engine.connect() as connection:
        by_token = {row.token_hash: row.respondent_id for row in
                    connection.execute(select(tokens.c.token_hash, tokens.c.respondent_id))}
        stored: dict[tuple[int, str], set[str]] = {}
        for respondent_id, code, value in connection.execute(
                select(answers.c.respondent_id, answers.c.code, answers.c.value)):
            decoded = json.loads(value)
            values = decoded if isinstance(decoded, list) else [decoded]
            stored[(respondent_id, code)] = {_plain(v) for v in values}
        duplicated_answers = connection.execute(
            select(func.count()).select_from(
                select(answers.c.respondent_id, answers.c.code)
                .group_by(answers.c.respondent_id, answers.c.code)
                .having(func.count() > 1).subquery())).scalar_one()
        duplicated_respondents = connection.execute(
            select(func.count()).select_from(
                select(respondents.c.member_id).where(respondents.c.member_id.is_not(None))
                .group_by(respondents.c.member_id).having(func.count() > 1).subquery())
        ).scalar_one()
    store.close()
    lost = 0
    for token, code, value in acknowledged:
        respondent_id = by_token.get(hash_token(token))
        if respondent_id is None or _plain(value) not in stored.get((respondent_id, code), set()):
            lost += 1
    return lost, duplicated_answers + duplicated_respondents


def _plain(value: object) -> str:
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))] if ordered else float("nan")


# ----------------------------------------------------------------------------- runs


@contextmanager
def running_server(kind: str, respondents: int,
                   server_workers: int) -> Iterator[tuple[Server, str, list[str]]]:
    """A fresh database with invited respondents and a started server; all removed after."""
    with tempfile.TemporaryDirectory() as temp:
        folder = Path(temp)
        study = study_copy(folder)
        url, name = database(kind, folder)
        try:
            tokens = invite(url, respondents)
            server = Server(study, url, free_port(), server_workers)
            server.start()
            try:
                yield server, url, tokens
            finally:
                server.stop()
        finally:
            drop_database(name)


def load_run(kind: str, respondents: int, workers: int, seconds: float,
             clients: int | None = None, server_workers: int = 1) -> None:
    import resource

    with running_server(kind, respondents, server_workers) as (server, url, tokens):
        before = resource.getrusage(resource.RUSAGE_CHILDREN)
        outcome, wall = run_load(server.port, tokens, workers, seconds, clients)
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
        server.stop()
        lost, duplicated = check_acknowledged(url, outcome.acknowledged)
    # The load generator's processes have ended (joined) before `after`; the server is still
    # running then, so its CPU is not in the difference.
    client_cpu = (after.ru_utime + after.ru_stime) - (before.ru_utime + before.ru_stime)
    level = f"{clients:3d} clients" if clients is not None else f"{workers:3d} workers"
    print(f"  {kind:<11} {level}  {outcome.saves:6d} saves in {wall:5.1f} s = "
          f"{outcome.saves / wall:6.1f} saves/s   p50 {percentile(outcome.latencies, 0.5) * 1000:6.1f}"
          f" ms   p99 {percentile(outcome.latencies, 0.99) * 1000:6.1f} ms   errors "
          f"{outcome.errors}   lost {lost}   duplicated {duplicated}   load generator CPU "
          f"{client_cpu / wall:.2f} cores")


def crash_run(kind: str, respondents: int, workers: int, seconds: float, kills: int,
              server_workers: int = 1) -> None:
    with running_server(kind, respondents, server_workers) as (server, url, tokens):
        rng = random.Random(7)
        killed = 0
        result: list[tuple[Outcome, float]] = []
        load = threading.Thread(target=lambda: result.append(
            run_load(server.port, tokens, workers, seconds)))
        load.start()
        while load.is_alive() and killed < kills:
            time.sleep(rng.uniform(0.3, 1.5))
            if not load.is_alive():
                break
            server.kill()
            killed += 1
            server.start()
        load.join()
        server.stop()
        outcome, wall = result[0]
        lost, duplicated = check_acknowledged(url, outcome.acknowledged)
    print(f"  {kind:<11} {killed} SIGKILLs, {outcome.saves} acknowledged saves in {wall:5.1f} s,"
          f" {outcome.errors} refused/failed requests retried:   lost {lost}   "
          f"duplicated {duplicated}")


def main(argv: list[str] | None = None) -> int:
    sys.stdout.reconfigure(line_buffering=True)  # type: ignore[union-attr]  # progress as it runs
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--respondents", type=int, default=300)
    parser.add_argument("--workers", type=int, default=4,
                        help="respondent processes (they share the 2 cores with the server)")
    parser.add_argument("--seconds", type=float, default=60.0, help="time limit per run")
    parser.add_argument("--kills", type=int, default=10, help="SIGKILLs in the crash run")
    parser.add_argument("--clients", type=int, nargs="+", default=[2, 5, 20, 50],
                        help="concurrent clients of the load runs (asyncio, in two processes)")
    parser.add_argument("--no-crash", action="store_true", help="leave out the crash run")
    parser.add_argument("--db", choices=["sqlite", "postgresql", "both"], default="both")
    parser.add_argument("--server-workers", type=int, default=os.cpu_count() or 1,
                        help="`tverrsnitt serve --workers` (default: one per CPU)")
    args = parser.parse_args(argv)
    kinds = ["sqlite", "postgresql"] if args.db == "both" else [args.db]
    print(f"tverrsnitt fieldwork benchmark: {args.respondents} respondents, `serve --workers "
          f"{args.server_workers}`, {args.workers} respondent processes, loopback only, "
          f"{os.cpu_count()} CPUs")
    print("1. Load (every respondent walks the whole questionnaire)")
    for kind in kinds:
        for clients in args.clients:
            load_run(kind, args.respondents, args.workers, args.seconds, clients,
                     args.server_workers)
    if not args.no_crash:
        print("2. Crash (server SIGKILLed at random moments and restarted, under the same load)")
        for kind in kinds:
            crash_run(kind, args.respondents, args.workers, args.seconds, args.kills,
                      args.server_workers)
    print("Targets on 2 cores: >= 200 page-saves/s with p99 <= 250 ms at 20 clients on both "
          "databases; 0 lost, 0 duplicated.")
    return 0


if __name__ == "__main__":
    sys.exit(main())
