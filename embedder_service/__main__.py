"""Run the service: `python -m embedder_service [--host 127.0.0.1] [--port 8100]`."""

from __future__ import annotations

import argparse
import logging
import sys

from embedder_service.config import Settings


def main(argv: list[str] | None = None) -> int:
    """Parse arguments, read settings from the environment and serve until interrupted."""
    parser = argparse.ArgumentParser(prog="python -m embedder_service", description=__doc__)
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8100)
    parser.add_argument("--log-level", default="info")
    args = parser.parse_args(argv)
    logging.basicConfig(level=args.log_level.upper(), format="%(asctime)s %(name)s %(message)s")
    try:
        settings = Settings.from_env()
    except ValueError as exc:
        print(f"embedder_service: bad configuration: {exc}", file=sys.stderr)
        return 2

    import uvicorn

    from embedder_service.app import create_app

    uvicorn.run(create_app(settings), host=args.host, port=args.port, log_level=args.log_level)
    return 0


if __name__ == "__main__":
    sys.exit(main())
