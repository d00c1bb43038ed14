"""The finance area's enums: the domain's, registered under their GraphQL names."""

from __future__ import annotations

from typing import TypeAlias

import strawberry

from partner_center.finance.agreements import AgreementStatus, PartyType
from partner_center.finance.contracts import ContractStatus

# Each domain enum is registered under its GraphQL name, and annotations use it through
# an alias: a type checker takes no call's result as a type.
strawberry.enum(AgreementStatus, name="PaymentAgreementStatus")
PaymentAgreementStatus: TypeAlias = AgreementStatus
strawberry.enum(PartyType, name="EntrustedPartyType")
EntrustedPartyType: TypeAlias = PartyType
strawberry.enum(ContractStatus, name="PaymentContractStatus")
PaymentContractStatus: TypeAlias = ContractStatus
