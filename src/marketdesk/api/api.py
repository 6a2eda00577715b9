from ninja import NinjaAPI

api = NinjaAPI(title="marketdesk API", version="1", urls_namespace="api")
