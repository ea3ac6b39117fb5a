"""Open311 GeoReport v2 at ``/open311/v2/`` (https://wiki.open311.org/GeoReport_v2).

``spec`` (PURE) holds the field lists and the JSON/XML writers; ``keys`` the client keys;
``catalogue`` the services (our categories and topics) and their definitions; ``services``
the submission; ``selectors`` what GET requests may show; ``views`` the HTTP surface.
"""
