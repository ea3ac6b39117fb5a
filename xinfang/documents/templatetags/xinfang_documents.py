"""``{% load xinfang_documents %}``: which timeline events produce a document (no queries)."""

from django import template

from xinfang.documents.selectors import document_title

register = template.Library()


@register.filter
def document_title_of(action: str) -> str:
    return document_title(action)
