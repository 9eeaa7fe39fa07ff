# Datasets for the `data` settings of a spec, as archc's src/runtime/data: IDX (MNIST/Fashion-MNIST, .gz or plain),
# the CIFAR-10 binary batches, PTB-style word-level text (a directory of ptb.{train,valid,test}.txt, or one text
# file split 90/5/5), and seeded synthetic images/tokens. Images are uint8 [N, H, W, C] normalised per channel with
# train statistics; batches come out NCHW. Every rank draws the same global batch order from one seeded generator
# and takes its own contiguous slice, so W ranks at B/W see exactly the examples one process at B sees.
import gzip
import os
from collections import Counter

import numpy as np
import torch

DEFAULT_DIRS = {
    "fashion-mnist": "/usr/share/datasets/fashion-mnist",
    "mnist": "/usr/share/datasets/mnist",
    "cifar10": "/usr/share/datasets/cifar10",
    "ptb": "/usr/share/datasets/ptb",
}


class DataError(Exception):
    """A dataset that cannot be used, with what to do about it (main prints it without a traceback)."""


def _read(path):
    for p in (path, path + ".gz") if not path.endswith(".gz") else (path, path[:-3]):
        if os.path.exists(p):
            with open(p, "rb") as f:
                raw = f.read()
            return gzip.decompress(raw) if raw[:2] == b"\x1f\x8b" else raw
    raise DataError(f"{path}: not found (or {path}.gz)")


def _idx(raw, path):
    if len(raw) < 4 or raw[0] != 0 or raw[1] != 0 or raw[2] != 8:
        raise DataError(f"{path}: not an IDX file of unsigned bytes")
    dims = raw[3]
    shape = [int.from_bytes(raw[4 + 4 * i : 8 + 4 * i], "big") for i in range(dims)]
    data = np.frombuffer(raw, dtype=np.uint8, offset=4 + 4 * dims)
    if data.size != int(np.prod(shape)):
        raise DataError(f"{path}: header says {shape} but the file holds {data.size} bytes")
    return data.reshape(shape)


def load_idx(directory):
    def split(images, labels):
        x = _idx(_read(os.path.join(directory, images)), images)
        y = _idx(_read(os.path.join(directory, labels)), labels)
        return torch.from_numpy(x.reshape(x.shape[0], x.shape[1], x.shape[2], 1).copy()), torch.from_numpy(y.astype(np.int64))

    return split("train-images-idx3-ubyte", "train-labels-idx1-ubyte") + split("t10k-images-idx3-ubyte", "t10k-labels-idx1-ubyte")


def load_cifar10(directory):
    def read(names):
        rec = np.concatenate([np.frombuffer(_read(os.path.join(directory, n)), dtype=np.uint8).reshape(-1, 3073) for n in names])
        x = rec[:, 1:].reshape(-1, 3, 32, 32).transpose(0, 2, 3, 1)
        return torch.from_numpy(x.copy()), torch.from_numpy(rec[:, 0].astype(np.int64))

    return read([f"data_batch_{i}.bin" for i in range(1, 6)]) + read(["test_batch.bin"])


def synthetic_images(h, w, c, classes, seed, train=2000, test=500):
    """Class prototypes on a coarse grid (≤ 4×4 cells) plus triangular noise: learnable, seeded, any shape."""
    g = torch.Generator()
    g.manual_seed(int(seed) * 7919 + 0x5E71)
    gh, gw = min(4, h), min(4, w)
    grid = torch.rand((classes, gh, gw, c), generator=g) * 2 - 1
    ys = (torch.arange(h) * gh) // h
    xs = (torch.arange(w) * gw) // w
    protos = grid[:, ys][:, :, xs]  # [classes, h, w, c]

    def split(n, which):
        gs = torch.Generator()
        gs.manual_seed(int(seed) * 7919 + which)
        labels = torch.arange(n) % classes
        noise = torch.rand((n, h, w, c), generator=gs) + torch.rand((n, h, w, c), generator=gs) - 1
        v = 128 + 60 * protos[labels] + 50 * noise
        return torch.clamp(v.round(), 0, 255).to(torch.uint8), labels.to(torch.int64)

    return split(train, 1) + split(test, 2)


