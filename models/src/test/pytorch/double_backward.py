"""Prints the whole of DoubleBackwardPyTorchParityTest: second derivatives through torch.autograd.grad with
create_graph=True against PyTorch 1.13 (Debian's /usr/bin/python3): the Hessian of a small MLP's cross-entropy over its
flattened parameters (torch.autograd.functional.hessian), Hessian-vector products of an nn.Sequential MLP's and of a
small CNN's (convolution, batch norm in training, tanh, max pooling, linear) cross-entropy, and the critic loss of
WGAN-GP with its gradient penalty, back-propagated into the critic, for an MLP critic and a CNN critic (strided and
grouped convolutions, LeakyReLU, InstanceNorm2d, linear) and a two-layer bidirectional LSTM critic (whole recurrent
sequences differentiated twice).

    /usr/bin/python3 double_backward.py > ../java/dev/kiln/nn/DoubleBackwardPyTorchParityTest.java
"""
import torch
import torch.nn as nn
import torch.nn.functional as F

from parity import fmt, load, pattern, tensor

HEADER = '''package dev.kiln.nn;

import static dev.kiln.nn.PyTorchParity.assertValues;
import static dev.kiln.nn.PyTorchParity.key;
import static dev.kiln.nn.PyTorchParity.load;
import static dev.kiln.nn.PyTorchParity.values;

import dev.kiln.engine.Autograd;
import dev.kiln.engine.AutogradFunctional;
import dev.kiln.engine.DType;
import dev.kiln.engine.F;
import dev.kiln.engine.GradOptions;
import dev.kiln.engine.Scope;
import dev.kiln.engine.Tensor;
import dev.kiln.engine.UnaryOp;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Second derivatives through {@link Autograd#grad} with {@code createGraph} against PyTorch's own numbers (printed, the
 * whole file, by {@code models/src/test/pytorch/double_backward.py}): the Hessian of an MLP's cross-entropy (tanh
 * hidden layer) over its flattened parameters, a Hessian-vector product of a {@link Sequential} MLP's cross-entropy
 * (its Linear and Tanh fused into one op), and WGAN-GP's critic loss with its gradient penalty, whose gradients reach
 * the critic's weights through the gradient of its output with respect to its input (an MLP, a CNN and a two-layer
 * bidirectional {@link LSTM} critic).
 */
class DoubleBackwardPyTorchParityTest {
    private Scope scope;

    @BeforeEach
    void open() {
        scope = Scope.open();
    }

    @AfterEach
    void close() {
        scope.close();
    }

    private static Tensor targets(long... classes) {
        return Tensor.fromArray(classes, classes.length);
    }'''

MLP_TARGETS = [0, 1, 1, 0]
SEQ_TARGETS = [2, 0, 1, 1, 0]


def mlp_loss(theta, x, t):
    w1 = theta[0:6].reshape(3, 2)
    b1 = theta[6:9]
    w2 = theta[9:15].reshape(2, 3)
    b2 = theta[15:17]
    return F.cross_entropy(F.linear(torch.tanh(F.linear(x, w1, b1)), w2, b2), t)


def hessian_of_mlp():
    theta = pattern(17, 1)
    x = 2 * tensor(11, 4, 2, grad=False)
    t = torch.tensor(MLP_TARGETS)
    h = torch.autograd.functional.hessian(lambda p: mlp_loss(p, x, t), theta)
    print('''
    @Test
    void theHessianOfAnMlpsCrossEntropyOverItsParameters() {
        // torch.autograd.functional.hessian(loss, theta), PyTorch 1.13: theta = pattern(17, 1) holds W1 [3, 2], b1 [3],
        // W2 [2, 3], b2 [2]; loss = F.cross_entropy(F.linear(tanh(F.linear(2 x, W1, b1)), W2, b2), t)
        Tensor x = values(11, 4, 2).mul(2.0);
        Tensor t = targets(%s);
        Tensor h = AutogradFunctional.hessian(theta -> F.crossEntropy(F.linear(F.linear(x,
                theta.narrow(0, 0, 6).reshape(3, 2), theta.narrow(0, 6, 3), UnaryOp.TANH, 0),
                theta.narrow(0, 9, 6).reshape(2, 3), theta.narrow(0, 15, 2)), t), values(1, 17));

        assertValues("Hessian", h,
                %s);
    }''' % (", ".join(str(c) for c in MLP_TARGETS), fmt(h.reshape(-1))))


