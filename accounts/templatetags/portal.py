import re

from django import template
from django.utils.html import format_html

register = template.Library()


@register.filter
def get_item(mapping, key):
    return mapping.get(key) if mapping else None


_CODE = re.compile(r"[A-Za-z][A-Za-z0-9_.\-]*")


@register.filter
def code_or_words(value):
    """A value of the audit trail as recorded: a bare identifier (``review.decided``,
    ``certification_rate``, ``computed``) is a code and is shown as one; anything else as words."""
    text = "" if value is None else str(value)
    if _CODE.fullmatch(text):
        return format_html("<code>{}</code>", text)
    return text
