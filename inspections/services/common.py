from accounts.services import notify_duty_holders, notify_organisation  # noqa: F401  (used by the services)


def inspection_file_store(*, actor, uploaded, allowed: tuple[str, ...], max_bytes: int, **owner):
    """Check an upload by its content and store it as an InspectionFile of ``owner`` (a
    ``finding=`` or an ``order=``). The caller checks rights and records the audit event."""
    from inspections.models import InspectionFile
    from registry import uploads

    content_type, sha256 = uploads.check_upload(uploaded, allowed=allowed, max_bytes=max_bytes)
    stored = InspectionFile(
        original_name=uploaded.name[:200],
        content_type=content_type,
        size=uploaded.size,
        sha256=sha256,
        uploaded_by=actor,
        **owner,
    )
    stored.file.save(uploaded.name, uploaded, save=False)
    stored.save()
    return stored
