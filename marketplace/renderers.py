"""The form renderer: Django's own form templates, except error lists, which show one language.

Service refusals are "中文 / English"; a form shows each error beside its field in the active
language only (`marketplace/form_templates/django/forms/errors/list/ul.html`).
"""

from pathlib import Path

import django.forms
from django.forms.renderers import DjangoTemplates
from django.utils.functional import cached_property


class SiteFormRenderer(DjangoTemplates):
    @cached_property
    def engine(self):
        return self.backend({
            "APP_DIRS": True,
            "DIRS": [Path(__file__).parent / "form_templates", Path(django.forms.__file__).parent / "templates"],
            "NAME": "siteforms",
            "OPTIONS": {},
        })
