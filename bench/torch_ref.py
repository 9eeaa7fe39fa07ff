# PyTorch CPU yardstick for `npm run bench`: the same nets as archc's rows (ResNet-20 on 32x32x3 at batch 64,
# specs/fashion-cnn.arch at batch 64, specs/kjv-lstm.arch at batch 20 / T 35), trained with SGD as archc does.
# A small server so bench/run.ts can alternate archc and PyTorch rounds in one run: it prints one JSON line at
# start ({torch, blas, threads}), then answers each stdin line "MODEL STEPS" with {"model", "items_per_s"}.
# bench/run.ts starts it with OMP_WAIT_POLICY=PASSIVE and archc's thread count; the BLAS it loaded is reported,
# because with Debian's reference libblas (instead of libopenblas0-pthread) the LSTM runs >10x slower.
import json, sys, time
import torch
import torch.nn as nn
import torch.nn.functional as F

from torch_models import ResNet20  # noqa: E402  (bench/ is the script's folder, first on sys.path)

torch.manual_seed(0)
torch.set_num_threads(int(sys.argv[1]) if len(sys.argv) > 1 else 2)


def loaded_blas():
    try:
        with open('/proc/self/maps') as f:
            libs = {line.split()[-1] for line in f if '.so' in line}
    except OSError:
        return 'unknown'
    for key in ('openblas', 'mkl', 'blis', 'atlas', 'libblas'):
        hit = sorted(p for p in libs if key in p.lower())
        if hit:
            return hit[0]
    return 'none found'


class FashionCnn(nn.Module):
    """specs/fashion-cnn.arch: three (conv3x3 same + BN + ReLU + 2x2 max pool) stages of 16/32/64, dense(10)."""

    def __init__(self):
        super().__init__()
        stages, cin = [], 1
        for w in (16, 32, 64):
            stages += [nn.Conv2d(cin, w, 3, 1, 1, bias=False), nn.BatchNorm2d(w), nn.ReLU(), nn.MaxPool2d(2)]
            cin = w
        self.features = nn.Sequential(*stages)
        self.fc = nn.Linear(3 * 3 * 64, 10)

    def forward(self, x):
        return self.fc(self.features(x).flatten(1))


class KjvLstm(nn.Module):
    """specs/kjv-lstm.arch: embedding(200), dropout 0.2, 2 x lstm(200) with dropout 0.2, dense(10000)."""

    def __init__(self, v=10000, h=200):
        super().__init__()
        self.emb = nn.Embedding(v, h)
        self.drop = nn.Dropout(0.2)
        self.lstm = nn.LSTM(h, h, 2, batch_first=True, dropout=0.2)
        self.out = nn.Linear(h, v)

    def forward(self, x):
        y, _ = self.lstm(self.drop(self.emb(x)))
        return self.out(self.drop(y))


def cross_entropy_lm(o, y):
    return F.cross_entropy(o.reshape(-1, o.shape[-1]), y.reshape(-1))


MODELS = {
    'resnet20': (ResNet20, lambda: (torch.randn(64, 3, 32, 32), torch.randint(0, 10, (64,))), F.cross_entropy, 64),
    'fashion_cnn': (FashionCnn, lambda: (torch.randn(64, 1, 28, 28), torch.randint(0, 10, (64,))), F.cross_entropy, 64),
    'kjv_lstm': (KjvLstm, lambda: (torch.randint(0, 10000, (20, 35)), torch.randint(0, 10000, (20, 35))), cross_entropy_lm, 20 * 35),
}
state = {}


def step(name):
    model, opt, x, y, loss_fn = state[name]
    opt.zero_grad()
    loss = loss_fn(model(x), y)
    loss.backward()
    opt.step()


def measure(name, steps):
    if name not in state:
        make, batch, loss_fn, _ = MODELS[name]
        model = make()
        opt = torch.optim.SGD(model.parameters(), lr=0.01, momentum=0.9)
        x, y = batch()
        state[name] = (model, opt, x, y, loss_fn)
        for _ in range(2):
            step(name)
    t0 = time.perf_counter()
    for _ in range(steps):
        step(name)
    return MODELS[name][3] * steps / (time.perf_counter() - t0)


print(json.dumps({'torch': torch.__version__, 'blas': loaded_blas(), 'threads': torch.get_num_threads()}), flush=True)
for line in sys.stdin:
    parts = line.split()
    if len(parts) != 2:
        continue
    print(json.dumps({'model': parts[0], 'items_per_s': measure(parts[0], int(parts[1]))}), flush=True)
