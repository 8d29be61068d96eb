from django.core.management.base import BaseCommand

from cms.tree import ensure_page_tree


class Command(BaseCommand):
    help = "Ensure the public page tree (home page at the site root, one notice index per kind). Idempotent."

    def handle(self, *args, **options):
        home = ensure_page_tree()
        self.stdout.write(self.style.SUCCESS(f"page tree ready: {home.title} ({home.url_path})"))
