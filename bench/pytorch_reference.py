#!/usr/bin/python3
"""The workloads of shared/BENCHMARKS.md in PyTorch eager, to run beside `kiln bench` on the same machine
in the same sitting. PyTorch is not a dependency of Kiln: install it only to compare
(Debian: apt-get install python3-torch, which is PyTorch 1.13.1 as in the CPU reference figures).

Usage: python3 bench/pytorch_reference.py mlp|lenet|lstm|resnet|resnet18|sgemm [--data mnist|fashion-mnist]
       [--data-dir ../shared/data] [--epochs N (mlp 5, lenet 3, lstm 3, resnet 2, resnet18 3)] [--batch B]
       [--steps S (resnet18: batches an epoch, 20)] [--width W (mlp: hidden units, 512)] [--threads 2] [--seed 1]
       [--device cpu|cuda]
       [--conv-tf32 on|off (on, PyTorch's default: cuDNN convolutions on TF32 tensor cores)]
       [--cudnn-benchmark on|off (off, PyTorch's default: cuDNN's heuristics choose each convolution's algorithm;
        on: torch.backends.cudnn.benchmark = True, as KILN_CUDNN_BENCHMARK=1)]
       [--loss-read each|late (each: loss.item() every step, the usual loop; late: as Kiln's Trainer, each loss
        copied without waiting and read after the next step is queued, waiting for that copy's event only)]
resnet is Kiln's zoo ResNet on MNIST, resnet18 the CIFAR ResNet-18 on random 3x32x32 images with random labels
(as `kiln bench resnet18`: it reports the last epoch's training loss instead of a test accuracy). sgemm is W5,
as `kiln bench sgemm`: C = A*B in FP32 (TF32 off) for square N in 512-4096, best of 10 after 3 warm-ups, each
product timed with the device synchronised before and after.
On a GPU (--device cuda) the data stay in pinned host memory and each batch is copied to the device inside
the timed loop, as Kiln does; the loss is read every step on both (Kiln one step late; --loss-read late here
too). Prints per-epoch lines and one JSON line like `kiln bench`.
"""
import argparse, gzip, json, os, resource, statistics, struct, time

import torch
import torch.nn as nn


def idx(path):
    with gzip.open(path) if path.endswith('.gz') else open(path, 'rb') as f:
        data = f.read()
    rank = data[3]
    dims = struct.unpack('>' + 'i' * rank, data[4:4 + 4 * rank])
    return torch.frombuffer(bytearray(data[4 + 4 * rank:]), dtype=torch.uint8).reshape(dims)


def mnist(root, split, name='mnist'):
    prefix = 'train' if split == 'train' else 't10k'
    x = idx(os.path.join(root, name, f'{prefix}-images-idx3-ubyte.gz')).float().div_(255)
    y = idx(os.path.join(root, name, f'{prefix}-labels-idx1-ubyte.gz')).long()
    return x, y


def mlp(width=512):
    return nn.Sequential(nn.Flatten(), nn.Linear(784, width), nn.ReLU(), nn.Linear(width, width), nn.ReLU(),
                         nn.Linear(width, 10))


def lenet():
    return nn.Sequential(nn.Conv2d(1, 20, 5), nn.ReLU(), nn.MaxPool2d(2, 2), nn.Conv2d(20, 50, 5), nn.ReLU(),
                         nn.MaxPool2d(2, 2), nn.Flatten(), nn.Linear(800, 500), nn.ReLU(), nn.Linear(500, 10))


class RowLstm(nn.Module):
    """W3: the 28 rows of an image as 28 steps of 28 features; the last hidden state feeds a dense layer."""

    def __init__(self):
        super().__init__()
        self.lstm = nn.LSTM(28, 128, batch_first=True)
        self.out = nn.Linear(128, 10)

    def forward(self, x):
        _, (h, _) = self.lstm(x)
        return self.out(h[-1])


class RowTransformer(nn.Module):
    """Kiln's Zoo.rowTransformer: the 28 rows of an image as 28 tokens of 28 features, a dense layer to 64 plus a
    learned position each (N(0, 0.02) at the start), 2 pre-norm encoder layers (4 heads, feed-forward 256, no dropout)
    with a final LayerNorm, the tokens' mean through a dense layer to 10 classes."""

    def __init__(self, width=64, heads=4, feed_forward=256, layers=2):
        super().__init__()
        self.embed = nn.Linear(28, width)
        self.position = nn.Parameter(torch.randn(28, width) * 0.02)
        layer = nn.TransformerEncoderLayer(width, heads, feed_forward, dropout=0.0, batch_first=True, norm_first=True)
        self.encoder = nn.TransformerEncoder(layer, layers, norm=nn.LayerNorm(width), enable_nested_tensor=False)
        self.fc = nn.Linear(width, 10)

    def forward(self, x):
        return self.fc(self.encoder(self.embed(x) + self.position).mean(1))


