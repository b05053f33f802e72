"""State-dict keys and shapes of PyTorch 1.13's two-layer nn.TransformerEncoder and nn.TransformerDecoder with a
final LayerNorm (d_model 8, 2 heads, feed-forward 12), in order: the names TransformerStateDictKeysTest expects Kiln's
stacks to save and load (their layers in a ModuleList, as in checkpoints written when Kiln held them in a
Sequential)."""
import torch.nn as nn

encoder = nn.TransformerEncoder(nn.TransformerEncoderLayer(8, 2, 12), 2, norm=nn.LayerNorm(8))
decoder = nn.TransformerDecoder(nn.TransformerDecoderLayer(8, 2, 12), 2, norm=nn.LayerNorm(8))
for name, model in [("ENCODER", encoder), ("DECODER", decoder)]:
    print("== " + name)
    for key, value in model.state_dict().items():
        print(f"{key} {list(value.shape)}")
