"""Run localstripe (a stateful fake of the Stripe API) on loopback, for development and tests.

`python -m localstripe` listens on every interface and keeps its state in /tmp; this runner
binds 127.0.0.1 only and keeps the state in `--state FILE` (or in memory without it), so two
checkouts or test runs on one machine never share customers and payments.

    python -m coop.money.localstripe_server --port 8420 --state var/localstripe.pickle
"""

from __future__ import annotations

import argparse
import logging
import pickle
from pathlib import Path


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8420)
    parser.add_argument("--state", type=Path, default=None, help="pickle file for the state")
    args = parser.parse_args(argv)

    from aiohttp import web  # noqa: PLC0415 - only needed when the runner runs
    from localstripe import resources, server  # noqa: PLC0415

    state: Path | None = args.state

    def load(store: resources.Store) -> None:
        if state is not None and state.exists():
            with state.open("rb") as file:
                store.update(pickle.load(file))  # noqa: S301 - our own file

    def dump(store: resources.Store) -> None:
        if state is not None:
            with state.open("wb") as file:
                pickle.dump(dict(store), file, protocol=pickle.HIGHEST_PROTOCOL)

    resources.Store.try_load_from_disk = load
    resources.Store.dump_to_disk = dump
    resources.store.try_load_from_disk()

    logging.basicConfig(level=logging.WARNING)
    web.run_app(server.app, host=args.host, port=args.port, print=None, access_log=None)


if __name__ == "__main__":
    main()
