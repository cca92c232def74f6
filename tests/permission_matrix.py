"""The permission matrix: every endpoint × every member of the cast × own and foreign objects.

Each later issue adds its endpoints to ``CASES``. ``tests/test_meta.py`` fails when a URL
pattern is neither declared public (``PUBLIC_URL_NAMES``) nor present here, so a new view
cannot forget to join.

A case names a URL, the object it is opened on (a *target*, resolved per requesting user so
that "own" can mean the requester's own object), and who gets which answer. Everyone not
named in ``allowed`` gets ``denied`` (404 for objects out of sight, 403 for a missing duty);
the anonymous visitor gets ``anonymous`` (302 to the login page, 401 from the API).
"""

from dataclasses import dataclass, field

from accounts.models import Notification, Organisation

ANONYMOUS = "anonymous"
STAFF = frozenset({"health", "leader", "mca", "amr", "editor", "fire", "hrss", "edu"})
TOWNSHIPS = frozenset({"simen", "lizhou"})
INSTITUTIONS = frozenset({"nursery1", "nursery2"})
MEMBERS = STAFF | TOWNSHIPS | INSTITUTIONS
OPERATORS = frozenset({"auditor", "sysadmin", "secadmin"})
LOGGED_IN = MEMBERS | OPERATORS | {"stranger"}
EVERYONE = LOGGED_IN | {ANONYMOUS}
# Departments whose duties give city-wide sight of institutions (model-level permission).
CITY_WIDE_INSTITUTION_SIGHT = frozenset({"health", "leader", "mca", "amr", "fire", "hrss"})

# URL names any visitor may open on purpose, with why.
PUBLIC_URL_NAMES = {
    "home": "the public landing page; logged-in users get their own home",
    "healthz": "load balancer health check, says only 'ok'",
    "login": "the login form",
    "logout": "logging out needs no rights",
    "set_language": "language switch",
    "javascript-catalog": "translations for scripts",
}


def _org(code):
    return lambda username: {"pk": Organisation.objects.get(code=code).pk}


def _own_notification(username):
    from accounts.models import User

    # The anonymous visitor has no inbox: it tries someone's message.
    user = User.objects.get(username="nursery1" if username == ANONYMOUS else username)
    return {"pk": Notification.objects.create(recipient=user, title="own").pk}


def _foreign_notification(username):
    from accounts.models import User

    other = "nursery2" if username != "nursery2" else "nursery1"
    return {"pk": Notification.objects.create(recipient=User.objects.get(username=other), title="foreign").pk}


TARGETS = {
    "institution_a": _org("demo-simen-xingxing"),
    "institution_b": _org("demo-lizhou-yangguang"),
    "department": _org("health"),
    "township_a_region": lambda username: {"code": "330281103"},
    "township_b_region": lambda username: {"code": "330281001"},
    "village_a_region": lambda username: {"code": "330281103001"},
    "own_notification": _own_notification,
    "foreign_notification": _foreign_notification,
}


@dataclass(frozen=True)
class Case:
    """``allowed`` get ``ok``; ``visible`` (those who see the object but may not act on it)
    get 403; everyone else gets ``denied``; the anonymous visitor gets ``anonymous``."""

    url_name: str
    allowed: frozenset
    target: str | None = None
    method: str = "get"
    ok: int = 200
    denied: int = 404
    anonymous: int = 302
    data: dict = field(default_factory=dict)
    visible: frozenset = frozenset()
    # Roles allowed to receive full staff ID numbers from this endpoint (the reveal action);
    # every other response of the run is scanned for them (see test_permission_matrix).
    reveals_to: frozenset = frozenset()

    @property
    def is_api(self) -> bool:
        return self.url_name.startswith("api")

    def expected(self, username: str) -> int:
        if username == ANONYMOUS:
            return self.anonymous
        if username in self.allowed:
            return self.ok
        return 403 if username in self.visible else self.denied


