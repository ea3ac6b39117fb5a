from ninja import NinjaAPI

api = NinjaAPI(title="xinfang", version="1")