def hvp_of_sequential():
    model = nn.Sequential(nn.Linear(3, 4), nn.Tanh(), nn.Linear(4, 3))
    load(model)
    x = tensor(11, 5, 3, grad=False)
    t = torch.tensor(SEQ_TARGETS)
    params = list(model.parameters())
    loss = F.cross_entropy(model(x), t)
    grads = torch.autograd.grad(loss, params, create_graph=True)
    vectors = [pattern(p.numel(), 20 + i).reshape(p.shape) for i, p in enumerate(params)]
    dot = sum((g * v).sum() for g, v in zip(grads, vectors))
    hv = torch.autograd.grad(dot, params)
    names = [n for n, _ in model.named_parameters()]
    print('''
    @ParameterizedTest
    @EnumSource(value = DType.class, names = {"F32", "F64"})
    void aHessianVectorProductOfASequentialMlpsCrossEntropy(DType dtype) {
        // g = torch.autograd.grad(F.cross_entropy(model(x), t), params, create_graph=True), then
        // torch.autograd.grad(sum((g_i * v_i).sum()), params) with v_i = pattern(numel, 20 + i), PyTorch 1.13
        Sequential model = (Sequential) new Sequential(new Linear(3, 4), new Tanh(), new Linear(4, 3)).to(dtype);
        load(model,
                key("0.weight", 1, 4, 3),
                key("0.bias", 2, 4),
                key("2.weight", 3, 3, 4),
                key("2.bias", 4, 3));
        Map<String, Tensor> named = model.namedParameters();
        List<Tensor> params = List.of(named.get("0.weight"), named.get("0.bias"), named.get("2.weight"),
                named.get("2.bias"));
        Tensor loss = new CrossEntropyLoss().compute(model.forward(values(11, 5, 3).to(dtype)), targets(%s));
        List<Tensor> g = Autograd.grad(loss, params, GradOptions.DEFAULT.withCreateGraph());
        Tensor dot = null;
        for (int i = 0; i < params.size(); i++) {
            Tensor v = values(20 + i, params.get(i).shape().dims()).to(dtype);
            Tensor term = g.get(i).mul(v).sum();
            dot = dot == null ? term : dot.add(term);
        }
        List<Tensor> hv = Autograd.grad(dot, params);

        assertValues("loss", loss, %s);''' % (", ".join(str(c) for c in SEQ_TARGETS), repr(float(loss))))
    for i, (name, h) in enumerate(zip(names, hv)):
        print('''        assertValues("Hessian times v of %s", hv.get(%d),
                %s);''' % (name, i, fmt(h.reshape(-1))))
    print("    }")


