"""The file format of the workforce imports: the kinds, their columns with the fixed Chinese
headers and names, and the examples of the instructions sheet."""

from django.utils.translation import gettext_lazy

from paperwork.spreadsheets import CODES_SHEET, Choice, Column
from training.models import Participant, StaffMember

STAFF, CERTIFICATES, PARTICIPANTS = "staff", "certificates", "participants"
KINDS = (STAFF, CERTIFICATES, PARTICIPANTS)
CLASSES_SHEET = "班级"
CERTIFICATE_KINDS_SHEET = "证书种类"

SR, GE, ED, PK = StaffMember.Role, StaffMember.Gender, StaffMember.Education, Participant.Kind
# The names written in the file: fixed Chinese words of the format, not interface labels.
NAMES = {
    "gender": {GE.FEMALE: "女", GE.MALE: "男"},
    "role": {
        SR.PERSON_IN_CHARGE: "负责人",
        SR.CAREGIVER: "保育人员",
        SR.HEALTH_WORKER: "卫生保健人员",
        SR.COOK: "炊事人员",
        SR.GUARD: "保安人员",
        SR.OTHER: "其他",
    },
    "education": {
        ED.BELOW_HIGH_SCHOOL: "高中以下",
        ED.HIGH_SCHOOL: "高中或中专",
        ED.COLLEGE: "大专",
        ED.BACHELOR: "本科",
        ED.POSTGRADUATE: "研究生",
    },
    "participant_kind": {
        PK.STAFF: "机构从业人员",
        PK.VILLAGE_INSTRUCTOR: "村（社区）卫生健康指导员",
        PK.PUBLIC: "社会公众",
    },
}
SYNONYMS = {
    "gender": {"女性": GE.FEMALE, "男性": GE.MALE},
    "role": {
        "园长": SR.PERSON_IN_CHARGE,
        "机构负责人": SR.PERSON_IN_CHARGE,
        "保育员": SR.CAREGIVER,
        "保育师": SR.CAREGIVER,
        "育婴员": SR.CAREGIVER,
        "照护人员": SR.CAREGIVER,
        "保健人员": SR.HEALTH_WORKER,
        "保健员": SR.HEALTH_WORKER,
        "保健医": SR.HEALTH_WORKER,
        "炊事员": SR.COOK,
        "厨师": SR.COOK,
        "保安": SR.GUARD,
        "保安员": SR.GUARD,
    },
    "education": {
        "初中": ED.BELOW_HIGH_SCHOOL,
        "初中及以下": ED.BELOW_HIGH_SCHOOL,
        "小学": ED.BELOW_HIGH_SCHOOL,
        "高中": ED.HIGH_SCHOOL,
        "中专": ED.HIGH_SCHOOL,
        "职高": ED.HIGH_SCHOOL,
        "中职": ED.HIGH_SCHOOL,
        "技校": ED.HIGH_SCHOOL,
        "专科": ED.COLLEGE,
        "大学专科": ED.COLLEGE,
        "大学本科": ED.BACHELOR,
        "学士": ED.BACHELOR,
        "硕士": ED.POSTGRADUATE,
        "博士": ED.POSTGRADUATE,
        "研究生及以上": ED.POSTGRADUATE,
    },
    "participant_kind": {
        "从业人员": PK.STAFF,
        "托育从业人员": PK.STAFF,
        "卫生健康指导员": PK.VILLAGE_INSTRUCTOR,
        "村卫生健康指导员": PK.VILLAGE_INSTRUCTOR,
        "社区卫生健康指导员": PK.VILLAGE_INSTRUCTOR,
        "指导员": PK.VILLAGE_INSTRUCTOR,
        "公众": PK.PUBLIC,
        "群众": PK.PUBLIC,
        "家长": PK.PUBLIC,
    },
}
CHOICES = {
    kind: Choice(NAMES[kind], SYNONYMS[kind], choices)
    for kind, choices in (
        ("gender", GE.choices), ("role", SR.choices), ("education", ED.choices), ("participant_kind", PK.choices)
    )
}  # fmt: skip

_ID_HELP = gettext_lazy("18 characters, as on the identity card. Keep the column formatted as text.")
_CHOICE_HELP = gettext_lazy("One of: %(names)s.")
_DATE_HELP = gettext_lazy("A date, for example 2026-03-15.")
_VILLAGE_HELP = gettext_lazy(
    "The 12-digit statistical code of the village or community (see the sheet %(sheet)s), not its name."
)

