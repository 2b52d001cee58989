"""What later generated rows pick from: the run's recordations in force (renewals and
amendments), bucketed by the month their validity ends, and a fixed-size sample of them for
detention cases; both bounded, so memory stays flat whatever the number of applications."""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import date

from dateutil.relativedelta import relativedelta

BUCKET_CAP = 500  # recordations kept per month of validity end


@dataclass
class Recorded:
    """A recordation of this run, as its renewals and amendments need it."""

    id: int
    number: str
    holder_index: int
    ipr_type: str
    right_number: str | None
    title: str
    valid_from: date
    valid_until: date
    right_expiry: date | None
    holder_org_id: int


def _month(day: date) -> int:
    return day.year * 12 + day.month


class Pool:
    def __init__(self, rng: random.Random, sample_size: int) -> None:
        self.rng = rng
        self.buckets: dict[int, list[Recorded]] = {}
        self.sample: list[Recorded] = []
        self.sample_size = sample_size
        self.seen = 0

    def add(self, recorded: Recorded) -> None:
        bucket = self.buckets.setdefault(_month(recorded.valid_until), [])
        if len(bucket) < BUCKET_CAP:
            bucket.append(recorded)
        else:
            bucket[self.rng.randrange(BUCKET_CAP)] = recorded

    def observe(self, recorded: Recorded) -> None:
        """Reservoir sampling: every recordation of the run equally likely to carry a case."""
        self.seen += 1
        if len(self.sample) < self.sample_size:
            self.sample.append(recorded)
        elif (slot := self.rng.randrange(self.seen)) < self.sample_size:
            self.sample[slot] = recorded

    def renewable(self, day: date) -> Recorded | None:
        """One in its renewal window on `day` (its last 6 months), taken out of the pool."""
        first = self.rng.randrange(7)
        for step in range(7):
            month = _month(day) + (first + step) % 7
            bucket = self.buckets.get(month, [])
            for position, recorded in enumerate(bucket):
                if day <= recorded.valid_until <= day + relativedelta(months=6):
                    bucket[position] = bucket[-1]
                    bucket.pop()
                    return recorded
        return None

    def amendable(self, day: date) -> Recorded | None:
        """One still in force on `day` (it stays in the pool)."""
        for _try in range(4):
            bucket = self.buckets.get(_month(day) + self.rng.randrange(1, 60))
            if bucket:
                return self.rng.choice(bucket)
        return None

    def forget_before(self, day: date) -> None:
        """Buckets whose validity ended before `day` can no longer be renewed or amended."""
        for month in [m for m in self.buckets if m < _month(day)]:
            del self.buckets[month]
