"""Controlled vocabularies shared by the schema, the sample generator and the interface.

Codes are stable identifiers stored in data and URLs; their display names live in the i18n
catalogues under ``legal_form.<code>``, ``sector.<code>``, ``precision.<code>`` and ``country.<code>``.
"""

from __future__ import annotations

COUNTRIES: tuple[str, ...] = ("GB", "JP")

# Codes for a value a file does not give ("unknown") and for one that matches no code ("other": the
# file's own text is kept beside it, in ``legal_form_text`` / ``sector_text``). Region and area use
# UNKNOWN too when neither the file nor the row's location says.
UNKNOWN = "unknown"
OTHER = "other"

# Legal forms of social and employee-owned enterprises, by country where they exist.
LEGAL_FORMS: dict[str, tuple[str, ...]] = {
    "GB": (
        "cic",  # Community interest company
        "cooperative",  # Co-operative society
        "cbs",  # Community benefit society
        "employee_owned",  # Employee-owned company (EOT)
        "charity",  # Charity / CIO
        "clg",  # Company limited by guarantee
        # Forms that real registers list (e.g. a national co-operative register's open data)
        "society",  # Registered society (co-operative or community benefit: the register does not say which)
        "company",  # Company limited by shares
        "unincorporated",  # Unincorporated association
        "llp",  # Limited liability partnership
    ),
    "JP": (
        "npo",  # 特定非営利活動法人 (NPO法人)
        "general_inc",  # 一般社団法人
        "workers_coop",  # 労働者協同組合
        "kk",  # 株式会社 (social business)
        "cooperative",  # 協同組合
    ),
}
ALL_LEGAL_FORMS: tuple[str, ...] = tuple(dict.fromkeys(
    [f for forms in LEGAL_FORMS.values() for f in forms] + [OTHER, UNKNOWN]))

SECTORS: tuple[str, ...] = (
    "care",  # Health and social care
    "food",  # Food and hospitality
    "energy",  # Community energy
    "reuse",  # Recycling, reuse and repair
    "construction",  # Construction and housing
    "training",  # Education, training and employment support
    "arts",  # Arts, culture and heritage
    "transport",  # Community transport
    "digital",  # Digital and creative services
    "tourism",  # Tourism and leisure
    "agriculture",  # Agriculture, forestry and fisheries
    "retail",  # Community shops and retail
    # Sectors that real registers use beyond the sample's twelve
    "housing",  # Housing (co-operative and community-led homes, housing associations)
    "finance",  # Finance (credit unions, community finance, mutual insurance)
    "manufacturing",  # Manufacturing and production
    "professional",  # Professional and business services, advice
    "membership",  # Membership associations, federations and clubs
    "sports",  # Sports and recreation
    "education",  # Schools, nurseries and education (training for work is "training")
    OTHER,
    UNKNOWN,
)

# How a row was located, finest first; "none": it could not be (no coordinates; kept and counted).
GEO_PRECISIONS: tuple[str, ...] = ("exact", "postcode", "district", "place", "area", "none")

CURRENCIES: dict[str, str] = {"GB": "GBP", "JP": "JPY"}
