"""List prices of the products billed on the monthly 95th-percentile peak (R13).

CNY per Mbps of billed bandwidth per whole month. A resource of a product not listed
here cannot be registered for peak billing, so no sample is ever left unpriced.
"""

from __future__ import annotations

from decimal import Decimal

PEAK95_MODE = "peak_95"
BANDWIDTH_UNIT = "Mbps"

PRICE_PER_MBPS_MONTH: dict[str, Decimal] = {
    "CDN": Decimal("21.00"),
    "Anti-DDoS": Decimal("65.00"),
    "OBS": Decimal("18.50"),  # object storage public-network bandwidth
    "ELB": Decimal("23.00"),
}


def price_of(product: str) -> Decimal:
    try:
        return PRICE_PER_MBPS_MONTH[product]
    except KeyError:
        raise KeyError(f"{product} is not billed on the 95th-percentile peak") from None
