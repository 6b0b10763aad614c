"""Demo data modelled on the 2024 report on Fuxin's four teams."""
