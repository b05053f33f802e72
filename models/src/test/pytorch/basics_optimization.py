"""PyTorch's "Optimizing Model Parameters" tutorial (pytorch.org/tutorials/beginner/basics/optimization_tutorial.html)
on the project's Fashion-MNIST copy, torchvision's FashionMNIST + ToTensor restated in torch (torchvision is not
installed), with torch.manual_seed(0): the hyperparameters, train_loop and test_loop, 10 epochs. Prints the
tutorial's lines, to set beside examples/Optimization.java's (examples/README.md) and BasicsExamplesTest's floor.
Run: /usr/bin/python3 basics_optimization.py [DATA_ROOT [EPOCHS [BATCHES_PER_EPOCH]]] (default ../shared/data, 10)."""
import gzip
import struct
import sys
import time

import numpy as np
import torch
from torch import nn
from torch.utils.data import DataLoader, TensorDataset

root = sys.argv[1] if len(sys.argv) > 1 else "../shared/data"
epochs = int(sys.argv[2]) if len(sys.argv) > 2 else 10
max_batches = int(sys.argv[3]) if len(sys.argv) > 3 else None


def idx(path):
    with gzip.open(path, "rb") as f:
        data = f.read()
    rank = data[3]
    dims = struct.unpack(">" + "i" * rank, data[4:4 + 4 * rank])
    return np.frombuffer(data, dtype=np.uint8, offset=4 + 4 * rank).reshape(dims)


def fashion(split):
    images = idx(f"{root}/fashion-mnist/{split}-images-idx3-ubyte.gz")
    labels = idx(f"{root}/fashion-mnist/{split}-labels-idx1-ubyte.gz")
    # ToTensor: [1, 28, 28] float in [0, 1]
    x = torch.from_numpy(images.astype(np.float32) / 255.0).unsqueeze(1)
    return TensorDataset(x, torch.from_numpy(labels.astype(np.int64)))


training_data = fashion("train")
test_data = fashion("t10k")
train_dataloader = DataLoader(training_data, batch_size=64)
test_dataloader = DataLoader(test_data, batch_size=64)


class NeuralNetwork(nn.Module):
    def __init__(self):
        super().__init__()
        self.flatten = nn.Flatten()
        self.linear_relu_stack = nn.Sequential(
            nn.Linear(28 * 28, 512),
            nn.ReLU(),
            nn.Linear(512, 512),
            nn.ReLU(),
            nn.Linear(512, 10),
        )

    def forward(self, x):
        x = self.flatten(x)
        logits = self.linear_relu_stack(x)
        return logits


torch.manual_seed(0)
model = NeuralNetwork()

learning_rate = 1e-3
batch_size = 64


def train_loop(dataloader, model, loss_fn, optimizer):
    size = len(dataloader.dataset)
    model.train()
    for batch, (X, y) in enumerate(dataloader):
        if max_batches is not None and batch == max_batches:
            break
        pred = model(X)
        loss = loss_fn(pred, y)

        optimizer.zero_grad()
        loss.backward()
        optimizer.step()

        if batch % 100 == 0:
            loss, current = loss.item(), batch * batch_size + len(X)
            print(f"loss: {loss:>7f}  [{current:>5d}/{size:>5d}]")


def test_loop(dataloader, model, loss_fn):
    model.eval()
    size = len(dataloader.dataset)
    num_batches = len(dataloader)
    test_loss, correct = 0, 0
    with torch.no_grad():
        for X, y in dataloader:
            pred = model(X)
            test_loss += loss_fn(pred, y).item()
            correct += (pred.argmax(1) == y).type(torch.float).sum().item()
    test_loss /= num_batches
    correct /= size
    print(f"Test Error: \n Accuracy: {(100*correct):>0.1f}%, Avg loss: {test_loss:>8f} \n")


loss_fn = nn.CrossEntropyLoss()
optimizer = torch.optim.SGD(model.parameters(), lr=learning_rate)

start = time.time()
for t in range(epochs):
    print(f"Epoch {t+1}\n-------------------------------")
    train_loop(train_dataloader, model, loss_fn, optimizer)
    test_loop(test_dataloader, model, loss_fn)
print(f"Done! ({time.time() - start:.1f} s)")
