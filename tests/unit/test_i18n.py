import re
from pathlib import Path

import pytest

from regen import i18n
from regen.vocab import ALL_LEGAL_FORMS, GEO_PRECISIONS, SECTORS

ROOT = Path(__file__).resolve().parents[2]


def test_catalogues_have_the_same_keys():
    en, ja = i18n.catalogue("en"), i18n.catalogue("ja")
    assert sorted(set(en) - set(ja)) == []
    assert sorted(set(ja) - set(en)) == []


def test_placeholders_match():
    en, ja = i18n.catalogue("en"), i18n.catalogue("ja")
    for key in en:
        assert set(re.findall(r"{(\w+)}", en[key])) == set(re.findall(r"{(\w+)}", ja[key])), key


def test_japanese_catalogue_is_japanese():
    ja = i18n.catalogue("ja")
    japanese = [v for v in ja.values() if re.search(r"[\u3040-\u30ff\u4e00-\u9fff]", v)]
    assert len(japanese) / len(ja) > 0.85


def test_every_vocabulary_code_has_a_label():
    for kind, codes in (("sector", SECTORS), ("legal_form", ALL_LEGAL_FORMS), ("precision", GEO_PRECISIONS)):
        for code in codes:
            assert i18n.has(f"{kind}.{code}", "en") and i18n.has(f"{kind}.{code}", "ja"), (kind, code)


def test_every_key_used_in_code_exists():
    """Literal keys passed to t(...) anywhere in the app must be in the catalogue."""
    used = set()
    for path in [ROOT / "dashboard.py", *ROOT.glob("pages/*.py"), *ROOT.glob("regen_app/*.py"), *ROOT.glob("regen/*.py")]:
        used |= set(re.findall(r"""\bt\(\s*["']([a-z_]+\.[a-z_.]*[a-z_])["']""", path.read_text(encoding="utf-8")))
    assert used, "the scan found no keys: the pattern is broken"
    missing = sorted(k for k in used if not i18n.has(k, "en"))
    assert missing == []


@pytest.mark.parametrize("lang,expected", [("en", "12,345"), ("ja", "12,345")])
def test_number_format(lang, expected):
    assert i18n.number(12345, lang) == expected


def test_percent_and_signed_and_missing():
    assert i18n.percent(0.675, "en") == "68%"
    assert i18n.signed(1200, "en") == "+1,200"
    assert i18n.signed(-5, "ja") == "−5"
    assert i18n.number(None, "en") == "–"
    assert i18n.money(12500, "GBP", "en") == "£12,500.00"
    assert i18n.money(1200000, "JPY", "ja") == "￥1,200,000"


def test_unknown_language_and_key_fall_back():
    assert i18n.normalise("fr") == "en"
    assert i18n.t("app.title", "fr") == "Regen Atlas"
    assert i18n.t("no.such.key", "ja") == "no.such.key"
    assert i18n.t("map.year_fixed", "ja", year=2020) == "年：2020"