def wgan_gp():
    critic = nn.Sequential(nn.Linear(3, 4), nn.LeakyReLU(0.2), nn.Linear(4, 1))
    load(critic)
    real = tensor(12, 5, 3, grad=False)
    fake = tensor(13, 5, 3, grad=False)
    alpha = tensor(14, 5, 1, grad=False) + 0.5
    mixed = (alpha * real + (1 - alpha) * fake).requires_grad_(True)
    score = critic(mixed)
    grads = torch.autograd.grad(score, mixed, grad_outputs=torch.ones_like(score), create_graph=True)[0]
    penalty = 10 * ((grads.norm(2, dim=1) - 1) ** 2).mean()
    loss = critic(fake).mean() - critic(real).mean() + penalty
    loss.backward()
    print('''
    @ParameterizedTest
    @EnumSource(value = DType.class, names = {"F32", "F64"})
    void theWganGpCriticLossTrainsTheCriticThroughItsGradientPenalty(DType dtype) {
        // mixed = alpha real + (1 - alpha) fake; g = torch.autograd.grad(critic(mixed), mixed, ones, create_graph=True);
        // loss = critic(fake).mean() - critic(real).mean() + 10 ((g.norm(2, dim=1) - 1) ** 2).mean(); loss.backward(),
        // PyTorch 1.13
        Sequential critic = (Sequential) new Sequential(new Linear(3, 4), new LeakyReLU(0.2), new Linear(4, 1)).to(dtype);
        load(critic,
                key("0.weight", 1, 4, 3),
                key("0.bias", 2, 4),
                key("2.weight", 3, 1, 4),
                key("2.bias", 4, 1));
        Tensor real = values(12, 5, 3).to(dtype);
        Tensor fake = values(13, 5, 3).to(dtype);
        Tensor alpha = values(14, 5, 1).add(0.5).to(dtype);
        Tensor mixed = alpha.mul(real).add(alpha.neg().add(1).mul(fake)).requiresGrad(true);
        Tensor score = critic.forward(mixed);
        Tensor g = Autograd.grad(List.of(score), List.of(mixed), List.of(score.fullLike(1)),
                GradOptions.DEFAULT.withCreateGraph()).get(0);
        Tensor penalty = g.norm(2, new int[] {1}, false).sub(1).square().mean().mul(10.0);
        Tensor loss = critic.forward(fake).mean().sub(critic.forward(real).mean()).add(penalty);
        loss.backward();

        assertValues("penalty", penalty, %s);
        assertValues("loss", loss, %s);''' % (repr(float(penalty)), repr(float(loss))))
    for name, p in critic.named_parameters():
        print('''        assertValues("gradient of %s", critic.namedParameters().get("%s").grad(),
                %s);''' % (name, name, fmt(p.grad.reshape(-1))))
    print("    }")


CNN_TARGETS = [2, 0, 1, 2]


def hvp_of_cnn():
    model = nn.Sequential(nn.Conv2d(1, 3, 3, padding=1), nn.BatchNorm2d(3), nn.Tanh(), nn.MaxPool2d(2), nn.Flatten(),
                          nn.Linear(12, 3))
    keys = load(model)
    x = tensor(15, 4, 1, 4, 4, grad=False)
    t = torch.tensor(CNN_TARGETS)
    params = list(model.parameters())
    loss = F.cross_entropy(model(x), t)
    grads = torch.autograd.grad(loss, params, create_graph=True)
    vectors = [pattern(p.numel(), 20 + i).reshape(p.shape) for i, p in enumerate(params)]
    dot = sum((g * v).sum() for g, v in zip(grads, vectors))
    hv = torch.autograd.grad(dot, params)
    print('''
    @ParameterizedTest
    @EnumSource(value = DType.class, names = {"F32", "F64"})
    void aHessianVectorProductOfASmallCnnsCrossEntropy(DType dtype) {
        // A CNN in training mode (batch statistics): g = torch.autograd.grad(F.cross_entropy(model(x), t), params,
        // create_graph=True), then torch.autograd.grad(sum((g_i * v_i).sum()), params) with
        // v_i = pattern(numel, 20 + i), PyTorch 1.13; Kiln runs BatchNorm2d and Tanh as one fused op
        Sequential model = (Sequential) new Sequential(new Conv2d(1, 3, 3, 1, 1, 1, true), new BatchNorm2d(3),
                new Tanh(), new MaxPool2d(2), new Flatten(), new Linear(12, 3)).to(dtype);
        load(model,
                %s);
        Map<String, Tensor> named = model.namedParameters();
        List<Tensor> params = List.of(%s);
        Tensor loss = new CrossEntropyLoss().compute(model.forward(values(15, 4, 1, 4, 4).to(dtype)),
                targets(%s));
        List<Tensor> g = Autograd.grad(loss, params, GradOptions.DEFAULT.withCreateGraph());
        Tensor dot = null;
        for (int i = 0; i < params.size(); i++) {
            Tensor v = values(20 + i, params.get(i).shape().dims()).to(dtype);
            Tensor term = g.get(i).mul(v).sum();
            dot = dot == null ? term : dot.add(term);
        }
        List<Tensor> hv = Autograd.grad(dot, params);

        assertValues("loss", loss, %s);''' % (keys_java(keys), named_java(model),
                                                ", ".join(str(c) for c in CNN_TARGETS), repr(float(loss))))
    for i, ((name, _), h) in enumerate(zip(model.named_parameters(), hv)):
        print('''        assertValues("Hessian times v of %s", hv.get(%d),
                %s);''' % (name, i, fmt(h.reshape(-1))))
    print("    }")


