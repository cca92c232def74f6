"""The education bureau's queue of kindergarten nursery classes waiting for its approval."""

from django.db.models import QuerySet

from accounts import policy
from registry import rules
from registry.models import Institution


def nursery_class_queue(*, actor) -> QuerySet:
    """Nursery classes in the actor's sight that wait for approval, oldest first; none for
    anyone who does not approve them."""
    if not rules.can_approve_nursery_classes(actor=actor):
        return Institution.objects.none()
    return (
        Institution.objects.visible_to(actor)
        .filter(
            provider_type=Institution.ProviderType.KINDERGARTEN_CLASS,
            education_approval=Institution.EducationApproval.PENDING,
        )
        .select_related("township", "village")
        .order_by("created_at", "pk")
    )


def nursery_class_list(*, actor) -> QuerySet:
    """Nursery classes in the actor's sight with any education decision (waiting, approved,
    refused), oldest first; none for anyone who does not approve them."""
    if not rules.can_approve_nursery_classes(actor=actor):
        return Institution.objects.none()
    return (
        Institution.objects.visible_to(actor)
        .filter(provider_type=Institution.ProviderType.KINDERGARTEN_CLASS)
        .exclude(education_approval="")
        .select_related("township", "village")
        .order_by("created_at", "pk")
    )


def nursery_class_get(*, actor, pk: int) -> Institution:
    """One nursery class in the actor's sight (404 otherwise)."""
    return policy.get_visible_or_404(
        actor, Institution.objects.select_related("organisation"), pk=pk,
        provider_type=Institution.ProviderType.KINDERGARTEN_CLASS,
    )  # fmt: skip
