# `npm run bench` row for the PyTorch target: one training step of the generated ResNet-20 (archc_torch Trainer:
# q sampling, σ(βs)·q masks, λ penalty, two optimizers, β counters) against a hand-written PyTorch ResNet-20 with
# the same layers (plain SGD step), on the same fixed batch (64 × 3 × 32 × 32). Timed in alternating rounds so
# machine noise hits both alike; prints one JSON line. argv: GENERATED_DIR THREADS DEVICE ROUNDS
import json
import statistics
import sys
import time

import torch
import torch.nn as nn
import torch.nn.functional as F

gen_dir, threads, device, rounds = sys.argv[1], int(sys.argv[2]), sys.argv[3], int(sys.argv[4])
torch.set_num_threads(threads)
sys.path.insert(0, gen_dir)
import resnet20  # noqa: E402
from archc_torch.train import Trainer  # noqa: E402


class Basic(nn.Module):
    def __init__(self, cin, cout, stride):
        super().__init__()
        self.c1 = nn.Conv2d(cin, cout, 3, stride, 1, bias=False)
        self.b1 = nn.BatchNorm2d(cout)
        self.c2 = nn.Conv2d(cout, cout, 3, 1, 1, bias=False)
        self.b2 = nn.BatchNorm2d(cout)
        self.proj = None
        if stride != 1 or cin != cout:
            self.proj = nn.Sequential(nn.Conv2d(cin, cout, 1, stride, bias=False), nn.BatchNorm2d(cout))

    def forward(self, x):
        y = F.relu(self.b1(self.c1(x)))
        y = self.b2(self.c2(y))
        return F.relu(y + (x if self.proj is None else self.proj(x)))


class ResNet20(nn.Module):
    def __init__(self):
        super().__init__()
        self.stem = nn.Sequential(nn.Conv2d(3, 16, 3, 1, 1, bias=False), nn.BatchNorm2d(16), nn.ReLU())
        layers, cin = [], 16
        for w, s in ((16, 1), (32, 2), (64, 2)):
            for i in range(3):
                layers.append(Basic(cin, w, s if i == 0 else 1))
                cin = w
        self.blocks = nn.Sequential(*layers)
        self.fc = nn.Linear(64, 10)

    def forward(self, x):
        return self.fc(self.blocks(self.stem(x)).mean((2, 3)))


opts = {"data": "synthetic", "steps": 100000, "epochs": None, "batch": 64, "lr": None, "weight_decay": None, "lambda": None,
        "seed": None, "out": None, "device": device, "log_every": None, "eval_limit": None, "bn_recalibration": 0, "quiet": True}
trainer = Trainer(resnet20.Resnet20, opts)
dev = trainer.device
x, y, _, _ = trainer.batches.next()
trainer.batches.next = lambda: (x, y, False, False)  # the same batch for both models: time the step, not the loader
hand = ResNet20().to(dev)
opt = torch.optim.SGD(hand.parameters(), lr=0.1, momentum=0.9, weight_decay=1e-4)
xd, yd = x.to(dev), y.to(dev)


def hand_step():
    opt.zero_grad(set_to_none=True)
    F.cross_entropy(hand(xd), yd).backward()
    opt.step()


def sync():
    if dev.type == "cuda":
        torch.cuda.synchronize()


def timed(step, n):
    sync()
    t0 = time.perf_counter()
    for _ in range(n):
        step()
    sync()
    return (time.perf_counter() - t0) / n


per_round = 3 if dev.type == "cpu" else 50
timed(hand_step, 2)
timed(trainer.train_step, 2)
gen_t, hand_t = [], []
for _ in range(rounds):
    hand_t.append(timed(hand_step, per_round))
    gen_t.append(timed(trainer.train_step, per_round))
g, h = statistics.median(gen_t), statistics.median(hand_t)
print(json.dumps({"torch": torch.__version__, "device": dev.type, "generated_img_s": 64 / g, "hand_img_s": 64 / h, "ratio": h / g}))
