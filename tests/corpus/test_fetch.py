"""Tests for analysis.corpus.fetch, against a real file served over loopback only."""

from __future__ import annotations

import hashlib
import http.server
import logging
import os
import threading
import urllib.request
from collections import Counter
from pathlib import Path

import pytest

from analysis.corpus.fetch import FetchError, fetch

DATA_HOME = Path(
    os.environ.get(
        "ANALYSIS_DATA_HOME",
        Path(__file__).resolve().parents[2].parent / "shared" / "corpora",
    )
)
LABEL_MAP = DATA_HOME / "frac" / "label_map.csv"
LABEL_MAP_SHA256 = "93b07c8123a74bf6c211e5f54df368e393e8bb770b63925540d7f8669c2c2ea4"

TIMEOUT = 2.0  # seconds; bounds every socket operation on both ends


@pytest.fixture(scope="module")
def payload() -> bytes:
    if not LABEL_MAP.is_file():
        pytest.skip(f"shared data file not available: {LABEL_MAP}")
    data = LABEL_MAP.read_bytes()
    if hashlib.sha256(data).hexdigest() != LABEL_MAP_SHA256:
        pytest.fail(f"{LABEL_MAP} does not have the expected sha256 {LABEL_MAP_SHA256}")
    return data


class _Server:
    """Loopback HTTP server with one route per failure mode, counting hits per path."""

    def __init__(self, payload: bytes) -> None:
        self.payload = payload
        self.hits: Counter[str] = Counter()
        self.release = threading.Event()  # unblocks /stalled on teardown
        server = self

        class Handler(http.server.BaseHTTPRequestHandler):
            timeout = TIMEOUT

            def do_GET(self) -> None:
                server.hits[self.path] += 1
                route = server.routes.get(self.path)
                if route is None:
                    self.send_error(404)
                else:
                    route(self)

            def log_message(self, format: str, *args: object) -> None:
                pass

        self.routes = {
            "/label_map.csv": self._full,
            "/corrupted.csv": self._corrupted,
            "/truncated.csv": self._truncated,
            "/stalled.csv": self._stalled,
        }
        self.httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        host, port = self.httpd.server_address[:2]
        assert host == "127.0.0.1"
        self.base = f"http://127.0.0.1:{port}"
        self.thread = threading.Thread(
            target=self.httpd.serve_forever, kwargs={"poll_interval": 0.01}, daemon=True
        )

    def url(self, path: str) -> str:
        return self.base + path

    def _headers(self, handler: http.server.BaseHTTPRequestHandler) -> None:
        handler.send_response(200)
        handler.send_header("Content-Type", "text/csv")
        handler.send_header("Content-Length", str(len(self.payload)))
        handler.end_headers()

    def _full(self, handler: http.server.BaseHTTPRequestHandler) -> None:
        self._headers(handler)
        handler.wfile.write(self.payload)

    def _corrupted(self, handler: http.server.BaseHTTPRequestHandler) -> None:
        corrupted = bytearray(self.payload)
        corrupted[len(corrupted) // 2] ^= 0x01
        self._headers(handler)
        handler.wfile.write(bytes(corrupted))

    def _truncated(self, handler: http.server.BaseHTTPRequestHandler) -> None:
        self._headers(handler)
        handler.wfile.write(self.payload[: len(self.payload) // 2])
        handler.close_connection = True  # the server closes the socket when the handler returns

    def _stalled(self, handler: http.server.BaseHTTPRequestHandler) -> None:
        self._headers(handler)
        handler.wfile.write(self.payload[: len(self.payload) // 2])
        self.release.wait(TIMEOUT)
        handler.close_connection = True


@pytest.fixture
def server(payload: bytes):
    srv = _Server(payload)
    srv.thread.start()
    try:
        yield srv
    finally:
        srv.release.set()
        srv.httpd.shutdown()
        srv.httpd.server_close()
        srv.thread.join(TIMEOUT)


@pytest.fixture(autouse=True)
def _no_proxy(monkeypatch: pytest.MonkeyPatch) -> None:
    """Make urllib connect to 127.0.0.1 directly, whatever proxy the environment names."""
    for name in list(os.environ):
        if name.lower().endswith("_proxy"):
            monkeypatch.delenv(name)
    monkeypatch.setenv("no_proxy", "*")


def _assert_error_names_url_and_destination(exc: FetchError, url: str, destination: Path) -> None:
    assert url in str(exc)
    assert str(destination) in str(exc)
    assert exc.url == url
    assert exc.destination == destination


def test_downloads_verifies_and_creates_parents(server: _Server, tmp_path: Path) -> None:
    destination = tmp_path / "nested" / "dir" / "label_map.csv"

    result = fetch(
        server.url("/label_map.csv"), destination, sha256=LABEL_MAP_SHA256, timeout=TIMEOUT
    )

    assert result == destination
    assert hashlib.sha256(destination.read_bytes()).hexdigest() == LABEL_MAP_SHA256
    assert list(destination.parent.iterdir()) == [destination]
    assert server.hits["/label_map.csv"] == 1


def test_progress_bar_and_uppercase_sha256(
    server: _Server, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    destination = tmp_path / "label_map.csv"

    fetch(
        server.url("/label_map.csv"),
        destination,
        sha256=LABEL_MAP_SHA256.upper(),
        timeout=TIMEOUT,
        progress=True,
    )

    assert destination.read_bytes() == LABEL_MAP.read_bytes()
    assert "label_map.csv" in capsys.readouterr().err


@pytest.mark.parametrize(
    "path,timeout,message",
    [
        ("/corrupted.csv", TIMEOUT, "sha256 mismatch"),
        ("/truncated.csv", TIMEOUT, "interrupted"),
        ("/stalled.csv", 0.2, "interrupted"),
        ("/missing.csv", TIMEOUT, "404"),
    ],
)
def test_failed_download_says_why_and_leaves_nothing(
    server: _Server, payload: bytes, tmp_path: Path, path: str, timeout: float, message: str
) -> None:
    url = server.url(path)
    destination = tmp_path / "label_map.csv"

    with pytest.raises(FetchError, match=message) as info:
        fetch(url, destination, sha256=LABEL_MAP_SHA256, timeout=timeout, progress=False)

    _assert_error_names_url_and_destination(info.value, url, destination)
    if path == "/corrupted.csv":
        assert LABEL_MAP_SHA256 in str(info.value)
    if path == "/truncated.csv":
        assert f"after {len(payload) // 2} of {len(payload)} bytes" in str(info.value)
    assert list(tmp_path.iterdir()) == []


def test_keyboard_interrupt_removes_temporary_file(
    server: _Server, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    real_urlopen = urllib.request.urlopen
    seen_partial: list[list[Path]] = []

    def urlopen_interrupted_on_second_read(*args, **kwargs):
        response = real_urlopen(*args, **kwargs)
        real_read = response.read
        reads = 0

        def read(amt=None):
            nonlocal reads
            reads += 1
            if reads == 2:  # the first chunk has been written to the temporary file
                seen_partial.append(list(tmp_path.iterdir()))
                raise KeyboardInterrupt
            return real_read(amt)

        response.read = read
        return response

    monkeypatch.setattr(urllib.request, "urlopen", urlopen_interrupted_on_second_read)

    with pytest.raises(KeyboardInterrupt):
        fetch(
            server.url("/label_map.csv"),
            tmp_path / "label_map.csv",
            sha256=LABEL_MAP_SHA256,
            timeout=TIMEOUT,
            progress=False,
        )

    assert len(seen_partial) == 1 and len(seen_partial[0]) == 1  # a temporary file did exist
    assert list(tmp_path.iterdir()) == []


def test_existing_correct_file_is_not_downloaded(
    server: _Server, payload: bytes, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    destination = tmp_path / "label_map.csv"
    destination.write_bytes(payload)

    with caplog.at_level(logging.INFO, logger="analysis.corpus.fetch"):
        result = fetch(
            server.url("/label_map.csv"), destination, sha256=LABEL_MAP_SHA256, timeout=TIMEOUT
        )

    assert result == destination
    assert server.hits["/label_map.csv"] == 0
    assert "already present" in caplog.text


def test_existing_wrong_file_is_left_untouched(server: _Server, tmp_path: Path) -> None:
    url = server.url("/label_map.csv")
    destination = tmp_path / "label_map.csv"
    destination.write_bytes(b"not the label map\n")
    before = destination.stat()

    with pytest.raises(FetchError, match="delete it") as info:
        fetch(url, destination, sha256=LABEL_MAP_SHA256, timeout=TIMEOUT, progress=False)

    _assert_error_names_url_and_destination(info.value, url, destination)
    assert destination.read_bytes() == b"not the label map\n"
    assert destination.stat().st_mtime_ns == before.st_mtime_ns
    assert list(tmp_path.iterdir()) == [destination]
    assert server.hits["/label_map.csv"] == 0


def test_rejects_malformed_sha256(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="64 hexadecimal"):
        fetch("http://127.0.0.1:9/unused", tmp_path / "x", sha256="abc123")
    assert list(tmp_path.iterdir()) == []
