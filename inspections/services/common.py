from accounts.services import notify_duty_holders, notify_organisation  # noqa: F401  (used by the services)


def inspection_file_store(*, actor, uploaded, allowed: tuple[str, ...], max_bytes: int, **owner):
    """Check an upload by its content and store it as an InspectionFile of ``owner`` (a
    ``finding=`` or an ``order=``). The caller checks rights and records the audit event."""
    from inspections.models import InspectionFile
    from paperwork import files

    stored = files.store(uploaded, folder="inspections", allowed=allowed, max_bytes=max_bytes)
    return InspectionFile.objects.create(stored=stored, uploaded_by=actor, **owner)
