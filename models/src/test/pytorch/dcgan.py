"""Prints the whole of DcganPyTorchParityTest: PyTorch's DCGAN tutorial networks scaled as Kiln's Dcgan scales them
(two stride-2 stages; here latent 3, f = 2, 2 x 8 x 12 images), their state-dict keys and shapes, their outputs, and
two steps of the tutorial's training loop (BCE on logits, Adam lr 2e-4 betas (0.5, 0.999)) in float64.
Run: /usr/bin/python3 dcgan.py > ../java/dev/kiln/gan/DcganPyTorchParityTest.java"""
from parity import *
import torch.nn as nn

LATENT, F, C, H, W, BATCH = 3, 2, 2, 8, 12, 4


class Dcgan(nn.Module):
    def __init__(self):
        super().__init__()
        inner = (H // 4, W // 4)
        self.generator = nn.Sequential(
            nn.Unflatten(1, (LATENT, 1, 1)),
            nn.ConvTranspose2d(LATENT, 2 * F, inner, 1, 0, bias=False), nn.BatchNorm2d(2 * F), nn.ReLU(),
            nn.ConvTranspose2d(2 * F, F, 4, 2, 1, bias=False), nn.BatchNorm2d(F), nn.ReLU(),
            nn.ConvTranspose2d(F, C, 4, 2, 1, bias=False), nn.Tanh())
        self.discriminator = nn.Sequential(
            nn.Conv2d(C, F, 4, 2, 1, bias=False), nn.LeakyReLU(0.2),
            nn.Conv2d(F, 2 * F, 4, 2, 1, bias=False), nn.BatchNorm2d(2 * F), nn.LeakyReLU(0.2),
            nn.Conv2d(2 * F, 1, inner, 1, 0, bias=False), nn.Flatten())


def spread(t, n=12):
    """n elements spread over t: those at k * (numel // n), as the Java test's spread()."""
    flat = t.detach().reshape(-1)
    step = max(1, flat.numel() // n)
    return flat[::step][:n].clone()


def assertion(label, java_expr, values):
    return '        assertClose("%s", %s,\n                %s);' % (label, java_expr, fmt(values))


def step(m, opt_g, opt_d, real, noise):
    """The tutorial's loop body, with the sigmoid folded into BCEWithLogitsLoss."""
    bce = nn.BCEWithLogitsLoss()
    fake = m.generator(noise)
    m.discriminator.zero_grad()
    r = m.discriminator(real)
    f = m.discriminator(fake.detach())
    err_d = bce(r, torch.ones_like(r)) + bce(f, torch.zeros_like(f))
    err_d.backward()
    opt_d.step()
    m.generator.zero_grad()
    out = m.discriminator(fake)
    err_g = bce(out, torch.ones_like(out))
    err_g.backward()
    opt_g.step()
    return err_d, err_g


m = Dcgan()
keys = [(k, list(v.shape)) for k, v in m.state_dict().items()]
load(m)
real = tensor(100, BATCH, C, H, W, grad=False)
noise = tensor(101, BATCH, LATENT, grad=False)
with torch.no_grad():
    images = m.generator(noise)
    logits = m.discriminator(real)
m = Dcgan()
load(m)
opt_g = torch.optim.Adam(m.generator.parameters(), 2e-4, betas=(0.5, 0.999))
opt_d = torch.optim.Adam(m.discriminator.parameters(), 2e-4, betas=(0.5, 0.999))
err_d1, err_g1 = step(m, opt_g, opt_d, real, noise)
grads = [(n, spread(p.grad)) for n, p in m.named_parameters()]
err_d2, err_g2 = step(m, opt_g, opt_d, tensor(102, BATCH, C, H, W, grad=False), tensor(103, BATCH, LATENT, grad=False))
weights = [(n, spread(p)) for n, p in m.named_parameters()]
stats = [(n, spread(b)) for n, b in m.named_buffers() if "running" in n]

print('''package dev.kiln.gan;

import static dev.kiln.gan.GanParity.assertClose;
import static dev.kiln.gan.GanParity.grad;
import static dev.kiln.gan.GanParity.loadPattern;
import static dev.kiln.gan.GanParity.spread;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.kiln.engine.DType;
import dev.kiln.engine.Engine;
import dev.kiln.engine.Scope;
import dev.kiln.engine.Tensor;
import dev.kiln.nn.PyTorchParity;
import dev.kiln.optim.Optimizer;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * {@link Dcgan} and {@link GanTrainer#step} against PyTorch's DCGAN tutorial: its networks scaled as Dcgan scales
 * them (latent 3, 2 feature maps, 2 x 8 x 12 images: a 2 x 3 first kernel), the same state-dict keys and shapes, the
 * same outputs, and two steps of its training loop (BCE on logits, Adam lr 2e-4 betas (0.5, 0.999)) giving the same
 * losses, gradients (the discriminator's summing its own loss's and the generator's, as the tutorial's do), weights
 * and batch-norm running statistics, in F64 with weights, images and noise from
 * {@code 0.5 sin(0.7 k + 1.3 seed + 0.1)}. Printed whole by {@code models/src/test/pytorch/dcgan.py} (PyTorch 1.13).
 */
class DcganPyTorchParityTest {
    // state_dict keys and shapes of the PyTorch module (generator and discriminator nn.Sequentials)
    private static final String[] PYTORCH_KEYS = {''')
for k, shape in keys:
    print('            "%s %s",' % (k, shape))
print('''    };

    private Scope scope;
    private Dcgan model;

    @BeforeEach
    void setUp() {
        Engine.seed(1);
        scope = Scope.open();
        model = new Dcgan(%d, %d, %d, %d, %d);
        model.to(DType.F64);
        loadPattern(model);
    }

    @AfterEach
    void tearDown() {
        model.close();
        scope.close();
    }

    @Test
    void stateDictHasTheKeysAndShapesOfTheTutorialsSequentials() {
        List<String> keys = new ArrayList<>();
        model.stateDict().forEach((k, v) -> keys.add(k + " " + v.shape()));
        assertEquals(List.of(PYTORCH_KEYS), keys);
    }

    @Test
    void generatorAndDiscriminatorGiveTheTutorialsOutputs() {''' % (LATENT, F, C, H, W))
print('        Tensor noise = PyTorchParity.values(101, %d, %d);' % (BATCH, LATENT))
print('        Tensor real = PyTorchParity.values(100, %d, %d, %d, %d);' % (BATCH, C, H, W))
print(assertion("generated images", "model.generate(noise)", images.reshape(-1)))
print(assertion("discriminator logits", "model.discriminate(real)", logits.reshape(-1)))
print('''    }

    @Test
    void twoTrainingStepsGiveTheTutorialsLossesGradientsWeightsAndStatistics() {
        try (Optimizer generatorAdam = GanTrainer.adam(model.generator().trainableParameters(), 2e-4);
             Optimizer discriminatorAdam = GanTrainer.adam(model.discriminator().trainableParameters(), 2e-4)) {
            GanTrainer trainer = new GanTrainer(model, new BceGanLoss(), generatorAdam, discriminatorAdam);''')
print('            GanTrainer.Step first = trainer.step(PyTorchParity.values(100, %d, %d, %d, %d),'
      ' PyTorchParity.values(101, %d, %d));' % (BATCH, C, H, W, BATCH, LATENT))
print("    " + assertion("first step's discriminator loss", "first.discriminatorLoss()", [err_d1]))
print("    " + assertion("first step's generator loss", "first.generatorLoss()", [err_g1]))
for n, g in grads:
    print("    " + assertion("gradient of %s after the first step" % n, 'spread(grad(model, "%s"))' % n, g))
print('            GanTrainer.Step second = trainer.step(PyTorchParity.values(102, %d, %d, %d, %d),'
      ' PyTorchParity.values(103, %d, %d));' % (BATCH, C, H, W, BATCH, LATENT))
print("    " + assertion("second step's discriminator loss", "second.discriminatorLoss()", [err_d2]))
print("    " + assertion("second step's generator loss", "second.generatorLoss()", [err_g2]))
for n, w in weights:
    print("    " + assertion("%s after two steps" % n, 'spread(model.namedParameters().get("%s"))' % n, w))
for n, s in stats:
    print("    " + assertion("%s after two steps" % n, 'spread(model.namedBuffers().get("%s"))' % n, s))
print('''        }
    }
}''')
