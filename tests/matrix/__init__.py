"""Permission-matrix cases by area (gathered by tests/permission_matrix.py). A module here
imports ``Case``, ``_api``, the role groups and ``ANONYMOUS`` from tests.permission_matrix and
defines ``CASES`` (and ``TARGETS``: name → function(username) → URL kwargs)."""

# Whoever imports an area module first (a test file may, for its helpers) imports the matrix
# first: the matrix gathers every area module whole. The other way round, the matrix would be
# gathered from a half-imported area module and miss its cases.
import tests.permission_matrix  # noqa: E402, F401
