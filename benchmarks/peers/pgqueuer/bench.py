#!/usr/bin/env python3
"""PgQueuer 1.6.0 peer benchmark for Guichet's job queue.

Prints ONE JSON object on stdout; progress lines go to stderr. Scenarios (same definitions as
Guichet's side):

  offered    for each rate R, enqueue R jobs/s for --duration seconds, one job per commit, paced
             on a schedule from 32 connections; pickup = handler start - enqueue
             return (same monotonic clock, same process); wait (bounded) for every job.
  drain      bulk-insert --drain-jobs jobs, then start the consumer and time until all are done.
  scheduled  --scheduled-jobs jobs with execute_after spread uniformly over the next --window
             seconds, consumer running; lateness = handler start - stored execute_after.

A job is "done" when PgQueuer has committed its completion (its status-log flush deleted the row
from the queue table); we observe that by wrapping Queries.log_jobs.
"""

from __future__ import annotations

import argparse
import asyncio
import dataclasses
import json
import logging
import platform
import sys
import time
from datetime import timedelta
from importlib.metadata import version as pkg_version
from typing import Callable

import asyncpg
from hdrh.histogram import HdrHistogram

from pgqueuer.db import AsyncpgDriver
from pgqueuer.errors import FailingListenerError
from pgqueuer.models import Job
from pgqueuer.qm import QueueManager
from pgqueuer.queries import Queries

ENTRYPOINT = "bench_noop"
PAYLOAD = b'{"ticket":1}'
HIST_MAX_US = 3_600_000_000  # one hour, in microseconds


def log(msg: str) -> None:
    print(f"[pgq-bench {time.strftime('%H:%M:%S')}] {msg}", file=sys.stderr, flush=True)


def new_hist() -> HdrHistogram:
    return HdrHistogram(1, HIST_MAX_US, 3)


def record_us(hist: HdrHistogram, seconds: float) -> None:
    hist.record_value(min(HIST_MAX_US, max(0, int(round(seconds * 1e6)))))


def ms(hist: HdrHistogram, percentile: float) -> float:
    return round(hist.get_value_at_percentile(percentile) / 1000.0, 3)


def num(x: float) -> float | int:
    return int(x) if float(x).is_integer() else x


def summary(hist: HdrHistogram, percentiles: tuple[float, ...]) -> dict[str, float]:
    out = {f"p{p:g}": ms(hist, p) for p in percentiles}
    out["max"] = round(hist.get_max_value() / 1000.0, 3)
    return out


@dataclasses.dataclass
class CountingQueries(Queries):
    """Queries whose log_jobs (the commit that moves finished jobs out of the queue) is observed."""

    on_logged: Callable[[int, int], None] | None = None

    async def log_jobs(self, job_status):  # type: ignore[override]
        await super().log_jobs(job_status)
        if self.on_logged is not None:
            ok = sum(1 for _, status, _ in job_status if status == "successful")
            self.on_logged(ok, len(job_status) - ok)


class Tracker:
    """Counters shared by the handler, the log_jobs hook and the progress reporter."""

    def __init__(self, phase: str, target: int) -> None:
        self.phase = phase
        self.target = target
        self.enqueued = 0
        self.enqueue_errors = 0
        self.picked = 0
        self.done = 0
        self.failed = 0
        self.last_done = 0.0  # monotonic time of the last completion commit
        self.all_done = asyncio.Event()
        self.started_mono: dict[int, float] = {}  # job id -> handler start (monotonic)
        self.lateness = new_hist()

    def on_logged(self, ok: int, failed: int) -> None:
        self.done += ok
        self.failed += failed
        self.last_done = time.monotonic()
        if self.done >= self.target:
            self.all_done.set()


