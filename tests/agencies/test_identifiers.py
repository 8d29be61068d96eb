"""Identifier rules (docs/rules.md §2) and its worked examples — pure, no database except `duplicate`."""

import pytest
from django.core.exceptions import ValidationError

from agencies.identifiers import (
    ensure_uscc_unique,
    entity_type_from_uscc,
    normalise,
    validate_resident_id,
    validate_uscc,
)
from tests.factories import make_resident_id, make_uscc


def code_of(fn, value):
    with pytest.raises(ValidationError) as exc:
        fn(value)
    return exc.value.code


def test_examples_valid_uscc():
    assert validate_uscc("91350100M000100Y43") == "91350100M000100Y43"
    assert validate_uscc("91441800MA50001450") == "91441800MA50001450"  # check value 31 → 0


def test_example_wrong_check():
    assert code_of(validate_uscc, "91350100M000100Y44") == "check"


def test_example_lower_case_and_full_width_normalise():
    assert validate_uscc("91350100m000100y43") == "91350100M000100Y43"
    full_width = "".join(chr(ord(c) + 0xFEE0) for c in "91350100M000100Y43")
    assert full_width != "91350100M000100Y43"
    assert validate_uscc(full_width) == "91350100M000100Y43"
    assert validate_uscc(" 9135-0100 M000 100Y43 ") == "91350100M000100Y43"


def test_example_charset_and_length():
    assert code_of(validate_uscc, "91350100M000100I43") == "charset"
    assert code_of(validate_uscc, "91350100M000100Y4") == "length"
    assert code_of(validate_uscc, "") == "length"
    for bad in "IOSVZ":
        assert code_of(validate_uscc, "91350100M000100" + bad + "43") == "charset"


def test_region_positions_must_be_digits_and_a_province():
    # Letters in positions 3–8 are in the charset but not a region code.
    assert code_of(validate_uscc, "9135A100M000100Y43") == "region"
    assert code_of(validate_uscc, make_uscc(1, region="990000")) == "region"
    assert validate_uscc(make_uscc(1, region="330482")) == make_uscc(1, region="330482")


@pytest.mark.parametrize("serial", range(1, 200, 7))
def test_factory_codes_valid_and_one_char_change_detected(serial):
    code = make_uscc(serial)
    assert validate_uscc(code) == code
    tampered = code[:10] + ("1" if code[10] != "1" else "2") + code[11:]
    assert code_of(validate_uscc, tampered) == "check"


def test_resident_id_examples():
    assert validate_resident_id("11010519491231002X") == "11010519491231002X"
    assert validate_resident_id("11010519491231002x") == "11010519491231002X"
    assert code_of(validate_resident_id, "110105194912310021") == "check"


def test_resident_id_other_reasons():
    assert code_of(validate_resident_id, "1101051949123100") == "length"
    assert code_of(validate_resident_id, "1101051949123100AX") == "charset"
    assert code_of(validate_resident_id, "990105194912310021") == "region"
    assert code_of(validate_resident_id, "110105194913310021") == "birthdate"


@pytest.mark.parametrize("serial", range(0, 1000, 37))
def test_generated_ids_valid(serial):
    rid = make_resident_id(serial)
    assert validate_resident_id(rid) == rid


def test_normalise():
    assert normalise("ａｂｃ－１２ ３") == "ABC123"


def test_digits_of_other_scripts_become_ascii_or_are_refused():
    """Arabic-Indic or Devanagari digits are stored as ASCII, so "one person, one agency" still matches."""
    arabic = "11010519491231002X".translate(str.maketrans("0123456789", "٠١٢٣٤٥٦٧٨٩"))
    devanagari = "11010519491231002X".translate(str.maketrans("0123456789", "०१२३४५६७८९"))
    assert validate_resident_id(arabic) == "11010519491231002X"
    assert validate_resident_id(devanagari) == "11010519491231002X"
    assert code_of(validate_resident_id, "11010519491231002甲") == "charset"
    assert code_of(validate_uscc, "91350100M000100Y4甲") == "charset"
    for value in (arabic, devanagari):
        assert validate_resident_id(value).isascii()


@pytest.mark.parametrize(("code", "expected"), [
    ("91350100M000100Y43", "企业"),
    ("92330482MA00000010", "个体工商户"),
    ("52330482MA00000010", "社会组织"),
    ("12330482MA00000010", "事业单位"),
    ("31330482MA00000010", "企业"),
])
def test_entity_type_from_registration_authority(code, expected):
    assert entity_type_from_uscc(code) == expected


def test_letter_registration_authority_codes_accepted():
    # N (农业) and Y (其他) registration authorities: letters in position 1–2 are legal.
    code = make_uscc(1, prefix="N2")
    assert code.startswith("N2330482MA0000001")
    assert validate_uscc(code) == code


def test_92_and_5x_codes_admissible():
    for prefix in ("92", "51", "52", "53"):
        code = make_uscc(5, prefix=prefix)
        assert validate_uscc(code) == code


@pytest.mark.django_db
def test_second_registration_is_duplicate():
    from tests.factories import AgencyFactory

    agency = AgencyFactory()
    with pytest.raises(ValidationError) as exc:
        ensure_uscc_unique(agency.uscc.lower())
    assert exc.value.code == "duplicate"
    assert ensure_uscc_unique(agency.uscc, exclude_pk=agency.pk) == agency.uscc
