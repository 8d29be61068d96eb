"""The public JSON API (django-ninja). Each app contributes a router; OpenAPI docs at /api/docs."""

from ninja import NinjaAPI

from agencies.api import router as agencies_router
from marketplace import apikeys
from marketplace.anchors import router as audit_router
from marketplace.inbox_api import router as me_router
from marketplace.search.api import router as search_router
from opendata.api import router as ocds_router
from projects.api import router as projects_router
from ratings.api import agencies_credit_router
from ratings.api import router as ratings_router

api = NinjaAPI(title="中介超市 API", version="1.0", urls_namespace="api",
               description="公开数据接口 / open data API: agencies, projects, draws, credit, search")

api.add_router("/agencies", agencies_router)
api.add_router("/projects", projects_router)
api.add_router("/ratings", ratings_router)
# GET /api/agencies/{uscc}/credit lives in the ratings app (it runs the credit engine); agencies cannot
# import ratings, so this composition module mounts it beside the agencies router.
api.add_router("/agencies", agencies_credit_router)
api.add_router("/search", search_router)
# Open data in OCDS (opendata app); API keys and rate limits for it live in marketplace/apikeys.py.
api.add_router("/ocds", ocds_router)
apikeys.install(api)
api.add_router("/audit", audit_router)
api.add_router("/me", me_router)