class Consumer:
    """One PgQueuer QueueManager (PgQueuer's job worker) on one asyncpg connection."""

    def __init__(self, args: argparse.Namespace, tracker: Tracker, mode: str) -> None:
        self.args = args
        self.tracker = tracker
        self.mode = mode
        self.conn: asyncpg.Connection | None = None
        self.qm: QueueManager | None = None
        self.task: asyncio.Task[None] | None = None

    async def start(self, wait_ready: bool = True) -> None:
        self.conn = await asyncpg.connect(self.args.dsn)
        queries = CountingQueries(AsyncpgDriver(self.conn), on_logged=self.tracker.on_logged)
        self.qm = QueueManager(queries)
        tracker, mode = self.tracker, self.mode

        @self.qm.entrypoint(ENTRYPOINT)
        async def noop(job: Job) -> None:
            if mode == "offered":
                tracker.started_mono.setdefault(job.id, time.monotonic())
            elif mode == "scheduled":
                record_us(tracker.lateness, time.time() - job.execute_after.timestamp())
            tracker.picked += 1

        self.task = asyncio.create_task(
            self.qm.run(
                batch_size=self.args.batch_size,
                max_concurrent_tasks=self.args.concurrency,
                dequeue_timeout=timedelta(seconds=self.args.dequeue_timeout),
            )
        )
        if wait_ready:
            await self.wait_listening()

    async def wait_listening(self) -> None:
        """Return once the worker's LISTEN is in place (a health-check NOTIFY round-trips)."""
        assert self.qm is not None and self.task is not None
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            if self.task.done():
                self.task.result()  # raises the worker's error
                raise RuntimeError("PgQueuer worker stopped during start-up")
            try:
                await self.qm.listener_healthy(timeout=timedelta(seconds=0.25))
                return
            except FailingListenerError:
                continue
        raise RuntimeError("PgQueuer worker did not start listening within 30 s")

    async def wait_done(self, timeout: float) -> bool:
        """Wait until the tracker's target is reached, the timeout expires, or the worker dies."""
        assert self.task is not None
        waiter = asyncio.create_task(self.tracker.all_done.wait())
        try:
            await asyncio.wait({waiter, self.task}, timeout=max(0.0, timeout),
                               return_when=asyncio.FIRST_COMPLETED)
        finally:
            waiter.cancel()
        if self.task.done() and not self.tracker.all_done.is_set():
            self.task.result()
        return self.tracker.all_done.is_set()

    async def stop(self) -> None:
        """PgQueuer's clean stop: set the shutdown event, let run() drain tasks and flush buffers."""
        if self.qm is not None:
            self.qm.shutdown.set()
        if self.task is not None:
            try:
                await asyncio.wait_for(self.task, timeout=30)
            except asyncio.TimeoutError:
                log("worker did not stop within 30 s; cancelled")
            except Exception as exc:  # noqa: BLE001
                log(f"worker ended with {exc!r}")
        if self.conn is not None:
            await self.conn.close()


async def progress(tracker: Tracker, stop: asyncio.Event) -> None:
    t0 = time.monotonic()
    while not stop.is_set():
        try:
            await asyncio.wait_for(stop.wait(), timeout=1.0)
        except asyncio.TimeoutError:
            pass
        log(f"{tracker.phase}: t={time.monotonic() - t0:5.1f}s enqueued={tracker.enqueued} "
            f"picked={tracker.picked} done={tracker.done}/{tracker.target}"
            + (f" enqueue_errors={tracker.enqueue_errors}" if tracker.enqueue_errors else "")
            + (f" failed={tracker.failed}" if tracker.failed else ""))


class Reporter:
    def __init__(self, tracker: Tracker) -> None:
        self.stop = asyncio.Event()
        self.task = asyncio.create_task(progress(tracker, self.stop))

    async def close(self) -> None:
        self.stop.set()
        await self.task


async def reset(admin: Queries) -> None:
    """Empty PgQueuer's queue, log and statistics tables (TRUNCATE)."""
    await admin.clear_queue()
    await admin.clear_queue_log()
    await admin.clear_statistics_log()


async def bulk_enqueue(admin: Queries, n: int, chunk: int = 10_000) -> None:
    for start in range(0, n, chunk):
        k = min(chunk, n - start)
        await admin.enqueue([ENTRYPOINT] * k, [PAYLOAD] * k, [0] * k)


