"""Repeat petitions (重信重访): the repeat index, possible same matters, linking them into one matter."""
