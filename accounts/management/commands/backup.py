from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from accounts.backup import BackupError, create_backup


class Command(BaseCommand):
    help = (
        "Back up the database (PostgreSQL: pg_dump custom format; SQLite: online backup) and the "
        "attachments into one timestamped folder with a manifest of row counts and SHA-256 checksums."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--output",
            type=Path,
            default=settings.VAR_DIR / "backups",
            help="folder that receives backup-<UTC time>/ (default: var/backups)",
        )

    def handle(self, *args, output: Path, **options):
        try:
            folder, manifest = create_backup(output)
        except BackupError as error:
            raise CommandError(f"备份失败 / backup failed: {error}") from None
        rows = sum(manifest["tables"].values())
        self.stdout.write(
            f"备份完成 / backup written: {folder}\n"
            f"  {manifest['engine']} {manifest['database']}: {len(manifest['tables'])} tables, {rows} rows, "
            f"dump {manifest['dump']['size']} bytes sha256 {manifest['dump']['sha256']}\n"
            f"  {len(manifest['files'])} attachments, {sum(f['size'] for f in manifest['files'].values())} bytes\n"
            f"  {manifest['seconds']} s"
        )
