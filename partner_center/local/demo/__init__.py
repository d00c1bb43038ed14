"""The demo data of each area, seeded through the area's own code (development only)."""
