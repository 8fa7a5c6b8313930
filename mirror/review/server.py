"""A loopback-only web server for the review page.

It answers ``GET`` and ``HEAD`` for exactly three things: the page (``/``, ``/review.html``),
the analysed video (``/video``, with HTTP Range requests, which browsers need to seek), and
the regular files of the output folder itself (``/report.json``, ``/events.csv``, ...).
Nothing else: no directory listing, no hidden files, no path that leaves the folder (``..``
in any spelling, absolute paths, symbolic links pointing outside), and no other ``Host``
than the loopback address (so a web page elsewhere cannot reach it by DNS rebinding).
"""

from __future__ import annotations

import errno
import mimetypes
import os
import re
import sys
import threading
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import unquote, urlsplit

from mirror.errors import MirrorError
from mirror.review.page import content_security_policy

LOOPBACK = "127.0.0.1"
DEFAULT_PORT = 8717
"""Tried first, so the page keeps one origin (and its saved marks) from one review to the next."""
VIDEO_ROUTE = "/video"
CHUNK = 256 * 1024

CONTENT_TYPES = {
    ".html": "text/html; charset=utf-8",
    ".json": "application/json",
    ".csv": "text/csv; charset=utf-8",
    ".png": "image/png",
    ".jpg": "image/jpeg",
    ".eaf": "application/xml",
    ".txt": "text/plain; charset=utf-8",
    ".npz": "application/octet-stream",
    ".mp4": "video/mp4",
    ".m4v": "video/mp4",
    ".mov": "video/quicktime",
    ".webm": "video/webm",
    ".mkv": "video/x-matroska",
    ".ogv": "video/ogg",
    ".avi": "video/x-msvideo",
}


def content_type(path: Path) -> str:
    """The ``Content-Type`` of a served file, from its extension."""
    ext = path.suffix.lower()
    if ext in CONTENT_TYPES:
        return CONTENT_TYPES[ext]
    return mimetypes.guess_type(path.name)[0] or "application/octet-stream"


class Refused(Exception):
    """A request for something the server does not serve; ``status`` is the HTTP answer."""

    def __init__(self, status: HTTPStatus) -> None:
        super().__init__(status.phrase)
        self.status = status


def folder_file(root: Path, url_path: str) -> Path:
    """The file of ``root`` that a URL path names.

    Parameters
    ----------
    root : Path
        The output folder, resolved.
    url_path : str
        The path part of the request URL, still percent-encoded.

    Raises
    ------
    Refused
        400 for a malformed path (``..``, ``.``, empty or hidden segments, backslashes, NUL),
        403 for a path that resolves outside ``root`` (a symbolic link), 404 for anything
        that is not an existing regular file (folders included: there is no listing).
    """
    if "\\" in url_path or "\x00" in url_path:
        raise Refused(HTTPStatus.BAD_REQUEST)
    try:
        decoded = unquote(url_path, errors="strict") if "%" in url_path else url_path
    except UnicodeDecodeError:
        raise Refused(HTTPStatus.BAD_REQUEST) from None
    if "\\" in decoded or "\x00" in decoded or not decoded.startswith("/"):
        raise Refused(HTTPStatus.BAD_REQUEST)
    parts = decoded[1:].split("/")
    if parts and parts[-1] == "" and len(parts) > 1:
        raise Refused(HTTPStatus.NOT_FOUND)  # a folder: no listing
    if any(p in ("", ".", "..") or p.startswith(".") for p in parts):
        raise Refused(HTTPStatus.BAD_REQUEST)
    candidate = root.joinpath(*parts)
    try:
        real = candidate.resolve(strict=True)
    except (OSError, RuntimeError):
        raise Refused(HTTPStatus.NOT_FOUND) from None
    if real != root and root not in real.parents:
        raise Refused(HTTPStatus.FORBIDDEN)
    if not real.is_file():
        raise Refused(HTTPStatus.NOT_FOUND)
    return real


