from django.core.management.base import BaseCommand

from accounts import services


class Command(BaseCommand):
    help = "Load the administrative divisions, the duties and the Annex 1/2 organisations (idempotent)."

    def handle(self, *args, **options):
        counts = services.reference_data_load()
        self.stdout.write(
            f"regions {counts['regions']}, duties {counts['duties']}, organisations {counts['organisations']}, "
            f"rows changed {counts['changed']}"
        )
