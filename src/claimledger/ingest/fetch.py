"""Fetch a web page safely and keep the exact exchange as a WARC record (the report's original).

Only public addresses are fetched: the host is resolved before every request, including each
redirect, and loopback, private, link-local (the cloud metadata address 169.254.169.254),
multicast and reserved addresses are refused unless the caller allows them. The body is
streamed under a byte cap, and one deadline holds for the whole exchange (connection, headers,
redirects and body), so a 1 GB response or a slow drip, of headers or body, ends early.
"""

from __future__ import annotations

import io
import ipaddress
import socket
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING
from urllib.parse import urljoin, urlsplit

from claimledger import __version__
from claimledger.errors import BadInput
from claimledger.model import RawDocument

if TYPE_CHECKING:
    import httpx

    from claimledger.ingest.deadline import Deadline

USER_AGENT = (
    f"claimledger/{__version__} (+https://github.com/claimledger/claimledger; documentation archiver)"
)


@dataclass(frozen=True)
class FetchLimits:
    """How far one fetch may go."""

    max_bytes: int = 25 * 1024 * 1024
    total_seconds: float = 60.0  # the whole exchange, headers and redirects included
    connect_seconds: float = 10.0
    max_redirects: int = 5
    allow_private: bool = False
    allowed_hosts: frozenset[str] = field(default_factory=frozenset)  # "host:port" fetched even if private


Resolver = Callable[[str], Iterable[str]]


def _resolve(host: str) -> list[str]:
    return sorted({str(info[4][0]) for info in socket.getaddrinfo(host, None)})


# IANA's special-purpose address registries: blocks not globally reachable that Python's
# `is_global` (before 3.12.4) still calls global. Source: iana.org/assignments/iana-ipv4-special-registry
# and iana-ipv6-special-registry (entries whose "Globally Reachable" is False).
NOT_GLOBAL = tuple(
    ipaddress.ip_network(block)
    for block in (
        "0.0.0.0/8",
        "100.64.0.0/10",
        "192.0.0.0/24",
        "192.0.2.0/24",
        "198.18.0.0/15",
        "198.51.100.0/24",
        "203.0.113.0/24",
        "240.0.0.0/4",
        "255.255.255.255/32",
        "64:ff9b:1::/48",
        "100::/64",
        "2001::/23",
        "2001:db8::/32",
        "fc00::/7",
        "fe80::/10",
    )
)


def refused_address(address: str) -> str | None:
    """Why an address may not be fetched, or None when it is globally routable. Anything not
    global is refused: private, loopback and link-local space, but also carrier-grade NAT
    (100.64.0.0/10, where some clouds keep their metadata service), the IETF's 192.0.0.0/24,
    documentation and benchmarking ranges; an IPv4 address inside IPv6 is judged as IPv4."""
    ip = ipaddress.ip_address(address)
    if any(ip in net for net in NOT_GLOBAL if net.version == ip.version):
        return "not a public address (shared or special-purpose space)"
    if isinstance(ip, ipaddress.IPv6Address):
        embedded = ip.ipv4_mapped or ip.sixtofour or (ip.teredo[1] if ip.teredo else None)
        if embedded is not None:
            why = refused_address(str(embedded))
            return f"{why} inside an IPv6 address" if why else None
    if ip.is_loopback:
        return "a loopback address"
    if ip.is_link_local:
        return "a link-local address (cloud metadata lives there)"
    if ip.is_multicast or ip.is_reserved or ip.is_unspecified:
        return "a reserved address"
    if ip.is_private:
        return "a private address"
    if not ip.is_global:
        return "not a public address (shared or special-purpose space)"
    return None


def check_url(url: str, limits: FetchLimits, resolve: Resolver = _resolve) -> list[str]:
    """Raise BadInput unless the URL is http(s) and its host resolves only to public addresses;
    return those addresses (none when the host is allowed without a check)."""
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise BadInput(url, "only http and https URLs can be fetched")
    if (
        limits.allow_private
        or f"{parts.hostname}:{parts.port or (443 if parts.scheme == 'https' else 80)}"
        in limits.allowed_hosts
    ):
        return []
    try:
        addresses = list(resolve(parts.hostname))
    except (OSError, UnicodeError) as exc:
        raise BadInput(url, f"cannot resolve {parts.hostname}: {exc}") from exc
    if not addresses:
        raise BadInput(url, f"{parts.hostname} resolves to no address")
    for address in addresses:
        why = refused_address(address)
        if why:
            raise BadInput(
                url,
                f"refused: {parts.hostname} resolves to {address}, {why} (use --allow-private to fetch it)",
            )
    return addresses


def _pinned(client: httpx.Client, url: str, address: str) -> httpx.Request:
    """A request to the address that was checked, not to whatever the name resolves to a moment
    later (DNS rebinding): the URL carries the IP, the Host header and TLS name the host."""
    parts = urlsplit(url)
    host = f"[{address}]" if ":" in address else address
    port = f":{parts.port}" if parts.port else ""
    target = parts._replace(netloc=f"{host}{port}").geturl()
    extensions = {"sni_hostname": parts.hostname} if parts.scheme == "https" else {}
    return client.build_request(
        "GET", target, headers={"Host": parts.netloc.rsplit("@", 1)[-1]}, extensions=extensions
    )


