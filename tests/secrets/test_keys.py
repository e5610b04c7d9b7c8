"""The keys: one environment variable, newest first; errors that name the variable and never a key."""

import pytest

from pipedrive_etl.secrets import SECRET_KEYS_ENV, SecretKeyError, generate_key, load_keyring


def test_a_missing_variable_is_an_error_naming_it_and_the_command_that_makes_a_key():
    with pytest.raises(SecretKeyError, match=f"{SECRET_KEYS_ENV} is not set.*secrets generate-key"):
        load_keyring({})


def test_an_invalid_key_is_named_by_its_position_without_showing_it():
    good, bad = generate_key(), "not-a-fernet-key-but-a-secret-value"
    with pytest.raises(SecretKeyError, match=f"{SECRET_KEYS_ENV}: key 2 of 2 is not a valid") as caught:
        load_keyring({SECRET_KEYS_ENV: f"{good},{bad}"})
    assert bad not in str(caught.value) and good not in str(caught.value)


def test_encryption_uses_the_first_key_and_decryption_accepts_any():
    old, new = generate_key(), generate_key()
    ciphertext = load_keyring({SECRET_KEYS_ENV: old}).encrypt("tok-123")
    both = load_keyring({SECRET_KEYS_ENV: f"{new}, {old},"})  # spaces and a trailing comma are fine
    assert both.decrypt(ciphertext, what="t") == "tok-123"
    assert load_keyring({SECRET_KEYS_ENV: new}).decrypt(both.encrypt("x"), what="t") == "x"


def test_a_secret_no_key_opens_is_a_clear_error_that_says_what_to_do():
    ciphertext = load_keyring({SECRET_KEYS_ENV: generate_key()}).encrypt("tok-123")
    with pytest.raises(SecretKeyError, match="the API token cannot be decrypted with any of the 1 key.*"
                                             "Put the previous key back"):
        load_keyring({SECRET_KEYS_ENV: generate_key()}).decrypt(ciphertext, what="the API token")


def test_a_keyring_shows_how_many_keys_it_holds_but_not_the_keys():
    key = generate_key()
    assert repr(load_keyring({SECRET_KEYS_ENV: key})) == f"Keyring(1 key from {SECRET_KEYS_ENV})"
