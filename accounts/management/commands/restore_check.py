from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from accounts.backup import BackupError, check_backup


class Command(BaseCommand):
    help = (
        "Restore a backup into a scratch database (PostgreSQL: a new database, dropped afterwards; "
        "SQLite: a temporary file) and compare its checksums and row counts with the manifest."
    )

    def add_arguments(self, parser):
        parser.add_argument("backup", type=Path, help="a backup-<UTC time>/ folder written by `manage.py backup`")
        parser.add_argument(
            "--scratch-name",
            help="PostgreSQL: name of the scratch database (default <name>_restore_check_<timestamp>)",
        )

    def handle(self, *args, backup: Path, scratch_name: str | None, **options):
        try:
            result = check_backup(backup, scratch=scratch_name)
        except BackupError as error:
            raise CommandError(f"恢复检查失败 / restore check failed: {error}") from None
        if result.tables:
            width = max(len(name) for name, _, _ in result.tables)
            self.stdout.write(f"{'table':<{width}}  {'manifest':>9}  {'restored':>9}")
            for name, expected, restored in result.tables:
                mark = "" if expected == restored else "  ✗ MISMATCH"
                self.stdout.write(f"{name:<{width}}  {expected!s:>9}  {restored!s:>9}{mark}")
        bad_files = [(name, problem) for name, problem in result.files if problem]
        self.stdout.write(f"attachments: {len(result.files) - len(bad_files)} ok, {len(bad_files)} bad")
        for name, problem in bad_files:
            self.stdout.write(f"  ✗ {name}: {problem}")
        self.stdout.write(f"time / 用时: {result.seconds:.2f} s")
        if not result.ok:
            raise CommandError("恢复检查未通过 / restore check FAILED:\n  " + "\n  ".join(result.problems))
        self.stdout.write("恢复检查通过 / restore check passed")
