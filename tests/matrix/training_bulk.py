"""Certificates decided in bulk in the permission matrix: only the HR bureau
(``certificate.verify``) posts the queue's bulk decision; everyone else logged in gets 403
(a page without the duty), the anonymous visitor the login page. The chosen row does not exist,
so the HR bureau's answer is the refusal naming it, a redirect like any other answer
(tests/training/test_certificate_bulk.py decides real rows)."""

from tests.permission_matrix import Case

CASES = [
    Case(
        "certificate_bulk_decide",
        frozenset({"hrss"}),
        method="post",
        ok=302,
        denied=403,
        data={"ids": ["999999999"], "decision": "verified"},
    ),
]
