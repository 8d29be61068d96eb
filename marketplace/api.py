"""The public JSON API (django-ninja). Each app contributes a router; OpenAPI docs at /api/docs."""

from ninja import NinjaAPI

api = NinjaAPI(title="中介超市 API", version="1.0", urls_namespace="api",
               description="公开数据接口 / open data API: agencies, projects, draws, credit, search")


def _exists(module_name: str) -> bool:
    from importlib.util import find_spec

    try:
        return find_spec(module_name) is not None
    except ModuleNotFoundError:
        return False


def _add(prefix: str, dotted: str) -> None:
    from importlib import import_module

    module_name, attr = dotted.rsplit(".", 1)
    if not _exists(module_name):
        return  # that app has no API yet
    module = import_module(module_name)
    api.add_router(prefix, getattr(module, attr))


_add("/agencies", "agencies.api.router")
_add("/projects", "projects.api.router")
_add("/ratings", "ratings.api.router")
# GET /api/agencies/{uscc}/credit lives in the ratings app (it runs the credit engine); agencies cannot
# import ratings, so the kernel mounts it beside the agencies router.
_add("/agencies", "ratings.api.agencies_credit_router")
_add("/search", "marketplace.search.api.router")
