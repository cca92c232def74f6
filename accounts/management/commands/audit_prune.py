from django.conf import settings
from django.core.management.base import BaseCommand

from accounts import audit


class Command(BaseCommand):
    help = "Delete audit and security-log rows older than AUDIT_RETENTION_DAYS (never younger than 180 days)."

    def handle(self, *args, **options):
        deleted = audit.prune()
        self.stdout.write(f"retention {settings.AUDIT_RETENTION_DAYS} days; deleted {deleted}")
