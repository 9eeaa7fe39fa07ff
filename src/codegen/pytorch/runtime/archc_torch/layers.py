# The layer kinds of archc's IR as PyTorch modules, and `NetworkModule`, the base class a generated network extends:
# it creates layers by their archc path (initialised from a generator seeded by the spec seed and the path only, so
# declaration order does not matter), owns the mask groups (masks.MaskSet), and converts weights to and from archc's
# logical names and layouts (`${path}/kernel` [kh, kw, in, out], dense [in, out], BN movingMean…, `masks/<g>/s`)
# that archc's compaction and tfjs export read.
import zlib

import torch
import torch.nn.functional as F
from torch import nn

from .masks import MaskSet


def _generator(seed, path):
    g = torch.Generator()
    g.manual_seed((int(seed) * 1_000_003 + zlib.crc32(path.encode("utf-8"))) % (2**63))
    return g


class Conv2d(nn.Conv2d):
    """Conv (normal, grouped or depthwise) with TF 'same' pads given as (top, bottom, left, right)."""

    def __init__(self, gen, in_channels, filters, kernel, stride, pad, depthwise, bias, groups=1):
        t, b, l, r = pad
        self.pre_pad = None if (t == b and l == r) else (l, r, t, b)
        padding = (0, 0) if self.pre_pad else (t, l)
        super().__init__(in_channels, filters, tuple(kernel), tuple(stride), padding, groups=in_channels if depthwise else groups, bias=bias)
        self.depthwise = depthwise
        fan_in = kernel[0] * kernel[1] * (1 if depthwise else in_channels // groups)
        with torch.no_grad():
            self.weight.copy_(torch.randn(self.weight.shape, generator=gen) * (2.0 / fan_in) ** 0.5)
            if self.bias is not None:
                self.bias.zero_()

    def forward(self, x, mask=None):
        """conv(x) ⊙ mask over output channels, folded into the kernel and bias (a [C] product, not a full map)."""
        if self.pre_pad is not None:
            x = F.pad(x, self.pre_pad)
        if mask is None:
            return super().forward(x)
        b = None if self.bias is None else self.bias * mask
        return F.conv2d(x, self.weight * mask.view(-1, 1, 1, 1), b, self.stride, self.padding, self.dilation, self.groups)

    def archc_weights(self, path):
        # PyTorch [out, in/groups, kh, kw] → archc [kh, kw, in/groups, out] (depthwise: [kh, kw, in, 1]).
        k = self.weight.detach().permute(2, 3, 0, 1) if self.depthwise else self.weight.detach().permute(2, 3, 1, 0)
        out = {f"{path}/kernel": k}
        if self.bias is not None:
            out[f"{path}/bias"] = self.bias.detach()
        return out

    def load_archc(self, path, w):
        k = w[f"{path}/kernel"]
        self.weight.data.copy_(k.permute(2, 3, 0, 1) if self.depthwise else k.permute(3, 2, 0, 1))
        if self.bias is not None:
            self.bias.data.copy_(w[f"{path}/bias"])


class _BnWeights:
    """BN(x) ⊙ mask = x̂·(γ⊙mask) + β⊙mask: the mask is folded into the affine parameters, so masking costs a [C]
    product instead of a pass over the activations (the same function and gradients as multiplying afterwards)."""

    def forward(self, x, mask=None):
        if mask is None:
            return super().forward(x)
        avg = 0.0 if self.momentum is None else self.momentum
        if self.training and self.track_running_stats:
            self.num_batches_tracked.add_(1)
            if self.momentum is None:
                avg = 1.0 / float(self.num_batches_tracked)
        return F.batch_norm(x, self.running_mean, self.running_var, self.weight * mask, self.bias * mask, self.training, avg, self.eps)

    def archc_weights(self, path):
        return {
            f"{path}/gamma": self.weight.detach(),
            f"{path}/beta": self.bias.detach(),
            f"{path}/movingMean": self.running_mean.detach(),
            f"{path}/movingVariance": self.running_var.detach(),
        }

    def load_archc(self, path, w):
        for attr, key in (("weight", "gamma"), ("bias", "beta"), ("running_mean", "movingMean"), ("running_var", "movingVariance")):
            getattr(self, attr).data.copy_(w[f"{path}/{key}"])


class BatchNorm2d(_BnWeights, nn.BatchNorm2d):
    pass


class BatchNorm1d(_BnWeights, nn.BatchNorm1d):
    pass


class SequenceBatchNorm(BatchNorm1d):
    """BN over the feature (last) axis of [B, T, F]."""

    def forward(self, x, mask=None):
        return super().forward(x.transpose(1, 2), mask).transpose(1, 2)


def batch_norm(channels, epsilon, momentum, rank):
    # archc's momentum is the decay of the old value (Keras); PyTorch's is the weight of the new batch.
    cls = BatchNorm2d if rank == 3 else SequenceBatchNorm if rank == 2 else BatchNorm1d
    return cls(channels, eps=epsilon, momentum=1.0 - momentum)


class Dense(nn.Linear):
    """x Wᵀ + b, then the optional ReLU, then the unit mask (folded into W's rows and b: ReLU(z)·m = ReLU(z·m), m ≥ 0)."""

    def __init__(self, gen, in_features, units, bias, relu=False):
        super().__init__(in_features, units, bias=bias)
        self.relu = relu
        with torch.no_grad():
            self.weight.copy_(torch.randn(self.weight.shape, generator=gen) * (2.0 / in_features) ** 0.5)
            if self.bias is not None:
                self.bias.zero_()

    def forward(self, x, mask=None):
        if mask is None:
            y = super().forward(x)
        else:
            y = F.linear(x, self.weight * mask.view(-1, 1), None if self.bias is None else self.bias * mask)
        return F.relu(y) if self.relu else y

    def archc_weights(self, path):
        out = {f"{path}/kernel": self.weight.detach().t()}
        if self.bias is not None:
            out[f"{path}/bias"] = self.bias.detach()
        return out

    def load_archc(self, path, w):
        self.weight.data.copy_(w[f"{path}/kernel"].t())
        if self.bias is not None:
            self.bias.data.copy_(w[f"{path}/bias"])


class Embedding(nn.Embedding):
    def __init__(self, gen, vocab, dim):
        super().__init__(vocab, dim)
        with torch.no_grad():
            self.weight.copy_(torch.rand(self.weight.shape, generator=gen) * 0.1 - 0.05)

    def forward(self, ids):
        return super().forward(ids.long())

    def archc_weights(self, path):
        return {f"{path}/embeddings": self.weight.detach()}

    def load_archc(self, path, w):
        self.weight.data.copy_(w[f"{path}/embeddings"])


class Lstm(nn.Module):
    """archc's LSTM (src/runtime/layers/lstm.ts): gates i, f, c, o; the unit mask multiplies h_t inside the cell and
    the carried h_0, so a masked unit neither outputs nor feeds the others. Weights kept in archc's layout."""

    def __init__(self, gen, in_features, units):
        super().__init__()
        lim = 1.0 / units**0.5
        u = lambda *shape: torch.rand(shape, generator=gen) * 2 * lim - lim  # noqa: E731
        self.units = units
        self.kernel = nn.Parameter(u(in_features, 4 * units))
        self.recurrent_kernel = nn.Parameter(u(units, 4 * units))
        b = u(4 * units)
        b[units : 2 * units] = 1.0
        self.bias = nn.Parameter(b)
        # Truncated BPTT: the trainer sets `carry` to a dict; the state crosses windows without a gradient.
        self.carry = None
        self.path = ""

    def forward(self, x, mask):
        bsz, t = x.shape[0], x.shape[1]
        h = self.units
        prev = self.carry.get(self.path) if self.carry is not None else None
        if prev is not None and prev[0].shape[0] == bsz:
            hs, cs = prev
        else:
            hs = x.new_zeros(bsz, h)
            cs = x.new_zeros(bsz, h)
        if mask is not None:
            hs = hs * mask
        xw = torch.matmul(x, self.kernel) + self.bias
        outs = []
        for step in range(t):
            z = xw[:, step] + hs @ self.recurrent_kernel
            zi, zf, zc, zo = z.chunk(4, dim=1)
            cs = torch.sigmoid(zf) * cs + torch.sigmoid(zi) * torch.tanh(zc)
            hs = torch.sigmoid(zo) * torch.tanh(cs)
            if mask is not None:
                hs = hs * mask
            outs.append(hs)
        if self.carry is not None:
            self.carry[self.path] = (hs.detach(), cs.detach())
        return torch.stack(outs, dim=1)

    def archc_weights(self, path):
        return {f"{path}/kernel": self.kernel.detach(), f"{path}/recurrentKernel": self.recurrent_kernel.detach(), f"{path}/bias": self.bias.detach()}

    def load_archc(self, path, w):
        self.kernel.data.copy_(w[f"{path}/kernel"])
        self.recurrent_kernel.data.copy_(w[f"{path}/recurrentKernel"])
        self.bias.data.copy_(w[f"{path}/bias"])


class Gru(nn.Module):
    """archc's GRU (src/runtime/layers/gru.ts, tfjs-layers' cell): gates z, r, h with the reset gate before the
    recurrent product and one bias vector; the unit mask m scales what the cell emits, m * g_t, and the carried
    state is g_t masked by 1[m > 0] only (a fractional mask carried would compound over the window; see gru.ts).
    Every window starts from h = 0 (no carry). Weights kept in archc's layout."""

    def __init__(self, gen, in_features, units):
        super().__init__()
        lim = 1.0 / units**0.5
        u = lambda *shape: torch.rand(shape, generator=gen) * 2 * lim - lim  # noqa: E731
        self.units = units
        self.kernel = nn.Parameter(u(in_features, 3 * units))
        self.recurrent_kernel = nn.Parameter(u(units, 3 * units))
        self.bias = nn.Parameter(u(3 * units))

    def forward(self, x, mask):
        bsz, t = x.shape[0], x.shape[1]
        h = self.units
        hs = x.new_zeros(bsz, h)
        xw = torch.matmul(x, self.kernel) + self.bias
        u_zr, u_h = self.recurrent_kernel[:, : 2 * h], self.recurrent_kernel[:, 2 * h :]
        outs = []
        on = None if mask is None else (mask > 0).to(x.dtype)
        for step in range(t):
            xz, xr, xh = xw[:, step].chunk(3, dim=1)
            rz, rr = (hs @ u_zr).chunk(2, dim=1)
            z = torch.sigmoid(xz + rz)
            r = torch.sigmoid(xr + rr)
            cand = torch.tanh(xh + (r * hs) @ u_h)
            g = z * hs + (1 - z) * cand
            hs = g if on is None else g * on
            outs.append(g if mask is None else g * mask)
        return torch.stack(outs, dim=1)

    def archc_weights(self, path):
        return {f"{path}/kernel": self.kernel.detach(), f"{path}/recurrentKernel": self.recurrent_kernel.detach(), f"{path}/bias": self.bias.detach()}

    def load_archc(self, path, w):
        self.kernel.data.copy_(w[f"{path}/kernel"])
        self.recurrent_kernel.data.copy_(w[f"{path}/recurrentKernel"])
        self.bias.data.copy_(w[f"{path}/bias"])


class NetworkModule(nn.Module):
    """Base of a generated network: layers by archc path, the mask groups, and archc-format weights."""

    def __init__(self, ir, seed):
        super().__init__()
        self.ir = ir
        self.seed = int(seed)
        self.masks = MaskSet(ir)
        self.layer_paths = {}

    def _register(self, path, layer):
        self.layer_paths[path] = layer
        return layer

    def conv(self, path, **a):
        return self._register(path, Conv2d(_generator(self.seed, path), **a))

    def bn(self, path, **a):
        return self._register(path, batch_norm(**a))

    def dense(self, path, **a):
        return self._register(path, Dense(_generator(self.seed, path), **a))

    def embedding(self, path, **a):
        return self._register(path, Embedding(_generator(self.seed, path), **a))

    def lstm(self, path, **a):
        layer = Lstm(_generator(self.seed, path), **a)
        layer.path = path
        return self._register(path, layer)

    def gru(self, path, **a):
        return self._register(path, Gru(_generator(self.seed, path), **a))

    def set_carry(self, carry):
        for layer in self.layer_paths.values():
            if isinstance(layer, Lstm):
                layer.carry = carry

    def archc_weights(self):
        """Every variable under archc's logical name, in archc's layout (float32, on the CPU)."""
        out = {}
        for path, layer in self.layer_paths.items():
            out.update(layer.archc_weights(path))
        for st in self.masks.groups:
            out[f"masks/{st.name}/s"] = st.s.detach()
        return {k: v.to("cpu", torch.float32).contiguous() for k, v in out.items()}

    def load_archc_weights(self, weights):
        for path, layer in self.layer_paths.items():
            layer.load_archc(path, weights)
        self.masks.load_logits({st.name: weights[f"masks/{st.name}/s"] for st in self.masks.groups})
