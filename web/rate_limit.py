"""A limit on requests per client address for the public pages (halaman publik).

The address is ``web.security.client_address``: the TCP peer, or the client a proxy
listed in ``BLANGKO_TRUSTED_PROXIES`` forwarded for (uvicorn rewrites it), never a header
read here. Each address has a bucket of ``burst`` requests that refills at ``rate`` per
second; an empty bucket answers 429 with ``Retry-After``. The buckets live in the
server process (each web worker keeps its own; with N workers an address gets up to N
times the rate): enough to keep one client from hogging the pages, while the open data
files serve whoever wants everything. Many residents behind one carrier NAT share an
address, so the rate is generous for a person and low for a scraper."""

import math
import time
from dataclasses import dataclass

from fastapi import Request
from starlette.exceptions import HTTPException

from web.security import client_address

RATE_PER_SECOND = 10.0
BURST = 100
MAX_ADDRESSES = 100_000  # idle (full) buckets are forgotten beyond this


@dataclass
class Bucket:
    tokens: float
    at: float


class RateLimit:
    def __init__(self, rate: float = RATE_PER_SECOND, burst: int = BURST) -> None:
        self.rate = rate
        self.burst = burst
        self._buckets: dict[str, Bucket] = {}

    def wait_seconds(self, address: str, now: float | None = None) -> float:
        """Takes one request from the address's bucket: 0 when allowed, otherwise the
        seconds until the next one would be."""
        now = time.monotonic() if now is None else now
        bucket = self._buckets.get(address)
        if bucket is None:
            if len(self._buckets) >= MAX_ADDRESSES:
                self._forget_idle(now)
            bucket = self._buckets[address] = Bucket(float(self.burst), now)
        bucket.tokens = min(self.burst, bucket.tokens + (now - bucket.at) * self.rate)
        bucket.at = now
        if bucket.tokens >= 1:
            bucket.tokens -= 1
            return 0.0
        return (1 - bucket.tokens) / self.rate

    def _forget_idle(self, now: float) -> None:
        full_after = self.burst / self.rate
        self._buckets = {
            address: bucket
            for address, bucket in self._buckets.items()
            if now - bucket.at < full_after
        }


async def public_limit(request: Request) -> None:
    """Router dependency of the public pages (``app.state.public_limit``)."""
    limit: RateLimit = request.app.state.public_limit
    wait = limit.wait_seconds(client_address(request))
    if wait:
        raise HTTPException(429, headers={"Retry-After": str(math.ceil(wait))})
