import re

from django import template
from django.utils.html import format_html

register = template.Library()


@register.filter
def get_item(mapping, key):
    return mapping.get(key) if mapping else None


_LATIN = re.compile(r"[A-Za-z]")
_CHINESE = re.compile(r"[\u3400-\u9fff]")


@register.filter
def code_or_words(value):
    """A value of the audit trail as recorded: one without a Chinese character but with Latin
    letters (``review.decided``, ``certification_rate：0.8``) is data as stored, shown as code;
    anything else as words."""
    text = "" if value is None else str(value)
    if _LATIN.search(text) and not _CHINESE.search(text):
        return format_html("<code>{}</code>", text)
    return text
