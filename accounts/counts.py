"""Several counts in one round trip to the database.

The home page's work queue asks each app for its counts (filings waiting, orders overdue…). One
query per count made the health bureau's home page 25 queries; ``count_each`` sends an app's
counts as one ``SELECT (SELECT COUNT(*) FROM …), (SELECT COUNT(*) FROM …)``, each subquery the
queryset's own SQL (so its filters, joins and the indexes they use are unchanged)."""

from django.core.exceptions import EmptyResultSet
from django.db import connections
from django.db.models import QuerySet


def count_each(**querysets: QuerySet) -> dict[str, int]:
    """``{name: queryset.count()}`` for every queryset, in one query (the first one's database)."""
    parts, params, counts = [], [], {}
    database = None
    for index, (name, queryset) in enumerate(querysets.items()):
        try:
            sql, subquery_params = queryset.order_by().values("pk").query.sql_with_params()
        except EmptyResultSet:  # .none() or an empty ``__in``: nothing to count
            counts[name] = 0
            continue
        database = database or queryset.db
        parts.append((name, f"(SELECT COUNT(*) FROM ({sql}) AS counted_{index})"))
        params.extend(subquery_params)
    if parts:
        with connections[database].cursor() as cursor:
            cursor.execute("SELECT " + ", ".join(sql for _name, sql in parts), params)
            row = cursor.fetchone()
        counts.update({name: int(value) for (name, _sql), value in zip(parts, row, strict=True)})
    return {name: counts[name] for name in querysets}
