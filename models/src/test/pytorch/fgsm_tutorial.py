"""PyTorch's "Adversarial Example Generation" tutorial (pytorch.org/tutorials/beginner/fgsm_tutorial.html) on the
project's MNIST copy, with torchvision's MNIST + ToTensor restated in torch (torchvision is not installed).

The tutorial loads pretrained weights, lenet_mnist_model.pth, that this project does not have. This script trains the
tutorial's LeNet itself where WEIGHTS does not exist (pytorch/examples/mnist's old recipe: SGD lr 0.01 momentum 0.5,
batches of 64, seed 0, one epoch) and writes it there as safetensors (restated in a few lines: the package is not
installed), or reads WEIGHTS where it does. It then runs the FGSM attack over the tutorial's epsilons on the first N
test images, unshuffled, batch size 1, and prints the tutorial's lines. VisionExamplesTest runs examples/Fgsm.java on the
same weights (models/src/test/resources/tutorial/lenet_mnist_model.safetensors, written by this script) and the same
images and expects these counts.
Run: /usr/bin/python3 fgsm_tutorial.py [DATA_ROOT [N [WEIGHTS]]]
(defaults ../shared/data, all 10000, ../models/src/test/resources/tutorial/lenet_mnist_model.safetensors)."""
import gzip
import json
import os
import struct
import sys

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F
import torch.optim as optim

root = sys.argv[1] if len(sys.argv) > 1 else "../shared/data"
limit = int(sys.argv[2]) if len(sys.argv) > 2 else 10000
weights = sys.argv[3] if len(sys.argv) > 3 else "../models/src/test/resources/tutorial/lenet_mnist_model.safetensors"
epsilons = [0, .05, .1, .15, .2, .25, .3]


def idx(path):
    with gzip.open(path, "rb") as f:
        data = f.read()
    rank = data[3]
    dims = struct.unpack(">" + "i" * rank, data[4:4 + 4 * rank])
    return np.frombuffer(data, dtype=np.uint8, offset=4 + 4 * rank).reshape(dims)


def mnist(split):
    images = idx(f"{root}/mnist/{split}-images-idx3-ubyte.gz")
    labels = idx(f"{root}/mnist/{split}-labels-idx1-ubyte.gz")
    # ToTensor: [1, 28, 28] float in [0, 1]
    return torch.from_numpy(images.astype(np.float32) / 255.0).unsqueeze(1), torch.from_numpy(labels.astype(np.int64))


class Net(nn.Module):
    def __init__(self):
        super(Net, self).__init__()
        self.conv1 = nn.Conv2d(1, 10, kernel_size=5)
        self.conv2 = nn.Conv2d(10, 20, kernel_size=5)
        self.conv2_drop = nn.Dropout2d()
        self.fc1 = nn.Linear(320, 50)
        self.fc2 = nn.Linear(50, 10)

    def forward(self, x):
        x = F.relu(F.max_pool2d(self.conv1(x), 2))
        x = F.relu(F.max_pool2d(self.conv2_drop(self.conv2(x)), 2))
        x = x.view(-1, 320)
        x = F.relu(self.fc1(x))
        x = F.dropout(x, training=self.training)
        x = self.fc2(x)
        return F.log_softmax(x, dim=1)


def write_safetensors(path, tensors):
    header, offset, blobs = {}, 0, []
    for name, t in tensors.items():
        blob = t.detach().contiguous().numpy().astype("<f4").tobytes()
        header[name] = {"dtype": "F32", "shape": list(t.shape), "data_offsets": [offset, offset + len(blob)]}
        offset += len(blob)
        blobs.append(blob)
    text = json.dumps(header, separators=(",", ":")).encode()
    text += b" " * (-len(text) % 8)
    os.makedirs(os.path.dirname(os.path.abspath(path)), exist_ok=True)
    with open(path, "wb") as f:
        f.write(struct.pack("<Q", len(text)) + text + b"".join(blobs))


def read_safetensors(path):
    with open(path, "rb") as f:
        data = f.read()
    n = struct.unpack("<Q", data[:8])[0]
    header = json.loads(data[8:8 + n])
    out = {}
    for name, entry in header.items():
        if name == "__metadata__":
            continue
        a, b = entry["data_offsets"]
        out[name] = torch.from_numpy(np.frombuffer(data[8 + n + a:8 + n + b], dtype="<f4").copy()).reshape(entry["shape"])
    return out


def train(model):
    images, labels = mnist("train")
    torch.manual_seed(0)
    optimizer = optim.SGD(model.parameters(), lr=0.01, momentum=0.5)
    model.train()
    order = torch.randperm(len(images))
    for batch_idx in range((len(images) + 63) // 64):
        rows = order[batch_idx * 64:(batch_idx + 1) * 64]
        data, target = images[rows], labels[rows]
        optimizer.zero_grad()
        loss = F.nll_loss(model(data), target)
        loss.backward()
        optimizer.step()
        if batch_idx % 100 == 0:
            print('Train Epoch: {} [{}/{} ({:.0f}%)]\tLoss: {:.6f}'.format(
                1, batch_idx * 64, len(images), 100. * batch_idx * 64 / len(images), loss.item()))


def fgsm_attack(image, epsilon, data_grad):
    sign_data_grad = data_grad.sign()
    perturbed_image = image + epsilon * sign_data_grad
    perturbed_image = torch.clamp(perturbed_image, 0, 1)
    return perturbed_image


def test(model, images, labels, epsilon):
    correct = 0
    for i in range(len(images)):
        data, target = images[i:i + 1].clone(), labels[i:i + 1]
        data.requires_grad = True
        output = model(data)
        init_pred = output.max(1, keepdim=True)[1]
        if init_pred.item() != target.item():
            continue
        loss = F.nll_loss(output, target)
        model.zero_grad()
        loss.backward()
        data_grad = data.grad.data
        perturbed_data = fgsm_attack(data, epsilon, data_grad)
        output = model(perturbed_data)
        final_pred = output.max(1, keepdim=True)[1]
        if final_pred.item() == target.item():
            correct += 1
    final_acc = correct / float(len(images))
    print("Epsilon: {}\tTest Accuracy = {} / {} = {}".format(epsilon, correct, len(images), final_acc))
    return final_acc


torch.manual_seed(0)
model = Net()
if os.path.exists(weights):
    model.load_state_dict(read_safetensors(weights))
else:
    train(model)
    write_safetensors(weights, model.state_dict())
    print("Saved", weights)
model.eval()
test_images, test_labels = mnist("t10k")
test_images, test_labels = test_images[:limit], test_labels[:limit]
for eps in epsilons:
    test(model, test_images, test_labels, eps)