class BasicBlock(nn.Module):
    """torchvision's BasicBlock, as Kiln's: relu(bn2(conv2(relu(bn1(conv1(x))))) + shortcut(x))."""

    def __init__(self, cin, cout, stride):
        super().__init__()
        self.conv1 = nn.Conv2d(cin, cout, 3, stride, 1, bias=False)
        self.bn1 = nn.BatchNorm2d(cout)
        self.conv2 = nn.Conv2d(cout, cout, 3, 1, 1, bias=False)
        self.bn2 = nn.BatchNorm2d(cout)
        self.downsample = None
        if stride != 1 or cin != cout:
            self.downsample = nn.Sequential(nn.Conv2d(cin, cout, 1, stride, bias=False), nn.BatchNorm2d(cout))

    def forward(self, x):
        y = torch.relu(self.bn1(self.conv1(x)))
        y = self.bn2(self.conv2(y))
        return torch.relu(y + (x if self.downsample is None else self.downsample(x)))


def resnet_stages(cin, stem, stages):
    """Kiln's Zoo.resnet and Zoo.resnet18: 3x3 stem with batch norm and ReLU, then (width, blocks) stages, each
    after the first starting with a stride-2 block, global average pooling and a dense layer to 10 classes."""
    layers = [nn.Conv2d(cin, stem, 3, 1, 1, bias=False), nn.BatchNorm2d(stem), nn.ReLU()]
    channels = stem
    for s, (width, blocks) in enumerate(stages):
        for b in range(blocks):
            layers.append(BasicBlock(channels, width, 2 if s > 0 and b == 0 else 1))
            channels = width
    layers += [nn.AdaptiveAvgPool2d(1), nn.Flatten(), nn.Linear(channels, 10)]
    return nn.Sequential(*layers)


def resnet():
    return resnet_stages(1, 16, [(16, 1), (32, 1), (64, 1)])


def resnet18():
    return resnet_stages(3, 64, [(64, 2), (128, 2), (256, 2), (512, 2)])


# workload -> (model, batch, default epochs, image shape per sample, data: MNIST or random images)
WORKLOADS = {'mlp': (mlp, 128, 5, (28, 28), 'mnist'), 'lenet': (lenet, 64, 3, (1, 28, 28), 'mnist'),
             'lstm': (RowLstm, 128, 3, (28, 28), 'mnist'), 'resnet': (resnet, 256, 2, (1, 28, 28), 'mnist'),
             'transformer': (RowTransformer, 128, 3, (28, 28), 'mnist'),
             'resnet18': (resnet18, 256, 3, (3, 32, 32), 'random')}


def sgemm(device):
    """W5: GFLOP/s of C = A*B, as `kiln bench sgemm` measures them."""
    torch.backends.cuda.matmul.allow_tf32 = False
    result = {'workload': 'sgemm', 'framework': f'pytorch {torch.__version__}'}
    for n in (512, 1024, 2048, 4096):
        a, b = torch.randn(n, n, device=device), torch.randn(n, n, device=device)
        best = float('inf')
        for i in range(13):
            sync(device)
            start = time.perf_counter()
            a @ b
            sync(device)
            if i >= 3:
                best = min(best, time.perf_counter() - start)
        gflops = 2 * n ** 3 / best / 1e9
        print(f'N={n}: {gflops:.1f} GFLOP/s', flush=True)
        result[f'gflops_{n}'] = round(gflops, 1)
    result['device'] = device.type
    if device.type == 'cuda':
        result['gpu'] = torch.cuda.get_device_name()
    print(json.dumps(result))


def start_read(loss, gpu):
    """The loss on its way to the host: on a GPU a copy into pinned memory and an event behind it, no wait."""
    if not gpu:
        return loss.detach(), None
    host = loss.detach().to('cpu', non_blocking=True)
    copied = torch.cuda.Event()
    copied.record()
    return host, copied


def read_pending(pending):
    """Waits for that copy alone (not for work queued after it) and returns the value."""
    host, copied = pending
    if copied is not None:
        copied.synchronize()
    return host.item()


def sync(device):
    if device.type == 'cuda':
        torch.cuda.synchronize()


