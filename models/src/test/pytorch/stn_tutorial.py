"""PyTorch's "Spatial Transformer Networks" tutorial (pytorch.org/tutorials/intermediate/spatial_transformer_tutorial.html)
restated on the project's MNIST copy (torchvision's MNIST, ToTensor and Normalize((0.1307,), (0.3081,)) in torch:
torchvision is not installed), after the reference values of VisionTutorialOpsTest.

First, F.affine_grid and F.grid_sample with the tutorial's defaults at its shapes (theta [64, 2, 3], size
(64, 1, 28, 28); float64): theta_k = identity_k + 0.3 sin(1.3 k + 0.5) over theta's flat index k (grid points outside
[-1, 1] included), x_i = sin(0.7 i) over the input's; printed are sum(grid * cos(0.11 i)), the loss
L = sum(out * cos(0.37 i)), out[0, 0, 14, 10:16], theta.grad's first and last rows and sum(theta.grad * sin(0.9 k)), and
sum(x.grad * sin(0.13 i)) and sum(|x.grad|); and the shapes squeeze() leaves (the FGSM tutorial's), of a 0-d and an
empty tensor too, and the gradient through an all-ones tensor squeezed to 0-d.

Then the tutorial's training for EPOCHS epochs of at most BATCHES batches of 64, shuffled, and its test on TEST_BATCHES
batches (torch seed 0), printing its lines: examples/README.md's comparison and VisionExamplesTest's floor.
Run: /usr/bin/python3 stn_tutorial.py [DATA_ROOT [EPOCHS [BATCHES [TEST_BATCHES]]]] (defaults ../shared/data, 1, 300,
32; EPOCHS 0 prints only the reference values)."""
import gzip
import struct
import sys
import time

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F
import torch.optim as optim

root = sys.argv[1] if len(sys.argv) > 1 else "../shared/data"
epochs = int(sys.argv[2]) if len(sys.argv) > 2 else 1
max_batches = int(sys.argv[3]) if len(sys.argv) > 3 else 300
test_batches = int(sys.argv[4]) if len(sys.argv) > 4 else 32


def reference_values():
    k = torch.arange(64 * 6, dtype=torch.float64)
    identity = torch.tensor([1, 0, 0, 0, 1, 0], dtype=torch.float64).repeat(64)
    theta = (identity + 0.3 * torch.sin(1.3 * k + 0.5)).reshape(64, 2, 3).requires_grad_()
    i = torch.arange(64 * 28 * 28, dtype=torch.float64)
    x = torch.sin(0.7 * i).reshape(64, 1, 28, 28).requires_grad_()
    grid = F.affine_grid(theta, x.size(), align_corners=False)
    out = F.grid_sample(x, grid, align_corners=False)
    gi = torch.arange(grid.numel(), dtype=torch.float64)
    loss = (out * torch.cos(0.37 * i).reshape(out.shape)).sum()
    loss.backward()
    print("grid shape", list(grid.shape), "out shape", list(out.shape))
    print("sum(grid * cos(0.11 i)) = %.15g" % (grid * torch.cos(0.11 * gi).reshape(grid.shape)).sum().item())
    print("L = %.15g" % loss.item())
    print("out[0, 0, 14, 10:16] =", ", ".join("%.15g" % v for v in out[0, 0, 14, 10:16].tolist()))
    print("theta.grad[0] =", ", ".join("%.15g" % v for v in theta.grad[0].flatten().tolist()))
    print("theta.grad[63] =", ", ".join("%.15g" % v for v in theta.grad[63].flatten().tolist()))
    print("sum(theta.grad * sin(0.9 k)) = %.15g" % (theta.grad.flatten() * torch.sin(0.9 * k)).sum().item())
    print("sum(x.grad * sin(0.13 i)) = %.15g" % (x.grad.flatten() * torch.sin(0.13 * i)).sum().item())
    print("sum(|x.grad|) = %.15g" % x.grad.abs().sum().item())
    # The FGSM tutorial's perturbed_data.squeeze(): every axis of size 1 removed.
    for shape in ([1, 1, 28, 28], [2, 1, 3, 1], [1, 1], [2, 3]):
        print("squeeze", shape, "->", list(torch.zeros(shape).squeeze().shape))
    print("squeeze [] ->", list(torch.tensor(3.0).squeeze().shape), "(0-d stays 0-d)")
    print("squeeze [0, 1, 3] ->", list(torch.zeros(0, 1, 3).squeeze().shape), "(an empty axis stays)")
    ones = torch.ones(1, 1, requires_grad=True)
    (5 * ones.squeeze()).backward()
    print("[1, 1].squeeze() is 0-d; (5 * it).backward() gives grad", list(ones.grad.shape), ones.grad.flatten().tolist())


