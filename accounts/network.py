"""The client's address, the same for the audit trail, the security log and lock-outs."""

from django.conf import settings


def client_ip(request) -> str:
    """REMOTE_ADDR, or with TRUSTED_PROXY_COUNT proxies in front, the address the nearest
    trusted proxy saw (read from the right of X-Forwarded-For, which clients cannot forge)."""
    if request is None:
        return ""
    proxies = getattr(settings, "TRUSTED_PROXY_COUNT", 0)
    if proxies:
        forwarded = [part.strip() for part in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",") if part.strip()]
        if len(forwarded) >= proxies:
            return forwarded[-proxies][:64]
    return request.META.get("REMOTE_ADDR", "")[:64]
