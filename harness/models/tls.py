"""TLS for model endpoints: the system's trust store (or certifi's where it has none), extra CAs, client certificates."""

from __future__ import annotations

import ssl
from dataclasses import dataclass


@dataclass(frozen=True)
class TLSSettings:
    """What an endpoint's TLS needs beyond the defaults: an extra CA bundle and a client certificate (file paths)."""

    ca_file: str | None = None
    client_cert: str | None = None
    client_key: str | None = None


def context(settings: TLSSettings) -> ssl.SSLContext:
    """A verifying client context: the system store (which honours SSL_CERT_FILE and SSL_CERT_DIR), certifi's bundle
    when the system has no CAs at all, plus `ca_file`; the client certificate when one is given."""
    tls = ssl.create_default_context()
    if not tls.cert_store_stats()["x509_ca"]:
        try:
            import certifi
        except ImportError:
            pass
        else:
            tls.load_verify_locations(cafile=certifi.where())
    if settings.ca_file:
        tls.load_verify_locations(cafile=settings.ca_file)
    if settings.client_cert:
        tls.load_cert_chain(settings.client_cert, settings.client_key)
    return tls
