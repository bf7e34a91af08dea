"""The strangler-fig gateway: one public base URL in front of the extracted services.

A process forwards the public routes of every app that runs elsewhere
(``SEAMS_SERVICE_URLS``) to that app's service, by URL prefix
(``SEAMS_PUBLIC_ROUTES``), and serves the committed OpenAPI schema, which
documents every public route whichever apps run here.
"""
