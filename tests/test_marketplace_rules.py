"""Marketplace rules as plain functions: the revenue split, share-link tokens (R8),
taxpayer numbers, bill closing, and the share-link key settings."""

from __future__ import annotations

import string
from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from partner_center.config import (
    DEVELOPMENT_JWT_SECRET,
    DEVELOPMENT_SHARE_LINK_SECRET,
    Settings,
    from_environ,
    require_secrets,
)
from partner_center.core.auth import AccountType
from partner_center.core.errors import BadInput
from partner_center.local.demo.marketplace import PRODUCTS, tax_number
from partner_center.marketplace import tokens
from partner_center.marketplace.bills import BillStatus, closes_at, month_of, split_bill_id
from partner_center.marketplace.catalog import ProductCategory
from partner_center.marketplace.eligibility import (
    CSP_PROGRAM,
    ShareRefusal,
    Standing,
    share_refusal,
)
from partner_center.marketplace.split import CENT, SplitRule, split
from partner_center.marketplace.tax_numbers import check_character, is_valid

NOW = datetime(2026, 11, 20, 8, tzinfo=UTC)

# -- the revenue split ------------------------------------------------------------------

amounts = st.integers(min_value=0, max_value=10**14).map(lambda c: Decimal(c) / 100)


@st.composite
def rules(draw: st.DrawFn) -> SplitRule:
    """Any three percentages with two decimals summing to exactly 100."""
    a = draw(st.integers(0, 10000))
    b = draw(st.integers(0, 10000 - a))
    parts = draw(st.permutations([a, b, 10000 - a - b]))
    return SplitRule(*(Decimal(p) / 100 for p in parts))


@settings(max_examples=500, deadline=None)
@given(amount=amounts, rule=rules())
def test_split_parts_sum_exactly_and_none_is_negative(amount: Decimal, rule: SplitRule) -> None:
    parts = split(amount, rule)
    values = (parts.publisher, parts.provider, parts.platform)
    assert sum(values) == amount
    assert all(v >= 0 for v in values)
    assert all(v == v.quantize(CENT) for v in values)
    # Each part is within a cent of its exact share; a 0 % party gets nothing.
    for value, percent in zip(values, (rule.publisher, rule.provider, rule.platform), strict=True):
        assert abs(value - amount * percent / 100) < CENT
        if percent == 0:
            assert value == 0


@settings(max_examples=200, deadline=None)
@given(amount=amounts, rule=rules())
def test_split_without_provider_gives_the_provider_nothing(
    amount: Decimal, rule: SplitRule
) -> None:
    parts = split(amount, rule.without_provider())
    assert parts.provider == 0
    assert parts.total == amount and parts.publisher >= 0 and parts.platform >= 0


def test_split_rounding_follows_largest_remainders_with_documented_ties() -> None:
    thirds = SplitRule(Decimal("33.34"), Decimal("33.33"), Decimal("33.33"))
    parts = split(Decimal("0.01"), thirds)
    # 0.01 x 33.34 % has the largest remainder: the one cent is the publisher's.
    assert (parts.publisher, parts.provider, parts.platform) == (
        Decimal("0.01"),
        Decimal("0.00"),
        Decimal("0.00"),
    )
    even = SplitRule(Decimal("50"), Decimal("50"), Decimal("0"))
    parts = split(Decimal("0.01"), even)  # a tie: the publisher first
    assert (parts.publisher, parts.provider, parts.platform) == (
        Decimal("0.01"),
        Decimal("0.00"),
        Decimal("0.00"),
    )
    parts = split(Decimal("100.00"), SplitRule(Decimal("70"), Decimal("20"), Decimal("10")))
    assert (parts.publisher, parts.provider, parts.platform) == (
        Decimal("70.00"),
        Decimal("20.00"),
        Decimal("10.00"),
    )


@pytest.mark.parametrize(
    "rule",
    [
        SplitRule(Decimal("70"), Decimal("20"), Decimal("9.99")),  # sums to 99.99
        SplitRule(Decimal("110"), Decimal("-10"), Decimal("0")),  # a negative share
        SplitRule(Decimal("33.333"), Decimal("33.333"), Decimal("33.334")),  # three decimals
        SplitRule(Decimal("NaN"), Decimal("50"), Decimal("50")),
    ],
)
def test_split_refuses_bad_rules(rule: SplitRule) -> None:
    with pytest.raises(BadInput):
        split(Decimal("10.00"), rule)


@pytest.mark.parametrize("amount", ["-0.01", "0.001", "1000000000000.01", "Infinity"])
def test_split_refuses_bad_amounts(amount: str) -> None:
    with pytest.raises(BadInput):
        split(Decimal(amount), SplitRule(Decimal("70"), Decimal("20"), Decimal("10")))


def test_every_demo_product_has_a_valid_rule_and_cent_prices() -> None:
    for product in PRODUCTS:
        product.to_item()  # validates the rule and the prices


# -- share-link tokens (R8) ------------------------------------------------------------

KEYS = tokens.SigningKeys(current_id="k2", secrets={"k2": b"s" * 40, "k1": b"r" * 40})


