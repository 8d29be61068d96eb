"""The test IdP's claims: each IdP account (a user row used only to sign in at the IdP) asserts the identity
registered for it in `IDENTITIES` (email, whether the IdP verified it, name), as a provincial identity service
would assert its own records."""

from oauth2_provider.oauth2_validators import OAuth2Validator

IDENTITIES: dict[int, dict] = {}


class IdentityValidator(OAuth2Validator):
    def get_additional_claims(self, request):
        return dict(IDENTITIES.get(request.user.pk, {}))
