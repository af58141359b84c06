"""ROR / ORCID / Wikidata normal forms and check digits (server/project/identifiers.py)."""

from __future__ import annotations

import pytest

from server.project.identifiers import IdentifierError, orcid_id, ror_id, wikidata_id

# ROR IDs the facts file marks verified (CNRS, INRAE, CAS, CAAS, ECNU, Fudan, CAU, SYSU, PKU)
VERIFIED_ROR = ["02feahw73", "003vg9w96", "034t30j35", "0313jb750", "02n96ep67", "013q1eq08",
                "04v3ywz14", "0064kty71", "02v51f717"]


@pytest.mark.parametrize("value", VERIFIED_ROR)
def test_verified_ror_ids_pass_and_any_changed_check_digit_fails(value: str):
    assert ror_id(f"https://ror.org/{value}") == value
    wrong = value[:7] + f"{(int(value[7:]) + 1) % 100:02d}"
    with pytest.raises(IdentifierError, match="bad ROR checksum"):
        ror_id(wrong)


@pytest.mark.parametrize("value", ["2feahw73", "02feahw7", "0ifeahw73", "https://ror.org/02FEAHW73"])
def test_malformed_ror_ids_are_refused(value: str):
    with pytest.raises(IdentifierError, match="is not a ROR ID"):
        ror_id(value)


def test_orcid_check_character():
    # ORCID's documented example iD, and one with X as check character (ISO 7064 MOD 11-2)
    assert orcid_id("https://orcid.org/0000-0002-1825-0097") == "0000-0002-1825-0097"
    assert orcid_id("0000-0002-1694-233X") == "0000-0002-1694-233X"
    with pytest.raises(IdentifierError, match="bad ORCID check character"):
        orcid_id("0000-0002-1825-0098")
    with pytest.raises(IdentifierError, match="not an ORCID"):
        orcid_id("0000-0002-1825")


def test_wikidata_ids():
    assert wikidata_id("http://www.wikidata.org/entity/Q280413") == "Q280413"
    assert wikidata_id("https://www.wikidata.org/wiki/Q530471") == "Q530471"
    with pytest.raises(IdentifierError):
        wikidata_id("280413")
