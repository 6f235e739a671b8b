"""Verified, atomic download of corpus files.

The only entry point is :func:`fetch`. It streams a URL into a temporary file
in the destination's own directory, hashes the bytes as they arrive, and moves
the file into place with :func:`os.replace` only once its SHA-256 matches. A
failed, corrupted or interrupted download leaves nothing behind, and an
existing file is never overwritten.
"""

from __future__ import annotations

import hashlib
import http.client
import logging
import os
import re
import secrets
import urllib.error
import urllib.request
from pathlib import Path

from tqdm import tqdm

from analysis.errors import AnalysisError
from analysis.hashing import file_sha256

logger = logging.getLogger(__name__)

_CHUNK_SIZE = 64 * 1024
_SHA256_HEX = re.compile(r"[0-9a-f]{64}")


class FetchError(AnalysisError, RuntimeError):
    """A download could not be completed or verified.

    The message always names the URL and the destination file, which are also
    available as attributes.

    Parameters
    ----------
    message : str
        What went wrong.
    url : str
        The URL being fetched.
    destination : Path
        The file the download was meant to produce.
    """

    def __init__(self, message: str, *, url: str, destination: Path) -> None:
        super().__init__(f"{message} (url: {url}, destination: {destination})")
        self.url = url
        self.destination = destination


def _content_length(response: http.client.HTTPResponse) -> int | None:
    value = response.headers.get("Content-Length")
    if value is None:
        return None
    try:
        length = int(value)
    except ValueError:
        return None
    return length if length >= 0 else None


def fetch(
    url: str,
    destination: Path,
    *,
    sha256: str,
    timeout: float = 60.0,
    progress: bool = True,
) -> Path:
    """Download `url` to `destination`, verify its SHA-256, and move it into place atomically.

    Parameters
    ----------
    url : str
        The URL to download.
    destination : Path
        Where the file should end up. Missing parent directories are created.
    sha256 : str
        Expected SHA-256 of the file, as 64 hexadecimal digits (either case).
    timeout : float, optional
        Socket timeout in seconds, applied to connecting and to each read;
        it does not bound the total duration of the transfer.
    progress : bool, optional
        Show a ``tqdm`` progress bar (on stderr) while downloading.

    Returns
    -------
    Path
        `destination`.

    Raises
    ------
    FetchError
        If `destination` already exists with a different SHA-256 (it is left
        untouched), on an HTTP or connection error, if the transfer is
        interrupted, or if the downloaded bytes do not match `sha256`.
        Except in the first case, nothing is left on disk.
    ValueError
        If `sha256` is not 64 hexadecimal digits.

    Notes
    -----
    The bytes are written to a hidden temporary file next to `destination`
    (so the final :func:`os.replace` is atomic on the same filesystem). The
    temporary file is removed on any failure, including ``KeyboardInterrupt``,
    which is re-raised.
    """
    destination = Path(destination)
    expected = sha256.strip().lower()
    if not _SHA256_HEX.fullmatch(expected):
        raise ValueError(f"sha256 must be 64 hexadecimal digits, got {sha256!r}")

    def error(message: str) -> FetchError:
        return FetchError(message, url=url, destination=destination)

    if destination.exists():
        actual = file_sha256(destination)
        if actual == expected:
            logger.info("%s already present with the expected sha256; not downloading", destination)
            return destination
        raise error(
            f"destination already exists with sha256 {actual}, expected {expected}; "
            "delete it to download again"
        )

    destination.parent.mkdir(parents=True, exist_ok=True)
    # os.open with O_EXCL and mode 0o666 gives the final file the permissions the
    # umask allows, unlike tempfile.mkstemp, which always creates files as 0o600.
    temporary = destination.with_name(f".{destination.name}.{secrets.token_hex(8)}.part")
    descriptor = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o666)
    try:
        with os.fdopen(descriptor, "wb") as sink:
            logger.info("downloading %s to %s", url, destination)
            try:
                response = urllib.request.urlopen(url, timeout=timeout)
            except urllib.error.HTTPError as exc:
                exc.close()  # it holds the open response; chaining it would leak the socket
                raise error(f"HTTP error {exc.code} {exc.reason}") from exc
            except (urllib.error.URLError, http.client.HTTPException, OSError) as exc:
                raise error(f"could not connect: {exc}") from exc

            with response:
                total = _content_length(response)
                digest = hashlib.sha256()
                received = 0
                of_total = f" of {total}" if total is not None else ""
                with tqdm(
                    total=total,
                    unit="B",
                    unit_scale=True,
                    unit_divisor=1024,
                    desc=destination.name,
                    disable=not progress,
                ) as bar:
                    while True:
                        try:
                            chunk = response.read(_CHUNK_SIZE)
                        except (http.client.HTTPException, OSError) as exc:
                            raise error(
                                f"transfer interrupted after {received}{of_total} bytes: {exc!r}"
                            ) from exc
                        if not chunk:
                            break
                        sink.write(chunk)
                        digest.update(chunk)
                        received += len(chunk)
                        bar.update(len(chunk))

            # http.client ends a short Content-Length body with b"" instead of
            # raising IncompleteRead, so the length has to be checked here.
            if total is not None and received < total:
                raise error(f"transfer interrupted after {received} of {total} bytes")

            actual = digest.hexdigest()
            if actual != expected:
                raise error(f"sha256 mismatch: expected {expected}, got {actual}")

            sink.flush()
            os.fsync(sink.fileno())

        os.replace(temporary, destination)
    finally:
        temporary.unlink(missing_ok=True)

    logger.info("downloaded %s (%d bytes, sha256 verified)", destination, received)
    return destination
