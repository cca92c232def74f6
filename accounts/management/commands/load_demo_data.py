from django.core.management.base import BaseCommand

from accounts.demo import DEMO_ACCOUNTS, DEMO_PASSWORD, load_all_demo_data


class Command(BaseCommand):
    help = "Load the fictional demo data and one demo account per kind of user (idempotent)."

    def handle(self, *args, **options):
        created = load_all_demo_data()
        self.stdout.write("demo rows created: " + ", ".join(f"{name} {count}" for name, count in created.items()))
        self.stdout.write(f"Demo accounts (password {DEMO_PASSWORD}): {', '.join(a[0] for a in DEMO_ACCOUNTS)}")
