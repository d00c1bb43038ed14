"""Finance: third-party payment agreements and request-payment contracts."""
