import os

from django.core.management.base import BaseCommand, CommandError

from accounts.dbroles import RoleError, app_role_create


class Command(BaseCommand):
    help = (
        "PostgreSQL: create or update the role the portal connects as. It may read and write every "
        "table but only SELECT and INSERT the audit and security logs. Run as the owner role, again "
        "after each migrate; set DATABASE_URL of the web and worker processes to this role."
    )

    def add_arguments(self, parser):
        parser.add_argument("name", help="role name, e.g. yuyao_app")
        parser.add_argument(
            "--password-env",
            metavar="VARIABLE",
            help="environment variable holding the role's password (gives it LOGIN); never on the command line",
        )

    def handle(self, *args, name: str, password_env: str | None, **options):
        password = None
        if password_env:
            password = os.environ.get(password_env)
            if not password:
                raise CommandError(f"环境变量 {password_env} 为空 / the variable {password_env} is empty")
        try:
            tables = app_role_create(name=name, password=password)
        except RoleError as error:
            raise CommandError(str(error)) from None
        self.stdout.write(f"角色 {name} 已就绪 / role {name} ready; INSERT-only on: {', '.join(tables)}")
