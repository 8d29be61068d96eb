"""A real OpenID Connect identity provider for the tests only (django-oauth-toolkit with OIDC on), standing
in for the province's unified identity service. Installed by tests/settings.py, never in production."""
