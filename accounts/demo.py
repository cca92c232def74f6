"""The demo data set: plainly fictional institutions and one account per kind of user.

Idempotent: accounts and organisations are matched on their codes; a second run changes
nothing. Every demo account shares DEMO_PASSWORD and skips the forced password change."""

from django.db import transaction

from accounts import services
from accounts.models import Membership, Organisation, Region, User

DEMO_PASSWORD = "Yuyao@2026"

# (code, name, village code) — fictional institutions, marked 【演示】.
DEMO_INSTITUTIONS = [
    ("demo-simen-xingxing", "【演示】泗门镇小星星托育园", "330281103001"),
    ("demo-lizhou-yangguang", "【演示】梨洲街道阳光宝贝托育中心", "330281001001"),
]

# (username, real name, organisation code or None, role, operator role)
DEMO_ACCOUNTS = [
    ("health", "演示·卫健局备案员", "health", Membership.Role.OFFICER, ""),
    ("leader", "演示·领导小组成员", "leading-group", Membership.Role.VIEWER, ""),
    ("simen", "演示·泗门镇专干", "township-330281103", Membership.Role.OFFICER, ""),
    ("lizhou", "演示·梨洲街道专干", "township-330281001", Membership.Role.OFFICER, ""),
    ("mca", "演示·民政局登记员", "mca", Membership.Role.OFFICER, ""),
    ("amr", "演示·市场监管局登记员", "amr", Membership.Role.OFFICER, ""),
    ("editor", "演示·编办登记员", "editor", Membership.Role.OFFICER, ""),
    ("fire", "演示·消防监督员", "fire", Membership.Role.OFFICER, ""),
    ("hrss", "演示·人社局核验员", "hrss", Membership.Role.OFFICER, ""),
    ("edu", "演示·教育局专干", "edu", Membership.Role.OFFICER, ""),
    ("nursery1", "演示·小星星园长", "demo-simen-xingxing", Membership.Role.HEAD, ""),
    ("nursery2", "演示·阳光宝贝园长", "demo-lizhou-yangguang", Membership.Role.HEAD, ""),
    ("auditor", "演示·审计管理员", None, None, User.OperatorRole.AUDIT),
    ("sysadmin", "演示·系统管理员", None, None, User.OperatorRole.SYSTEM),
    ("secadmin", "演示·安全管理员", None, None, User.OperatorRole.SECURITY),
]


def load_all_demo_data() -> dict[str, int]:
    """The demo accounts, then each app's demo data (``demo_data_loader`` on its AppConfig)."""
    from accounts.hooks import call_app_hooks

    created = load_demo_data()  # the accounts first: the apps' demo data uses them
    return {**created, **call_app_hooks("demo_data_loader")}


@transaction.atomic
def load_demo_data() -> dict[str, int]:
    created = {"institutions": 0, "accounts": 0}
    for code, name, village_code in DEMO_INSTITUTIONS:
        if not Organisation.objects.filter(code=code).exists():
            village = Region.objects.select_related("parent").get(code=village_code)
            services.institution_organisation_create(actor=None, code=code, name=name, village=village)
            created["institutions"] += 1
    for username, real_name, org_code, role, operator_role in DEMO_ACCOUNTS:
        user = User.objects.filter(username=username).first()
        if user is None:
            user = services.user_create(
                actor=None, username=username, real_name=real_name, password=DEMO_PASSWORD, must_change_password=False
            )
            created["accounts"] += 1
        if org_code and not user.memberships.filter(organisation__code=org_code).exists():
            services.membership_set(
                actor=None, user=user, organisation=Organisation.objects.get(code=org_code), role=role
            )
        if operator_role and user.operator_role != operator_role:
            services.operator_role_set(actor=None, user=user, role=operator_role)
    return created