def claims(
    partner: str = "ptn-sp-001",
    product: str = "mp-sol-erp",
    link: str = "lnk-1",
    expires: datetime = NOW + timedelta(days=30),
) -> tokens.LinkClaims:
    return tokens.LinkClaims(
        partner_id=partner,
        product_id=product,
        link_id=link,
        expires_at=int(expires.timestamp()),
        key_id="k2",
    )


def rejection(
    token: str, keys: tokens.SigningKeys = KEYS, now: datetime = NOW
) -> tokens.Rejection | None:
    try:
        tokens.verify(token, keys, now)
    except tokens.TokenRejected as rejected:
        return rejected.reason
    return None


def test_a_genuine_token_verifies_to_its_claims() -> None:
    token = tokens.sign(claims(), KEYS)
    assert tokens.verify(token, KEYS, NOW) == claims()
    assert DEVELOPMENT_SHARE_LINK_SECRET not in token and "ssss" not in token


def test_r8_every_single_character_edit_of_a_token_is_refused() -> None:
    token = tokens.sign(claims(), KEYS)
    alphabet = string.ascii_letters + string.digits + "-_."
    for position, original in enumerate(token):
        for replacement in alphabet:
            if replacement == original:
                continue
            edited = token[:position] + replacement + token[position + 1 :]
            assert rejection(edited) is not None, (position, replacement)


def test_r8_a_token_with_its_partner_rewritten_and_resigned_by_guess_is_refused() -> None:
    kid, _, signature = tokens.sign(claims(), KEYS).split(".")
    other_payload = tokens.sign(claims(partner="ptn-sp-002"), KEYS).split(".")[1]
    assert rejection(f"{kid}.{other_payload}.{signature}") is tokens.Rejection.BAD_SIGNATURE


def test_r8_an_expired_token_is_refused_even_with_a_good_signature() -> None:
    token = tokens.sign(claims(expires=NOW), KEYS)
    assert rejection(token, now=NOW) is tokens.Rejection.EXPIRED
    assert rejection(token, now=NOW - timedelta(seconds=1)) is None


def test_r8_key_rotation_retired_keys_verify_unknown_keys_do_not() -> None:
    old = tokens.SigningKeys(current_id="k1", secrets={"k1": b"r" * 40})
    token = tokens.sign(
        tokens.LinkClaims(
            "ptn-sp-001", "mp-sol-erp", "lnk-1", int((NOW + timedelta(days=1)).timestamp()), "k1"
        ),
        old,
    )
    assert rejection(token) is None  # k1 is retired but still verifies
    assert (
        rejection(token, keys=tokens.SigningKeys("k3", {"k3": b"t" * 40}))
        is tokens.Rejection.UNKNOWN_KEY
    )
    with pytest.raises(ValueError):
        tokens.sign(tokens.LinkClaims("p", "g", "l", 1, "k1"), KEYS)  # only the current key


def test_r8_a_token_signed_with_another_deployments_key_is_refused() -> None:
    foreign = tokens.SigningKeys(current_id="k2", secrets={"k2": b"x" * 40})
    assert rejection(tokens.sign(claims(), foreign)) is tokens.Rejection.BAD_SIGNATURE


@pytest.mark.parametrize(
    "token",
    ["", "abc", "a.b", "a.b.c.d", "k2..", "k2.e30.e30", "k!.abc.def", "k2.abc.def=", "x" * 700],
)
def test_r8_malformed_tokens_are_refused(token: str) -> None:
    assert rejection(token) is not None


def test_r8_signed_garbage_payloads_are_refused_as_malformed() -> None:
    import base64
    import hashlib
    import hmac
    import json

    def forge(body: object) -> str:
        payload = base64.urlsafe_b64encode(json.dumps(body).encode()).rstrip(b"=").decode()
        mac = hmac.new(
            b"s" * 40, b"pc-share-link.v1.k2." + payload.encode(), hashlib.sha256
        ).digest()
        return f"k2.{payload}.{base64.urlsafe_b64encode(mac).rstrip(b'=').decode()}"

    assert (
        rejection(forge({"e": True, "g": "g", "l": "l", "p": "p", "v": 1}))
        is tokens.Rejection.MALFORMED_TOKEN
    )
    assert (
        rejection(forge({"e": 9999999999, "g": "g", "l": "l", "p": "", "v": 1}))
        is tokens.Rejection.MALFORMED_TOKEN
    )
    assert rejection(forge([1, 2])) is tokens.Rejection.MALFORMED_TOKEN
    assert rejection(forge({"e": 9999999999, "g": "g", "l": "l", "p": "p", "v": 1})) is None


