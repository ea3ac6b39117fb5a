"""The insight tests are pure: they need neither Django nor a database.

The project-wide ``conftest.py`` has an autouse fixture that imports Django models; it is
overridden here by a no-op so that ``pytest -p no:django xinfang/insight/tests`` runs anywhere.
"""

import pytest


@pytest.fixture(autouse=True)
def _fresh_holiday_cache():
    yield
