"""A small HTTP load generator: a fixed number of requests in flight, each on a new
connection (as gunicorn's sync workers close every connection), for a fixed time.

Standard library only, one process, one thread, non-blocking sockets: it needs far less CPU
per request than the server, which matters on a two-core machine where both share it.

Run by the benchmark as ``python -m ourpatch.benchmarks.loadgen`` with a JSON plan on stdin;
it writes a JSON report on stdout. Only 127.0.0.1 is ever contacted.
"""

from __future__ import annotations

import errno
import json
import os
import selectors
import socket
import sys
import time
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

HOST = "127.0.0.1"
# A request that gets no answer for this long is counted as an error
STALL_SECONDS = 30.0


def request_bytes(path: str, port: int) -> bytes:
    return (
        f"GET {path} HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\n"
        "User-Agent: ourpatch-bench\r\nAccept: application/json\r\nConnection: close\r\n\r\n"
    ).encode("ascii")


@dataclass
class Tally:
    """What one target's requests came to, over every round it was measured in."""

    latencies_ns: list[int] = field(default_factory=list)
    statuses: Counter[int] = field(default_factory=Counter)
    errors: Counter[str] = field(default_factory=Counter)
    seconds: float = 0.0
    server_cpu_seconds: float = 0.0  # the server processes', while this target was loaded
    client_cpu_seconds: float = 0.0  # this process's
    rounds: list[tuple[int, float]] = field(default_factory=list)  # (requests, seconds) each

    @property
    def requests(self) -> int:
        return len(self.latencies_ns)

    def as_json(self) -> dict[str, Any]:
        return {
            "latencies_ns": self.latencies_ns,
            "statuses": {str(k): v for k, v in self.statuses.items()},
            "errors": dict(self.errors),
            "seconds": self.seconds,
            "server_cpu_seconds": self.server_cpu_seconds,
            "client_cpu_seconds": self.client_cpu_seconds,
            "rounds": self.rounds,
        }


def cpu_seconds(pids: Sequence[int]) -> float:
    """User and system CPU time the processes have used (Linux /proc; 0 elsewhere)."""
    ticks = 0
    for pid in pids:
        try:
            text = Path(f"/proc/{pid}/stat").read_text()
        except OSError:
            continue
        fields = text.rsplit(")", 1)[1].split()  # after "pid (name)": state is fields[0]
        ticks += int(fields[11]) + int(fields[12])  # utime, stime
    return ticks / os.sysconf("SC_CLK_TCK")


@dataclass
class _Connection:
    sock: socket.socket
    started_ns: int
    request: bytes
    head: bytes = b""


def run_round(
    port: int,
    requests: Sequence[bytes],
    seconds: float,
    concurrency: int,
    tally: Tally,
    server_pids: Sequence[int] = (),
) -> None:
    """Keep ``concurrency`` requests in flight for ``seconds``, cycling through
    ``requests``; then let those in flight finish. Adds to ``tally``."""
    selector = selectors.DefaultSelector()
    address = (HOST, port)
    next_request = 0
    in_flight = 0
    server_cpu = cpu_seconds(server_pids)
    client_cpu = time.process_time()
    done_before = len(tally.latencies_ns)
    began = time.perf_counter()
    deadline = began + seconds

    def start() -> None:
        nonlocal next_request, in_flight
        request = requests[next_request % len(requests)]
        next_request += 1
        sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        sock.setblocking(False)
        started = time.perf_counter_ns()
        code = sock.connect_ex(address)
        if code not in (0, errno.EINPROGRESS):
            sock.close()
            tally.errors[errno.errorcode.get(code, str(code))] += 1
            return
        selector.register(sock, selectors.EVENT_WRITE, _Connection(sock, started, request))
        in_flight += 1

    def finish(conn: _Connection, error: str | None) -> None:
        nonlocal in_flight
        selector.unregister(conn.sock)
        conn.sock.close()
        in_flight -= 1
        if error is not None:
            tally.errors[error] += 1
        else:
            tally.latencies_ns.append(time.perf_counter_ns() - conn.started_ns)
            try:
                tally.statuses[int(conn.head[9:12])] += 1
            except ValueError:
                tally.errors["not HTTP"] += 1
        if time.perf_counter() < deadline:
            start()

    for _ in range(concurrency):
        start()
    while in_flight:
        events = selector.select(timeout=STALL_SECONDS)
        if not events:
            for key in list(selector.get_map().values()):
                finish(key.data, "stalled")
            break
        for key, mask in events:
            conn: _Connection = key.data
            if mask & selectors.EVENT_WRITE:
                code = conn.sock.getsockopt(socket.SOL_SOCKET, socket.SO_ERROR)
                if code:
                    finish(conn, errno.errorcode.get(code, str(code)))
                    continue
                try:
                    conn.sock.sendall(conn.request)  # small: fits the socket buffer
                except OSError as exc:
                    finish(conn, type(exc).__name__)
                    continue
                selector.modify(conn.sock, selectors.EVENT_READ, conn)
            else:
                try:
                    chunk = conn.sock.recv(65536)
                except OSError as exc:
                    finish(conn, type(exc).__name__)
                    continue
                if chunk:
                    if len(conn.head) < 12:
                        conn.head += chunk[:64]
                else:  # the server closed: the response is complete
                    finish(conn, None if conn.head else "empty response")
    selector.close()
    elapsed = time.perf_counter() - began
    tally.seconds += elapsed
    tally.rounds.append((len(tally.latencies_ns) - done_before, elapsed))
    tally.client_cpu_seconds += time.process_time() - client_cpu
    tally.server_cpu_seconds += cpu_seconds(server_pids) - server_cpu


def run_plan(plan: dict[str, Any]) -> dict[str, Any]:
    """``plan``: ``{"port", "concurrency", "targets": {name: [path, ...]},
    "rounds": [[name, seconds, recorded], ...], "server_pids": [...]}``. Returns each
    recorded target's tally."""
    port = int(plan["port"])
    server_pids = [int(pid) for pid in plan.get("server_pids", [])]
    concurrency = int(plan["concurrency"])
    prepared = {
        name: [request_bytes(path, port) for path in paths]
        for name, paths in plan["targets"].items()
    }
    tallies: dict[str, Tally] = {}
    for name, seconds, recorded in plan["rounds"]:
        tally = tallies.setdefault(name, Tally()) if recorded else Tally()
        run_round(port, prepared[name], float(seconds), concurrency, tally, server_pids)
    return {name: tally.as_json() for name, tally in tallies.items()}


def main() -> int:
    plan = json.load(sys.stdin)
    json.dump(run_plan(plan), sys.stdout)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