async def run_offered(args: argparse.Namespace, admin: Queries, rate: int) -> dict:
    await reset(admin)
    n = int(round(rate * args.duration))
    tracker = Tracker(f"offered {rate}/s", n)
    acked: dict[int, float] = {}
    conns = [await asyncpg.connect(args.dsn) for _ in range(args.enqueue_conns)]
    pool = [Queries(AsyncpgDriver(c)) for c in conns]
    free: asyncio.Queue[Queries] = asyncio.Queue()
    for q in pool:
        free.put_nowait(q)

    async def one() -> None:
        q = await free.get()
        try:
            ids = await q.enqueue(ENTRYPOINT, PAYLOAD)  # autocommit: one statement, one commit
            acked[ids[0]] = time.monotonic()
            tracker.enqueued += 1
        except Exception as exc:  # noqa: BLE001
            tracker.enqueue_errors += 1
            if tracker.enqueue_errors <= 5:
                log(f"enqueue failed: {exc!r}")
        finally:
            free.put_nowait(q)

    consumer = Consumer(args, tracker, "offered")
    await consumer.start()
    reporter = Reporter(tracker)
    tasks: list[asyncio.Task[None]] = []
    t0 = time.monotonic()
    i = 0
    while i < n:  # paced: job i is issued at t0 + i/rate, never earlier
        due = min(n, int((time.monotonic() - t0) * rate) + 1)
        while i < due:
            tasks.append(asyncio.create_task(one()))
            i += 1
        if i < n:
            await asyncio.sleep(max(0.0, t0 + i / rate - time.monotonic()))
    pacing_s = time.monotonic() - t0
    await asyncio.gather(*tasks)
    enqueue_s = time.monotonic() - t0
    if enqueue_s > args.duration * 1.05:
        log(f"offered {rate}/s: the enqueue calls took {enqueue_s:.2f} s, so only "
            f"{tracker.enqueued / enqueue_s:.0f} jobs/s were committed (enqueuer saturated)")
    tracker.target = tracker.enqueued
    if tracker.done >= tracker.target:
        tracker.all_done.set()
    complete = await consumer.wait_done(args.offered_wait)
    await reporter.close()
    await consumer.stop()
    for c in conns:
        await c.close()
    if not complete:
        log(f"offered {rate}/s: only {tracker.done}/{tracker.enqueued} done within {args.offered_wait:g} s")
    if pacing_s > args.duration * 1.05:
        log(f"offered {rate}/s: pacing lagged, {n} issues took {pacing_s:.2f} s")

    hist = new_hist()
    for job_id, started in tracker.started_mono.items():
        if job_id in acked:
            record_us(hist, started - acked[job_id])
    elapsed = (tracker.last_done - t0) if tracker.done else float("nan")
    return {
        "rate": rate,
        "duration_s": num(args.duration),
        "enqueued": tracker.enqueued,
        "completed": tracker.done,
        "achieved_per_s": round(tracker.done / elapsed, 1) if tracker.done else 0.0,
        "pickup_ms": summary(hist, (50, 95, 99)),
    }


async def run_drain(args: argparse.Namespace, admin: Queries) -> dict:
    await reset(admin)
    n = args.drain_jobs
    log(f"drain: inserting {n} jobs in bulk")
    await bulk_enqueue(admin, n)
    tracker = Tracker("drain", n)
    tracker.enqueued = n
    consumer = Consumer(args, tracker, "drain")
    reporter = Reporter(tracker)
    t0 = time.monotonic()
    await consumer.start(wait_ready=False)
    complete = await consumer.wait_done(args.drain_timeout)
    await reporter.close()
    await consumer.stop()
    seconds = tracker.last_done - t0
    out = {"jobs": n, "seconds": round(seconds, 3), "per_s": round(tracker.done / seconds, 1)}
    if not complete:
        log(f"drain: only {tracker.done}/{n} done within {args.drain_timeout:g} s")
        out["completed"] = tracker.done
    return out


async def run_scheduled(args: argparse.Namespace, admin: Queries) -> dict:
    await reset(admin)
    n, window = args.scheduled_jobs, args.window
    tracker = Tracker("scheduled", n)
    consumer = Consumer(args, tracker, "scheduled")
    await consumer.start()
    reporter = Reporter(tracker)
    w0 = time.time()
    chunk = 1000
    for start in range(0, n, chunk):  # in due order, so early jobs are stored first
        k = min(chunk, n - start)
        now = time.time()
        after = [timedelta(seconds=max(0.0, w0 + (start + j) * window / n - now)) for j in range(k)]
        await admin.enqueue([ENTRYPOINT] * k, [PAYLOAD] * k, [0] * k, after)
        tracker.enqueued += k
    log(f"scheduled: {n} jobs stored in {time.time() - w0:.2f} s")
    complete = await consumer.wait_done(w0 + window + 60 - time.time())
    await reporter.close()
    await consumer.stop()
    out = {"jobs": n, "window_s": num(window), "lateness_ms": summary(tracker.lateness, (50, 99))}
    if not complete:
        log(f"scheduled: only {tracker.done}/{n} done by window + 60 s")
        out["completed"] = tracker.done
    return out


