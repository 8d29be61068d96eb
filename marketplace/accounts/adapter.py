import ipaddress

from allauth.account.adapter import DefaultAccountAdapter
from django.conf import settings
from django.urls import reverse


def _networks(entries) -> list:
    return [ipaddress.ip_network(entry, strict=False) for entry in entries]


def _address(text: str):
    try:
        return ipaddress.ip_address(text.strip().strip("[]"))
    except ValueError:
        return None


def client_ip(meta: dict, trusted: list[str]) -> str | None:
    """The client address behind the trusted proxies.

    `X-Forwarded-For` is believed only when the request comes from a trusted proxy (REMOTE_ADDR in
    `trusted`, addresses or networks); then the right-most address that is not itself a trusted proxy
    is the client. Otherwise REMOTE_ADDR, whatever the header says (a client can write any header).
    """
    remote = _address(meta.get("REMOTE_ADDR", ""))
    networks = _networks(trusted)

    def is_trusted(addr) -> bool:
        return any(addr in net for net in networks)

    if remote is None or not is_trusted(remote):
        return str(remote) if remote else None
    hops = [_address(part) for part in meta.get("HTTP_X_FORWARDED_FOR", "").split(",") if part.strip()]
    for hop in reversed(hops):
        if hop is None:
            break  # a garbled hop: stop believing the chain and blame the last trusted proxy
        if not is_trusted(hop):
            return str(hop)
    return str(remote)


class AccountAdapter(DefaultAccountAdapter):
    """Land every login on the role dashboard; signup stays open (membership comes by invitation)."""

    def get_login_redirect_url(self, request):
        url = super().get_login_redirect_url(request)
        return url or reverse("dashboard")

    def get_client_ip(self, request) -> str:
        """The address allauth's rate limits count per client (see `client_ip`, setting TRUSTED_PROXIES)."""
        return client_ip(request.META, getattr(settings, "TRUSTED_PROXIES", [])) or super().get_client_ip(request)

    def clean_email(self, email: str) -> str:
        """Signup, email change and invitations share one email rule (at most 254 characters)."""
        from marketplace import inputs

        return super().clean_email(inputs.email(email))
