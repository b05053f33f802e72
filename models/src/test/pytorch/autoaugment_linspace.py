"""Prints the literals of AugmentPoliciesTest.binsAreTorchsF32LinspaceBitForBit: torch.linspace(start, end, steps) in
F32, the magnitude bins of torchvision's automatic augmentation policies (autoaugment.py's _augmentation_space), for
bin counts below, at and above 16, where torch 1.13's CPU kernel switches from its scalar loop to vectors of 8 lanes.

torch's F32 linspace is not the F32 rounding of start + (end - start) i / (steps - 1): its step is rounded to F32,
and its whole pixels can differ (TrivialAugmentWide's 15 bins give bin 7 a move of 15.999999 pixels, int 15, not 16).
The values depend on the CPU kernel torch dispatches to: these are from its default on x86, AVX2 (this script refuses
to run on another).
"""
import torch

assert "CPU capability usage: AVX2" in torch.__config__.show(), "run on torch's AVX2 kernels (its x86 default)"

CASES = [
    ("trivialTranslate15", 0.0, 32.0, 15),
    ("autoAugmentShear", 0.0, 0.3, 10),
    ("augMixTranslateX224", 0.0, 224 / 3.0, 10),
    ("randAugmentTranslateX32", 0.0, 150.0 / 331.0 * 32, 31),
    ("randAugmentSolarize", 255.0, 0.0, 31),
    ("trivialRotate", 0.0, 135.0, 31),
    ("enhance40", 0.0, 0.99, 40),
    ("randAugmentTranslateX224With64", 0.0, 150.0 / 331.0 * 224, 64),
]

for name, start, end, steps in CASES:
    values = torch.linspace(start, end, steps).tolist()
    print("double[] " + name + " = {" + ", ".join(repr(v) for v in values) + "};")
