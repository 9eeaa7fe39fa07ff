# Stateless ops with archc's semantics on PyTorch's NCHW layout: the residual gate (src/runtime/module.ts applyGate),
# TensorFlow-style 'same' padding for pools (the build computes the exact (top, bottom, left, right) pads; TF puts
# the odd pixel at the bottom/right, unlike a symmetric PyTorch padding), flatten in archc's (h, w, c) order so a
# dense layer's kernel rows mean the same features as in the TypeScript runtime and the tfjs export.
import torch
import torch.nn.functional as F


def _symmetric(pad, kernel):
    t, b, l, r = pad
    return t == b and l == r and 2 * t <= kernel[0] and 2 * l <= kernel[1]


def max_pool(x, kernel, stride, pad):
    if any(pad) and not _symmetric(pad, kernel):
        t, b, l, r = pad
        return F.max_pool2d(F.pad(x, (l, r, t, b), value=float("-inf")), kernel, stride)
    return F.max_pool2d(x, kernel, stride, (pad[0], pad[2]))


def avg_pool(x, kernel, stride, pad):
    """TF semantics: padded positions do not count in the average."""
    if not any(pad):
        return F.avg_pool2d(x, kernel, stride)
    if _symmetric(pad, kernel):
        return F.avg_pool2d(x, kernel, stride, (pad[0], pad[2]), count_include_pad=False)
    t, b, l, r = pad
    ones = torch.ones((1, 1) + tuple(x.shape[2:]), dtype=x.dtype, device=x.device)
    num = F.avg_pool2d(F.pad(x, (l, r, t, b)), kernel, stride)
    return num / F.avg_pool2d(F.pad(ones, (l, r, t, b)), kernel, stride)


def global_avg_pool(x):
    return x.mean(dim=(2, 3))


def flatten(x):
    """[B, C, H, W] → [B, H·W·C] with c fastest (archc's NHWC order); other ranks flatten as they are."""
    if x.dim() == 4:
        return x.permute(0, 2, 3, 1).reshape(x.shape[0], -1)
    return x.reshape(x.shape[0], -1)


def add(xs):
    out = xs[0]
    for x in xs[1:]:
        out = out + x
    return out


def gated_add(branch, masks, rest):
    """gate(branch) + Σ rest in one pass: addcmul(Σ rest, branch, alive)."""
    alive = None
    for m in masks:
        if m is None:
            continue
        a = torch.sign(torch.max(m)).detach()
        alive = a if alive is None else alive * a
    other = add(rest)
    return other + branch if alive is None else torch.addcmul(other, branch, alive)


def concat(xs):
    return torch.cat(xs, dim=1 if xs[0].dim() == 4 else -1)


def relu(x):
    return F.relu(x)


def relu6(x):
    return F.relu6(x)


def dropout(x, rate, training):
    return F.dropout(x, rate, training)


def segment_mask(masks, segments):
    """The masks of `segments` ((group id or None, width) runs of a node's channels) concatenated, ones where a
    segment has no mask; None when none has one (src/semantic/placement.ts segmentMaskPlacement)."""
    parts = [None if g is None else masks.get(g) for g, _ in segments]
    ref = next((p for p in parts if p is not None), None)
    if ref is None:
        return None
    return torch.cat([p if p is not None else torch.ones(w, dtype=ref.dtype, device=ref.device) for p, (_, w) in zip(parts, segments)])
