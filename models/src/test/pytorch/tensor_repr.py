# Prints PyTorch 1.13's print(tensor) for the tensors of TensorToStringTest (tests module), one block per case,
# each after a line "== NAME". Run with /usr/bin/python3.
import torch

cases = {
    "FLOATS": torch.tensor([1.5, -2.25, 3.0]),
    "LONG_MATRIX": torch.arange(6).reshape(2, 3),
    "INTEGER_VALUED_FLOATS": torch.ones(2, 2),
    "DOUBLES": torch.tensor([0.1, 0.2], dtype=torch.float64),
    "INTS": torch.tensor([-7, 12, 300], dtype=torch.int32),
    "SCIENTIFIC": torch.tensor([1e-5, 1.0, 100.0]),
    "CUBE": torch.arange(12.).reshape(2, 3, 2) / 4,
    "SCALAR": torch.tensor(3.5),
    "LONG_SCALAR": torch.tensor(7),
    "NON_FINITE": torch.tensor([1.0, float("nan"), float("inf"), -float("inf")]),
    "WRAPPED": torch.arange(30.) / 7,
    "EMPTY": torch.zeros(0),
    "EMPTY_ROWS": torch.zeros(2, 0),
    "EMPTY_DOUBLES": torch.zeros(2, 0, dtype=torch.float64),
    "EMPTY_INTS": torch.zeros(0, dtype=torch.int32),
    "EMPTY_LONGS": torch.zeros(2, 0, dtype=torch.int64),
    "REQUIRES_GRAD": torch.tensor([1.0, 2.0], requires_grad=True),
    "SUMMARIZED_LONGS": torch.arange(1001),
    "SUMMARIZED_MATRIX": (torch.arange(40 * 50.).reshape(40, 50) / 3),
    "SUMMARIZED_CUBE": torch.arange(8 * 8 * 20, dtype=torch.int32).reshape(8, 8, 20),
    "BIG_ZEROS": torch.zeros(3000, 3000),
    "SUMMARIZED_DOUBLES_GRAD": torch.arange(1200., dtype=torch.float64).requires_grad_(),
    "LONGS_PAST_2_53": torch.tensor([2**53 + 1, 2**63 - 1, -2**63]),
}
for name, t in cases.items():
    print("== " + name)
    print(t)
x = torch.tensor([1.0, 2.0], requires_grad=True)
print("== GRAD_FN (Kiln prints its op name where torch prints its Backward class)")
print(x * 2)
