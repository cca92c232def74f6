"""Resident ID numbers (GB 11643): one check and one message per problem for every app."""

import pytest
from django.utils import translation

from accounts import idnumbers


def valid(first17: str) -> str:
    return first17 + idnumbers.check_character(first17)


def test_a_number_with_its_check_character_is_valid_in_either_case():
    assert idnumbers.id_number_error(valid("33028119800101123")) is None
    assert valid("33028119850505105") == "33028119850505105X"
    assert idnumbers.id_number_error(" 33028119850505105x ") is None


@pytest.mark.parametrize(
    ("number", "message"),
    [
        ("", "An ID number has 18 characters."),
        ("3302811980010112300", "An ID number has 18 characters."),
        ("3302811980010112-0", "An ID number has 17 digits and then a digit or X."),
        ("３３０２８１１９８００１０１１２３０", "An ID number has 17 digits and then a digit or X."),
        ("33028119800101123²", "An ID number has 17 digits and then a digit or X."),
        ("330281198002301230", "The birth date in this ID number is not a real date."),
        ("330281189001011230", "The birth date in this ID number is not a real date."),
        ("330281198001011237", "The last character of this ID number does not match: please check the number."),
    ],
)
def test_each_problem_has_its_own_message(number, message):
    with translation.override("en"):
        assert idnumbers.id_number_error(number) == message


def test_the_message_is_translated_when_it_is_asked_for_not_when_the_module_is_loaded():
    with translation.override("zh-hans"):
        assert idnumbers.id_number_error("123") == "身份证号码应为18位。"
    with translation.override("en"):
        assert idnumbers.id_number_error("123") == "An ID number has 18 characters."