def wgan_gp_cnn():
    critic = nn.Sequential(nn.Conv2d(2, 4, 3, stride=2, padding=1), nn.LeakyReLU(0.2),
                           nn.Conv2d(4, 4, 3, padding=1, groups=2), nn.InstanceNorm2d(4, affine=True),
                           nn.LeakyReLU(0.2), nn.Flatten(), nn.Linear(36, 1))
    keys = load(critic)
    real = tensor(12, 5, 2, 6, 6, grad=False)
    fake = tensor(13, 5, 2, 6, 6, grad=False)
    alpha = tensor(14, 5, 1, 1, 1, grad=False) + 0.5
    mixed = (alpha * real + (1 - alpha) * fake).requires_grad_(True)
    score = critic(mixed)
    grads = torch.autograd.grad(score, mixed, grad_outputs=torch.ones_like(score), create_graph=True)[0]
    penalty = 10 * ((grads.reshape(5, -1).norm(2, dim=1) - 1) ** 2).mean()
    loss = critic(fake).mean() - critic(real).mean() + penalty
    loss.backward()
    print('''
    @ParameterizedTest
    @EnumSource(value = DType.class, names = {"F32", "F64"})
    void theWganGpLossTrainsACnnCriticThroughItsGradientPenalty(DType dtype) {
        // The critic: a strided convolution, LeakyReLU (Kiln fuses the two), a grouped convolution, InstanceNorm2d with
        // its affine, LeakyReLU, a linear layer. mixed = alpha real + (1 - alpha) fake; g = torch.autograd.grad(
        // critic(mixed), mixed, ones, create_graph=True); loss = critic(fake).mean() - critic(real).mean()
        // + 10 ((g.reshape(5, -1).norm(2, dim=1) - 1) ** 2).mean(); loss.backward(), PyTorch 1.13
        Sequential critic = (Sequential) new Sequential(new Conv2d(2, 4, 3, 2, 1, 1, true), new LeakyReLU(0.2),
                new Conv2d(4, 4, new int[] {3}, new int[] {1}, new int[] {1}, new int[] {1}, 2, true),
                new InstanceNorm2d(4, 1e-5, 0.1, true, false), new LeakyReLU(0.2), new Flatten(), new Linear(36, 1))
                .to(dtype);
        load(critic,
                %s);
        Tensor real = values(12, 5, 2, 6, 6).to(dtype);
        Tensor fake = values(13, 5, 2, 6, 6).to(dtype);
        Tensor alpha = values(14, 5, 1, 1, 1).add(0.5).to(dtype);
        Tensor mixed = alpha.mul(real).add(alpha.neg().add(1).mul(fake)).requiresGrad(true);
        Tensor score = critic.forward(mixed);
        Tensor g = Autograd.grad(List.of(score), List.of(mixed), List.of(score.fullLike(1)),
                GradOptions.DEFAULT.withCreateGraph()).get(0);
        Tensor penalty = g.reshape(5, -1).norm(2, new int[] {1}, false).sub(1).square().mean().mul(10.0);
        Tensor loss = critic.forward(fake).mean().sub(critic.forward(real).mean()).add(penalty);
        loss.backward();

        assertValues("penalty", penalty, %s);
        assertValues("loss", loss, %s);''' % (keys_java(keys), repr(float(penalty)), repr(float(loss))))
    for name, p in critic.named_parameters():
        print('''        assertValues("gradient of %s", critic.namedParameters().get("%s").grad(),
                %s);''' % (name, name, fmt(p.grad.reshape(-1))))
    print("    }")


