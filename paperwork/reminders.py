"""The reminder ledger: each reminder is claimed under its key in the same transaction as the
messages it sends, so a task run twice, or two workers at once, send nothing more."""

from collections.abc import Iterable

from django.db import IntegrityError, transaction

from paperwork.models import ReminderSent


def claim(key: str) -> bool:
    """Record the reminder as sent; False if it already was. Call inside a transaction."""
    if ReminderSent.objects.filter(key=key).exists():
        return False
    try:
        with transaction.atomic():
            ReminderSent.objects.create(key=key)
    except IntegrityError:  # another worker claimed it a moment ago
        return False
    return True


def already_sent(keys: Iterable[str]) -> set[str]:
    """The keys among ``keys`` already claimed (one query; each is claimed again when sent)."""
    return set(ReminderSent.objects.filter(key__in=list(keys)).values_list("key", flat=True))


def claim_all(keys: Iterable[str]) -> bool:
    """Record every reminder of ``keys`` as sent, in one statement; False (and none recorded)
    if any already was. Call inside a transaction whose rows the caller has locked."""
    keys = list(keys)
    if ReminderSent.objects.filter(key__in=keys).exists():
        return False
    try:
        with transaction.atomic():
            ReminderSent.objects.bulk_create(ReminderSent(key=key) for key in keys)
    except IntegrityError:  # another worker claimed one a moment ago
        return False
    return True