_RANGE = re.compile(r"^bytes=(\d*)-(\d*)$")


def byte_range(header: str | None, size: int) -> tuple[int, int] | None:
    """``(first, last)`` byte of a single-range ``Range`` header, or None for the whole file.

    Raises
    ------
    Refused
        416 when the range cannot be satisfied.
    """
    if not header:
        return None
    m = _RANGE.match(header.strip())
    if m is None:
        return None  # several ranges or another unit: answer with the whole file, as RFC 9110 allows
    a, b = m.groups()
    if a == "" and b == "":
        return None
    if a == "":
        n = int(b)
        if n == 0 or size == 0:
            raise Refused(HTTPStatus.REQUESTED_RANGE_NOT_SATISFIABLE)
        return max(0, size - n), size - 1
    first = int(a)
    last = size - 1 if b == "" else min(int(b), size - 1)
    if first >= size or last < first:
        raise Refused(HTTPStatus.REQUESTED_RANGE_NOT_SATISFIABLE)
    return first, last


class _Handler(BaseHTTPRequestHandler):
    server: _Server
    server_version = "mirror-review"
    sys_version = ""
    protocol_version = "HTTP/1.1"

    def log_message(self, format: str, *args) -> None:  # noqa: A002 - the library never prints
        log = self.server.review.log
        if log is not None:
            log(format % args)

    def do_GET(self) -> None:  # noqa: N802
        self._answer(head=False)

    def do_HEAD(self) -> None:  # noqa: N802
        self._answer(head=True)

    def _not_allowed(self) -> None:
        self._status_only(HTTPStatus.METHOD_NOT_ALLOWED, {"Allow": "GET, HEAD"})

    do_POST = do_PUT = do_DELETE = do_PATCH = do_OPTIONS = _not_allowed  # noqa: N815

    def _status_only(self, status: HTTPStatus, headers: dict | None = None) -> None:
        body = f"{status.value} {status.phrase}\n".encode()
        self.send_response(status)
        for k, v in (headers or {}).items():
            self.send_header(k, v)
        self.send_header("Content-Type", "text/plain; charset=utf-8")
        self.send_header("Content-Length", str(len(body)))
        self.send_header("X-Content-Type-Options", "nosniff")
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(body)

    def _host_ok(self) -> bool:
        host = (self.headers.get("Host") or "").strip().lower()
        port = self.server.server_address[1]
        return host in (LOOPBACK, f"{LOOPBACK}:{port}", "localhost", f"localhost:{port}")

    def _answer(self, head: bool) -> None:
        review = self.server.review
        try:
            if not self._host_ok():
                raise Refused(HTTPStatus.FORBIDDEN)
            target = self.path
            # origin form "/path?query"; urlsplit would read "//x/y" as a host x
            path = target.split("?", 1)[0].split("#", 1)[0] if target.startswith("/") else urlsplit(target).path
            if path in ("/", "/review.html"):
                self._send_bytes(review.page, "text/html; charset=utf-8", head, page=True)
            elif path == VIDEO_ROUTE:
                if review.video is None or not review.video.is_file():
                    raise Refused(HTTPStatus.NOT_FOUND)
                self._send_file(review.video, head)
            else:
                self._send_file(folder_file(review.root, path), head)
        except Refused as r:
            self._status_only(r.status)
        except (BrokenPipeError, ConnectionResetError):
            pass  # the browser dropped a request it no longer needs (it does so when seeking)

    def _common_headers(self, ctype: str, length: int) -> None:
        self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(length))
        self.send_header("X-Content-Type-Options", "nosniff")
        self.send_header("Referrer-Policy", "no-referrer")
        self.send_header("Cache-Control", "no-store")

    def _send_bytes(self, data: bytes, ctype: str, head: bool, page: bool = False) -> None:
        self.send_response(HTTPStatus.OK)
        self._common_headers(ctype, len(data))
        if page:
            self.send_header(
                "Content-Security-Policy", content_security_policy(static=False) + "; frame-ancestors 'none'"
            )
            self.send_header("X-Frame-Options", "DENY")
        self.end_headers()
        if not head:
            self.wfile.write(data)

    def _send_file(self, path: Path, head: bool) -> None:
        try:
            fh = open(path, "rb")
        except OSError:
            raise Refused(HTTPStatus.NOT_FOUND) from None
        with fh:
            size = os.fstat(fh.fileno()).st_size
            rng = byte_range(self.headers.get("Range"), size)
            first, last = rng if rng is not None else (0, size - 1)
            length = max(0, last - first + 1)
            self.send_response(HTTPStatus.PARTIAL_CONTENT if rng is not None else HTTPStatus.OK)
            self._common_headers(content_type(path), length)
            self.send_header("Accept-Ranges", "bytes")
            if rng is not None:
                self.send_header("Content-Range", f"bytes {first}-{last}/{size}")
            self.end_headers()
            if head:
                return
            fh.seek(first)
            left = length
            while left > 0:
                chunk = fh.read(min(CHUNK, left))
                if not chunk:
                    break
                self.wfile.write(chunk)
                left -= len(chunk)


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True
    review: ReviewServer

    def handle_error(self, request, client_address) -> None:
        """A browser dropping a connection is normal; anything else goes to the log, never to stderr."""
        exc = sys.exc_info()[1]
        if isinstance(exc, ConnectionError):
            return
        if self.review.log is not None:
            self.review.log(f"error answering {client_address[0]}: {type(exc).__name__}: {exc}")


