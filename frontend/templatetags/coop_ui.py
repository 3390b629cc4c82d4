"""Small template helpers for the design: inline SVG icons, and money shown to people.

Icons are inline SVG (not an icon font or a CDN) so they inherit the text colour, cost no extra
request and satisfy the Content-Security-Policy. Shapes are drawn on a 24x24 grid in the style of
Lucide (ISC licence); several paths follow Lucide's.
"""

from __future__ import annotations

from django import template
from django.utils import translation
from django.utils.html import format_html
from django.utils.safestring import SafeString, mark_safe

from coop.money.amounts import Money, default_currency, format_money

register = template.Library()

_ICONS: dict[str, str] = {
    "logo": '<circle cx="9" cy="12" r="6"/><circle cx="15" cy="12" r="6"/>',
    "lending": (
        '<path d="M14.7 6.3a1 1 0 0 0 0 1.4l1.6 1.6a1 1 0 0 0 1.4 0l3.77-3.77a6 6 0 0 1-7.94 '
        '7.94l-6.91 6.91a2.12 2.12 0 0 1-3-3l6.91-6.91a6 6 0 0 1 7.94-7.94l-3.76 3.76z"/>'
    ),
    "stays": (
        '<path d="M3 9.5 12 3l9 6.5V20a1 1 0 0 1-1 1H4a1 1 0 0 1-1-1z"/><path d="M9 21v-7h6v7"/>'
    ),
    "rides": (
        '<path d="M5 17H3v-5l2.5-5h13l2.5 5v5h-2"/><path d="M3 12h18"/>'
        '<circle cx="7" cy="17" r="2"/><circle cx="17" cy="17" r="2"/><path d="M9 17h6"/>'
    ),
    "timebank": '<circle cx="12" cy="12" r="9"/><path d="M12 7v5l3 2"/>',
    "governance": (
        '<rect x="3" y="13" width="18" height="8" rx="1"/><path d="M7 13V4h10v9"/>'
        '<path d="m9.5 8.5 2 2 3.5-3.5"/>'
    ),
    "bell": (
        '<path d="M6 8a6 6 0 0 1 12 0c0 7 3 9 3 9H3s3-2 3-9"/>'
        '<path d="M10.3 21a1.94 1.94 0 0 0 3.4 0"/>'
    ),
    "user": '<circle cx="12" cy="8" r="4"/><path d="M4 21a8 8 0 0 1 16 0"/>',
    "users": (
        '<path d="M16 21v-2a4 4 0 0 0-4-4H6a4 4 0 0 0-4 4v2"/><circle cx="9" cy="7" r="4"/>'
        '<path d="M22 21v-2a4 4 0 0 0-3-3.87"/><path d="M16 3.13a4 4 0 0 1 0 7.75"/>'
    ),
    "shield": ('<path d="M12 22s8-4 8-10V5l-8-3-8 3v7c0 6 8 10 8 10z"/><path d="m9 12 2 2 4-4"/>'),
    "logout": (
        '<path d="M9 21H5a2 2 0 0 1-2-2V5a2 2 0 0 1 2-2h4"/><path d="m16 17 5-5-5-5"/>'
        '<path d="M21 12H9"/>'
    ),
    "mail": '<rect x="2" y="4" width="20" height="16" rx="2"/><path d="m22 6-10 7L2 6"/>',
    "key": (
        '<circle cx="7.5" cy="15.5" r="4.5"/><path d="m10.7 12.3 8.8-8.8"/>'
        '<path d="m15.5 7.5 3 3"/><path d="m18 5 2 2"/>'
    ),
    "chevron-down": '<path d="m6 9 6 6 6-6"/>',
    "arrow-right": '<path d="M5 12h14"/><path d="m12 5 7 7-7 7"/>',
    "map-pin": (
        '<path d="M20 10c0 6-8 12-8 12s-8-6-8-12a8 8 0 0 1 16 0z"/><circle cx="12" cy="10" r="3"/>'
    ),
    "scale": (
        '<path d="M12 3v18"/><path d="M7 21h10"/><path d="M4 7h16"/>'
        '<path d="m7 7-3 7a3 3 0 0 0 6 0z"/><path d="m17 7-3 7a3 3 0 0 0 6 0z"/>'
    ),
    "eye": (
        '<path d="M2 12s3.5-7 10-7 10 7 10 7-3.5 7-10 7S2 12 2 12z"/>'
        '<circle cx="12" cy="12" r="3"/>'
    ),
    "heart": (
        '<path d="M19 14c1.49-1.46 3-3.21 3-5.5A5.5 5.5 0 0 0 16.5 3c-1.76 0-3 .5-4.5 2-1.5-1.5-'
        '2.74-2-4.5-2A5.5 5.5 0 0 0 2 8.5c0 2.3 1.5 4.05 3 5.5l7 7z"/>'
    ),
    "lock": (
        '<rect x="3" y="11" width="18" height="11" rx="2"/><path d="M7 11V7a5 5 0 0 1 10 0v4"/>'
    ),
    "city": (
        '<path d="M3 21h18"/><path d="M5 21V8l7-5 7 5v13"/><path d="M10 21v-5h4v5"/>'
        '<path d="M9 10h.01M15 10h.01"/>'
    ),
    "check": '<path d="M20 6 9 17l-5-5"/>',
    "info": '<circle cx="12" cy="12" r="10"/><path d="M12 16v-4"/><path d="M12 8h.01"/>',
    "alert": (
        '<path d="M10.3 3.9 1.8 18a2 2 0 0 0 1.7 3h17a2 2 0 0 0 1.7-3L13.7 3.9a2 2 0 0 0-3.4 0z"/>'
        '<path d="M12 9v4"/><path d="M12 17h.01"/>'
    ),
    "close": '<path d="M18 6 6 18"/><path d="m6 6 12 12"/>',
    "compass": ('<circle cx="12" cy="12" r="10"/><path d="m16.2 7.8-2.1 6.3-6.3 2.1 2.1-6.3z"/>'),
}


@register.simple_tag
def icon(name: str, extra_class: str = "") -> SafeString:
    """An inline, decorative SVG icon; the text next to it carries the meaning."""
    shapes = _ICONS.get(name)
    if shapes is None:
        raise template.TemplateSyntaxError(f"Unknown icon {name!r}.")
    css = f"icon icon--{name} {extra_class}".strip()
    return format_html(
        '<svg class="{}" viewBox="0 0 24 24" width="24" height="24" fill="none" '
        'stroke="currentColor" stroke-width="2" stroke-linecap="round" stroke-linejoin="round" '
        'aria-hidden="true" focusable="false">{}</svg>',
        css,
        mark_safe(shapes),  # noqa: S308 - constant shapes from this module, never user input
    )


@register.filter
def money(cents: int | None, currency: str = "") -> str:
    """`{{ amount_cents|money:currency }}`: integer cents shown in the reader's language."""
    if cents is None or cents == "":
        return ""
    amount = Money(int(cents), currency or default_currency())
    return format_money(amount, locale=translation.get_language() or "en")
