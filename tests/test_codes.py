"""Join and return codes: unguessable, readable aloud, forgiving of how people type them."""

from __future__ import annotations

from workshop import codes


def test_codes_are_unguessable_and_free_of_look_alikes() -> None:
    assert codes.entropy_bits(codes.JOIN_CODE_LENGTH) >= 40
    assert codes.entropy_bits(codes.RETURN_CODE_LENGTH) >= 56
    assert not set("01ILO") & set(codes.ALPHABET)
    made = {codes.new_code(codes.JOIN_CODE_LENGTH) for _ in range(2000)}
    assert len(made) == 2000
    assert all(codes.looks_valid(c, codes.JOIN_CODE_LENGTH) for c in made)


def test_typing_variations_lead_to_the_same_code() -> None:
    code = "K7QM2XR9TB"
    for typed in ("k7qm2-xr9tb", " K7QM2 XR9TB ", "К7QМ2-ХR9ТВ"):  # the last with Cyrillic letters
        assert codes.normalise(typed) == code
    assert codes.grouped(code) == "K7QM2-XR9TB"
    assert codes.grouped("ABCDEFGHJKMN") == "ABCD-EFGH-JKMN"
