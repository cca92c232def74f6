"""The columns of the staff roster's Excel export (``training.lists`` builds the file).

Like the registry's exports: fixed Chinese column headers whatever the language of the
interface, values in Simplified Chinese, text never turned into a formula. ID numbers are
always masked: a spreadsheet leaves the portal and its access rules. The caller passes the
roster as the user sees it (scoped and filtered); the duplicate-employment column is added
only for those who may see the flag (the health bureau)."""

from training.models import Certificate, StaffMember

# Written out: "Rejected" alone is a filing's decision in the catalogue.
CERTIFICATE_STATUS = {
    Certificate.Status.PENDING: "待核验",
    Certificate.Status.VERIFIED: "已核验",
    Certificate.Status.REJECTED: "核验未通过",
}


def _certificates(member: StaffMember) -> str:
    return "；".join(
        f"{c.kind.name}{f'（{c.level}）' if c.level else ''} {c.number} {CERTIFICATE_STATUS.get(c.status, c.status)}"
        + (f" 有效期至{c.expires_on:%Y-%m-%d}" if c.expires_on else "")
        for c in member.certificates.all()
    )


STAFF_COLUMNS = [
    ("机构名称", 36, lambda m: m.institution.name),
    ("乡镇（街道）", 14, lambda m: m.institution.township.name),
    ("姓名", 12, lambda m: m.name),
    ("身份证号（脱敏）", 22, lambda m: m.id_number_masked),
    ("性别", 6, lambda m: m.get_gender_display()),
    ("岗位", 12, lambda m: m.get_role_display()),
    ("学历", 16, lambda m: m.get_education_display()),
    ("班级", 14, lambda m: m.class_group.name if m.class_group_id else ""),
    ("入职日期", 12, lambda m: m.hired_on),
    ("离职日期", 12, lambda m: m.left_on or ""),
    ("健康证有效期至", 14, lambda m: m.health_certificate_expires or ""),
    ("背景审查日期", 12, lambda m: m.background_checked_on or ""),
    ("证书", 60, _certificates),
]
DUPLICATE_COLUMN = ("同时在其他机构在职", 10, lambda m: "是" if getattr(m, "employed_elsewhere", False) else "否")
