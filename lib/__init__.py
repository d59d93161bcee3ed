"""Aftersight: after-sales service analytics (reading, mapping, KPIs, charts, CLI)."""
