"""Database and Redis plumbing every app uses: binary reads, side-read connections, the helper
thread pools they run on, SQL literals, and the shared Redis connection pool."""
