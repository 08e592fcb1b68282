"""The For You feed: interactions, taste, candidate retrieval, ranking and the feed API."""
