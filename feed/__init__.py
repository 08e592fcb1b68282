"""The For You feed: interactions, taste, candidate retrieval, ranking, search and the feed
pages and API."""
