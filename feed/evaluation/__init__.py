"""Offline evaluation and benchmarking of the For You feed (evaluate_feed, bench_feed)."""
