"""API tokens (issue 16): only the security administrator lists, issues and revokes them.
Like the audit trail these are operator tools: everyone else is refused with 403 before
any token is looked up, so a refusal confirms nothing about whose token exists."""

from tests.permission_matrix import Case

SECURITY = frozenset({"secadmin"})


def _token_of(username):
    def target(requester):
        from rest_framework.authtoken.models import Token

        from accounts.models import User

        token, _created = Token.objects.get_or_create(user=User.objects.get(username=username))
        return {"user_id": token.user_id}

    return target


TARGETS = {"token_institution_a": _token_of("nursery1"), "token_department": _token_of("mca")}

CASES = [
    Case("api_token_list", SECURITY, denied=403),
    Case("api_token_list", SECURITY, method="post", denied=403, data={"username": ""}),
    Case("api_token_revoke", SECURITY, target="token_institution_a", method="post", ok=302, denied=403),
    Case("api_token_revoke", SECURITY, target="token_department", method="post", ok=302, denied=403),
]