async def main(args: argparse.Namespace) -> dict:
    admin_conn = await asyncpg.connect(args.dsn)
    admin = Queries(AsyncpgDriver(admin_conn))
    if not await admin.schema_is_installed():
        log("installing the PgQueuer schema (Queries.install, durable tables)")
        await admin.install()
    server = {
        name: await admin_conn.fetchval(f"SHOW {name}")
        for name in ("server_version", "fsync", "synchronous_commit")
    }
    result: dict = {
        "peer": "pgqueuer",
        "version": pkg_version("pgqueuer"),
        "settings": {
            "worker": "pgqueuer QueueManager.run (PgQueuer's job worker), one per process",
            "consumer_processes": 1,
            "driver": "AsyncpgDriver: one asyncpg connection for dequeue, status log, heartbeats, LISTEN",
            "batch_size": args.batch_size,
            "max_concurrent_tasks": args.concurrency,
            "dequeue_timeout_s": args.dequeue_timeout,
            "heartbeat_timeout_s": 30,
            "status_log_buffer": f"flush at {args.batch_size} jobs or every ~0.1 s (PgQueuer default)",
            "wakeup": "LISTEN/NOTIFY (statement trigger on the queue table) + PgQueuer's own re-polls",
            "durability": "durable (all tables logged)",
            "handler": "async no-op recording its start time",
            "enqueue": "Queries.enqueue, one job per call = one autocommit transaction",
            "enqueue_connections": args.enqueue_conns,
            "event_loop": "uvloop" if args.uvloop else "asyncio",
            "python": platform.python_version(),
            "asyncpg": pkg_version("asyncpg"),
            "postgres": server,
        },
    }
    scenarios = ["offered", "drain", "scheduled"] if args.scenario == "all" else [args.scenario]
    try:
        if "offered" in scenarios:
            result["offered"] = []
            for rate in args.rates:
                result["offered"].append(await run_offered(args, admin, rate))
        if "drain" in scenarios:
            result["drain"] = await run_drain(args, admin)
        if "scheduled" in scenarios:
            result["scheduled"] = await run_scheduled(args, admin)
        await reset(admin)
    finally:
        await admin_conn.close()
    return result


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--dsn", required=True)
    p.add_argument("--scenario", choices=["offered", "drain", "scheduled", "all"], required=True)
    p.add_argument("--rates", default="200,1000,5000",
                   type=lambda s: [int(x) for x in s.split(",") if x.strip()])
    p.add_argument("--duration", type=float, default=10)
    p.add_argument("--drain-jobs", type=int, default=100_000)
    p.add_argument("--scheduled-jobs", type=int, default=100_000)
    p.add_argument("--window", type=float, default=60)
    p.add_argument("--concurrency", type=int, default=32, help="max in-flight jobs (max_concurrent_tasks)")
    p.add_argument("--batch-size", type=int, default=10, help="dequeue batch size (PgQueuer default 10)")
    p.add_argument("--dequeue-timeout", type=float, default=30, help="idle wait (PgQueuer default 30 s)")
    p.add_argument("--enqueue-conns", type=int, default=32, help="enqueuer's connection pool size")
    p.add_argument("--offered-wait", type=float, default=30, help="bound on the wait after enqueueing")
    p.add_argument("--drain-timeout", type=float, default=600)
    p.add_argument("--no-uvloop", dest="uvloop", action="store_false")
    args = p.parse_args(argv)
    if args.concurrency < 2 * args.batch_size:
        p.error("PgQueuer requires --concurrency >= 2 * --batch-size")
    return args


if __name__ == "__main__":
    logging.basicConfig(stream=sys.stderr, level=logging.WARNING)
    arguments = parse_args()
    if arguments.uvloop:
        import uvloop

        output = uvloop.run(main(arguments))
    else:
        output = asyncio.run(main(arguments))
    print(json.dumps(output), flush=True)
