"""The second-factor pages in the permission matrix: any signed-in user may set up a second
factor (the demo accounts, exempt here, too: 200); the code page sends someone not enrolled to
the set-up page (302). The anonymous visitor goes to the login page."""

from tests.permission_matrix import LOGGED_IN, Case

CASES = [
    Case("second_factor_setup", LOGGED_IN),
    Case("second_factor_verify", LOGGED_IN, ok=302),
]