COLUMNS = {
    STAFF: [
        Column("name", "姓名", True, "text", gettext_lazy("As on the identity card."), 64),
        Column("id_number", "身份证号", True, "id_number", _ID_HELP, 18),
        Column("gender", "性别", True, "gender", _CHOICE_HELP),
        Column("role", "岗位", True, "role", _CHOICE_HELP),
        Column("education", "学历", True, "education", _CHOICE_HELP),
        Column(
            "class_group",
            "班级",
            False,
            "class_group",
            gettext_lazy("For caregivers: the name of the class they look after (see the sheet %(sheet)s)."),
            64,
        ),
        Column("hired_on", "入职日期", True, "past_date", _DATE_HELP),
        Column("health_certificate_expires", "健康证有效期至", False, "date", _DATE_HELP),
        Column("background_checked_on", "背景审查日期", False, "past_date", _DATE_HELP),
    ],
    CERTIFICATES: [
        Column(
            "id_number",
            "身份证号",
            True,
            "id_number",
            gettext_lazy("The holder's ID number: the person must be on your current staff."),
            18,
        ),
        Column(
            "kind",
            "证书种类",
            True,
            "certificate_kind",
            gettext_lazy("The name of the kind of certificate (see the sheet %(sheet)s)."),
            64,
        ),
        Column(
            "level",
            "等级",
            False,
            "text",
            gettext_lazy("Required for kinds with levels (see the sheet %(sheet)s)."),
            32,
        ),
        Column("number", "证书编号", True, "text", gettext_lazy("As on the certificate."), 64),
        Column("issuer", "发证机构", True, "text", gettext_lazy("As on the certificate."), 128),
        Column("issued_on", "发证日期", True, "past_date", _DATE_HELP),
        Column("expires_on", "有效期至", False, "date", gettext_lazy("Leave empty if it does not expire.")),
    ],
    PARTICIPANTS: [
        Column("kind", "参与者类型", True, "participant_kind", _CHOICE_HELP),
        Column(
            "name",
            "姓名",
            False,
            "text",
            gettext_lazy("Required, except for staff: their name comes from the roster."),
            64,
        ),
        Column("phone", "手机号", False, "mobile", gettext_lazy("11 digits, optional.")),
        Column(
            "village",
            "村（社区）代码",
            False,
            "village",
            gettext_lazy(
                "Required for village health instructors: the 12-digit statistical code of their "
                "village or community in the programme's area (see the sheet %(sheet)s)."
            ),
        ),
        Column(
            "staff",
            "机构从业人员身份证号",
            False,
            "id_number",
            gettext_lazy("For staff only: their ID number, to find them on the roster."),
            18,
        ),
    ],
}

# The example on the instructions sheet (never a row of the data sheet).
EXAMPLES = {
    STAFF: {
        "name": "张小红",
        "id_number": "11010519491231002X",
        "gender": "女",
        "role": "保育人员",
        "education": "大专",
        "class_group": "小一班",
        "hired_on": "2025-09-01",
        "health_certificate_expires": "2026-08-31",
        "background_checked_on": "2025-08-20",
    },
    CERTIFICATES: {
        "id_number": "11010519491231002X",
        "kind": "育婴员",
        "level": "四级",
        "number": "1933000000000001",
        "issuer": "浙江省人力资源和社会保障厅",
        "issued_on": "2024-06-30",
        "expires_on": "",
    },
    PARTICIPANTS: {
        "kind": "村（社区）卫生健康指导员",
        "name": "王丽",
        "phone": "13900000000",
        "village": "330281103001",
        "staff": "",
    },
}

TEMPLATE_NAMES = {STAFF: "从业人员导入模板", CERTIFICATES: "从业人员证书导入模板", PARTICIPANTS: "培训参与者导入模板"}


def column_of(kind: str, key: str) -> Column:
    return next(column for column in COLUMNS[kind] if column.key == key)


def column_help(column: Column) -> str:
    """How to fill in a column, in the user's language (the instructions sheet and the page)."""
    if column.kind in CHOICES:
        return str(column.help) % {"names": CHOICES[column.kind].names_text}
    sheet = {"class_group": CLASSES_SHEET, "certificate_kind": CERTIFICATE_KINDS_SHEET, "village": CODES_SHEET}
    if column.key == "level":
        return str(column.help) % {"sheet": CERTIFICATE_KINDS_SHEET}
    if column.kind in sheet:
        return str(column.help) % {"sheet": sheet[column.kind]}
    return str(column.help)
