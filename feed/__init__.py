"""The For You feed: interactions, taste, candidate retrieval, ranking, search, creator
analytics and the feed pages and API."""
