"""The staff pages of source prevention (one module per mechanism)."""
