"""Serve one app on waitress for the bench: ``python bench/serve.py tmo|hello --port P``.

``tmo`` is built from an ini file (``ini/production.ini`` by default: compiled templates kept,
quiet logging) with the database, secret and mail mode taken from the environment the harness
sets (DATABASE_URL, TMO_SECRET, TMO_MAIL_MODE); ``hello`` is the bare Pyramid app of
``bench/hello.py``. Both get exactly the same waitress settings and the same number of
processes (``--workers``, served as ``ini/production.ini`` serves tmo: ``tmo.server``), and
listen on 127.0.0.1 only.
The harness runs each in its own process, so neither shares a GIL with the load generator.
"""

import argparse
import sys
from pathlib import Path

from tmo.server import serve

BENCH_DIR = Path(__file__).resolve().parent
DEFAULT_INI = BENCH_DIR.parent / "ini" / "production.ini"


def build_app(name: str, ini_path: str):
    if name == "hello":
        sys.path.insert(0, str(BENCH_DIR))
        from hello import make_app

        return make_app()
    from pyramid.paster import get_app

    return get_app(ini_path, name="main")


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("app", choices=("tmo", "hello"))
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--threads", type=int, default=1, help="waitress threads per process")
    parser.add_argument("--workers", type=int, default=1, help="waitress processes")
    parser.add_argument("--ini", default=str(DEFAULT_INI), help="tmo's ini file")
    args = parser.parse_args(argv)
    app = build_app(args.app, args.ini)
    return serve(
        app,
        workers=args.workers,
        listen=f"127.0.0.1:{args.port}",
        threads=args.threads,
        ident=args.app,
    )


if __name__ == "__main__":
    sys.exit(main())