class LstmCritic(nn.Module):
    """A two-layer bidirectional LSTM whose output at the last step a linear head scores."""

    def __init__(self):
        super().__init__()
        self.lstm = nn.LSTM(3, 2, num_layers=2, bidirectional=True)
        self.head = nn.Linear(4, 1)

    def forward(self, x):
        return self.head(self.lstm(x)[0][-1])


def wgan_gp_lstm():
    critic = LstmCritic()
    keys = load(critic)
    real = tensor(12, 4, 2, 3, grad=False)
    fake = tensor(13, 4, 2, 3, grad=False)
    alpha = tensor(14, 1, 2, 1, grad=False) + 0.5
    mixed = (alpha * real + (1 - alpha) * fake).requires_grad_(True)
    score = critic(mixed)
    grads = torch.autograd.grad(score, mixed, grad_outputs=torch.ones_like(score), create_graph=True)[0]
    penalty = 10 * ((grads.norm(2, dim=(0, 2)) - 1) ** 2).mean()
    loss = critic(fake).mean() - critic(real).mean() + penalty
    loss.backward()
    print('''
    @ParameterizedTest
    @EnumSource(value = DType.class, names = {"F32", "F64"})
    void theWganGpCriticLossTrainsAnLstmCriticThroughItsGradientPenalty(DType dtype) {
        // critic(x) = head(lstm(x)[0][-1]), nn.LSTM(3, 2, num_layers=2, bidirectional=True), head nn.Linear(4, 1);
        // x [time 4, batch 2, 3]; mixed and loss as above with the gradient's norm over time and features,
        // g.norm(2, dim=(0, 2)); loss.backward(), PyTorch 1.13
        LSTM lstm = (LSTM) LSTM.builder(3, 2).layers(2).bidirectional(true).build().to(dtype);
        Linear head = (Linear) new Linear(4, 1).to(dtype);
        load(lstm,
                %s);
        load(head,
                %s);
        Function<Tensor, Tensor> critic = x -> head.forward(lstm.forward(x).narrow(0, 3, 1).reshape(2, 4));
        Tensor real = values(12, 4, 2, 3).to(dtype);
        Tensor fake = values(13, 4, 2, 3).to(dtype);
        Tensor alpha = values(14, 1, 2, 1).add(0.5).to(dtype);
        Tensor mixed = alpha.mul(real).add(alpha.neg().add(1).mul(fake)).requiresGrad(true);
        Tensor score = critic.apply(mixed);
        Tensor g = Autograd.grad(List.of(score), List.of(mixed), List.of(score.fullLike(1)),
                GradOptions.DEFAULT.withCreateGraph()).get(0);
        Tensor penalty = g.norm(2, new int[] {0, 2}, false).sub(1).square().mean().mul(10.0);
        Tensor loss = critic.apply(fake).mean().sub(critic.apply(real).mean()).add(penalty);
        loss.backward();

        assertValues("penalty", penalty, %s);
        assertValues("loss", loss, %s);''' % (keys_java([(n[len("lstm."):], s, d) for n, s, d in keys if n.startswith("lstm.")]),
                                              keys_java([(n[len("head."):], s, d) for n, s, d in keys if n.startswith("head.")]),
                                              repr(float(penalty)), repr(float(loss))))
    for name, p in critic.named_parameters():
        module, param = name.split(".", 1)
        print('''        assertValues("gradient of %s", %s.namedParameters().get("%s").grad(),
                %s);''' % (name, module, param, fmt(p.grad.reshape(-1))))
    print("    }")


def named_java(model):
    gets = ['named.get("%s")' % n for n, _ in model.named_parameters()]
    return ",\n                ".join(", ".join(gets[i:i + 3]) for i in range(0, len(gets), 3))


def keys_java(keys):
    return ",\n                ".join('key("%s", %d%s)' % (n, s, "".join(", %d" % d for d in shape))
                                      for n, s, shape in keys)


print(HEADER)
hessian_of_mlp()
hvp_of_sequential()
wgan_gp()
hvp_of_cnn()
wgan_gp_cnn()
wgan_gp_lstm()
print("}")
