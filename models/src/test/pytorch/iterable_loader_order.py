"""Reference batch order of torch.utils.data.DataLoader over an IterableDataset (PyTorch 1.13), for
IterableDataLoaderTest: 0..n-1 as the stream, sharded by get_worker_info() (every num_workers-th example from id)
or not (each worker yields the whole stream), or unevenly, with 1 and 2 workers, drop_last off and on."""
import itertools
import torch
from torch.utils.data import DataLoader, IterableDataset, get_worker_info


class Numbers(IterableDataset):
    def __init__(self, n, sharded):
        self.n, self.sharded = n, sharded

    def __iter__(self):
        info = get_worker_info()
        it = iter(range(self.n))
        if self.sharded and info is not None:
            it = itertools.islice(it, info.id, None, info.num_workers)
        return it


for n, batch in [(10, 3), (11, 2)]:
    for workers in [0, 2]:
        for sharded in [True, False]:
            for drop_last in [False, True]:
                loader = DataLoader(Numbers(n, sharded), batch_size=batch, num_workers=workers, drop_last=drop_last)
                batches = [b.tolist() for b in loader]
                print(f"n={n} batch={batch} workers={workers} sharded={sharded} drop_last={drop_last}: {batches}")


class Uneven(IterableDataset):
    """Worker 0 yields 0..4, worker 1 only 5: the loader goes on with worker 0 once worker 1 is done."""

    def __iter__(self):
        info = get_worker_info()
        return iter(range(5) if info is None or info.id == 0 else range(5, 6))


print(f"uneven batch=1 workers=2: {[b.tolist() for b in DataLoader(Uneven(), batch_size=1, num_workers=2)]}")


class Lengths(IterableDataset):
    """Worker w yields 100 w, 100 w + 1, ..., lengths[w] of them: workers that end unevenly, one with nothing."""

    def __init__(self, lengths):
        self.lengths = lengths

    def __iter__(self):
        w = get_worker_info().id
        return iter(range(100 * w, 100 * w + self.lengths[w]))


for lengths in [[6, 1, 4], [3, 0, 5], [2, 5, 1, 4]]:
    loader = DataLoader(Lengths(lengths), batch_size=1, num_workers=len(lengths))
    print(f"lengths={lengths} batch=1 workers={len(lengths)}: {[b.tolist() for b in loader]}")

# A stream sharded twice (sharding_filter, the datapipes' get_worker_info() islice): PyTorch refuses it, as Kiln's
# shardedByWorker() on a stream that already shards itself, rather than keep every (n * n)-th example.
from torch.utils.data.datapipes.iter import IterableWrapper  # noqa: E402

twice = IterableWrapper(range(10)).sharding_filter().shuffle(buffer_size=4).sharding_filter()
try:
    list(DataLoader(twice, batch_size=2, num_workers=2))
except RuntimeError as e:
    print("sharded twice:", str(e).strip().splitlines()[-1])
