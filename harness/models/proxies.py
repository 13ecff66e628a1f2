"""Which proxy a request goes through, read from the environment as curl and `requests` read it."""

from __future__ import annotations

import ipaddress
from collections.abc import Mapping
from urllib.parse import urlsplit

from harness.errors import InputError

PROXY_SCHEMES = ("http", "https")
"""Proxy URL schemes the transport can use (a SOCKS proxy is refused with a message, not ignored)."""


def proxy_for(url: str, environ: Mapping[str, str]) -> str | None:
    """The proxy URL for requests to `url`: `<scheme>_proxy`, else `all_proxy` (lower case first), unless `no_proxy`
    covers the host; None for a direct connection. InputError for a proxy that cannot be used."""
    parts = urlsplit(url)
    host = (parts.hostname or "").lower()
    port = parts.port or (443 if parts.scheme == "https" else 80)
    if bypassed(host, port, _variable(environ, "no_proxy") or ""):
        return None
    for name in (f"{parts.scheme}_proxy", "all_proxy"):
        value = _variable(environ, name)
        if value:
            return _proxy_url(name, value)
    return None


def bypassed(host: str, port: int, no_proxy: str) -> bool:
    """Whether `no_proxy` (comma-separated: `*`, host names and their subdomains, IPs, CIDR ranges, optional `:port`)
    says to connect to `host` directly."""
    for entry in (part.strip().lower() for part in no_proxy.split(",")):
        if not entry:
            continue
        if entry == "*":
            return True
        name, entry_port = _split_port(entry)
        if entry_port is not None and entry_port != port:
            continue
        if _address_match(host, name):
            return True
        name = name.lstrip(".")
        if name and (host == name or host.endswith("." + name)):
            return True
    return False


def _variable(environ: Mapping[str, str], name: str) -> str | None:
    """A proxy variable: the lower-case name wins over the upper-case one, as in curl and `requests`."""
    value = environ.get(name)
    if value is None:
        value = environ.get(name.upper())
    return value.strip() if value is not None else None


def _proxy_url(variable: str, value: str) -> str:
    """The proxy URL as given, with `http://` assumed when no scheme is written (as curl does)."""
    url = value if "://" in value else f"http://{value}"
    parts = urlsplit(url)
    try:
        parts.port  # noqa: B018 - raises ValueError for a bad port
    except ValueError:
        raise InputError(f"evalrun: {variable}: the proxy URL has an invalid port") from None
    if parts.scheme.lower() not in PROXY_SCHEMES or not parts.hostname:
        raise InputError(
            f"evalrun: {variable}: a {parts.scheme or 'schemeless'} proxy cannot be used; give an http:// proxy URL"
        )
    return url


def _split_port(entry: str) -> tuple[str, int | None]:
    """`host:port`, `[v6]:port` or a bare host, IP or CIDR range."""
    if entry.startswith("["):
        inside, _, rest = entry[1:].partition("]")
        return inside, int(rest[1:]) if rest.startswith(":") and rest[1:].isdigit() else None
    if entry.count(":") == 1:
        name, _, port = entry.partition(":")
        return name, int(port) if port.isdigit() else None
    return entry, None


def _address_match(host: str, entry: str) -> bool:
    """Whether `host` is an IP address inside `entry` (an address or a CIDR range)."""
    try:
        address = ipaddress.ip_address(host.strip("[]"))
        network = ipaddress.ip_network(entry, strict=False)
    except ValueError:
        return False
    return address in network
