from django.core.management.base import BaseCommand

from accounts import services


class Command(BaseCommand):
    help = (
        "Load the administrative divisions, the duties, the Annex 1/2 organisations and each app's own "
        "reference data (idempotent: a second run changes nothing)."
    )

    def handle(self, *args, **options):
        counts = services.reference_data_load_all()
        self.stdout.write(", ".join(f"{name} {count}" for name, count in counts.items()))
