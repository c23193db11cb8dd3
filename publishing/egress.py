"""Where Klartext may connect on a member's word: the Mastodon server they name, the Bluesky
server their identity document names. Only the public internet: a name that resolves to loopback,
a private network or a link-local address (a cloud's metadata service) would let anyone signed in
make this server send requests inside its own network.

Checked when an account is connected (the host is then kept with the account).
KLARTEXT_PRIVATE_NETWORKS_ALLOWED lifts the rule for servers on a test machine."""

import ipaddress
import socket
from urllib.parse import urlsplit

from django.conf import settings


class NotPublic(ValueError):
    """The URL is not https, or its host is unknown or resolves to an address that is not public."""


def require_public(url):
    """Raise NotPublic unless `url` is https to a host whose every address is public."""
    if settings.KLARTEXT_PRIVATE_NETWORKS_ALLOWED:
        return
    try:
        parts = urlsplit(url)
        host, port = parts.hostname, parts.port or 443
    except ValueError as error:
        raise NotPublic(f"not a URL: {error}") from None
    if parts.scheme != "https" or not host:
        raise NotPublic("not an https URL")
    try:
        found = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except (OSError, UnicodeError) as error:
        raise NotPublic(f"{host} does not resolve: {error}") from None
    for *_rest, sockaddr in found:
        address = ipaddress.ip_address(sockaddr[0].split("%", 1)[0])
        if address.version == 6 and address.ipv4_mapped:
            address = address.ipv4_mapped
        if not address.is_global:
            raise NotPublic(f"{host} resolves to {address}, which is not a public address")
