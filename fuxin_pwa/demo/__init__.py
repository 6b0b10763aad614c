"""Demo data modelled on the 2024 report on Fuxin's four teams."""

# The demo's own logins, one per role, all with this password: printed by `make run`.
DEMO_LOGINS = ("admin", "leader", "liaison", "cadre", "grid", "community")
DEMO_PASSWORD = "fuxin2024"
