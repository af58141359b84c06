"""External identifiers (ROR, ORCID, ISNI, Wikidata): normal form, format and check digits.

The same arithmetic as ``shapes/identifiers.ttl`` (which checks data/ in SHACL-SPARQL), in Python
for the spreadsheet import, which must point at the cell before any graph exists.
ROR: https://ror.readme.io/docs/identifier ; ORCID: https://support.orcid.org/hc/en-us/articles/360006897674
"""

from __future__ import annotations

import re

ROR_PREFIX = "https://ror.org/"
ORCID_PREFIX = "https://orcid.org/"
WIKIDATA_PREFIX = "http://www.wikidata.org/entity/"

_CROCKFORD = "0123456789abcdefghjkmnpqrstvwxyz"
_ROR = re.compile(r"^0[a-hj-km-np-tv-z0-9]{6}[0-9]{2}$")
_ORCID = re.compile(r"^[0-9]{4}-[0-9]{4}-[0-9]{4}-[0-9]{3}[0-9X]$")
_WIKIDATA = re.compile(r"^Q[1-9][0-9]*$")


class IdentifierError(ValueError):
    """A value that is not a well-formed identifier, or whose check digits are wrong."""


def ror_check_digits(body: str) -> str:
    """The two ISO 7064 MOD 97-10 check digits of a ROR ID's first seven characters."""
    number = 0
    for char in body:
        number = number * 32 + _CROCKFORD.index(char)
    return f"{98 - (number * 100) % 97:02d}"


def mod11_2_check_character(digits: str) -> str:
    """The ISO 7064 MOD 11-2 check character (0-9 or X) of a string of digits (ORCID, ISNI)."""
    total = 0
    for digit in digits:
        total = (total + int(digit)) * 2
    result = (12 - total % 11) % 11
    return "X" if result == 10 else str(result)


def ror_id(text: str) -> str:
    """The bare ROR ID of ``text`` ("02feahw73" or its https://ror.org/ IRI), checked."""
    value = text.strip().removeprefix(ROR_PREFIX).removeprefix("ror.org/")
    if not _ROR.match(value):
        raise IdentifierError(f"{text!r} is not a ROR ID: expected 9 characters like 02feahw73 "
                              "(a 0, six letters/digits without i, l, o, u, two check digits)")
    expected = ror_check_digits(value[:7])
    if value[7:] != expected:
        raise IdentifierError(f"{text!r}: bad ROR checksum (the last two digits should be "
                              f"{expected}); copy the ROR ID again from ror.org")
    return value


def orcid_id(text: str) -> str:
    """The bare ORCID iD of ``text`` ("0000-0002-1825-0097" or its orcid.org IRI), checked."""
    value = text.strip().removeprefix(ORCID_PREFIX).removeprefix("orcid.org/")
    if not _ORCID.match(value):
        raise IdentifierError(f"{text!r} is not an ORCID iD: expected dddd-dddd-dddd-dddX")
    digits = value.replace("-", "")
    if mod11_2_check_character(digits[:15]) != digits[15]:
        raise IdentifierError(f"{text!r}: bad ORCID check character; copy the iD again from "
                              "orcid.org")
    return value


def wikidata_id(text: str) -> str:
    """The bare Wikidata item id of ``text`` ("Q280413" or its entity IRI)."""
    value = text.strip()
    for prefix in (WIKIDATA_PREFIX, "https://www.wikidata.org/entity/",
                   "https://www.wikidata.org/wiki/"):
        value = value.removeprefix(prefix)
    if not _WIKIDATA.match(value):
        raise IdentifierError(f"{text!r} is not a Wikidata item id: expected Q followed by digits")
    return value
