import torch, math
from torch.nn import init
for n in ['linear','conv1d','conv2d','conv3d','conv_transpose1d','conv_transpose2d','conv_transpose3d','sigmoid','tanh','relu','selu','leaky_relu']:
    print(n, repr(init.calculate_gain(n)))
print('leaky_relu 0.2', repr(init.calculate_gain('leaky_relu', 0.2)))
print('leaky_relu sqrt5', repr(init.calculate_gain('leaky_relu', math.sqrt(5))))
try: init.calculate_gain('identity')
except Exception as e: print('identity ->', e)
torch.manual_seed(0)
def stats(name, shape, f):
    w = torch.empty(*shape, dtype=torch.float64); f(w)
    print(name, shape, 'maxabs', repr(w.abs().max().item()), 'std', repr(w.std().item()))
# formulas: bound = sqrt(3) * gain / sqrt(fan)
fan_in, fan_out = init._calculate_fan_in_and_fan_out(torch.empty(16, 8, 3, 3)); print('conv fans', fan_in, fan_out)
print('kaiming_uniform a=sqrt5 fan_in=72 bound', repr(math.sqrt(3.0) * init.calculate_gain('leaky_relu', math.sqrt(5)) / math.sqrt(72)))
print('kaiming_uniform a=0 fan_in=32 bound', repr(math.sqrt(3.0) * init.calculate_gain('leaky_relu', 0) / math.sqrt(32)))
print('kaiming_uniform a=0.2 fan_in=72 bound', repr(math.sqrt(3.0) * init.calculate_gain('leaky_relu', 0.2) / math.sqrt(72)))
print('kaiming_normal relu fan_in=32 std', repr(init.calculate_gain('relu') / math.sqrt(32)))
print('xavier_uniform gain=5/3 [64,32] bound', repr(math.sqrt(3.0) * (5/3) * math.sqrt(2.0 / (32 + 64))))
print('xavier_normal gain=2 conv std', repr(2.0 * math.sqrt(2.0 / (72 + 144))))
stats('kaiming_uniform_(a=sqrt5)', (16, 8, 3, 3), lambda w: init.kaiming_uniform_(w, a=math.sqrt(5)))
stats('xavier_uniform_(gain=5/3)', (64, 32), lambda w: init.xavier_uniform_(w, gain=5/3))
stats('kaiming_normal_', (64, 32), lambda w: init.kaiming_normal_(w))
import torch.nn as nn
l = nn.Linear(32, 64); print('Linear bias maxabs', l.bias.abs().max().item(), 'bound', 1/math.sqrt(32))
print('kaiming_uniform a=0 fan_out=2304 bound', repr(math.sqrt(3.0) * init.calculate_gain('leaky_relu', 0) / math.sqrt(2304)))
print('kaiming_normal relu fan_out [256,8,3,3] std', repr(init.calculate_gain('relu') / math.sqrt(2304)))
print('kaiming_normal tanh fan_in [256,128] std', repr(init.calculate_gain('tanh') / math.sqrt(128)))
stats('kaiming_normal_(mode=fan_out)', (256, 8, 3, 3), lambda w: init.kaiming_normal_(w, mode='fan_out', nonlinearity='relu'))
