"""API token keys are stored hashed (``accounts.crypto.key_digest``): each existing token's row
is replaced by one whose key column holds the hash of its key, with the same user, creation
time and details, so the systems using it keep working with the key they hold, for at most
``CARRIED_OVER_DAYS`` more: their keys were once stored in plain (and the audit trail's
``api_token.issued`` entries still name them), so they must be replaced by new ones. Irreversible
in effect: going back leaves the hashes, which the older code does not accept (it fails closed;
issue new tokens)."""

import datetime
import hashlib

from django.db import migrations
from django.utils import timezone

CARRIED_OVER_DAYS = 30


def _digest(key: str) -> str:
    # A copy of accounts.crypto.key_digest as it is today: a migration must not change with the code.
    return hashlib.sha256(key.encode("utf-8", "surrogatepass")).hexdigest()[:40]


def hash_existing_keys(apps, schema_editor):
    Token = apps.get_model("authtoken", "Token")
    Details = apps.get_model("accounts", "ApiTokenDetails")
    last_day = timezone.now() + datetime.timedelta(days=CARRIED_OVER_DAYS)
    for token in list(Token.objects.all()):
        details = Details.objects.filter(token_id=token.pk).first()
        kept = (
            {field: getattr(details, field) for field in ("name", "organisation_id", "expires_at", "last_used_at")}
            if details
            else None
        )
        key, user_id, created = token.key, token.user_id, token.created
        token.delete()  # its details go with it (cascade)
        hashed = Token.objects.create(key=_digest(key), user_id=user_id)
        Token.objects.filter(pk=hashed.pk).update(created=created)  # auto_now_add set it to now
        if kept is not None:
            kept["expires_at"] = min(kept["expires_at"], last_day)
            Details.objects.create(token_id=hashed.pk, **kept)


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0005_security_event_second_factor"),
        ("authtoken", "0004_alter_tokenproxy_options"),
    ]

    operations = [
        migrations.RunPython(hash_existing_keys, migrations.RunPython.noop),
    ]
