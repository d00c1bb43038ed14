"""Which receiver URLs a subscription may name (server-side request forgery).

In production only `https` URLs whose host resolves to public addresses only: no
private (10/8, 172.16/12, 192.168/16, fc00::/7), loopback, link-local (169.254/16 with
the cloud's metadata service, fe80::/10), carrier-grade NAT, multicast, reserved or
unspecified address, and no IPv4 hidden inside IPv6. The check runs when a
subscription is created or changed, and again before every delivery on the addresses
the host resolves to then (DNS can change, or be made to change); the delivery then
connects to the address it checked, not to a fresh lookup. Redirects are never
followed: a 3xx answer is a failed attempt.

In development (PC_ENV other than production) `http://127.0.0.1:<port>` and
`http://localhost:<port>` are also accepted, for the local receiver
(`partner-center webhooks listen`); other private addresses are refused there too.
"""

from __future__ import annotations

import ipaddress
import socket
from dataclasses import dataclass
from urllib.parse import SplitResult, urlsplit

MAX_URL_LENGTH = 2048
IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address


class UrlRefused(ValueError):
    """A URL the product will not send to; `code` is the payload error's code."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message


@dataclass(frozen=True)
class Target:
    url: str
    scheme: str
    host: str
    port: int
    path: str  # path and query, as sent in the request line


def parse(url: str, *, allow_loopback: bool) -> Target:
    """The URL's parts, or UrlRefused (INVALID_URL) for one that is not a plain
    http(s) URL of a host."""
    if not isinstance(url, str) or not 0 < len(url) <= MAX_URL_LENGTH or not url.isascii():
        raise UrlRefused(
            "INVALID_URL", f"url must be an ASCII URL of at most {MAX_URL_LENGTH} characters"
        )
    try:
        parts: SplitResult = urlsplit(url.strip())
        port = parts.port
    except ValueError as exc:
        raise UrlRefused("INVALID_URL", "url is not a valid URL") from exc
    host = (parts.hostname or "").rstrip(".").lower()
    if parts.scheme not in ("https", "http") or not host:
        raise UrlRefused("INVALID_URL", "url must be an https:// URL")
    if parts.username or parts.password:
        raise UrlRefused("INVALID_URL", "url must not carry credentials")
    if parts.fragment:
        raise UrlRefused("INVALID_URL", "url must not have a fragment")
    if parts.scheme == "http" and not (allow_loopback and _names_loopback(host)):
        raise UrlRefused("URL_NOT_ALLOWED", "url must use https")
    path = parts.path or "/"
    if parts.query:
        path += "?" + parts.query
    return Target(
        url=url.strip(),
        scheme=parts.scheme,
        host=host,
        port=port or (443 if parts.scheme == "https" else 80),
        path=path,
    )


def _names_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def address_allowed(address: IPAddress, *, allow_loopback: bool) -> bool:
    if isinstance(address, ipaddress.IPv6Address):
        embedded = (
            address.ipv4_mapped
            or address.sixtofour
            or (address.teredo[1] if address.teredo else None)
        )
        if embedded is not None:
            return address_allowed(embedded, allow_loopback=allow_loopback)
    if address.is_loopback:
        return allow_loopback
    return address.is_global and not (
        address.is_multicast or address.is_reserved or address.is_unspecified
    )


def resolve(target: Target) -> list[IPAddress]:
    """Every address the host resolves to (an IP literal is its own)."""
    try:
        return [ipaddress.ip_address(target.host)]
    except ValueError:
        pass
    try:
        infos = socket.getaddrinfo(target.host, target.port, type=socket.SOCK_STREAM)
    except (socket.gaierror, UnicodeError) as exc:
        raise UrlRefused("UNRESOLVABLE_HOST", "url's host does not resolve") from exc
    # The scope of a link-local IPv6 address ("fe80::1%eth0") is not part of the address.
    return list(
        dict.fromkeys(ipaddress.ip_address(str(info[4][0]).split("%")[0]) for info in infos)
    )


def check(url: str, *, allow_loopback: bool) -> tuple[Target, IPAddress]:
    """The parsed URL and the address to connect to, or UrlRefused.

    Every resolved address must be allowed, not just the first: a host answering one
    public and one private address is refused."""
    target = parse(url, allow_loopback=allow_loopback)
    addresses = resolve(target)
    if not addresses:
        raise UrlRefused("UNRESOLVABLE_HOST", "url's host does not resolve")
    for address in addresses:
        if not address_allowed(address, allow_loopback=allow_loopback):
            raise UrlRefused(
                "URL_NOT_ALLOWED",
                "url must point to a public address "
                "(private, loopback, link-local and other "
                "internal addresses are refused)",
            )
    return target, addresses[0]