class ReviewServer:
    """The review page, the video and the output folder's files, on the loopback address.

    Parameters
    ----------
    out_dir : path
        The output folder; only its regular files are served.
    page : bytes
        The page (``text/html``) served at ``/`` and ``/review.html``.
    video : path, optional
        The video served at ``/video``.
    port : int
        ``0``: any free port. Otherwise that port; if it is taken and ``fallback`` is true,
        any free port.
    log : callable, optional
        Receives one line per request (the library prints nothing itself).

    Attributes
    ----------
    url : str
        ``http://127.0.0.1:PORT/``.
    """

    def __init__(self, out_dir, page: bytes, video=None, port: int = 0, fallback: bool = True, log=None) -> None:
        self.root = Path(out_dir).resolve()
        self.page = page
        self.video = Path(video).resolve() if video is not None else None
        self.log = log
        self._thread: threading.Thread | None = None
        try:
            self.httpd = _Server((LOOPBACK, port), _Handler)
        except OSError as exc:
            if exc.errno == errno.EADDRINUSE and fallback and port != 0:
                self.httpd = _Server((LOOPBACK, 0), _Handler)
            elif exc.errno == errno.EADDRINUSE:
                raise MirrorError(f"port {port} is in use: choose another --port, or 0 for any free one") from None
            else:
                raise MirrorError(f"cannot listen on {LOOPBACK}:{port}: {exc.strerror or exc}") from None
        self.httpd.review = self

    @property
    def address(self) -> tuple[str, int]:
        host, port = self.httpd.server_address[:2]
        return str(host), int(port)

    @property
    def url(self) -> str:
        host, port = self.address
        return f"http://{host}:{port}/"

    def serve_forever(self) -> None:
        """Answer requests until :meth:`shutdown` (from another thread) or ``KeyboardInterrupt``."""
        self.httpd.serve_forever(poll_interval=0.2)

    def start(self) -> ReviewServer:
        """Serve on a background thread (daemon); returns self."""
        self._thread = threading.Thread(target=self.serve_forever, name="mirror-review", daemon=True)
        self._thread.start()
        return self

    def shutdown(self) -> None:
        """Stop serving and close the socket."""
        if self._thread is not None:
            self.httpd.shutdown()
            self._thread.join(timeout=5)
            self._thread = None
        self.httpd.server_close()

    def __enter__(self) -> ReviewServer:
        return self

    def __exit__(self, *exc) -> None:
        self.shutdown()
