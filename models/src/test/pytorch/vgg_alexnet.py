"""Prints TorchvisionVggAlexNetPyTorchParityTest's values: torchvision's VGG and AlexNet, layer for layer (torchvision
itself is not needed: its VGG, make_layers and AlexNet are written out below as torchvision 0.14 defines them, with
the classifier's hidden width, 4096 there, as a parameter so that the parity models stay small)."""
from parity import *
import torch.nn as nn

CFGS = {
    11: [64, "M", 128, "M", 256, 256, "M", 512, 512, "M", 512, 512, "M"],
    13: [64, 64, "M", 128, 128, "M", 256, 256, "M", 512, 512, "M", 512, 512, "M"],
    16: [64, 64, "M", 128, 128, "M", 256, 256, 256, "M", 512, 512, 512, "M", 512, 512, 512, "M"],
    19: [64, 64, "M", 128, 128, "M", 256, 256, 256, 256, "M", 512, 512, 512, 512, "M", 512, 512, 512, 512, "M"],
}


def make_layers(cfg, batch_norm, in_channels):
    layers = []
    for v in cfg:
        if v == "M":
            layers += [nn.MaxPool2d(kernel_size=2, stride=2)]
        else:
            conv2d = nn.Conv2d(in_channels, v, kernel_size=3, padding=1)
            layers += [conv2d, nn.BatchNorm2d(v), nn.ReLU(inplace=True)] if batch_norm else [conv2d, nn.ReLU(inplace=True)]
            in_channels = v
    return nn.Sequential(*layers)


class VGG(nn.Module):
    def __init__(self, depth, batch_norm, in_channels, num_classes, hidden=4096, dropout=0.5):
        super().__init__()
        self.features = make_layers(CFGS[depth], batch_norm, in_channels)
        self.avgpool = nn.AdaptiveAvgPool2d((7, 7))
        self.classifier = nn.Sequential(
            nn.Linear(512 * 7 * 7, hidden), nn.ReLU(True), nn.Dropout(p=dropout),
            nn.Linear(hidden, hidden), nn.ReLU(True), nn.Dropout(p=dropout),
            nn.Linear(hidden, num_classes))

    def forward(self, x):
        return self.classifier(torch.flatten(self.avgpool(self.features(x)), 1))


class AlexNet(nn.Module):
    def __init__(self, in_channels, num_classes, hidden=4096, dropout=0.5):
        super().__init__()
        self.features = nn.Sequential(
            nn.Conv2d(in_channels, 64, kernel_size=11, stride=4, padding=2), nn.ReLU(inplace=True),
            nn.MaxPool2d(kernel_size=3, stride=2),
            nn.Conv2d(64, 192, kernel_size=5, padding=2), nn.ReLU(inplace=True),
            nn.MaxPool2d(kernel_size=3, stride=2),
            nn.Conv2d(192, 384, kernel_size=3, padding=1), nn.ReLU(inplace=True),
            nn.Conv2d(384, 256, kernel_size=3, padding=1), nn.ReLU(inplace=True),
            nn.Conv2d(256, 256, kernel_size=3, padding=1), nn.ReLU(inplace=True),
            nn.MaxPool2d(kernel_size=3, stride=2))
        self.avgpool = nn.AdaptiveAvgPool2d((6, 6))
        self.classifier = nn.Sequential(
            nn.Dropout(p=dropout), nn.Linear(256 * 6 * 6, hidden), nn.ReLU(inplace=True),
            nn.Dropout(p=dropout), nn.Linear(hidden, hidden), nn.ReLU(inplace=True),
            nn.Linear(hidden, num_classes))

    def forward(self, x):
        return self.classifier(torch.flatten(self.avgpool(self.features(x)), 1))


def spread(t, n=12):
    """n elements spread over t: those at k * (numel // n), as the Java test's spread()."""
    flat = t.detach().reshape(-1)
    step = max(1, flat.numel() // n)
    return flat[::step][:n]


def keys(name, comment, m):
    print("    // " + comment)
    print("    private static final String[] %s = {" % name)
    for k, v in m.state_dict().items():
        print('            "%s %s",' % (k, list(v.shape)))
    print("    };")
    print()


def assert_close(label, expr, t):
    print('            assertClose("%s", %s,\n                    %s);' % (label, expr, fmt(t.detach().reshape(-1)).replace("\n    ", "\n        ")))


def count(m):
    return sum(p.numel() for p in m.parameters())


if __name__ == "__main__":
    torch.set_default_dtype(torch.float32)
    keys("VGG11_KEYS", "state_dict keys and shapes of torchvision.models.vgg11(num_classes=10)", VGG(11, False, 3, 10))
    keys("VGG16_BN_KEYS", "state_dict keys and shapes of torchvision.models.vgg16_bn(num_classes=10)", VGG(16, True, 3, 10))
    keys("ALEXNET_KEYS", "state_dict keys and shapes of torchvision.models.alexnet(num_classes=10)", AlexNet(3, 10))
    for depth in [11, 13, 16, 19]:
        for bn in [False, True]:
            print("    // vgg%d%s: %d parameters at 1000 classes" % (depth, "_bn" if bn else "", count(VGG(depth, bn, 3, 1000))))
    print("    // alexnet: %d parameters at 1000 classes" % count(AlexNet(3, 1000)))
    torch.set_default_dtype(torch.float64)

    print("\n    // vgg11_bn(num_classes=10) with a 64-wide classifier, its dropouts in evaluation")
    m = VGG(11, True, 3, 10, hidden=64)
    load(m)
    m.classifier.eval()
    x = tensor(100, 2, 3, 64, 64)
    y = m(x)
    backward([y], [200])
    assert_close("training-mode output", "y", y)
    assert_close("input gradient", "spread(x.grad())", spread(x.grad))
    for name in ["features.0.weight", "features.1.weight", "features.12.weight", "classifier.0.weight", "classifier.6.bias"]:
        p = dict(m.named_parameters())[name]
        assert_close("gradient of " + name, 'spread(grad(model, "%s"))' % name, spread(p.grad))
    assert_close("features.1.running_var after one step", 'spread(buffer(model, "features.1.running_var"))',
                 spread(m.features[1].running_var))
    m.eval()
    with torch.no_grad():
        assert_close("evaluation-mode output", "model.forward(x)", m(x))

    print("\n    // vgg11(num_classes=10) with a 64-wide classifier, in evaluation")
    m = VGG(11, False, 3, 10, hidden=64)
    load(m)
    m.eval()
    with torch.no_grad():
        assert_close("evaluation-mode output", "model.forward(x)", m(x))

    print("\n    // alexnet(num_classes=10) with a 64-wide classifier, its dropouts in evaluation")
    m = AlexNet(3, 10, hidden=64)
    load(m)
    m.eval()
    x = tensor(100, 2, 3, 64, 64)
    y = m(x)
    backward([y], [200])
    assert_close("output", "y", y)
    assert_close("input gradient", "spread(x.grad())", spread(x.grad))
    for name in ["features.0.weight", "features.10.bias", "classifier.1.weight", "classifier.6.weight"]:
        p = dict(m.named_parameters())[name]
        assert_close("gradient of " + name, 'spread(grad(model, "%s"))' % name, spread(p.grad))
