from django.core.management.base import BaseCommand

from accounts.demo import DEMO_ACCOUNTS, DEMO_PASSWORD, load_demo_data


class Command(BaseCommand):
    help = "Load the fictional demo institutions and one demo account per kind of user (idempotent)."

    def handle(self, *args, **options):
        created = load_demo_data()
        self.stdout.write(f"demo data: {created['institutions']} institutions, {created['accounts']} accounts created")
        self.stdout.write(
            f"Demo accounts (password {DEMO_PASSWORD}): {', '.join(account[0] for account in DEMO_ACCOUNTS)}"
        )