class ImageData:
    kind = "image"

    def __init__(self, name, train_x, train_y, test_x, test_y, augment):
        self.name = name
        self.train_x, self.train_y, self.test_x, self.test_y = train_x, train_y, test_x, test_y
        x = train_x.to(torch.float64) / 255
        self.mean = x.mean(dim=(0, 1, 2)).to(torch.float32)
        std = x.std(dim=(0, 1, 2), unbiased=False)
        self.std = torch.where(std > 1e-6, std, torch.ones_like(std)).to(torch.float32)
        self.crop = int(augment.get("crop", 0))
        self.flip = bool(augment.get("flip", False))
        self.description = f"{name}: {len(train_y)} train / {len(test_y)} test {tuple(train_x.shape[1:])} images"

    def normalise(self, pixels):
        x = (pixels.to(torch.float32) / 255 - self.mean) / self.std
        return x.permute(0, 3, 1, 2).contiguous()

    def augment(self, pixels, gen):
        """torchvision RandomCrop(padding=crop) + RandomHorizontalFlip on raw uint8 pixels (padding is black)."""
        if self.crop == 0 and not self.flip:
            return pixels
        n, h, w, _ = pixels.shape
        p = self.crop
        padded = torch.nn.functional.pad(pixels.permute(0, 3, 1, 2), (p, p, p, p)).permute(0, 2, 3, 1) if p else pixels
        out = torch.empty_like(pixels)
        shifts = torch.randint(0, 2 * p + 1, (n, 2), generator=gen) if p else torch.zeros((n, 2), dtype=torch.int64)
        flips = torch.rand(n, generator=gen) < 0.5 if self.flip else torch.zeros(n, dtype=torch.bool)
        for i in range(n):
            dy, dx = int(shifts[i, 0]), int(shifts[i, 1])
            img = padded[i, dy : dy + h, dx : dx + w]
            out[i] = img.flip(1) if flips[i] else img
        return out