def fetch_url(url: str, limits: FetchLimits = FetchLimits(), resolve: Resolver = _resolve) -> RawDocument:
    """The page at `url` as a raw document whose original is a WARC request and response.

    One deadline (`limits.total_seconds`) holds for the whole exchange: connecting, the status
    line and headers, every redirect and the body. A server that drips its headers a byte at a
    time is cut off at the deadline like one that drips its body."""
    import httpx

    from claimledger.ingest.deadline import Deadline, DeadlineTransport

    deadline = Deadline(limits.total_seconds)
    current = url
    timeout = httpx.Timeout(limits.connect_seconds, read=limits.connect_seconds)
    # identity: the bytes kept are the bytes the server sent, with no compression to undo.
    headers = {"User-Agent": USER_AGENT, "Accept-Encoding": "identity"}
    transport = DeadlineTransport(deadline)
    with httpx.Client(
        transport=transport, follow_redirects=False, timeout=timeout, headers=headers, trust_env=False
    ) as client:
        for _ in range(limits.max_redirects + 1):
            addresses = check_url(current, limits, resolve)
            request = (
                _pinned(client, current, addresses[0]) if addresses else client.build_request("GET", current)
            )
            try:
                response = client.send(request, stream=True)
                try:
                    if response.is_redirect and "location" in response.headers:
                        current = urljoin(current, response.headers["location"])
                        continue
                    body = _read_capped(response, limits, deadline, url)
                finally:
                    response.close()
            except httpx.HTTPError as exc:
                if deadline.passed():
                    raise BadInput(
                        url, f"response slower than {limits.total_seconds:g} s in all; cut off"
                    ) from exc
                raise BadInput(url, f"cannot fetch {current}: {type(exc).__name__}: {exc}") from exc
            if response.status_code >= 400:
                raise BadInput(url, f"the server answered {response.status_code}")
            warc = _warc(current, request, response, body)
            return RawDocument(original=warc, kind="warc", path=url, url=current)
    raise BadInput(url, f"more than {limits.max_redirects} redirects")


def _read_capped(response: object, limits: FetchLimits, deadline: Deadline, url: str) -> bytes:
    chunks: list[bytes] = []
    size = 0
    for chunk in response.iter_raw():  # type: ignore[attr-defined]
        size += len(chunk)
        if size > limits.max_bytes:
            raise BadInput(url, f"response larger than {limits.max_bytes} bytes; cut off")
        if deadline.passed():
            raise BadInput(url, f"response slower than {limits.total_seconds:g} s in all; cut off")
        chunks.append(chunk)
    return b"".join(chunks)


def _warc(url: str, request: object, response: object, body: bytes) -> bytes:
    """A request and a response record, the response with the exact bytes as received."""
    from warcio.statusandheaders import StatusAndHeaders
    from warcio.warcwriter import WARCWriter

    out = io.BytesIO()
    writer = WARCWriter(out, gzip=False)
    request_line = f"GET {urlsplit(url).path or '/'} HTTP/1.1"
    sent = list(request.headers.items())  # type: ignore[attr-defined]
    req_headers = StatusAndHeaders(request_line, sent, is_http_request=True)
    writer.write_record(writer.create_warc_record(url, "request", http_headers=req_headers))
    reason = getattr(response, "reason_phrase", "") or ""
    status = f"{response.status_code} {reason}".strip()  # type: ignore[attr-defined]
    # The body is stored de-chunked, so the chunked transfer coding is no longer true of it.
    headers = [(k, v) for k, v in response.headers.items() if k.lower() != "transfer-encoding"]  # type: ignore[attr-defined]
    resp_headers = StatusAndHeaders(status, headers, protocol="HTTP/1.1")
    writer.write_record(
        writer.create_warc_record(url, "response", payload=io.BytesIO(body), http_headers=resp_headers)
    )
    return out.getvalue()


def warc_payload(original: bytes, name: str) -> bytes:
    """The response body of a WARC kept as a report's original."""
    from warcio.archiveiterator import ArchiveIterator

    for record in ArchiveIterator(io.BytesIO(original)):
        if record.rec_type == "response":
            encoding = (
                (record.http_headers.get_header("Content-Encoding") or "").strip().lower()
                if record.http_headers
                else ""
            )
            return decoded_body(record.raw_stream.read(MAX_DECODED_BYTES + 1), encoding, name)
    raise BadInput(name, "the WARC original holds no response record")


# A compressed body is inflated at most to this size: a 3 MB gzip of zeros inflates to 3 GB.
MAX_DECODED_BYTES = 25 * 1024 * 1024


def decoded_body(body: bytes, encoding: str, name: str, limit: int = MAX_DECODED_BYTES) -> bytes:
    """The body with its content coding (gzip, deflate) undone, inflated a piece at a time
    and refused once it passes `limit` bytes: a compression bomb never sits in memory whole."""
    import zlib

    if encoding in ("", "identity"):
        if len(body) > limit:
            raise BadInput(name, f"the body is larger than {limit} bytes; refused")
        return body
    if encoding not in ("gzip", "x-gzip", "deflate"):
        raise BadInput(name, f"the body's content coding {encoding!r} is not read")
    inflater = zlib.decompressobj(31 if "gzip" in encoding else 15)
    out: list[bytes] = []
    size = 0
    pending = body
    try:
        while pending:
            piece = inflater.decompress(pending, 1 << 20)
            pending = inflater.unconsumed_tail
            size += len(piece)
            if size > limit:
                raise BadInput(
                    name, f"the body inflates to more than {limit} bytes (a compression bomb?); refused"
                )
            out.append(piece)
            if inflater.eof:
                break
    except zlib.error as exc:
        raise BadInput(name, f"the body's {encoding} coding is broken: {exc}") from exc
    return b"".join(out)
