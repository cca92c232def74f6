import json
from pathlib import Path

from django.db import transaction

from registry.services.reference import parameters_define

DATA_DIR = Path(__file__).resolve().parent.parent / "data"


@transaction.atomic
def supervision_reference_load() -> int:
    """The risk and spot-check parameters; what the bureau changed is kept."""
    items = json.loads((DATA_DIR / "risk_parameters.json").read_text(encoding="utf-8"))["parameters"]
    return parameters_define(items)
