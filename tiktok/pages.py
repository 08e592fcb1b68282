"""Routes (filled in by the app's API work)."""

urlpatterns: list = []
