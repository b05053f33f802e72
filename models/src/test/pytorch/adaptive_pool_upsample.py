from parity import *


def simple(method, title, java_build, m, dims, scale=3.0):
    """A parameterized F32/F64 test: the output and input gradient of the layer applied to scale * x."""
    print("    @ParameterizedTest")
    print('    @EnumSource(value = DType.class, names = {"F32", "F64"})')
    print("    void %s(DType dtype) {" % method)
    print("        // " + title + ", PyTorch 1.13")
    print("        Tensor x = tensor(dtype, 100, %s);" % ", ".join(map(str, dims)))
    print("        Tensor y = %s.forward(x.mul(%r));" % (java_build, scale))
    print("        backward(200, y);")
    x = tensor(100, *dims)
    y = m(x * scale)
    backward([y], [200])
    print()
    emit_values("output", "y", y)
    emit_values("input gradient", "x.grad()", x.grad)
    end_test()


simple("adaptiveAvgPoolWithUnevenWindows", "torch.nn.AdaptiveAvgPool2d((2, 3))(3 * x) on [1, 2, 5, 7]",
       "new AdaptiveAvgPool2d(2, 3)", torch.nn.AdaptiveAvgPool2d((2, 3)), [1, 2, 5, 7])
simple("adaptiveAvgPoolOfAnEvenlyDividedInput", "torch.nn.AdaptiveAvgPool2d(2)(3 * x) on [2, 1, 4, 6]",
       "new AdaptiveAvgPool2d(2)", torch.nn.AdaptiveAvgPool2d(2), [2, 1, 4, 6])
simple("adaptiveAvgPoolToMorePixelsThanTheInputHas", "torch.nn.AdaptiveAvgPool2d((4, 3))(3 * x) on [1, 2, 3, 2]",
       "new AdaptiveAvgPool2d(4, 3)", torch.nn.AdaptiveAvgPool2d((4, 3)), [1, 2, 3, 2])
simple("adaptiveMaxPoolWithUnevenWindows", "torch.nn.AdaptiveMaxPool2d((2, 3))(3 * x) on [1, 2, 5, 7]",
       "new AdaptiveMaxPool2d(2, 3)", torch.nn.AdaptiveMaxPool2d((2, 3)), [1, 2, 5, 7])
simple("adaptiveMaxPoolOfAnEvenlyDividedInput", "torch.nn.AdaptiveMaxPool2d(2)(3 * x) on [2, 1, 4, 6]",
       "new AdaptiveMaxPool2d(2)", torch.nn.AdaptiveMaxPool2d(2), [2, 1, 4, 6])
simple("adaptiveMaxPoolOfAnUnbatchedInput", "torch.nn.AdaptiveMaxPool2d(3)(3 * x) on unbatched [2, 4, 5]",
       "new AdaptiveMaxPool2d(3)", torch.nn.AdaptiveMaxPool2d(3), [2, 4, 5])
simple("upsampleNearestByTwo", "torch.nn.Upsample(scale_factor=2)(3 * x) on [1, 2, 2, 3]",
       "new Upsample(2)", torch.nn.Upsample(scale_factor=2), [1, 2, 2, 3])
simple("upsampleNearestByThree", "torch.nn.Upsample(scale_factor=3, mode='nearest')(3 * x) on [2, 1, 2, 2]",
       'new Upsample(3, "nearest")', torch.nn.Upsample(scale_factor=3, mode='nearest'), [2, 1, 2, 2])
simple("upsampleBilinearByTwo", "torch.nn.Upsample(scale_factor=2, mode='bilinear')(3 * x) on [1, 2, 3, 4]",
       'new Upsample(2, "bilinear")', torch.nn.Upsample(scale_factor=2, mode='bilinear'), [1, 2, 3, 4])
simple("upsampleBilinearOfASingleRow", "torch.nn.Upsample(scale_factor=3, mode='bilinear')(3 * x) on [1, 1, 1, 3]",
       'new Upsample(3, "bilinear")', torch.nn.Upsample(scale_factor=3, mode='bilinear'), [1, 1, 1, 3])
simple("upsampleBilinearWithAlignedCorners",
       "torch.nn.Upsample(scale_factor=3, mode='bilinear', align_corners=True)(3 * x) on [1, 1, 3, 2]",
       'new Upsample(3, "bilinear", true)', torch.nn.Upsample(scale_factor=3, mode='bilinear', align_corners=True),
       [1, 1, 3, 2])
simple("upsampleBilinearToASizeUpAndDown",
       "torch.nn.Upsample(size=(7, 3), mode='bilinear')(3 * x) on [1, 2, 4, 5]",
       'Upsample.toSize(7, 3, "bilinear", false)', torch.nn.Upsample(size=(7, 3), mode='bilinear'), [1, 2, 4, 5])
simple("upsampleBilinearToASizeWithAlignedCorners",
       "torch.nn.Upsample(size=(5, 2), mode='bilinear', align_corners=True)(3 * x) on [1, 1, 3, 4]",
       'Upsample.toSize(5, 2, "bilinear", true)', torch.nn.Upsample(size=(5, 2), mode='bilinear', align_corners=True),
       [1, 1, 3, 4])
simple("upsampleNearestToASizeUpAndDown", "torch.nn.Upsample(size=(7, 3))(3 * x) on [2, 1, 4, 5]",
       'Upsample.toSize(7, 3, "nearest", false)', torch.nn.Upsample(size=(7, 3)), [2, 1, 4, 5])
simple("upsampleNearestToAFloatRoundedSize", "torch.nn.Upsample(size=(20, 3))(3 * x) on [1, 1, 14, 2]",
       'Upsample.toSize(20, 3, "nearest", false)', torch.nn.Upsample(size=(20, 3)), [1, 1, 14, 2])
