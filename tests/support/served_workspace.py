"""``cityops serve`` run in a child process over a workspace, for tests that measure the
server itself (its memory, its answers to raw HTTP) rather than the app in-process.

``serve_workspace`` starts it on a free loopback port and stops it when the block ends;
``peak_rss_bytes`` reads the child's peak resident memory (``VmHWM``) from ``/proc``;
``raw_post`` sends a body over a plain socket the way a hostile client does, and stops
sending as soon as the server has answered.
"""

from __future__ import annotations

import select
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

__all__ = ["RawAnswer", "Served", "peak_rss_bytes", "raw_post", "serve_workspace"]


@dataclass(frozen=True, slots=True)
class Served:
    pid: int
    host: str
    port: int

    @property
    def base_url(self) -> str:
        return f"http://{self.host}:{self.port}"


@dataclass(frozen=True, slots=True)
class RawAnswer:
    status: int
    head: str
    body: bytes
    sent: int
    """How many bytes of the body went out before the server answered or hung up."""


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@contextmanager
def serve_workspace(root: Path, log_path: Path, timeout_s: float = 60) -> Iterator[Served]:
    """``cityops serve -w root`` on a free loopback port until the block ends."""
    port = _free_port()
    with log_path.open("wb") as log:
        server = subprocess.Popen(
            [sys.executable, "-m", "cityops", "serve", "-w", str(root), "--port", str(port)],
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        try:
            served = Served(server.pid, "127.0.0.1", port)
            _wait_until_serving(f"{served.base_url}/console/login", server, timeout_s)
            yield served
        finally:
            server.terminate()
            server.wait(timeout=20)


def _wait_until_serving(url: str, server: subprocess.Popen[bytes], timeout_s: float) -> None:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise RuntimeError(f"cityops serve exited with {server.returncode}")
        try:
            with urllib.request.urlopen(url, timeout=2) as response:
                if response.status == 200:
                    return
        except (urllib.error.URLError, ConnectionError):
            time.sleep(0.3)
    raise RuntimeError(f"cityops serve did not answer {url} within {timeout_s} s")


def peak_rss_bytes(pid: int) -> int:
    """The peak resident set size of process ``pid`` so far (Linux ``VmHWM``)."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) * 1024
    raise RuntimeError(f"no VmHWM for process {pid}")


def raw_post(
    served: Served,
    path: str,
    chunks: Iterable[bytes],
    headers: dict[str, str],
    *,
    chunked: bool = False,
) -> RawAnswer:
    """POST ``chunks`` to ``path``: with the given headers (a ``Content-Length`` among
    them, unless ``chunked``), stopping as soon as the server answers or hangs up."""
    lines = [f"POST {path} HTTP/1.1", f"Host: {served.host}:{served.port}"]
    lines += [f"{name}: {value}" for name, value in headers.items()]
    if chunked:
        lines.append("Transfer-Encoding: chunked")
    head = ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1")
    sent = 0
    with socket.create_connection((served.host, served.port), timeout=60) as connection:
        connection.sendall(head)
        try:
            for chunk in chunks:
                readable, _, _ = select.select([connection], [], [], 0)
                if readable:
                    break  # answered (or closed) before the whole body went out
                framed = f"{len(chunk):x}\r\n".encode() + chunk + b"\r\n" if chunked else chunk
                connection.sendall(framed)
                sent += len(chunk)
            else:
                if chunked:
                    connection.sendall(b"0\r\n\r\n")
        except (BrokenPipeError, ConnectionResetError):
            pass
        answer = _read_answer(connection)
    status_line, _, rest = answer.partition(b"\r\n")
    head_text, _, body = rest.partition(b"\r\n\r\n")
    return RawAnswer(int(status_line.split()[1]), head_text.decode("latin-1"), body, sent)


def _read_answer(connection: socket.socket) -> bytes:
    received = b""
    try:
        while True:
            data = connection.recv(65536)
            if not data:
                break
            received += data
            if b"\r\n\r\n" in received and _complete(received):
                break
    except ConnectionResetError:
        pass
    return received


def _complete(received: bytes) -> bool:
    head, _, body = received.partition(b"\r\n\r\n")
    for line in head.split(b"\r\n")[1:]:
        name, _, value = line.partition(b":")
        if name.strip().lower() == b"content-length":
            return len(body) >= int(value)
    return False
