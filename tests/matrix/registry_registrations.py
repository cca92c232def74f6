"""Permission matrix of registrations, the unfiled queue, the Excel imports and their API.

Registration A is nursery1's (泗门镇, a company registered by the market regulator ``amr``),
B is nursery2's (梨洲街道, a non-profit registered by civil affairs ``mca``). A registration is
seen where its institution is seen; among those who see it only its own authority revokes
(the others 403), everyone else gets 404. Only the three authorities record registrations,
each only for its own legal form (another form: 403). Imports are seen by the members of the
organisation that started them only.
"""

from django.utils import timezone

from accounts.models import Organisation, User
from registry.models import ImportJob, Registration
from registry.validators import credit_code_check_character
from tests.permission_matrix import INSTITUTION_A_SIGHT, INSTITUTION_B_SIGHT, MEMBERS, Case, _api

AUTHORITIES = frozenset({"mca", "amr", "editor"})
# Organisations that import institutions: the health bureau (city) and the townships.
INSTITUTION_IMPORTERS = frozenset({"health", "simen", "lizhou"})
IMPORTERS = AUTHORITIES | INSTITUTION_IMPORTERS


def _code(first17: str) -> str:
    return first17 + credit_code_check_character(first17)


def _registration(certificate_number: str):
    # The demo registrations of nursery1 (演示登记0001) and nursery2 (演示登记0002).
    return lambda username: {"pk": Registration.objects.get(certificate_number=certificate_number).pk}


def _import_job(username_of_starter: str, organisation_code: str, kind: str):
    def make(username):
        job = ImportJob.objects.create(
            kind=kind,
            file="imports/matrix.xlsx",
            original_name="matrix.xlsx",
            organisation=Organisation.objects.get(code=organisation_code),
            created_by=User.objects.get(username=username_of_starter),
        )
        return {"pk": job.pk}

    return make


TARGETS = {
    "registration_a": _registration("演示登记0001"),
    "registration_b": _registration("演示登记0002"),
    "import_job_amr": _import_job("amr", "amr", ImportJob.Kind.REGISTRATIONS),
    "import_job_simen": _import_job("simen", "township-330281103", ImportJob.Kind.INSTITUTIONS),
    "import_kind_registrations": lambda username: {"kind": "registrations"},
    "import_kind_institutions": lambda username: {"kind": "institutions"},
}


def _registration_data(legal_form: str, first17: str) -> dict:
    return {
        "credit_code": _code(first17),
        "name": "【矩阵】新登记托育园",
        "legal_form": legal_form,
        "provider_type": "standalone",
        "village": "330281103001",
        "address": "泗门镇矩阵路1号",
        "certificate_number": f"矩阵{first17[-5:]}",
        "registered_on": timezone.localdate().isoformat(),
    }


COMPANY = _registration_data("company", "91330281MA2M00001")
NONPROFIT = _registration_data("nonprofit", "52330281MA2M00002")
PUBLIC = _registration_data("public_institution", "12330281MA2M00003")
REVOKE = {"reason": "矩阵测试：撤销登记", "revoked_on": timezone.localdate().isoformat()}
OTHERS_SEEING_A = INSTITUTION_A_SIGHT - {"amr"}
OTHERS_SEEING_B = INSTITUTION_B_SIGHT - {"mca"}

CASES = [
    # --- pages ---------------------------------------------------------------------------
    Case("registration_list", MEMBERS, denied=403),
    Case("registration_create", AUTHORITIES, denied=403),
    Case("registration_create", frozenset({"amr"}), method="post", data=COMPANY, ok=302, denied=403),
    Case("registration_create", frozenset({"mca"}), method="post", data=NONPROFIT, ok=302, denied=403),
    Case("registration_create", frozenset({"editor"}), method="post", data=PUBLIC, ok=302, denied=403),
    Case("registration_revoke", frozenset({"amr"}), target="registration_a", visible=OTHERS_SEEING_A),
    Case("registration_revoke", frozenset({"mca"}), target="registration_b", visible=OTHERS_SEEING_B),
    Case(
        "registration_revoke",
        frozenset({"amr"}),
        target="registration_a",
        visible=OTHERS_SEEING_A,
        method="post",
        data=REVOKE,
        ok=302,
    ),  # fmt: skip
    Case(
        "registration_revoke",
        frozenset({"mca"}),
        target="registration_b",
        visible=OTHERS_SEEING_B,
        method="post",
        data=REVOKE,
        ok=302,
    ),  # fmt: skip
    Case("unfiled_list", frozenset({"health"}), denied=403),
    Case("import_list", IMPORTERS, denied=403),
    # A post without a file: importers of that kind see the form again with the error (200).
    Case("import_create", AUTHORITIES, method="post", data={"kind": "registrations"}, denied=403),
    Case("import_create", INSTITUTION_IMPORTERS, method="post", data={"kind": "institutions"}, denied=403),
    Case("import_template", AUTHORITIES, target="import_kind_registrations", denied=403),
    Case("import_template", INSTITUTION_IMPORTERS, target="import_kind_institutions", denied=403),
    Case("import_detail", frozenset({"amr"}), target="import_job_amr"),
    Case("import_detail", frozenset({"simen"}), target="import_job_simen"),
    Case("import_status", frozenset({"amr"}), target="import_job_amr"),
    Case("import_status", frozenset({"simen"}), target="import_job_simen"),
    # --- API -----------------------------------------------------------------------------
    _api("api_registration_list", MEMBERS, denied=403),
    _api("api_registration_push", frozenset({"amr"}), method="post", data=COMPANY, ok=201, denied=403),
    _api("api_registration_push", frozenset({"mca"}), method="post", data=NONPROFIT, ok=201, denied=403),
    Case(
        "api_registration_revoke",
        frozenset({"amr"}),
        target="registration_a",
        visible=OTHERS_SEEING_A,
        method="post",
        data=REVOKE,
        anonymous=401,
    ),  # fmt: skip
    Case(
        "api_registration_revoke",
        frozenset({"mca"}),
        target="registration_b",
        visible=OTHERS_SEEING_B,
        method="post",
        data=REVOKE,
        anonymous=401,
    ),  # fmt: skip
]
