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
