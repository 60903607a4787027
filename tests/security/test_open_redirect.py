"""Finding 7: ``next`` never leads off the site, however it is spelled."""

import pytest

from sojourn.web.forms import safe_next

OFF_SITE = [
    "/\\evil.example/",
    "/%5Cevil.example/",
    "/%5cevil.example/",
    "\\\\evil.example/",
    "//evil.example/",
    "/%2Fevil.example/",
    "/%2f%2fevil.example/",
    "/\t/evil.example/",
    "/\n/evil.example/",
    "/\r\n/evil.example/",
    "/\x00/evil.example/",
    "https://evil.example/",
    "javascript:alert(1)",
    "evil.example",
    " //evil.example",
    "/%09/evil.example/",
]


@pytest.mark.parametrize("target", OFF_SITE)
def test_next_that_could_leave_the_site_falls_back_to_the_default(target):
    assert safe_next(target, "/home") == "/home"


@pytest.mark.parametrize("target", ["/trips", "/trips/5/review?step=2", "/tours?q=三亚 海边", "/a%20b"])
def test_next_within_the_site_is_kept(target):
    assert safe_next(target, "/home") == target
