# PyTorch's own cost of the network a narrow step computes (issue 11): specs/fashion-resnet.arch at full width
# (16/32/64) against the same network physically built at narrower stage widths, batch 64, 28x28x1, SGD with
# momentum, alternating timed rounds, medians. bench/narrow.ts runs it next to archc's "sliced dense/full" row,
# so the floor of a narrow step can be told apart from archc's kernels.
#   python3 bench/torch_sliced.py THREADS W1 W2 W3 [ROUNDS]   ->   {"full_ms": …, "sliced_ms": …}
import json, sys, time
import torch
import torch.nn as nn
import torch.nn.functional as F

from torch_models import Basic  # noqa: E402  (bench/ is the script's folder, first on sys.path)

torch.manual_seed(0)
torch.set_num_threads(int(sys.argv[1]))


class FashionResnet(nn.Module):
    """specs/fashion-resnet.arch: stem conv 3x3 + BN + ReLU, three stages of two basic blocks, gap, dense(10)."""

    def __init__(self, widths):
        super().__init__()
        self.stem = nn.Sequential(nn.Conv2d(1, widths[0], 3, 1, 1, bias=False), nn.BatchNorm2d(widths[0]), nn.ReLU())
        blocks, cin = [], widths[0]
        for w, s in zip(widths, (1, 2, 2)):
            for i in range(2):
                blocks.append(Basic(cin, w, s if i == 0 else 1))
                cin = w
        self.blocks = nn.Sequential(*blocks)
        self.fc = nn.Linear(cin, 10)

    def forward(self, x):
        return self.fc(self.blocks(self.stem(x)).mean((2, 3)))


def trainer(widths):
    m = FashionResnet(widths)
    opt = torch.optim.SGD(m.parameters(), lr=0.01, momentum=0.9, weight_decay=1e-4)
    x, y = torch.randn(64, 1, 28, 28), torch.randint(0, 10, (64,))

    def step():
        t0 = time.perf_counter()
        opt.zero_grad()
        F.cross_entropy(m(x), y).backward()
        opt.step()
        return 1000 * (time.perf_counter() - t0)

    return step


sliced_widths = [int(w) for w in sys.argv[2:5]]
rounds = int(sys.argv[5]) if len(sys.argv) > 5 else 15
full, sliced = trainer([16, 32, 64]), trainer(sliced_widths)
for _ in range(3):  # warm-up: oneDNN primitives, allocator
    full(), sliced()
times = {'full': [], 'sliced': []}
for _ in range(rounds):
    times['full'].append(full())
    times['sliced'].append(sliced())
med = {k: sorted(v)[len(v) // 2] for k, v in times.items()}
print(json.dumps({'full_ms': med['full'], 'sliced_ms': med['sliced'], 'widths': sliced_widths, 'threads': torch.get_num_threads()}))
