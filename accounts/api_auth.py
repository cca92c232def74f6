from rest_framework.authentication import TokenAuthentication

from accounts import audit
from accounts.network import client_ip


class AuditedTokenAuthentication(TokenAuthentication):
    """Token authentication whose caller is written into the audit trail like a session user.

    The audit middleware runs before DRF knows a token's user; this closes that gap for every
    API write."""

    def authenticate(self, request):
        result = super().authenticate(request)
        if result is not None:
            audit.attribute_to(result[0], client_ip(request))
        return result
