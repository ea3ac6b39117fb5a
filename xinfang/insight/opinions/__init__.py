"""The Art. 32 check of a handling opinion being written on the petition page."""
