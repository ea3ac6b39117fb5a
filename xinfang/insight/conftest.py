"""The pure insight tests (classifier, hot issues, places, repeats, opinion check) need neither
Django nor a database: ``pytest -p no:django xinfang/insight/classify/tests/test_classifier.py``
runs anywhere.

The project-wide ``conftest.py`` has an autouse fixture that imports Django models; here it runs
only for the tests that use the database, which sit beside the pure ones in each feature.
"""

import pytest


@pytest.fixture(autouse=True)
def _fresh_holiday_cache(request):
    if request.node.get_closest_marker("django_db") is None and "db" not in request.fixturenames:
        yield
        return
    from xinfang.deadlines import holidays
    from xinfang.petitions import validation

    holidays.clear_cache()
    validation.regions_forget()
    yield
    holidays.clear_cache()
    validation.regions_forget()
