"""Demo data steps beyond the org tree (run by `manage.py seed_demo`, see org/demo.py)."""
