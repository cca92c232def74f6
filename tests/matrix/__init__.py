"""Permission-matrix cases by area (gathered by tests/permission_matrix.py). A module here
imports ``Case``, ``_api``, the role groups and ``ANONYMOUS`` from tests.permission_matrix and
defines ``CASES`` (and ``TARGETS``: name → function(username) → URL kwargs)."""
