# Placeholder: the API is being written.
from ninja import NinjaAPI

api = NinjaAPI(title="中心组学习管理平台 API", version="1", urls_namespace="api")
