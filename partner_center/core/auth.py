"""Who is calling: the `Principal`, and the local development tokens.

The `Principal` (partner, user, role, account type, menu grants) is the only thing the
rest of the code knows about the caller. The API builds it from a verified token and
the partner directory (`partner_center.core.tokens`, `partner_center.core.grants`):
the directory, never a claim, decides role and grants.

`issue_token` and `decode_token` are the development tokens of `partner-center token`:
HS256 with the local secret, accepted only when PC_ENV is "development". Elsewhere the
API accepts the stage's OpenID Connect issuer only (`partner_center.core.oidc`).
"""

from __future__ import annotations

import enum
from dataclasses import dataclass, field
from datetime import timedelta

from partner_center.config import Settings
from partner_center.core.clock import utcnow
from partner_center.core.errors import Unauthenticated


class Role(enum.StrEnum):
    ADMIN = "admin"  # 伙伴管理员: every permission
    OPERATOR = "operator"  # 操作员: only the menus granted
    CUSTOMER_MANAGER = "customer_manager"  # 客户经理: only assigned customers (R2)
    STAFF = "staff"  # 伙伴专人: leads dispatched to them
    PROVIDER_OPERATIONS = "provider_operations"  # the cloud provider's own reviewers
    # The marketplace storefront (a service, not a person): places orders (R8), no menu.
    STOREFRONT = "storefront"


class AccountType(enum.StrEnum):
    SOLUTION_PROVIDER = "solution_provider"
    DISTRIBUTOR = "distributor"
    CHANNEL_MASTER_DISTRIBUTOR = "channel_master_distributor"  # 仅拓渠的总经销商
    # The cloud provider itself (its services and reviewers), not a partner.
    PLATFORM = "platform"


class Menu(enum.StrEnum):
    """Menu permissions an administrator grants to operators (R1)."""

    CUSTOMERS = "customers"
    LEADS = "leads"
    BILLING = "billing"
    INCENTIVES = "incentives"
    MARKETPLACE = "marketplace"


_MENUS = frozenset(m.value for m in Menu)


@dataclass(frozen=True)
class Principal:
    partner_id: str
    user_id: str
    login: str
    role: Role
    account_type: AccountType
    permissions: frozenset[Menu] = field(default_factory=frozenset)


def issue_token(
    principal: Principal, settings: Settings, ttl: timedelta = timedelta(hours=12)
) -> str:
    # PyJWT is imported here, not with the module: the workers use Principal, Role and
    # Menu but never a token, and must not pay for PyJWT and cryptography at cold start.
    import jwt

    now = utcnow()
    claims = {
        "iss": settings.jwt_issuer,
        "aud": settings.jwt_audience,
        "sub": principal.user_id,
        "pid": principal.partner_id,
        "login": principal.login,
        "role": principal.role.value,
        "acct": principal.account_type.value,
        "perms": sorted(p.value for p in principal.permissions),
        "iat": int(now.timestamp()),
        "exp": int((now + ttl).timestamp()),
    }
    if not settings.jwt_secret:
        raise RuntimeError("this function's environment names no token signing secret")
    return jwt.encode(claims, settings.jwt_secret, algorithm=settings.jwt_algorithm)


def decode_token(token: str, settings: Settings) -> Principal:
    """Verify signature, expiry, issuer and audience; any failure is UNAUTHENTICATED.

    The message never echoes the token or its claims: they identify a person. The
    grants it carries describe only a user the directory does not hold (tests, scripts):
    `partner_center.core.grants` reads every other user's from the directory.
    """
    import jwt  # see issue_token

    if settings.env != "development":
        raise Unauthenticated("development tokens are accepted in development only")
    try:
        claims = jwt.decode(
            token,
            settings.jwt_secret,
            algorithms=[settings.jwt_algorithm],
            issuer=settings.jwt_issuer,
            audience=settings.jwt_audience,
            options={"require": ["exp", "iss", "aud", "sub", "pid", "role", "acct"]},
        )
    except jwt.ExpiredSignatureError as exc:
        raise Unauthenticated("the bearer token has expired") from exc
    except jwt.PyJWTError as exc:
        raise Unauthenticated("the bearer token is not valid") from exc
    try:
        return Principal(
            partner_id=str(claims["pid"]),
            user_id=str(claims["sub"]),
            login=str(claims.get("login", "")),
            role=Role(claims["role"]),
            account_type=AccountType(claims["acct"]),
            permissions=frozenset(Menu(p) for p in claims.get("perms", []) if p in _MENUS),
        )
    except (ValueError, TypeError) as exc:
        raise Unauthenticated("the bearer token carries unknown claims") from exc


def bearer_token(authorization: str | None) -> str:
    if not authorization:
        raise Unauthenticated("an Authorization: Bearer token is required")
    scheme, _, token = authorization.partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        raise Unauthenticated("the Authorization header must be 'Bearer <token>'")
    return token.strip()
