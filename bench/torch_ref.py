# PyTorch CPU reference for `npm run bench`: one training step's throughput for the same two models archc benches
# (a ResNet-20 at batch 64 on 32x32x3, and a 2x200 LSTM LM with V 10k, T 35, B 20). Prints one JSON line.
# Run by bench/run.ts only when `python3 -c "import torch"` works (Debian: apt-get install python3-torch libopenblas0-pthread).
import json, sys, time
import torch
import torch.nn as nn
import torch.nn.functional as F

torch.manual_seed(0)
torch.set_num_threads(int(sys.argv[1]) if len(sys.argv) > 1 else 2)


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


class LM(nn.Module):
    def __init__(self, v=10000, h=200):
        super().__init__()
        self.emb = nn.Embedding(v, h)
        self.lstm = nn.LSTM(h, h, 2, batch_first=True)
        self.out = nn.Linear(h, v)

    def forward(self, x):
        y, _ = self.lstm(self.emb(x))
        return self.out(y)


def bench(model, make_batch, loss_fn, items_per_step, steps=6, warm=2):
    opt = torch.optim.SGD(model.parameters(), lr=0.01, momentum=0.9)
    x, y = make_batch()
    for i in range(warm + steps):
        if i == warm:
            t0 = time.perf_counter()
        opt.zero_grad()
        loss_fn(model(x), y).backward()
        opt.step()
    return items_per_step * steps / (time.perf_counter() - t0)


resnet = bench(ResNet20(), lambda: (torch.randn(64, 3, 32, 32), torch.randint(0, 10, (64,))), F.cross_entropy, 64)
lm = bench(LM(), lambda: (torch.randint(0, 10000, (20, 35)), torch.randint(0, 10000, (20, 35))),
           lambda o, y: F.cross_entropy(o.reshape(-1, 10000), y.reshape(-1)), 20 * 35)
print(json.dumps({"torch": torch.__version__, "resnet20_img_s": resnet, "lstm_tok_s": lm}))