def main():
    p = argparse.ArgumentParser()
    p.add_argument('workload', choices=list(WORKLOADS) + ['sgemm'])
    p.add_argument('--data-dir', default=os.path.join(os.path.dirname(__file__), '..', '..', 'shared', 'data'))
    p.add_argument('--epochs', type=int)
    p.add_argument('--batch', type=int)
    p.add_argument('--steps', type=int, default=20)
    p.add_argument('--width', type=int, default=512, help='mlp: units in each hidden layer, as kiln bench mlp --width')
    p.add_argument('--threads', type=int, default=os.cpu_count())
    p.add_argument('--data', default='mnist', choices=['mnist', 'fashion-mnist'])
    p.add_argument('--seed', type=int, default=1)
    p.add_argument('--device', default='cpu', choices=['cpu', 'cuda'])
    p.add_argument('--conv-tf32', default='on', choices=['on', 'off'],
                   help="off: torch.backends.cudnn.allow_tf32 = False, strict FP32 convolutions as Kiln's default")
    p.add_argument('--cudnn-benchmark', default='off', choices=['on', 'off'],
                   help="on: torch.backends.cudnn.benchmark = True, each convolution shape's algorithms timed on "
                        "first use, as kiln with KILN_CUDNN_BENCHMARK=1")
    p.add_argument('--loss-read', default='each', choices=['each', 'late'],
                   help="late: read each step's loss after the next step is queued, as kiln's Trainer does")
    p.add_argument('--precision', default='fp32', choices=['fp32', 'bf16'],
                   help='bf16: forward passes under torch.autocast(dtype=torch.bfloat16), as kiln --precision bf16')
    a = p.parse_args()
    device = torch.device(a.device)
    gpu = device.type == 'cuda'
    torch.backends.cudnn.allow_tf32 = a.conv_tf32 == 'on'
    torch.backends.cudnn.benchmark = a.cudnn_benchmark == 'on'
    torch.set_num_threads(a.threads)
    if a.workload == 'sgemm':
        sgemm(device)
        return

    def autocast():
        return torch.autocast(device_type=device.type, dtype=torch.bfloat16, enabled=a.precision == 'bf16')

    make_model, batch, epochs, shape, source = WORKLOADS[a.workload]
    batch = a.batch or batch
    a.epochs = a.epochs or epochs
    torch.manual_seed(a.seed)
    if source == 'random':
        x, y = torch.randn(batch * a.steps, *shape), torch.randint(0, 10, (batch * a.steps,))
        xt = yt = None
    else:
        x, y = mnist(a.data_dir, 'train', a.data)
        xt, yt = mnist(a.data_dir, 'test', a.data)
        x, xt = x.reshape(-1, *shape), xt.reshape(-1, *shape)
    if gpu:
        x, y = x.pin_memory(), y.pin_memory()
    model = (mlp(a.width) if a.workload == 'mlp' else make_model()).to(device)
    opt = torch.optim.Adam(model.parameters(), lr=1e-3, betas=(0.9, 0.999), eps=1e-8)
    loss_fn = nn.CrossEntropyLoss()
    rates = []
    for epoch in range(1, a.epochs + 1):
        order = torch.randperm(len(x))
        start = time.perf_counter()
        pending = None
        for s in range(0, len(x), batch):
            i = order[s:s + batch]
            xb, yb = x[i].to(device, non_blocking=True), y[i].to(device, non_blocking=True)
            opt.zero_grad()
            with autocast():
                loss = loss_fn(model(xb), yb)
            loss.backward()
            opt.step()
            if a.loss_read == 'late':
                if pending is not None:
                    last_loss = read_pending(pending)
                pending = start_read(loss, gpu)
            else:
                last_loss = loss.item()
        if pending is not None:
            last_loss = read_pending(pending)
        sync(device)
        seconds = time.perf_counter() - start
        rates.append(len(x) / seconds)
        print(f'epoch {epoch}: {seconds:.1f} s, {rates[-1]:.0f} samples/s', flush=True)
    result = {'workload': a.workload, **({'width': a.width} if a.workload == 'mlp' else {}),
              'data': a.data if source == 'mnist' else 'random', 'framework': f'pytorch {torch.__version__}',
              'batch': batch, 'epochs': a.epochs, 'precision': a.precision,
              'conv_tf32': a.conv_tf32, 'cudnn_benchmark': a.cudnn_benchmark, 'loss_read': a.loss_read,
              'samples_per_s': round(statistics.median(rates[1:] or rates), 1)}
    if xt is not None:
        model.eval()
        with torch.no_grad(), autocast():
            hits = sum((model(xt[s:s + 1000].to(device)).argmax(1) == yt[s:s + 1000].to(device)).sum().item()
                       for s in range(0, len(xt), 1000))
        result['test_accuracy'] = round(hits / len(xt), 4)
    else:
        result['last_step_loss'] = round(last_loss, 4)
    result['parameters'] = sum(p.numel() for p in model.parameters())
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    result.update({'peak_rss_mib': round(rss, 1), 'threads': a.threads, 'device': a.device})
    if gpu:
        result['gpu'] = torch.cuda.get_device_name()
        result['peak_gpu_mib'] = round(torch.cuda.max_memory_allocated() / 2**20, 1)
    print(json.dumps(result))


if __name__ == '__main__':
    main()
