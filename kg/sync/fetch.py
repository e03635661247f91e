"""Fetching feeds and article pages over HTTP: httpx with a timeout, a size cap and a user agent; conditional GET
for feeds (ETag / Last-Modified); 429, 5xx, timeouts and lost connections retried with backoff and jitter by
tenacity, honouring Retry-After (up to ``max_retry_after``; a longer one is left to a later pass).

A failure is a :class:`FetchError`: ``transient`` ones (429, 5xx, timeouts, connection errors) are retried in
the pass and then across passes; the others (404, a page over the size cap, ...) are dead-lettered at once.
"""

from __future__ import annotations

import email.utils
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import httpx
from tenacity import RetryCallState, Retrying, retry_if_exception, stop_after_attempt, wait_random_exponential

from kg.sync.job import FetchOptions

TRANSIENT_STATUS = frozenset({408, 425, 429, 500, 502, 503, 504})


class FetchError(Exception):
    def __init__(self, message: str, *, transient: bool, retry_after: float | None = None,
                 status: int | None = None) -> None:
        super().__init__(message)
        self.transient = transient
        self.retry_after = retry_after
        self.status = status


@dataclass(frozen=True, slots=True)
class Fetched:
    status: int  # 200, or 304 for a feed that has not changed
    url: str  # after redirects
    content: bytes
    charset: str | None
    etag: str | None
    last_modified: str | None


def retry_after_seconds(value: str | None, now: float | None = None) -> float | None:
    """Retry-After as seconds: delta-seconds or an HTTP date (RFC 9110 §10.2.3); None when absent or unreadable."""
    if not value:
        return None
    text = value.strip()
    if text.isdigit():
        return float(text)
    try:
        when = email.utils.parsedate_to_datetime(text)
    except (TypeError, ValueError, IndexError):
        return None
    return max(0.0, when.timestamp() - (time.time() if now is None else now))


class Fetcher:
    """One HTTP client for a pass (connection reuse); close it, or use it as a context manager."""

    def __init__(self, options: FetchOptions, sleep: Callable[[float], None] = time.sleep) -> None:
        self.options = options
        self.client = httpx.Client(timeout=options.timeout, follow_redirects=True, max_redirects=5,
                                   headers={"User-Agent": options.user_agent})
        self._retrying = Retrying(
            stop=stop_after_attempt(options.attempts),
            wait=self._wait,
            retry=retry_if_exception(self._retryable),
            sleep=sleep,
            reraise=True,
        )
        self._backoff = wait_random_exponential(multiplier=0.5, max=10)  # full jitter, 0.5 s .. 10 s

    def close(self) -> None:
        self.client.close()

    def __enter__(self) -> Fetcher:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def _retryable(self, exc: BaseException) -> bool:
        if not isinstance(exc, FetchError) or not exc.transient:
            return False
        return exc.retry_after is None or exc.retry_after <= self.options.max_retry_after

    def _wait(self, state: RetryCallState) -> float:
        exc = state.outcome.exception() if state.outcome is not None else None
        if isinstance(exc, FetchError) and exc.retry_after is not None:
            return exc.retry_after
        return float(self._backoff(state))

    def feed(self, url: str, etag: str | None, last_modified: str | None) -> Fetched:
        """The feed, or status 304 when it has not changed since ``etag`` / ``last_modified``."""
        headers = {"Accept": "application/rss+xml, application/atom+xml, application/xml;q=0.9, */*;q=0.5"}
        if etag:
            headers["If-None-Match"] = etag
        if last_modified:
            headers["If-Modified-Since"] = last_modified
        return self.get(url, headers)

    def page(self, url: str) -> Fetched:
        return self.get(url, {"Accept": "text/html, application/xhtml+xml;q=0.9, */*;q=0.5"})

    def get(self, url: str, headers: dict[str, str] | None = None) -> Fetched:
        result: Fetched = self._retrying.copy()(self._get_once, url, headers or {})
        return result

    def _get_once(self, url: str, headers: dict[str, str]) -> Fetched:
        cap = self.options.max_bytes
        deadline = time.monotonic() + self.options.timeout  # the whole body, not only each read
        try:
            with self.client.stream("GET", url, headers=headers) as response:
                status = response.status_code
                if status == 304:
                    return _fetched(response, b"")
                if status in TRANSIENT_STATUS or status >= 500:
                    after = retry_after_seconds(response.headers.get("Retry-After"))
                    raise FetchError(f"HTTP {status}", transient=True, retry_after=after, status=status)
                if status >= 400:
                    raise FetchError(f"HTTP {status}", transient=False, status=status)
                length = response.headers.get("Content-Length")
                if length is not None and length.isdigit() and int(length) > cap:
                    raise FetchError(f"larger than the size cap: {int(length):,} bytes > {cap:,}", transient=False)
                body = bytearray()
                for chunk in response.iter_bytes():
                    body += chunk
                    if len(body) > cap:
                        raise FetchError(f"larger than the size cap of {cap:,} bytes", transient=False)
                    if time.monotonic() > deadline:
                        raise FetchError(f"too slow: not complete after {self.options.timeout:g} s", transient=True)
                return _fetched(response, bytes(body))
        except httpx.TimeoutException:
            raise FetchError(f"timed out after {self.options.timeout:g} s", transient=True) from None
        except httpx.TooManyRedirects:
            raise FetchError("too many redirects", transient=False) from None
        except httpx.InvalidURL as exc:
            raise FetchError(f"invalid URL: {exc}", transient=False) from None
        except httpx.TransportError as exc:
            raise FetchError(f"connection failed: {exc}", transient=True) from None


def _fetched(response: Any, content: bytes) -> Fetched:
    headers = response.headers
    return Fetched(status=response.status_code, url=str(response.url), content=content,
                   charset=response.charset_encoding, etag=headers.get("ETag"),
                   last_modified=headers.get("Last-Modified"))
