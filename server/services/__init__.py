"""Services: what each page or document needs, computed from the store (no Flask request here)."""
