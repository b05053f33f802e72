"""Prints MultiHeadAttentionTest's PyTorch facts: nn.MultiheadAttention's state-dict keys and shapes, and the bounds
of its initialisation (checked on fresh modules here), PyTorch 1.13."""
import math
from parity import *

E, HEADS = 4, 2
m = torch.nn.MultiheadAttention(E, HEADS, batch_first=True)
state = m.state_dict()
print("    /** torch.nn.MultiheadAttention(%d, %d).state_dict().keys(), PyTorch 1.13. */" % (E, HEADS))
print("    private static final List<String> PYTORCH_KEYS =\n            List.of(%s);" % ", ".join('"%s"' % k for k in state))
print()
print("    /** The shapes of those entries. */")
print("    private static final List<List<Integer>> PYTORCH_SHAPES =\n            List.of(%s);"
      % ", ".join("List.of(%s)" % ", ".join(str(d) for d in v.shape) for v in state.values()))
print()

# _reset_parameters: xavier_uniform_(in_proj_weight) over the whole [3E, E], zero in_proj_bias and out_proj.bias;
# out_proj.weight keeps NonDynamicallyQuantizableLinear's (= Linear's) kaiming_uniform_(a=sqrt(5)), bound 1/sqrt(E).
E = 64
torch.manual_seed(0)
largest_in, largest_out, biases = 0.0, 0.0, 0.0
for _ in range(20):
    m = torch.nn.MultiheadAttention(E, 8)
    largest_in = max(largest_in, m.in_proj_weight.abs().max().item())
    largest_out = max(largest_out, m.out_proj.weight.abs().max().item())
    biases = max(biases, m.in_proj_bias.abs().max().item(), m.out_proj.bias.abs().max().item())
xavier = math.sqrt(6 / (E + 3 * E))
assert xavier * 0.99 < largest_in <= xavier, largest_in
assert 0.99 / math.sqrt(E) < largest_out <= 1 / math.sqrt(E), largest_out
assert biases == 0, biases
print("        // torch.nn.MultiheadAttention(%d, 8), 20 fresh modules, PyTorch 1.13: largest |in_proj_weight| %.6f"
      % (E, largest_in))
print("        // of sqrt(6 / (4 * %d)) = %.6f, largest |out_proj.weight| %.6f of 1 / sqrt(%d) = %.6f, biases 0."
      % (E, xavier, largest_out, E, 1 / math.sqrt(E)))

# The options' layout: separate q/k/v weights where kdim or vdim differs, no biases, bias_k and bias_v.
m = torch.nn.MultiheadAttention(4, 2, bias=False, add_bias_kv=True, kdim=3, vdim=5)
state = m.state_dict()
print()
print("    /** torch.nn.MultiheadAttention(4, 2, bias=False, add_bias_kv=True, kdim=3, vdim=5).state_dict(), PyTorch 1.13. */")
print("    private static final List<String> PYTORCH_OPTIONS_KEYS =\n            List.of(%s);"
      % ", ".join('"%s"' % k for k in state))
print("    private static final List<List<Integer>> PYTORCH_OPTIONS_SHAPES =\n            List.of(%s);"
      % ", ".join("List.of(%s)" % ", ".join(str(d) for d in v.shape) for v in state.values()))

# _reset_parameters with kdim/vdim: xavier_uniform_ on each separate weight; add_bias_kv: xavier_normal_ on bias_k and
# bias_v [1, 1, E], whose fans are both E, so std sqrt(2 / (E + E)) = 1 / sqrt(E).
E, KDIM = 64, 32
torch.manual_seed(0)
largest_q, largest_k, samples = 0.0, 0.0, []
for _ in range(20):
    m = torch.nn.MultiheadAttention(E, 8, add_bias_kv=True, kdim=KDIM)
    largest_q = max(largest_q, m.q_proj_weight.abs().max().item())
    largest_k = max(largest_k, m.k_proj_weight.abs().max().item())
    samples += [m.bias_k.reshape(-1), m.bias_v.reshape(-1)]
std = torch.cat(samples).std().item()
bound_q, bound_k = math.sqrt(6 / (2 * E)), math.sqrt(6 / (E + KDIM))
assert bound_q * 0.99 < largest_q <= bound_q and bound_k * 0.99 < largest_k <= bound_k, (largest_q, largest_k)
assert abs(std * math.sqrt(E) - 1) < 0.05, std
print()
print("        // torch.nn.MultiheadAttention(%d, 8, add_bias_kv=True, kdim=%d), 20 fresh modules, PyTorch 1.13: largest"
      % (E, KDIM))
print("        // |q_proj_weight| %.6f of sqrt(6 / (2 * %d)) = %.6f, |k_proj_weight| %.6f of sqrt(6 / (%d + %d)) = %.6f,"
      % (largest_q, E, bound_q, largest_k, E, KDIM, bound_k))
print("        // bias_k and bias_v's standard deviation %.6f of 1 / sqrt(%d) = %.6f." % (std, E, 1 / math.sqrt(E)))
