"""A separate process that uses a store, for the tests of concurrent access.

python catalog_worker.py publish STORE DATASET ROWS GO_FILE   stage, wait for GO_FILE, publish
python catalog_worker.py hold STORE SECONDS                     hold the catalog lock
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

from conftest import make_rows, publish_kwargs

from datagen.catalog import Catalog, Store


def publish(store_dir: str, dataset: str, rows: str, go_file: str) -> None:
    store = Store.resolve(store_dir)
    kwargs = publish_kwargs(store, dataset, [make_rows(int(rows))])
    print("ready", flush=True)
    while not Path(go_file).exists():
        time.sleep(0.005)
    info = Catalog(store, lock_timeout=30).publish(**kwargs)
    print(f"published {info.version} {info.row_count}", flush=True)


def hold(store_dir: str, seconds: str) -> None:
    with Catalog(Store.resolve(store_dir)).connect():
        print("locked", flush=True)
        time.sleep(float(seconds))


if __name__ == "__main__":
    {"publish": publish, "hold": hold}[sys.argv[1]](*sys.argv[2:])