def _api(url_name, allowed, **kwargs) -> Case:
    kwargs.setdefault("anonymous", 401)
    return Case(url_name, allowed, **kwargs)


INSTITUTION_A_SIGHT = CITY_WIDE_INSTITUTION_SIGHT | {"simen", "nursery1"}
INSTITUTION_B_SIGHT = CITY_WIDE_INSTITUTION_SIGHT | {"lizhou", "nursery2"}
# Regions: the subtree of each organisation's jurisdiction; departments cover the city.
TOWNSHIP_A_REGION_SIGHT = STAFF | {"simen", "sysadmin"}
TOWNSHIP_B_REGION_SIGHT = STAFF | {"lizhou", "sysadmin"}
VILLAGE_A_REGION_SIGHT = STAFF | {"simen", "nursery1", "sysadmin"}

CASES = [
    # --- pages -------------------------------------------------------------------------
    Case("password_change", LOGGED_IN),
    Case("password_change_done", LOGGED_IN),
    Case("notification_list", LOGGED_IN),
    Case("notification_read", LOGGED_IN, target="own_notification", method="post", ok=302),
    Case("notification_read", frozenset(), target="foreign_notification", method="post"),
    Case("notification_read_all", LOGGED_IN, method="post", ok=302),
    Case("organisation_list", LOGGED_IN),
    Case("organisation_detail", INSTITUTION_A_SIGHT, target="institution_a"),
    Case("organisation_detail", INSTITUTION_B_SIGHT, target="institution_b"),
    Case("organisation_detail", MEMBERS, target="department"),
    Case("region_detail", TOWNSHIP_A_REGION_SIGHT, target="township_a_region"),
    Case("region_detail", TOWNSHIP_B_REGION_SIGHT, target="township_b_region"),
    Case("region_detail", VILLAGE_A_REGION_SIGHT, target="village_a_region"),
    Case("audit_event_list", frozenset({"auditor"}), denied=403),
    Case("security_event_list", frozenset({"auditor"}), denied=403),
    # --- API ---------------------------------------------------------------------------
    _api("api_schema", LOGGED_IN),
    _api("api_docs", LOGGED_IN),
    _api("api_me", LOGGED_IN),
    _api("api_region_list", LOGGED_IN),
    _api("api_region_detail", TOWNSHIP_A_REGION_SIGHT, target="township_a_region"),
    _api("api_region_detail", TOWNSHIP_B_REGION_SIGHT, target="township_b_region"),
    _api("api_organisation_list", LOGGED_IN),
    _api("api_organisation_detail", INSTITUTION_A_SIGHT, target="institution_a"),
    _api("api_organisation_detail", INSTITUTION_B_SIGHT, target="institution_b"),
    _api("api_organisation_detail", MEMBERS, target="department"),
    _api("api_notification_list", LOGGED_IN),
    _api("api_notification_read", LOGGED_IN, target="own_notification", method="post"),
    _api("api_notification_read", frozenset(), target="foreign_notification", method="post"),
    _api("api_audit_event_list", frozenset({"auditor"}), denied=403),
    _api("api_security_event_list", frozenset({"auditor"}), denied=403),
]


def _gather_area_modules() -> None:
    """Each area keeps its cases in a module of ``tests/matrix/`` with ``CASES`` and, if it
    needs them, ``TARGETS`` and ``PUBLIC_URL_NAMES``; they are gathered here."""
    import importlib
    import pkgutil

    from tests import matrix

    for module_info in sorted(pkgutil.iter_modules(matrix.__path__), key=lambda m: m.name):
        module = importlib.import_module(f"tests.matrix.{module_info.name}")
        CASES.extend(getattr(module, "CASES", []))
        TARGETS.update(getattr(module, "TARGETS", {}))
        PUBLIC_URL_NAMES.update(getattr(module, "PUBLIC_URL_NAMES", {}))


_gather_area_modules()
