"""search API routes (mounted under /api/)."""

from django.urls import path

from search.apis import SearchApi, SearchSuggestApi

urlpatterns = [
    path("search", SearchApi.as_view(), name="search"),
    path("search/suggest", SearchSuggestApi.as_view(), name="search-suggest"),
]
