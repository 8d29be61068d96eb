"""Admin panel that shows a notice's marketplace facts read-only (and its withdrawal, if any)."""

from wagtail.admin.panels import Panel


class FactsPanel(Panel):
    class BoundPanel(Panel.BoundPanel):
        template_name = "cms/panels/facts.html"

        def is_shown(self):
            return bool(getattr(self.instance, "source_key", None))

        def get_context_data(self, parent_context=None):
            from cms.facts import fact_rows

            context = super().get_context_data(parent_context)
            page = self.instance
            context["page"] = page
            context["rows"] = fact_rows(page.facts, skip=())
            return context
