"""The public registry.

The public selectors take no actor on purpose: the public registry answers every visitor,
logged in or not, the same way, and shows only what is public by nature — the public fields of
institutions whose filing the health bureau accepted and that are operating. They never return
model instances (which would reach every field and relation) but ``PublicInstitution`` values
holding the public fields only; a family care point is someone's home, so it shows its
township and never its street address, village or phone."""

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from django.db.models import Exists, OuterRef, Prefetch, QuerySet
from django.http import Http404

from accounts.models import Region
from registry.models import ClassGroup, FeeSchedule, Institution

_PUBLIC_FIELDS = (
    "id", "name", "provider_type", "inclusive", "demonstration", "township", "address", "full_day", "half_day",
    "hourly", "temporary", "meals_served", "opened_on", "status", "filing_status", "filing_number", "contact_phone",
)  # fmt: skip


@dataclass(frozen=True)
class PublicFee:
    service_mode: str
    age_band: str
    amount: Decimal
    unit: str
    meal_fee: Decimal
    effective_from: date


@dataclass(frozen=True)
class PublicClassBand:
    age_band: str
    age_band_label: str
    places: int
    # Places minus children enrolled (余位), never below zero.
    vacancies: int = 0


@dataclass(frozen=True)
class PublicInstitution:
    pk: int
    name: str
    provider_type: str
    provider_type_label: str
    inclusive: bool
    demonstration: bool
    township_code: str
    township: str
    # "" for a family care point: its address is private.
    address: str
    service_modes: list[str]
    meals_served: bool
    opened_on: date | None
    slots: int
    bands: list[PublicClassBand]
    fees: list[PublicFee]
    filing_status: str
    filing_status_label: str
    filing_number: str
    # The institution's contact phone, for parents to call; "" for a family care point, whose
    # phone is a carer's own, as its address is their home.
    phone: str = ""
    # The last annual review result; None until the annual review exists (inspections).
    last_review_result: str | None = None

    @classmethod
    def of(cls, institution: Institution) -> "PublicInstitution":
        groups = list(institution.class_groups.all())
        bands, vacancies = {}, {}
        for group in groups:
            bands[group.age_band] = bands.get(group.age_band, 0) + group.places
            vacancies[group.age_band] = vacancies.get(group.age_band, 0) + max(group.places - group.enrolled, 0)
        labels = dict(ClassGroup.AgeBand.choices)
        return cls(
            pk=institution.pk,
            name=institution.name,
            provider_type=institution.provider_type,
            provider_type_label=str(institution.get_provider_type_display()),
            inclusive=institution.inclusive,
            demonstration=institution.demonstration,
            township_code=institution.township.code,
            township=institution.township.name,
            address="" if institution.is_family_care_point else institution.address,
            service_modes=institution.service_modes,
            meals_served=institution.meals_served,
            opened_on=institution.opened_on,
            slots=sum(group.places for group in groups),
            bands=[
                PublicClassBand(band, str(labels[band]), places, vacancies[band])
                for band, places in sorted(bands.items(), key=lambda item: list(labels).index(item[0]))
            ],
            fees=[
                PublicFee(
                    service_mode=str(fee.get_service_mode_display()),
                    age_band=str(fee.get_age_band_display()) if fee.age_band else "",
                    amount=fee.amount,
                    unit=str(fee.get_unit_display()),
                    meal_fee=fee.meal_fee,
                    effective_from=fee.effective_from,
                )
                for fee in institution.fees.all()
            ],
            filing_status=institution.filing_status,
            filing_status_label=str(institution.get_filing_status_display()),
            filing_number=institution.filing_number,
            phone="" if institution.is_family_care_point else institution.contact_phone,
        )


class PublicRows:
    """Public institutions, read a page at a time: Django's and DRF's paginators count and slice
    it like a queryset, and each slice is turned into ``PublicInstitution`` values."""

    def __init__(self, queryset: QuerySet):
        self._queryset = queryset

    def count(self) -> int:
        return self._queryset.count()

    def __len__(self) -> int:
        return self.count()

    def __getitem__(self, index):
        if isinstance(index, slice):
            return [PublicInstitution.of(institution) for institution in self._queryset[index]]
        return PublicInstitution.of(self._queryset[index])

    def __iter__(self):
        return (PublicInstitution.of(institution) for institution in self._queryset)


def _public_institutions() -> QuerySet:
    return (
        Institution.objects.filter(filing_status=Institution.FilingStatus.FILED, status=Institution.Status.OPERATING)
        .select_related("township")
        .only(*_PUBLIC_FIELDS, "township__code", "township__name")
        .prefetch_related(
            Prefetch(
                "class_groups",
                queryset=ClassGroup.objects.only("id", "institution_id", "age_band", "places", "enrolled"),
            ),
            Prefetch("fees", queryset=FeeSchedule.objects.order_by("service_mode", "age_band", "-effective_from")),
        )
    )


def public_township_choices() -> list[Region]:
    """Every township: the public search offers them all (no actor, see above)."""
    return list(Region.objects.filter(level=Region.Level.TOWNSHIP).order_by("code"))


def public_institution_list(
    *, township: str = "", provider_type: str = "", age_band: str = "", inclusive: bool | None = None, text: str = ""
) -> PublicRows:
    """Filed, operating institutions for the public search. ``text`` matches names only: a
    search on addresses would find family care points by their street."""
    queryset = _public_institutions()
    if township:
        queryset = queryset.filter(township__code=township)
    if provider_type:
        queryset = queryset.filter(provider_type=provider_type)
    if age_band:
        queryset = queryset.filter(
            Exists(ClassGroup.objects.filter(institution=OuterRef("pk"), age_band=age_band, places__gt=0))
        )
    if inclusive is not None:
        queryset = queryset.filter(inclusive=inclusive)
    if text:
        queryset = queryset.filter(name__icontains=text)
    return PublicRows(queryset.order_by("township__code", "name", "pk"))


def public_institution_get(pk: int) -> PublicInstitution:
    """One filed, operating institution's public record; anything else is 404."""
    institution = _public_institutions().filter(pk=pk).first()
    if institution is None:
        raise Http404
    return PublicInstitution.of(institution)
