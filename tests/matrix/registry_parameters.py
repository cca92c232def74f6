from tests.permission_matrix import Case

HEALTH = frozenset({"health"})

CASES = [
    Case("parameter_list", HEALTH, denied=403),
    Case(
        "parameter_update",
        HEALTH,
        method="post",
        ok=302,
        denied=403,
        data={"key": "filing.unfiled_alert_days", "value": "30"},
    ),
    Case(
        "calendar_day_update",
        HEALTH,
        method="post",
        ok=302,
        denied=403,
        data={"date": "2027-01-01", "is_working_day": "0", "note": "元旦"},
    ),
]
