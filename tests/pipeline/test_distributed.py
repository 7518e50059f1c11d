"""Extraction on a real Dask LocalCluster gives the same graph as a local build."""
import argparse

import pytest

from kg.pipeline.build import cmd_build
from kg import config

distributed = pytest.importorskip("distributed", reason="the 'distributed' package is not installed")


@pytest.fixture(scope="module")
def cluster():
    with distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True,
                                  dashboard_address=None, host="127.0.0.1") as cluster:
        yield cluster


def _args(articles, out, dask=None):
    return argparse.Namespace(articles=str(articles), out=str(out), validate=True, cache=True, jobs=1, dask=dask)


def test_dask_build_equals_local_build(cluster, tmp_path):
    local, remote = tmp_path / "local", tmp_path / "remote"
    assert cmd_build(_args(config.DATA / "articles", local)) == 0
    assert cmd_build(_args(config.DATA / "articles", remote, dask=cluster.scheduler_address)) == 0
    for name in ("graph.ttl", "graph.trig", "report.json"):
        assert (local / name).read_bytes() == (remote / name).read_bytes(), name


def test_batches_cover_every_article_in_order():
    from kg.pipeline.distributed import batches

    items = list(range(100))
    assert [x for b in batches(items, 7) for x in b] == items
