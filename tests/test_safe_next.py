"""The post-sign-in redirect only follows same-site paths (no open redirect)."""

import pytest

from voelgoed.state.auth import safe_next


@pytest.mark.parametrize("value", ["/settings", "/events/abc?tab=1", "/invite/tok-en_1"])
def test_same_site_paths_are_followed(value):
    assert safe_next(value) == value


@pytest.mark.parametrize("value", [None, "", "https://evil.example", "//evil.example", "/\t/evil.example",
                                   "/\\evil.example", "\\\\evil.example", "javascript:alert(1)", "/\n/evil", "/ x",
                                   "/" + "a" * 3000])
def test_anything_else_goes_to_the_dashboard(value):
    assert safe_next(value) == "/dashboard"
