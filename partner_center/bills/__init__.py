"""Partner bills (R10–R13): monthly generation, 95th-percentile peak billing, status."""