def idx(path):
    with gzip.open(path, "rb") as f:
        data = f.read()
    rank = data[3]
    dims = struct.unpack(">" + "i" * rank, data[4:4 + 4 * rank])
    return np.frombuffer(data, dtype=np.uint8, offset=4 + 4 * rank).reshape(dims)


def mnist(split):
    images = idx(f"{root}/mnist/{split}-images-idx3-ubyte.gz")
    labels = idx(f"{root}/mnist/{split}-labels-idx1-ubyte.gz")
    x = torch.from_numpy(images.astype(np.float32) / 255.0).unsqueeze(1)
    return (x - 0.1307) / 0.3081, torch.from_numpy(labels.astype(np.int64))


class Net(nn.Module):
    def __init__(self):
        super(Net, self).__init__()
        self.conv1 = nn.Conv2d(1, 10, kernel_size=5)
        self.conv2 = nn.Conv2d(10, 20, kernel_size=5)
        self.conv2_drop = nn.Dropout2d()
        self.fc1 = nn.Linear(320, 50)
        self.fc2 = nn.Linear(50, 10)
        self.localization = nn.Sequential(
            nn.Conv2d(1, 8, kernel_size=7), nn.MaxPool2d(2, stride=2), nn.ReLU(True),
            nn.Conv2d(8, 10, kernel_size=5), nn.MaxPool2d(2, stride=2), nn.ReLU(True))
        self.fc_loc = nn.Sequential(nn.Linear(10 * 3 * 3, 32), nn.ReLU(True), nn.Linear(32, 3 * 2))
        self.fc_loc[2].weight.data.zero_()
        self.fc_loc[2].bias.data.copy_(torch.tensor([1, 0, 0, 0, 1, 0], dtype=torch.float))

    def stn(self, x):
        xs = self.localization(x)
        xs = xs.view(-1, 10 * 3 * 3)
        theta = self.fc_loc(xs)
        theta = theta.view(-1, 2, 3)
        grid = F.affine_grid(theta, x.size(), align_corners=False)
        return F.grid_sample(x, grid, align_corners=False)

    def forward(self, x):
        x = self.stn(x)
        x = F.relu(F.max_pool2d(self.conv1(x), 2))
        x = F.relu(F.max_pool2d(self.conv2_drop(self.conv2(x)), 2))
        x = x.view(-1, 320)
        x = F.relu(self.fc1(x))
        x = F.dropout(x, training=self.training)
        x = self.fc2(x)
        return F.log_softmax(x, dim=1)


def train(model, optimizer, images, labels, epoch):
    model.train()
    order = torch.randperm(len(images))
    batches = (len(images) + 63) // 64
    for batch_idx in range(min(batches, max_batches)):
        rows = order[batch_idx * 64:(batch_idx + 1) * 64]
        data, target = images[rows], labels[rows]
        optimizer.zero_grad()
        loss = F.nll_loss(model(data), target)
        loss.backward()
        optimizer.step()
        if batch_idx % 500 == 0:
            print('Train Epoch: {} [{}/{} ({:.0f}%)]\tLoss: {:.6f}'.format(
                epoch, batch_idx * len(data), len(images), 100. * batch_idx / batches, loss.item()))


def test(model, images, labels):
    model.eval()
    test_loss, correct, total = 0, 0, 0
    order = torch.randperm(len(images))
    with torch.no_grad():
        for b in range(test_batches):
            rows = order[b * 64:(b + 1) * 64]
            output = model(images[rows])
            test_loss += F.nll_loss(output, labels[rows], reduction='sum').item()
            pred = output.max(1, keepdim=True)[1]
            correct += pred.eq(labels[rows].view_as(pred)).sum().item()
            total += len(rows)
    test_loss /= total
    print('\nTest set: Average loss: {:.4f}, Accuracy: {}/{} ({:.0f}%)\n'.format(
        test_loss, correct, total, 100. * correct / total))


reference_values()
if epochs > 0:
    torch.manual_seed(0)
    train_images, train_labels = mnist("train")
    test_images, test_labels = mnist("t10k")
    model = Net()
    optimizer = optim.SGD(model.parameters(), lr=0.01)
    start = time.time()
    for epoch in range(1, epochs + 1):
        train(model, optimizer, train_images, train_labels, epoch)
        test(model, test_images, test_labels)
    print("torch", torch.__version__, "threads", torch.get_num_threads(), "%.1f s" % (time.time() - start))
