"""A small HTTP/1.1 load generator for loopback servers (bench only; no extra packages).

`drive(host, port, paths, connections=32, duration=10.0)` opens `connections` keep-alive
connections with asyncio streams and has each send GET requests one after another (closed
loop), taking paths round-robin from `paths`, until `duration` seconds have passed or
`max_requests` were sent. A response with `Connection: close` (gunicorn's sync worker) makes
that connection reconnect before its next request; the reconnect is counted in that
request's latency, as a browser would pay it. Every latency is kept, so percentiles are
exact. The loop is bounded in count and time and only ever targets the given host, which
the caller keeps on loopback.
"""

from __future__ import annotations

import asyncio
import ipaddress
import statistics
import time
from collections import Counter
from dataclasses import dataclass, field


@dataclass
class LoadResult:
    requests: int
    seconds: float
    latencies_ms: list[float] = field(repr=False)
    statuses: Counter
    errors: int
    bytes_read: int

    @property
    def rate(self) -> float:
        return self.requests / self.seconds if self.seconds else 0.0

    def percentile(self, share: float) -> float:
        ordered = sorted(self.latencies_ms)
        if not ordered:
            return 0.0
        return ordered[min(len(ordered) - 1, round(share * (len(ordered) - 1)))]

    @property
    def p50(self) -> float:
        return statistics.median(self.latencies_ms) if self.latencies_ms else 0.0

    @property
    def p99(self) -> float:
        return self.percentile(0.99)

    def summary(self) -> str:
        return (
            f"{self.requests:,} requests in {self.seconds:.1f} s = {self.rate:,.0f} req/s, "
            f"p50 {self.p50:.1f} ms, p99 {self.p99:.1f} ms, statuses {dict(self.statuses)}, "
            f"errors {self.errors}"
        )


def _check_loopback(host: str) -> None:
    address = "127.0.0.1" if host == "localhost" else host
    if not ipaddress.ip_address(address).is_loopback:
        raise ValueError(f"the load generator only targets loopback addresses, not {host}")


async def _read_response(reader: asyncio.StreamReader) -> tuple[int, bool, int]:
    """(status, server closes the connection, body length) of one response."""
    head = await reader.readuntil(b"\r\n\r\n")
    lines = head.split(b"\r\n")
    status = int(lines[0].split(b" ", 2)[1])
    length = None
    chunked = False
    close = False
    for line in lines[1:]:
        name, _, value = line.partition(b":")
        name = name.strip().lower()
        if name == b"content-length":
            length = int(value.strip())
        elif name == b"transfer-encoding" and b"chunked" in value.lower():
            chunked = True
        elif name == b"connection" and value.strip().lower() == b"close":
            close = True
    if chunked:
        total = 0
        while True:
            size = int((await reader.readuntil(b"\r\n")).split(b";")[0], 16)
            if size == 0:
                await reader.readuntil(b"\r\n")
                break
            await reader.readexactly(size + 2)
            total += size
        return status, close, total
    if length is None:  # body until the server closes
        body = await reader.read()
        return status, True, len(body)
    await reader.readexactly(length)
    return status, close, length


async def _worker(host, port, paths, start_at, deadline, budget, result_lists):
    latencies, statuses = result_lists["latencies"], result_lists["statuses"]
    reader = writer = None
    index = start_at
    while time.perf_counter() < deadline and budget[0] > 0:
        budget[0] -= 1
        path = paths[index % len(paths)]
        index += 1
        request = (
            f"GET {path} HTTP/1.1\r\nHost: {host}:{port}\r\n"
            "User-Agent: ansinh-bench\r\nAccept: text/html\r\n\r\n"
        ).encode()
        started = time.perf_counter()
        try:
            if writer is None:
                reader, writer = await asyncio.open_connection(host, port)
            writer.write(request)
            status, close, length = await _read_response(reader)
        except (OSError, asyncio.IncompleteReadError, ValueError, IndexError):
            result_lists["errors"] += 1
            if writer is not None:
                writer.close()
            reader = writer = None
            continue
        latencies.append((time.perf_counter() - started) * 1000)
        statuses[status] += 1
        result_lists["bytes"] += length
        if close:
            writer.close()
            reader = writer = None
    if writer is not None:
        writer.close()


async def _drive(host, port, paths, connections, duration, max_requests):
    results = {"latencies": [], "statuses": Counter(), "errors": 0, "bytes": 0}
    started = time.perf_counter()
    deadline = started + duration
    budget = [max_requests]
    step = max(1, len(paths) // connections)
    await asyncio.gather(
        *(
            _worker(host, port, paths, n * step, deadline, budget, results)
            for n in range(connections)
        )
    )
    elapsed = time.perf_counter() - started
    return LoadResult(
        requests=len(results["latencies"]),
        seconds=elapsed,
        latencies_ms=results["latencies"],
        statuses=results["statuses"],
        errors=results["errors"],
        bytes_read=results["bytes"],
    )


def drive(
    host: str,
    port: int,
    paths: list[str],
    *,
    connections: int = 32,
    duration: float = 10.0,
    max_requests: int = 1_000_000,
) -> LoadResult:
    """Closed-loop load on a loopback server; see the module docstring."""
    _check_loopback(host)
    if not paths:
        raise ValueError("no paths to request")
    return asyncio.run(_drive(host, port, list(paths), connections, duration, max_requests))
