"""Chinese pages speak in words, not codes (issue 17, point 8): duty names instead of duty
codes on the home page, years as whole numbers."""

import re

from tests.helpers import text_of


def test_the_home_page_names_the_duties_without_their_codes(client_as):
    page = text_of(client_as("health").get("/"))
    assert "管理终身禁入名单" in page and "备案" in page
    assert "banlist.manage" not in page and "filing.review" not in page


def test_a_year_parameter_reads_as_a_whole_number(client_as):
    page = text_of(client_as("health").get("/registry/parameters/"))
    assert 'value="2020"' in page
    assert not re.search(r"(19|20)\d\d\.00", page)
