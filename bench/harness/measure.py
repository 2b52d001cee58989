"""Interleaved latency runs (round-robin, medians), the deep queue page, requests per second."""

from __future__ import annotations

import statistics
from dataclasses import dataclass, field

from harness.catalogue import Probe
from harness.client import Client, next_link, rate


@dataclass
class Timing:
    ms: float | None = None  # median
    statements: int | None = None  # the most any repetition sent
    status: int | None = None
    samples: list[float] = field(default_factory=list)


def deep_queue(client: Client, page: int = 1000) -> tuple[str, int]:
    """Follow the queue's rel="next" links to page `page`; its path and number. A queue
    shorter than that gives its last full page (every page with a next link is full): the
    last page may hold a couple of rows, which is not the same page to compare (2 rows at
    10k against 25 at 1M in the 2026-12-04 21:10 run)."""
    path, reached, previous = "/review/", 1, None
    while reached < page:
        reply = client.get(path)
        following = next_link(reply.body) if reply.status == 200 else None
        if following is None:
            return (previous, reached - 1) if previous else (path, reached)
        previous, path, reached = path, following, reached + 1
    return path, reached


def latencies(clients: dict[str, Client], probes: list[Probe], reps: int) -> dict[str, Timing]:
    """One database: see `interleaved`."""
    return interleaved({0: (clients, probes)}, reps)[0]


def interleaved(
    runs: dict[int, tuple[dict[str, Client], list[Probe]]], reps: int
) -> dict[int, dict[str, Timing]]:
    """Per size: (its clients, its probes), all served at once. One warm-up pass, then `reps`
    passes over every probe, each pass starting one probe further along the list
    (round-robin), each probe asked of every size in turn (the order of the sizes alternating
    pass by pass), so that load drifting on the machine is shared by all probes and sizes."""
    timings = {size: {p.figure: Timing() for p in probes} for size, (_, probes) in runs.items()}
    tags: dict[tuple[int, str], str | None] = {}
    for size, (clients, probes) in runs.items():  # warm-up: caches, lazily built things
        for probe in probes:
            reply = clients[probe.who].get(probe.path)
            tags[size, probe.figure] = reply.etag if probe.revalidate else None
            if probe.revalidate:  # the browser's copy: then its first revalidation
                reply = clients[probe.who].get(probe.path, reply.etag) if reply.etag else None
            timings[size][probe.figure].status = reply.status if reply else -1
    figures = list(dict.fromkeys(p.figure for _, probes in runs.values() for p in probes))
    sizes = list(runs)
    for rep in range(reps):
        shift = rep % len(figures)
        order = sizes if rep % 2 == 0 else sizes[::-1]
        for figure in figures[shift:] + figures[:shift]:
            for size in order:
                clients, probes = runs[size]
                probe = next((p for p in probes if p.figure == figure), None)
                if probe is not None:
                    _sample(timings[size][figure], probe, clients, tags[size, figure])
    for by_figure in timings.values():
        for timing in by_figure.values():
            timing.ms = statistics.median(timing.samples) if timing.samples else None
    return timings


def _sample(timing: Timing, probe: Probe, clients: dict[str, Client], etag: str | None) -> None:
    reply = clients[probe.who].get(probe.path, etag)
    timing.samples.append(reply.ms)
    if reply.status != (304 if probe.revalidate else 200):
        timing.status = reply.status
    if reply.statements is not None:
        timing.statements = max(timing.statements or 0, reply.statements)


@dataclass
class Rates:
    """Medians of req/s: the queue's page 1 rendered, revalidated (304), the static file."""

    queue: float
    revalidated: float
    static: float
    failed: int


def throughput(queue: Client, static: Client, clients: int, seconds: float, rounds: int = 2):
    """Requests/s of the queue's page 1 (rendered each time, and revalidated by its ETag as a
    browser reloading it does) and of the static favicon on the same server, alternated
    `rounds` times; medians, and the failed requests seen."""
    tag = queue.get("/review/").etag
    runs = {"static": [], "queue": [], "revalidated": []}
    failed = 0
    for _ in range(rounds):
        for client, key, etag, path in ((static, "static", None, "/static/favicon.svg"),
                                        (queue, "queue", None, "/review/"),
                                        (queue, "revalidated", tag, "/review/")):  # fmt: skip
            per_second, errors = rate(client, path, clients, seconds, etag)
            runs[key].append(per_second)
            failed += errors
    median = {key: statistics.median(values) for key, values in runs.items()}
    return Rates(median["queue"], median["revalidated"], median["static"], failed)
