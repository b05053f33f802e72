"""What Python prints for the tuples PyTorch 1.13's recurrent layers return, for RecurrentStateReprTest (models
module): an LSTM's (h, c), its (output, (h, c)) and a GRU's (output, h). Run with /usr/bin/python3."""
import torch

h, c, out = torch.zeros(1, 1, 2), torch.ones(1, 1, 2), torch.full((2, 1, 2), 0.5)
print((h, c))
print((out, (h, c)))
print((out, h))
