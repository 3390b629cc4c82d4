"""The HTML checks other tests rely on must catch what they claim to catch."""

from __future__ import annotations

import pytest

from frontend.testing import assert_csp_friendly, form_controls, unlabelled_controls


@pytest.mark.parametrize(
    "html",
    [
        "<script>alert(1)</script>",
        '<script type="module">import x from "/y.js"</script>',
        "<style>body { color: red }</style>",
        '<p style="color: red">Hi</p>',
        '<button onclick="go()">Go</button>',
    ],
)
def test_the_csp_check_refuses_inline_code(html: str) -> None:
    with pytest.raises(AssertionError):
        assert_csp_friendly(html)


def test_the_csp_check_allows_external_scripts_and_json_data() -> None:
    assert_csp_friendly(
        '<script src="/static/a.js" defer></script>'
        '<script type="application/json" id="data">{"a": 1}</script>'
        '<link rel="stylesheet" href="/static/a.css">'
    )


def test_the_label_check_finds_controls_without_a_label() -> None:
    html = (
        '<label for="a">A</label><input id="a" name="a">'
        '<label>B <input name="b"></label>'
        '<input name="c" aria-label="C">'
        '<input type="hidden" name="csrfmiddlewaretoken">'
        '<button type="submit">Save</button>'
        '<select name="d" id="d"></select>'
        '<textarea name="e"></textarea>'
    )

    assert unlabelled_controls(html) == ["d", "e"]
    assert form_controls(html) == ["a", "b", "c", "d", "e"]
