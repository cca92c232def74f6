"""Bulk actions: many items of one kind acted on at once, where work comes in batches
(certificates to verify, pass findings of a cycle, reminders).

The rules every bulk action keeps, whichever app offers it:

- **All or nothing.** Every item is checked first, under a row lock, with the rules of the
  single action (sight through the access policy, the duty, the item's state). One item that
  fails refuses the whole batch: nothing changes, and the message names each item and why
  (``refuse``). An item out of sight is named by its number only, never confirmed.
- **One transaction, rows locked** in a fixed order (by id), so a bulk action and a single
  action on the same item cannot both win: whichever locks second finds the item decided.
- **A size limit** per batch (``BATCH_MAX``), checked before anything is read.
- **Each item audited** on its own, as the single action would be.

The field and the refusal live here, below the apps, so that each bulk action reads its ids
and refuses the same way.
"""

from collections.abc import Iterable

from django import forms
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from paperwork.errors import ApplicationError

BATCH_MAX = 200


class IdsField(forms.Field):
    """The ids of the chosen rows (checkboxes of one name): positive integers, each once, at
    least one and at most ``BATCH_MAX``."""

    widget = forms.MultipleHiddenInput
    default_error_messages = {
        "required": gettext_lazy("Choose at least one row."),
        "invalid": gettext_lazy("The chosen rows are not valid."),
        "too_many": gettext_lazy("At most %(max)d rows may be acted on at once; %(n)d were chosen."),
    }

    def to_python(self, value) -> list[int]:
        if not value:
            return []
        if not isinstance(value, (list, tuple)):
            value = [value]
        try:
            ids = sorted({int(item) for item in value})
        except (TypeError, ValueError):
            raise forms.ValidationError(self.error_messages["invalid"], code="invalid") from None
        if any(pk <= 0 or pk > 2**31 - 1 for pk in ids):
            raise forms.ValidationError(self.error_messages["invalid"], code="invalid")
        return ids

    def validate(self, value) -> None:
        super().validate(value)
        if len(value) > BATCH_MAX:
            raise forms.ValidationError(
                self.error_messages["too_many"], code="too_many", params={"max": BATCH_MAX, "n": len(value)}
            )


def check_size(ids: Iterable[int]) -> list[int]:
    """The ids, each once, in order; refused when there are none or more than ``BATCH_MAX``
    (services check again what the form checked: the API or a task may call them too)."""
    ids = sorted(set(ids))
    if not ids:
        raise ApplicationError(_("Choose at least one row."))
    if len(ids) > BATCH_MAX:
        raise ApplicationError(
            _("At most %(max)d rows may be acted on at once; %(n)d were chosen.") % {"max": BATCH_MAX, "n": len(ids)}
        )
    return ids


def not_found(pk: int) -> str:
    """The problem of an id out of the user's sight (or of no row at all: the same words)."""
    return _("No. %(pk)d: not found, or not in your sight.") % {"pk": pk}


def refuse(problems: list[str]) -> None:
    """Refuse the whole batch when any item has a problem: nothing was changed. The message
    counts them; ``fields["items"]`` lists each item and why, for the page to show."""
    if problems:
        raise ApplicationError(
            _("Nothing was changed: %(n)d of the chosen rows cannot be acted on.") % {"n": len(problems)},
            fields={"items": problems},
        )
