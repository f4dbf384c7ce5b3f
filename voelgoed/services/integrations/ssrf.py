"""SSRF guard for webhook deliveries: only public addresses, checked when an endpoint is saved AND at
connect time (OWASP SSRF Prevention Cheat Sheet: resolve, validate, connect to the validated address).

- ``check_url(url) -> str``: the cleaned URL, or 422 ``validation_failed`` (``url``): not http(s), userinfo
  in the URL, ``http://`` (only with ``WEBHOOKS_ALLOW_PRIVATE``), a host that does not resolve, or one
  that resolves to a non-public address.
- ``resolve_public(host, port) -> ip``: every address the name resolves to must be public (global
  unicast: not loopback, private, link-local incl. 169.254.169.254, CGNAT, multicast, reserved,
  unspecified, IPv4-mapped private); ``BlockedAddress`` otherwise. ``WEBHOOKS_ALLOW_PRIVATE=true`` lifts it.
- ``GuardedTransport``: an ``httpx`` transport that resolves once, checks, and connects to that IP
  (``Host`` header and TLS SNI/certificate check keep the name), so a DNS answer that changes between
  the check and the connect (DNS rebinding) cannot reach an internal address. Redirects are never
  followed by the client (a 3xx answer is a failed attempt).
"""

from __future__ import annotations

import ipaddress
import socket
from urllib.parse import urlsplit

import httpx

from voelgoed.config import get_settings
from voelgoed.services.platform import ValidationFailed


class BlockedAddress(Exception):
    """The destination is not a public address (and WEBHOOKS_ALLOW_PRIVATE is off)."""


def is_public(ip: str) -> bool:
    addr = ipaddress.ip_address(ip)
    if isinstance(addr, ipaddress.IPv6Address) and addr.ipv4_mapped is not None:
        addr = addr.ipv4_mapped
    return addr.is_global and not addr.is_multicast


def resolve_public(host: str, port: int) -> str:
    """The first address of ``host`` when every address it resolves to is allowed; raises ``BlockedAddress``
    (``socket.gaierror`` when it does not resolve)."""
    infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    ips = list(dict.fromkeys(info[4][0] for info in infos))
    if not ips:
        raise socket.gaierror(f"{host} has no address")
    if not get_settings().webhooks_allow_private:
        bad = [ip for ip in ips if not is_public(ip)]
        if bad:
            raise BlockedAddress(f"{host} resolves to a non-public address ({bad[0]})")
    return ips[0]


def check_url(url: str) -> str:
    url = (url or "").strip()
    allow_private = get_settings().webhooks_allow_private
    try:
        parts = urlsplit(url)
        port = parts.port or (443 if parts.scheme == "https" else 80)
    except ValueError:
        raise ValidationFailed({"url": "Not a valid URL"}) from None
    if len(url) > 2000 or parts.scheme not in ("https", "http") or not parts.hostname:
        raise ValidationFailed({"url": "Use an https:// URL of at most 2000 characters"})
    if parts.scheme == "http" and not allow_private:
        raise ValidationFailed({"url": "Use https:// (plain http is only allowed when WEBHOOKS_ALLOW_PRIVATE is set)"})
    if parts.username or parts.password:
        raise ValidationFailed({"url": "Credentials in the URL are not allowed; authenticate by the signature"})
    try:
        resolve_public(parts.hostname, port)
    except BlockedAddress:
        raise ValidationFailed({"url": "This URL points at a loopback, private, link-local or otherwise non-public "
                                       "address; webhooks go to public addresses only"}) from None
    except (OSError, UnicodeError):
        raise ValidationFailed({"url": f"The host {parts.hostname} does not resolve"}) from None
    return url


class GuardedTransport(httpx.HTTPTransport):
    """Resolve → check → connect to the checked IP (see module doc)."""

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        host = request.url.host
        port = request.url.port or (443 if request.url.scheme == "https" else 80)
        try:
            ip = resolve_public(host, port)
        except BlockedAddress as exc:
            raise httpx.ConnectError(str(exc), request=request) from exc
        except (OSError, UnicodeError) as exc:
            raise httpx.ConnectError(f"{host} does not resolve: {exc}", request=request) from exc
        if request.url.scheme == "https":
            request.extensions = {**request.extensions, "sni_hostname": host}
        request.url = request.url.copy_with(host=ip)
        return super().handle_request(request)
