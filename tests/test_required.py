"""CI's one switch for what it installed: a test that needs a Debian package skips where it is missing,
unless `.ci/run` named the package in NIANBAO_REQUIRE_PACKAGES, and then it fails (`helpers.required`,
`helpers.missing`)."""

from __future__ import annotations

import pytest

from helpers import missing, required, skip_unless_installed


def test_required_names_whole_packages(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("NIANBAO_REQUIRE_PACKAGES", "fonts-wqy-microhei  chromium poppler-utils")
    assert required("chromium")
    assert required("fonts-wqy-microhei")
    assert not required("qpdf")
    assert not required("chrom")  # a name, not a substring
    monkeypatch.delenv("NIANBAO_REQUIRE_PACKAGES")
    assert not required("chromium")


def test_a_missing_package_skips_naming_it(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("NIANBAO_REQUIRE_PACKAGES", "chromium")
    with pytest.raises(pytest.skip.Exception, match="apt-get install poppler-utils qpdf"):
        missing("poppler-utils", "qpdf")


def test_a_missing_package_ci_installed_fails(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("NIANBAO_REQUIRE_PACKAGES", "qpdf chromium")
    with pytest.raises(pytest.fail.Exception) as failed:
        missing("poppler-utils", "qpdf")
    assert "names qpdf, missing here" in str(failed.value)
    assert "poppler-utils" not in str(failed.value)  # only what CI promised is a failure


def test_nothing_lacking_goes_on(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("NIANBAO_REQUIRE_PACKAGES", "qpdf")
    assert skip_unless_installed([]) is None
    with pytest.raises(pytest.fail.Exception):
        skip_unless_installed(["qpdf"])
