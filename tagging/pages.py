"""The tag page: videos carrying a tag, plus captions with the matching #hashtag."""

from __future__ import annotations

import re

from django.http import HttpRequest, HttpResponse
from django.urls import path
from django.views.decorators.csrf import ensure_csrf_cookie

from tagging.selectors import hashtag_or_tag_videos, tag_for_slug
from tiktok.web.pages import page_not_found, page_viewer, render_page
from videos.pages import video_grid

# Hashtags in captions link to /tag/<word>: letters, digits, underscores and hyphens.
HASHTAG_SLUG_RE = re.compile(r"^[\w-]{1,64}$")


@ensure_csrf_cookie
def tag_page(request: HttpRequest, slug: str) -> HttpResponse:
    if not HASHTAG_SLUG_RE.match(slug):
        return page_not_found(request, f"#{slug}")
    tag = tag_for_slug(slug)
    videos = hashtag_or_tag_videos(word=slug, tag=tag, viewer=page_viewer(request))
    title = tag.name if tag is not None else slug
    context = {"tag": tag, "slug": slug, "title": title, **video_grid(request, videos)}
    return render_page(request, "pages/tag.html", context)


urlpatterns = [path("tag/<str:slug>", tag_page, name="page-tag")]
