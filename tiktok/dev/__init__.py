"""The embedded development stack: PostgreSQL and Redis started by the project when no URL is
set, the project's own process command lines, and `make run` (tiktok.dev.stack)."""
