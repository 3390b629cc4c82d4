"""Checks on rendered HTML that every page test can use.

They encode two promises of the design: the Content-Security-Policy can stay strict (no inline
scripts, styles or handlers), and every form control has a label.
"""

from __future__ import annotations

from html.parser import HTMLParser

# Script types a browser never executes, so the CSP does not apply to them (allauth embeds JSON).
_DATA_SCRIPT_TYPES = {"application/json", "application/ld+json"}
_UNLABELLED_INPUT_TYPES = {"hidden", "submit", "button", "reset", "image"}


class _PageParser(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.inline_scripts = 0
        self.style_blocks = 0
        self.style_attributes: list[str] = []
        self.handler_attributes: list[str] = []
        self.controls: list[dict[str, str | None]] = []
        self.label_targets: set[str] = set()
        self._label_depth = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        attributes = dict(attrs)
        for name, _value in attrs:
            if name == "style":
                self.style_attributes.append(tag)
            if name.startswith("on"):
                self.handler_attributes.append(f"{tag}[{name}]")
        if tag == "script":
            kind = (attributes.get("type") or "").lower()
            if not attributes.get("src") and kind not in _DATA_SCRIPT_TYPES:
                self.inline_scripts += 1
        elif tag == "style":
            self.style_blocks += 1
        elif tag == "label":
            self._label_depth += 1
            if attributes.get("for"):
                self.label_targets.add(attributes["for"] or "")
        elif tag in {"input", "select", "textarea"}:
            kind = (attributes.get("type") or "text").lower()
            if tag != "input" or kind not in _UNLABELLED_INPUT_TYPES:
                self.controls.append(
                    {**attributes, "_tag": tag, "_wrapped": str(self._label_depth > 0)}
                )

    def handle_endtag(self, tag: str) -> None:
        if tag == "label" and self._label_depth:
            self._label_depth -= 1


def _parse(html: str) -> _PageParser:
    parser = _PageParser()
    parser.feed(html)
    parser.close()
    return parser


def assert_csp_friendly(html: str) -> None:
    """No inline <script>, no <style> blocks, no style="" and no on*="" handlers."""
    page = _parse(html)
    assert page.inline_scripts == 0, "inline <script> found"
    assert page.style_blocks == 0, "<style> block found"
    assert page.style_attributes == [], f"style attributes on {page.style_attributes}"
    assert page.handler_attributes == [], f"inline handlers: {page.handler_attributes}"


def unlabelled_controls(html: str) -> list[str]:
    """Names of form controls that have no label, aria-label or aria-labelledby."""
    page = _parse(html)
    missing = []
    for control in page.controls:
        labelled = (
            control.get("_wrapped") == "True"
            or (control.get("id") or "") in page.label_targets
            or control.get("aria-label")
            or control.get("aria-labelledby")
        )
        if not labelled:
            missing.append(str(control.get("name") or control.get("id") or control["_tag"]))
    return missing


def form_controls(html: str) -> list[str]:
    """Names (or ids) of the labelled-kind form controls on the page, in order."""
    return [str(c.get("name") or c.get("id")) for c in _parse(html).controls]


def assert_accessible_page(html: str) -> None:
    """The layout's landmarks are there, the page passes the CSP checks and labels every control."""
    assert_csp_friendly(html)
    assert '<html lang="' in html
    for landmark in ("<header", "<nav", "<main", "<footer", 'class="skip-link" href="#main"'):
        assert landmark in html, f"missing {landmark}"
    assert unlabelled_controls(html) == []