class ImageBatches:
    """Global batches of `batch` from a shuffled order (one generator, same on every rank); rank r takes its slice."""

    def __init__(self, data, batch, seed, rank, world):
        if batch % world != 0:
            raise DataError(f"batch {batch} does not divide over {world} processes: use a multiple of {world}")
        self.data, self.batch, self.rank, self.world = data, batch, rank, world
        self.steps_per_epoch = max(1, len(data.train_y) // batch)
        self.gen = torch.Generator()
        self.gen.manual_seed(int(seed) * 104729 + 17)
        self.epoch, self.index, self.order = 0, 0, None

    def next(self):
        if self.order is None or self.index >= self.steps_per_epoch:
            if self.order is not None:
                self.epoch += 1
            self.order = torch.randperm(len(self.data.train_y), generator=self.gen)
            self.index = 0
        per = self.batch // self.world
        idx = self.order[self.index * self.batch : (self.index + 1) * self.batch]
        self.index += 1
        pixels = self.data.augment(self.data.train_x[idx], self.gen)[self.rank * per : (self.rank + 1) * per]
        y = self.data.train_y[idx][self.rank * per : (self.rank + 1) * per]
        return self.data.normalise(pixels), y, self.index == self.steps_per_epoch, False

    def state(self):
        return {"epoch": self.epoch, "index": self.index, "order": self.order, "gen": self.gen.get_state()}

    def restore(self, s):
        self.epoch, self.index, self.order = s["epoch"], s["index"], s["order"]
        self.gen.set_state(s["gen"])

    def eval_batches(self, split, batch=256, limit=None):
        x, y = (self.data.test_x, self.data.test_y) if split == "test" else (self.data.train_x, self.data.train_y)
        n = len(y) if limit is None else min(limit, len(y))
        for at in range(0, n, batch):
            yield self.data.normalise(x[at : min(n, at + batch)]), y[at : min(n, at + batch)]


def _words(text):
    out = []
    for line in text.splitlines():
        w = line.split()
        if w:
            out.extend(w + ["<eos>"])
    return out


def _vocab(train_words, cap):
    """<eos> = 0, <unk> = 1, then the most frequent train words (ties in order of first occurrence), up to `cap`."""
    counts = Counter(w for w in train_words if w not in ("<eos>", "<unk>"))
    ranked = sorted(counts.items(), key=lambda kv: -kv[1])
    words = ["<eos>", "<unk>"] + [w for w, _ in ranked[: max(0, cap - 2)]]
    return {w: i for i, w in enumerate(words)}


def _encode(words, vocab):
    return torch.tensor([vocab.get(w, 1) for w in words], dtype=torch.int64)


class TokenData:
    kind = "tokens"

    def __init__(self, name, train, valid, test, vocab_size):
        self.name, self.train, self.valid, self.test, self.vocab_size = name, train, valid, test, vocab_size
        self.description = f"{name}: {len(train)} train / {len(valid)} valid / {len(test)} test tokens"


def load_text(name, path, cap):
    if os.path.isdir(path):
        def read(split):
            for n in (f"ptb.{split}.txt", f"{split}.txt"):
                if os.path.exists(os.path.join(path, n)):
                    with open(os.path.join(path, n), encoding="utf-8") as f:
                        return _words(f.read())
            raise DataError(f"{path}: no ptb.{split}.txt or {split}.txt")

        tr, va, te = read("train"), read("valid"), read("test")
    else:
        if not os.path.exists(path):
            raise DataError(f"{path}: not found")
        with open(path, encoding="utf-8", errors="replace") as f:
            words = _words(f.read())
        a, b = int(len(words) * 0.9), int(len(words) * 0.95)
        tr, va, te = words[:a], words[a:b], words[b:]
    vocab = _vocab(tr, cap)
    return TokenData(name, _encode(tr, vocab), _encode(va, vocab), _encode(te, vocab), cap)


def synthetic_tokens(vocab, seed, train=50_000, valid=5_000, test=5_000):
    """A Markov chain where each word has three successors with probabilities 0.6/0.3/0.1 (<unk> never occurs)."""
    g = torch.Generator()
    g.manual_seed(int(seed) * 7919 + 0x70C)
    ids = torch.randint(0, vocab - 1, (vocab * 3,), generator=g)
    succ = torch.where(ids == 0, ids, ids + 1).view(vocab, 3).tolist()
    u = torch.rand(train + valid + test, generator=g).tolist()
    state, out = 0, []
    for v in u:
        state = succ[state][0 if v < 0.6 else 1 if v < 0.9 else 2]
        out.append(state)
    t = torch.tensor(out, dtype=torch.int64)
    return TokenData("synthetic", t[:train], t[train : train + valid], t[train + valid :], vocab)


class TokenBatches:
    """Truncated-BPTT windows over `batch` parallel streams; rank r takes its slice of the streams."""

    def __init__(self, data, batch, seq, rank, world):
        if batch % world != 0:
            raise DataError(f"batch {batch} does not divide over {world} processes: use a multiple of {world}")
        self.data, self.batch, self.seq, self.rank, self.world = data, batch, seq, rank, world
        self.x, self.y = self._streams(data.train, batch)
        self.steps_per_epoch = self.x.shape[1] // seq
        if self.steps_per_epoch == 0:
            raise DataError(f"{len(data.train)} tokens are too few for batch {batch} × (seq {seq} + 1)")
        self.epoch, self.index = 0, 0

    @staticmethod
    def _streams(tokens, batch):
        nb = (len(tokens) - 1) // batch
        return tokens[: nb * batch].view(batch, nb), tokens[1 : nb * batch + 1].view(batch, nb)

    def next(self):
        if self.index >= self.steps_per_epoch:
            self.epoch += 1
            self.index = 0
        reset = self.index == 0
        per = self.batch // self.world
        rows = slice(self.rank * per, (self.rank + 1) * per)
        cols = slice(self.index * self.seq, (self.index + 1) * self.seq)
        self.index += 1
        return self.x[rows, cols], self.y[rows, cols], self.index == self.steps_per_epoch, reset

    def state(self):
        return {"epoch": self.epoch, "index": self.index}

    def restore(self, s):
        self.epoch, self.index = s["epoch"], s["index"]

    def eval_batches(self, split, batch=None, limit=None):
        tokens = self.data.valid if split == "valid" else self.data.test
        x, y = self._streams(tokens, self.batch)
        windows = x.shape[1] // self.seq
        if limit is not None:
            windows = max(1, min(windows, limit // (self.batch * self.seq)))
        for i in range(windows):
            yield x[:, i * self.seq : (i + 1) * self.seq], y[:, i * self.seq : (i + 1) * self.seq]


def open_dataset(ir, data_arg, seed):
    """The spec's `data` (or --data: a kind, a path, or 'synthetic'), checked against the network's input."""
    cfg = ir["train"]["data"]
    kind, path = cfg["kind"], cfg["path"]
    if data_arg is not None:
        if data_arg == "synthetic":
            kind, path = "synthetic", None
        elif data_arg in DEFAULT_DIRS:
            kind, path = data_arg, None
        else:
            path = data_arg
    inp = ir["input"]
    if kind == "synthetic":
        if inp["kind"] == "image":
            tx, ty, sx, sy = synthetic_images(inp["height"], inp["width"], inp["channels"], ir["outputs"], seed)
            return ImageData("synthetic", tx, ty, sx, sy, {"crop": 0, "flip": False})
        return synthetic_tokens(inp["vocab"], seed)
    if kind in ("fashion-mnist", "mnist", "cifar10"):
        if inp["kind"] != "image":
            raise DataError(f"{kind} is an image dataset but the spec's input is tokens")
        d = path or DEFAULT_DIRS[kind]
        tx, ty, sx, sy = load_cifar10(d) if kind == "cifar10" else load_idx(d)
        if tuple(tx.shape[1:]) != (inp["height"], inp["width"], inp["channels"]):
            raise DataError(f"{kind} images are {tuple(tx.shape[1:])} but the spec's input is {(inp['height'], inp['width'], inp['channels'])}")
        return ImageData(kind, tx, ty, sx, sy, ir["train"]["augment"])
    if kind in ("ptb", "text"):
        if inp["kind"] != "tokens":
            raise DataError(f"{kind} is a token dataset but the spec's input is an image")
        d = path or DEFAULT_DIRS.get(kind)
        if d is None:
            raise DataError("the 'text' dataset needs the path of a text file (--data FILE)")
        return load_text(kind, d, inp["vocab"])
    raise DataError(f"the PyTorch target does not read the '{kind}' dataset yet: pass --data synthetic, a PTB directory or a text file")
