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
    """Follow the queue's rel="next" links to page `page` (or the last); its path and number."""
    path, reached = "/review/", 1
    while reached < page:
        reply = client.get(path)
        following = next_link(reply.body) if reply.status == 200 else None
        if following is None:
            break
        path, reached = following, reached + 1
    return path, reached


def latencies(clients: dict[str, Client], probes: list[Probe], reps: int) -> dict[str, Timing]:
    """One warm-up pass, then `reps` passes over every probe, each pass starting one further
    along the list (round-robin), so that load drifting on the machine is shared by all."""
    timings = {probe.figure: Timing() for probe in probes}
    for probe in probes:  # warm-up: caches, connections, lazily built things
        reply = clients[probe.who].get(probe.path)
        timings[probe.figure].status = reply.status
    for rep in range(reps):
        shift = rep % len(probes)
        for probe in probes[shift:] + probes[:shift]:
            reply = clients[probe.who].get(probe.path)
            timing = timings[probe.figure]
            timing.samples.append(reply.ms)
            if reply.status != 200:
                timing.status = reply.status
            if reply.statements is not None:
                timing.statements = max(timing.statements or 0, reply.statements)
    for timing in timings.values():
        timing.ms = statistics.median(timing.samples) if timing.samples else None
    return timings


def throughput(queue: Client, static: Client, clients: int, seconds: float, rounds: int = 2):
    """Requests/s of the queue's page 1 and of the static favicon on the same server,
    alternated `rounds` times; medians, and the failed requests seen."""
    queue_rates, static_rates, failed = [], [], 0
    for _ in range(rounds):
        for client, path, rates in ((static, "/static/favicon.svg", static_rates),
                                    (queue, "/review/", queue_rates)):  # fmt: skip
            per_second, errors = rate(client, path, clients, seconds)
            rates.append(per_second)
            failed += errors
    return statistics.median(queue_rates), statistics.median(static_rates), failed
