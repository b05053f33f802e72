"""PyTorch's "Save and Load the Model" tutorial (pytorch.org/tutorials/beginner/basics/saveloadrun_tutorial.html) on
the small VGG-like network examples/SaveLoad.java uses in place of torchvision's pretrained VGG16 (no such weights
here), with torch.manual_seed(0): the network's repr, its state dict's names and shapes, the loaded model's prediction
against the saved one's in eval mode, and two training-mode predictions (dropout on). BasicsExamplesTest checks the
example against these lines. Run: /usr/bin/python3 basics_saveload.py [WEIGHTS_FILE] (default model_weights.pth)."""
import sys

import torch
from torch import nn

torch.manual_seed(0)
weights = sys.argv[1] if len(sys.argv) > 1 else "model_weights.pth"


class SmallVGG(nn.Module):
    def __init__(self):
        super().__init__()
        self.features = nn.Sequential(
            nn.Conv2d(3, 16, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2, 2),
            nn.Conv2d(16, 32, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2, 2))
        self.avgpool = nn.AdaptiveAvgPool2d((2, 2))
        self.classifier = nn.Sequential(nn.Linear(32 * 2 * 2, 64), nn.ReLU(), nn.Dropout(0.5), nn.Linear(64, 10))

    def forward(self, x):
        x = self.features(x)
        x = self.avgpool(x)
        x = torch.flatten(x, 1)
        return self.classifier(x)


input_image = torch.rand(1, 3, 32, 32)

model = SmallVGG()
print(model)
for name, t in model.state_dict().items():
    print(name, list(t.shape))
torch.save(model.state_dict(), weights)
model.eval()
with torch.no_grad():
    saved = model(input_image)

model = SmallVGG()  # untrained
model.load_state_dict(torch.load(weights))
model.eval()
with torch.no_grad():
    print(f"The loaded model predicts as the saved one: {str(torch.equal(model(input_image), saved)).lower()}")
    model.train()
    print(f"In training mode, two predictions agree: {str(torch.equal(model(input_image), model(input_image))).lower()}")
