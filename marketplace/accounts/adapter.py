from allauth.account.adapter import DefaultAccountAdapter
from django.urls import reverse


class AccountAdapter(DefaultAccountAdapter):
    """Land every login on the role dashboard; signup stays open (membership comes by invitation)."""

    def get_login_redirect_url(self, request):
        url = super().get_login_redirect_url(request)
        return url or reverse("dashboard")
