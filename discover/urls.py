"""discover API routes (mounted under /api/)."""

from django.urls import URLPattern, path

from discover import apis

urlpatterns: list[URLPattern] = [
    path("discover", apis.DiscoverApi.as_view(), name="discover"),
    path("discover/<str:section>", apis.DiscoverSectionApi.as_view(), name="discover-section"),
    path("challenges", apis.ChallengeCreateApi.as_view(), name="challenges"),
    path("challenges/<int:pk>", apis.ChallengeDetailApi.as_view(), name="challenge-detail"),
    path(
        "challenges/<int:pk>/leaderboard",
        apis.ChallengeLeaderboardApi.as_view(),
        name="challenge-leaderboard",
    ),
]
