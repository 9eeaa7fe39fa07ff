# `npm run bench` row for the PyTorch target: one training step of the generated ResNet-20 (archc_torch Trainer:
# q sampling, σ(βs)·q masks, λ penalty, two optimizers, β counters) against a hand-written PyTorch ResNet-20 with
# the same layers (plain SGD step), on the same fixed batch (64 × 3 × 32 × 32). Timed in alternating rounds so
# machine noise hits both alike; prints one JSON line. argv: GENERATED_DIR THREADS DEVICE ROUNDS
import json
import statistics
import sys
import time

import torch
import torch.nn.functional as F

gen_dir, threads, device, rounds = sys.argv[1], int(sys.argv[2]), sys.argv[3], int(sys.argv[4])
torch.set_num_threads(threads)
sys.path.insert(0, gen_dir)
import resnet20  # noqa: E402
from archc_torch.train import Trainer  # noqa: E402
from torch_models import ResNet20  # noqa: E402  (bench/, the script's folder)


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
