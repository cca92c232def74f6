"""Document numbers that never repeat: one counter per kind and year (``NumberSequence``).

The counter's row is locked (``select_for_update``) until the caller's transaction ends, so of
two documents numbered at once the second waits for the first and takes the next number; if
the caller's transaction rolls back, its number is given again and no gap is left.
"""

from django.db import IntegrityError, transaction

from registry.models import NumberSequence

# The kinds the registry numbers itself; other apps name theirs where they use them.
FILING = "filing"


def _locked(kind: str, year: int) -> NumberSequence | None:
    return NumberSequence.objects.select_for_update().filter(kind=kind, year=year).first()


@transaction.atomic
def next_number(*, kind: str, year: int) -> int:
    """The next number of ``kind`` in ``year`` (1, 2, ...), counted under a row lock."""
    sequence = _locked(kind, year)
    if sequence is None:
        try:
            # A savepoint: if another transaction created the row meanwhile (the first number
            # of a year asked twice at once), only this insert is undone and theirs is used.
            with transaction.atomic():
                NumberSequence.objects.create(kind=kind, year=year)
        except IntegrityError:
            pass
        sequence = _locked(kind, year)
    sequence.last += 1
    sequence.save(update_fields=["last"])
    return sequence.last
