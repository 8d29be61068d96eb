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

ERROR_SCHEMA = {"title": "ErrorDetail", "type": "object", "properties": {"detail": {}},
                "description": "错误说明 / what was wrong (a message, or ninja's list of invalid fields)"}
# Answers every operation may give besides its own: refused input (a NUL byte, refused by the input
# guard), parameters that fail validation, a missing object (path parameters) and a missing login.
GENERIC_RESPONSES = {
    "400": "输入无效 / bad input (e.g. a NUL byte)",
    "422": "参数校验失败 / a parameter failed validation",
}


class DocumentedAPI(NinjaAPI):
    """The API whose OpenAPI document lists every status code an operation can answer (issue 14)."""

    def get_openapi_schema(self, *, path_prefix=None, path_params=None):
        schema = super().get_openapi_schema(path_prefix=path_prefix, path_params=path_params)
        schema.setdefault("components", {}).setdefault("schemas", {})["ErrorDetail"] = ERROR_SCHEMA
        for path, operations in schema.get("paths", {}).items():
            for operation in operations.values():
                codes = dict(GENERIC_RESPONSES)
                if "{" in path:
                    codes["404"] = "不存在 / not found"
                if operation.get("security"):
                    codes["401"] = "请先登录 / authentication required"
                # ninja keys its own responses by int (200, 404); JSON turns both 404 and "404" into
                # "404", a duplicate key that Swagger UI's YAML parser refuses ("duplicated mapping key").
                responses = {str(code): answer for code, answer in operation.get("responses", {}).items()}
                operation["responses"] = responses
                for code, text in codes.items():
                    responses.setdefault(code, {"description": text, "content": {"application/json": {
                        "schema": {"$ref": "#/components/schemas/ErrorDetail"}}}})
        return schema


api = DocumentedAPI(title="中介超市 API", version="1.0", urls_namespace="api",
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
