"""Prints the whole of WganGpPyTorchParityTest: WGAN-GP (Gulrajani et al. 2017) on the networks of dcgan.py with the
critic's batch norm replaced by layer norm (nn.GroupNorm(1, 2F), the paper code's layer norm) or dropped, trained by
the paper's Algorithm 1 (n_critic 5, lambda 10, Adam lr 1e-4 betas (0, 0.9); the critic's updates on generator images
made without a graph, the generator's on fresh noise) in float64. The mixing weights eps of the penalty's images are
pattern values + 0.5 (in [0, 1]) instead of draws, so that Kiln can use the same ones.
Run: /usr/bin/python3 wgan_gp.py > ../java/dev/kiln/gan/WganGpPyTorchParityTest.java"""
from parity import *
import torch.nn as nn

LATENT, F, C, H, W, BATCH = 3, 2, 2, 8, 12, 4
N_CRITIC, LAMBDA, LR, BETAS = 5, 10.0, 1e-4, (0.0, 0.9)


class Dcgan(nn.Module):
    def __init__(self, norm):
        super().__init__()
        inner = (H // 4, W // 4)
        self.generator = nn.Sequential(
            nn.Unflatten(1, (LATENT, 1, 1)),
            nn.ConvTranspose2d(LATENT, 2 * F, inner, 1, 0, bias=False), nn.BatchNorm2d(2 * F), nn.ReLU(),
            nn.ConvTranspose2d(2 * F, F, 4, 2, 1, bias=False), nn.BatchNorm2d(F), nn.ReLU(),
            nn.ConvTranspose2d(F, C, 4, 2, 1, bias=False), nn.Tanh())
        middle = [nn.GroupNorm(1, 2 * F)] if norm == "layer" else []
        self.discriminator = nn.Sequential(
            nn.Conv2d(C, F, 4, 2, 1, bias=False), nn.LeakyReLU(0.2),
            nn.Conv2d(F, 2 * F, 4, 2, 1, bias=False), *middle, nn.LeakyReLU(0.2),
            nn.Conv2d(2 * F, 1, inner, 1, 0, bias=False), nn.Flatten())


def spread(t, n=12):
    """n elements spread over t: those at k * (numel // n), as the Java test's spread()."""
    flat = t.detach().reshape(-1)
    step = max(1, flat.numel() // n)
    return flat[::step][:n].clone()


def wrapped(values, indent=20, width=120):
    """The values' reprs, comma-separated, in lines of at most width characters after indent spaces."""
    lines, line = [], ""
    for p in [repr(float(v)) for v in values]:
        if line and indent + len(line) + len(p) + 2 > width:
            lines.append(line.rstrip())
            line = ""
        line += p + ", "
    lines.append(line.rstrip().rstrip(","))
    return ("\n" + " " * indent).join(lines)


def assertion(label, java_expr, values):
    head = '            assertClose("%s", %s,' % (label, java_expr)
    if len(head) > 120:
        head = '            assertClose("%s",\n                    %s,' % (label, java_expr)
    return head + '\n                    %s);' % wrapped(values)


def critic_update(m, opt_d, seed):
    """One critic update of Algorithm 1 on real images, noise and eps from pattern seeds seed, seed + 1, seed + 2."""
    real = tensor(seed, BATCH, C, H, W, grad=False)
    with torch.no_grad():
        fake = m.generator(tensor(seed + 1, BATCH, LATENT, grad=False))
    eps = (tensor(seed + 2, BATCH, grad=False) + 0.5).reshape(BATCH, 1, 1, 1)
    m.discriminator.zero_grad()
    d_real = m.discriminator(real).mean()
    d_fake = m.discriminator(fake).mean()
    between = (eps * real + (1 - eps) * fake).requires_grad_(True)
    scores = m.discriminator(between)
    g = torch.autograd.grad(scores, between, torch.ones_like(scores), create_graph=True)[0]
    penalty = LAMBDA * ((g.reshape(BATCH, -1).norm(2, dim=1) - 1) ** 2).mean()
    loss = d_fake - d_real + penalty
    loss.backward()
    opt_d.step()
    return loss, d_real - d_fake, penalty


def generator_update(m, opt_g, seed):
    m.generator.zero_grad()
    loss = -m.discriminator(m.generator(tensor(seed, BATCH, LATENT, grad=False))).mean()
    loss.backward()
    opt_g.step()
    return loss


def full_steps(norm, steps, method, title):
    m = Dcgan(norm)
    load(m)
    opt_g = torch.optim.Adam(m.generator.parameters(), LR, betas=BETAS)
    opt_d = torch.optim.Adam(m.discriminator.parameters(), LR, betas=BETAS)
    print('''
    @Test
    void %s() {
        // %s
        try (Dcgan model = model(Dcgan.DiscriminatorNorm.%s);
             Optimizer generatorAdam = adam(model.generator());
             Optimizer discriminatorAdam = adam(model.discriminator())) {
            GanTrainer trainer = new GanTrainer(model, seededEps(), generatorAdam, discriminatorAdam)
                    .criticSteps(%d);''' % (method, title, norm.upper(), N_CRITIC))
    for step in range(1, steps + 1):
        for t in range(1, N_CRITIC + 1):
            seed = 100 + 3 * ((step - 1) * N_CRITIC + t - 1)
            loss, wasserstein, penalty = critic_update(m, opt_d, seed)
            label = "critic update %d of step %d" % (t, step)
            print('            DiscriminatorLoss critic%d%d = criticUpdate(model, trainer, %d);' % (step, t, seed))
            print(assertion("loss of " + label, "critic%d%d.loss()" % (step, t), [loss]))
            print(assertion("Wasserstein estimate of " + label,
                            "critic%d%d.terms().get(WganGpLoss.WASSERSTEIN)" % (step, t), [wasserstein]))
            print(assertion("gradient penalty of " + label, "critic%d%d.terms().get(WganGpLoss.PENALTY)" % (step, t),
                            [penalty]))
        seed = 200 + step
        loss = generator_update(m, opt_g, seed)
        print(assertion("generator loss of step %d" % step,
                        "trainer.generatorStep(PyTorchParity.values(%d, %d, %d))" % (seed, BATCH, LATENT), [loss]))
        if step == 1:
            # The critic's gradients are its last update's plus what the generator's backward pass added.
            for n, p in m.named_parameters():
                print(assertion("gradient of %s after step 1" % n, 'spread(grad(model, "%s"))' % n, spread(p.grad)))
    for n, p in m.named_parameters():
        print(assertion("%s after %d steps" % (n, steps), 'spread(model.namedParameters().get("%s"))' % n, spread(p)))
    for n, b in m.named_buffers():
        if "running" in n:
            print(assertion("%s after %d steps" % (n, steps), 'spread(model.namedBuffers().get("%s"))' % n, spread(b)))
    print('''        }
    }''')


def keys_of(norm):
    return ",\n".join('            "%s %s"' % (k, list(v.shape)) for k, v in Dcgan(norm).state_dict().items()
                      if k.startswith("discriminator"))


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
import dev.kiln.nn.Module;
import dev.kiln.nn.PyTorchParity;
import dev.kiln.optim.Adam;
import dev.kiln.optim.Optimizer;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * {@link WganGpLoss} and {@link GanTrainer} with {@link GanTrainer#criticSteps} 5 against PyTorch: the networks of
 * {@link DcganPyTorchParityTest} (latent 3, 2 feature maps, 2 x 8 x 12 images) with the critic's batch norm replaced
 * by layer norm ({@code nn.GroupNorm(1, 4)}) or dropped, the same state-dict keys, and full steps of Algorithm 1 of
 * Gulrajani et al. (2017): five critic updates, each on a real batch and the generator's images of its own noise with
 * lambda 10, then a generator update on fresh noise, Adam lr 1e-4 betas (0, 0.9) for both. Each critic update's loss,
 * Wasserstein estimate and gradient penalty, each generator loss, the gradients after the first step and the weights
 * and batch-norm statistics after the last are PyTorch's, in F64 with weights, images, noise and the penalty's mixing
 * weights eps (pattern + 0.5, in [0, 1]) from {@code 0.5 sin(0.7 k + 1.3 seed + 0.1)}. Printed whole by
 * {@code models/src/test/pytorch/wgan_gp.py} (PyTorch 1.13).
 */
class WganGpPyTorchParityTest {
    // state_dict keys and shapes of PyTorch's critics (the discriminator nn.Sequential, with GroupNorm(1, 4) or none)
    private static final String[] LAYER_NORM_KEYS = {
%s,
    };
    private static final String[] NO_NORM_KEYS = {
%s,
    };

    private final Deque<Tensor> eps = new ArrayDeque<>();
    private Scope scope;

    @BeforeEach
    void setUp() {
        Engine.seed(1);
        scope = Scope.open();
    }

    @AfterEach
    void tearDown() {
        scope.close();
    }

    @Test
    void aLayerNormCriticHasTheKeysAndShapesOfPyTorchsWithGroupNorm() {
        try (Dcgan model = model(Dcgan.DiscriminatorNorm.LAYER)) {
            assertEquals(List.of(LAYER_NORM_KEYS), discriminatorKeys(model));
        }
    }

    @Test
    void aCriticWithoutNormHasTheKeysAndShapesOfPyTorchsWithout() {
        try (Dcgan model = model(Dcgan.DiscriminatorNorm.NONE)) {
            assertEquals(List.of(NO_NORM_KEYS), discriminatorKeys(model));
        }
    }''' % (keys_of("layer"), keys_of("none")))
full_steps("layer", 2, "twoFullStepsWithALayerNormCriticGivePyTorchsLossesGradientsWeightsAndStatistics",
           "Two steps of Algorithm 1 with the critic's layer norm, PyTorch 1.13")
full_steps("none", 1, "aFullStepWithACriticWithoutNormGivesPyTorchsLossesGradientsAndWeights",
           "One step of Algorithm 1 with a critic without norm, PyTorch 1.13")
print('''
    /** The networks in F64, each parameter in state-dict order i (from 1) set to pattern(numel, i) as by load(). */
    private static Dcgan model(Dcgan.DiscriminatorNorm norm) {
        Dcgan model = new Dcgan(%d, %d, %d, %d, %d, norm);
        model.to(DType.F64);
        loadPattern(model);
        return model;
    }

    private static List<String> discriminatorKeys(Dcgan model) {
        List<String> keys = new ArrayList<>();
        model.stateDict().forEach((k, v) -> {
            if (k.startsWith("discriminator")) {
                keys.add(k + " " + v.shape());
            }
        });
        return keys;
    }

    /** The paper's Adam for the module's parameters. */
    private static Optimizer adam(Module module) {
        return new Adam(module.trainableParameters(), WganGpLoss.LEARNING_RATE)
                .betas(WganGpLoss.BETA1, WganGpLoss.BETA2);
    }

    /** WGAN-GP with lambda 10 whose critic losses take their eps from {@link #eps} in turn instead of drawing them. */
    private GanLoss seededEps() {
        WganGpLoss wgan = new WganGpLoss(WganGpLoss.GP_WEIGHT);
        return new GanLoss() {
            @Override
            public String name() {
                return wgan.name();
            }

            @Override
            public List<String> termNames() {
                return wgan.termNames();
            }

            @Override
            public DiscriminatorLoss discriminatorLoss(Module critic, Tensor real, Tensor fake) {
                return wgan.discriminatorLoss(critic, real, fake, eps.removeFirst());
            }

            @Override
            public Tensor generatorLoss(Module critic, Tensor fake) {
                return wgan.generatorLoss(critic, fake);
            }
        };
    }

    /** A critic update on real images, noise and eps (pattern + 0.5) of pattern seeds seed, seed + 1 and seed + 2. */
    private DiscriminatorLoss criticUpdate(Dcgan model, GanTrainer trainer, int seed) {
        eps.add(PyTorchParity.values(seed + 2, %d).add(0.5));
        return trainer.discriminatorStep(PyTorchParity.values(seed, %d, %d, %d, %d), PyTorchParity.values(seed + 1, %d,
                model.latent()));
    }
}''' % (LATENT, F, C, H, W, BATCH, BATCH, C, H, W, BATCH))