def test_share_link_key_is_separate_and_required_in_production(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # Production reads its keys from SSM (`stored`: what partner_center.secrets read);
    # tests/test_secrets.py reads them through the embedded SSM itself.
    monkeypatch.setenv("PC_ENV", "production")
    for name in (
        "PC_JWT_SECRET",
        "PC_SHARE_LINK_SECRET",
        "PC_SHARE_LINK_RETIRED_SECRETS",
        "PC_ACCOUNT_HASH_KEY",
    ):
        monkeypatch.delenv(name, raising=False)
    base = {"jwt_secret": "j" * 40, "account_hash_key": "h" * 40}
    # A function that names no share-link keys holds none; the API, which signs and
    # verifies links, does not start without them.
    assert from_environ(base).share_link_secret == ""
    with pytest.raises(RuntimeError, match="PC_SHARE_LINK_KEYS_PATH"):
        require_secrets(from_environ(base))
    for refused in (DEVELOPMENT_SHARE_LINK_SECRET, "j" * 40, "short"):
        with pytest.raises(RuntimeError):
            from_environ(
                {**base, "share_link_key_id": "2026a", "share_link_keys": {"2026a": refused}}
            )
    loaded = from_environ(
        {
            **base,
            "share_link_key_id": "2026a",
            "share_link_keys": {"2026a": "k" * 40, "2025b": "o" * 40},
        }
    )
    keys = tokens.SigningKeys.from_settings(loaded)
    assert keys.current_id == "2026a" and set(keys.secrets) == {"2026a", "2025b"}
    assert keys.secrets["2026a"] == b"k" * 40
    # The signing key must be one of the keys under the path.
    with pytest.raises(RuntimeError, match="2027"):
        from_environ({**base, "share_link_key_id": "2027", "share_link_keys": {"2026a": "k" * 40}})
    # A plain-text secret in a production environment is refused outright.
    monkeypatch.setenv("PC_SHARE_LINK_SECRET", "k" * 40)
    with pytest.raises(RuntimeError, match="must not be set in production"):
        from_environ({**base, "share_link_key_id": "2026a", "share_link_keys": {"2026a": "k" * 40}})


def test_retired_share_link_keys_from_the_development_environment(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("PC_ENV", "development")
    monkeypatch.setenv("PC_SHARE_LINK_SECRET", "k" * 40)
    monkeypatch.setenv("PC_SHARE_LINK_KEY_ID", "2026a")
    monkeypatch.setenv("PC_SHARE_LINK_RETIRED_SECRETS", "2025b=" + "o" * 40)
    keys = tokens.SigningKeys.from_settings(from_environ())
    assert keys.current_id == "2026a" and set(keys.secrets) == {"2026a", "2025b"}
    monkeypatch.setenv("PC_SHARE_LINK_RETIRED_SECRETS", "no-separator")
    with pytest.raises(RuntimeError):
        from_environ()


def test_development_defaults_never_share_a_key_with_the_jwt() -> None:
    defaults = Settings()
    assert defaults.share_link_secret == DEVELOPMENT_SHARE_LINK_SECRET
    assert defaults.share_link_secret != DEVELOPMENT_JWT_SECRET


# -- eligibility, tax numbers, bills ---------------------------------------------------


def test_r8_only_solution_providers_in_the_csp_program_may_share() -> None:
    listed = PRODUCTS[0]
    member = Standing(AccountType.SOLUTION_PROVIDER, frozenset({CSP_PROGRAM}))
    assert share_refusal(member, listed) is None
    assert (
        share_refusal(Standing(AccountType.SOLUTION_PROVIDER, frozenset()), listed)
        is ShareRefusal.NOT_IN_PROGRAM
    )
    assert (
        share_refusal(
            Standing(AccountType.CHANNEL_MASTER_DISTRIBUTOR, frozenset({CSP_PROGRAM})), listed
        )
        is ShareRefusal.NOT_SOLUTION_PROVIDER
    )
    unshareable = next(p for p in PRODUCTS if not p.shareable)
    unlisted = next(p for p in PRODUCTS if not p.listed)
    assert share_refusal(member, unshareable) is ShareRefusal.PRODUCT_NOT_SHAREABLE
    assert share_refusal(member, unlisted) is ShareRefusal.PRODUCT_NOT_LISTED


def test_tax_numbers_carry_a_verified_check_character() -> None:
    import random

    generated = tax_number(random.Random(1))
    assert is_valid(generated)
    assert is_valid("91350100M000100Y43")  # the example of GB 32100-2015
    assert not is_valid("91350100M000100Y44")
    assert not is_valid("91350100M000100Y4")
    assert not is_valid("91350100I000100Y43")  # I is not in the alphabet
    assert check_character("91350100M000100Y4") == "3"


def test_r10_bills_close_at_noon_beijing_on_the_fifth_of_the_next_month() -> None:
    assert closes_at("2026-10") == datetime(2026, 11, 5, 4, tzinfo=UTC)
    assert closes_at("2026-12") == datetime(2027, 1, 5, 4, tzinfo=UTC)
    assert month_of(datetime(2026, 10, 31, 16, tzinfo=UTC)) == "2026-11"  # Beijing midnight
    assert month_of(datetime(2026, 10, 31, 15, 59, tzinfo=UTC)) == "2026-10"
    assert split_bill_id("2026-10.product_solution") == (
        "2026-10",
        ProductCategory.PRODUCT_SOLUTION,
    )
    assert split_bill_id("2026-13.saas") is None and split_bill_id("2026-10.nope") is None
    assert BillStatus.CLOSED.value == "closed"
