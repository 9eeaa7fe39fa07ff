# Structured masks of continuous sparsification, as archc's src/runtime/masks.ts: one logit vector s per maskable
# mask group (an nn.Parameter of the network, so DDP all-reduces its gradient with the weights), the hard sigmoid
# σ(βs) = clip(βs + 0.5, 0, 1), q ~ Bern(σ) drawn once per structure and step from a generator seeded the same on
# every rank (so every replica applies the same sub-network), the training mask σ(βs)·q with the 'clip' (exact) or
# 'ste' gradient, the λ penalty with its normalisations, and the evaluation mask 1[s > 0] (+ minWidth). β, counters
# and q live on the logits' device, so a training step never waits for the device (no host round trip per step).
import torch
from torch import nn

from . import schedulers


class _MaskOp(torch.autograd.Function):
    """value = σ(β⊙s)·q. 'clip': ∂/∂s = β·1[−0.5 < βs < 0.5]·q (the paper). 'ste': ∂/∂s = β everywhere (q ignored)."""

    @staticmethod
    def forward(ctx, s, beta, q, ste):
        z = beta * s
        ctx.save_for_backward(z, beta, q)
        ctx.ste = ste
        return torch.clamp(z + 0.5, 0.0, 1.0) * q

    @staticmethod
    def backward(ctx, dy):
        z, beta, q = ctx.saved_tensors
        if ctx.ste:
            return dy * beta, None, None, None
        inside = ((z > -0.5) & (z < 0.5)).to(dy.dtype)
        return dy * beta * inside * q, None, None, None


def mask_value(s, beta, q, gradient):
    return _MaskOp.apply(s, beta, q, gradient == "ste")


def kept_indices(s, group):
    """s_j > 0 (a tie 0 is off); a group that cannot vanish keeps minWidth: largest s first, ties to the lower index."""
    values = [float(v) for v in s.detach().cpu().tolist()]
    kept = [j for j, v in enumerate(values) if v > 0]
    need = 0 if group["canVanish"] else min(len(values), max(0, group["sparsify"]["minWidth"]))
    if len(kept) >= need:
        return kept
    order = sorted(range(len(values)), key=lambda j: (-values[j], j))
    return sorted(order[:need])


def _family_key(cfg):
    """Groups whose settings agree on everything but λ, s0 and minWidth share one logits vector (a family)."""
    return repr((cfg["gradient"], sorted(cfg["scheduler"].items()), sorted(cfg["maskOptimizer"].items()), cfg["warmup"]))


class MaskFamily:
    """Mask groups with the same gradient, scheduler, mask optimizer and warm-up, stored as one flat vector each for
    s (a Parameter), β, counters, q and the penalty coefficient λ_g·w_g: a step costs a handful of tensor ops
    whatever the number of groups (a per-group loop costs milliseconds of dispatch per step, which a GPU step notices)."""

    def __init__(self, index, groups):
        self.index = index
        self.config = groups[0]["sparsify"]
        self.width = sum(g["width"] for g in groups)
        init = torch.cat([torch.full((g["width"],), float(g["sparsify"]["init"]), dtype=torch.float32) for g in groups])
        self.param = nn.Parameter(init)
        self.beta_state = schedulers.initial_beta_state(self.width, self.config["scheduler"])
        self.gamma = self.config["scheduler"]["gamma"] or 0.0
        self.q = torch.ones(self.width, dtype=torch.float32)
        self.coef = torch.zeros(self.width, dtype=torch.float32)
        self.widths = [g["width"] for g in groups]
        self.members = []  # MaskGroupState, in slice order


class MaskGroupState:
    """One maskable group: its slice [offset, offset + width) of its family's vectors."""

    def __init__(self, group, family, offset):
        self.group = group
        self.name = group["name"]
        self.family = family
        self.offset = offset
        self.config = group["sparsify"]

    @property
    def width(self):
        return self.group["width"]

    def _slice(self, t):
        return t[self.offset : self.offset + self.width]

    @property
    def s(self):
        return self._slice(self.family.param)

    @property
    def q(self):
        return self._slice(self.family.q)

    @property
    def beta_state(self):
        return {k: self._slice(v) for k, v in self.family.beta_state.items()}

    @property
    def gamma(self):
        return self.family.gamma

    def deterministic(self):
        m = torch.zeros(self.width, dtype=torch.float32)
        m[kept_indices(self.s, self.group)] = 1.0
        return m


class MaskSet(nn.Module):
    """Every maskable group of a network (`ir["groups"]` with maskable true), keyed by IR group id."""

    def __init__(self, ir):
        super().__init__()
        by_key = {}
        for g in ir["groups"]:
            if g["maskable"]:
                by_key.setdefault(_family_key(g["sparsify"]), []).append(g)
        self.families = [MaskFamily(i, gs) for i, gs in enumerate(by_key.values())]
        self.logits = nn.ParameterDict({f"f{f.index}": f.param for f in self.families})
        self.groups = []
        self.by_id = {}
        for f, gs in zip(self.families, by_key.values()):
            at = 0
            for g in gs:
                st = MaskGroupState(g, f, at)
                f.members.append(st)
                self.groups.append(st)
                self.by_id[g["id"]] = st
                at += g["width"]
        self.total_structures = sum(st.width for st in self.groups)
        self.total_macs = ir["macs"]
        self.update_coefficients()
        # 'sample' = σ(βs)·q (training), 'deterministic' = 1[s > 0] (evaluation, BN recalibration), 'off' = no masks.
        self.mode = "sample"

    def update_coefficients(self):
        """λ_g·w_g per structure (call again after changing a group's λ)."""
        for st in self.groups:
            c = st.config["lambda"] * self.penalty_weight(st)
            st.family.coef[st.offset : st.offset + st.width] = c

    def to(self, device):
        """Moves β, counters, q and the coefficients next to the logits (call after moving the network)."""
        super().to(device)
        for f in self.families:
            f.beta_state = {k: v.to(device) for k, v in f.beta_state.items()}
            f.q = f.q.to(device)
            f.coef = f.coef.to(device)
        return self

    def plan_run(self, total_steps):
        for f in self.families:
            f.gamma = schedulers.resolve_gamma(f.config["scheduler"], total_steps)

    def probabilities(self):
        """σ(βs) per family, on the logits' device."""
        return [torch.clamp(f.beta_state["beta"] * f.param.detach() + 0.5, 0.0, 1.0) for f in self.families]

    def sample(self, generator):
        """Draws this step's q, family by family, from `generator` (identical on every rank)."""
        probs = self.probabilities()
        for f, p in zip(self.families, probs):
            u = torch.rand(f.width, generator=generator, device=p.device, dtype=torch.float64)
            f.q = (u < p.to(torch.float64)).to(torch.float32)
        return probs

    def after_step(self, step):
        for f in self.families:
            schedulers.scheduler_step(f.beta_state, f.config["scheduler"], f.gamma, step, f.q)

    def forward_masks(self):
        """Group id → the [width] mask this forward multiplies in, per `mode`."""
        if self.mode == "off" or not self.groups:
            return {}
        if self.mode == "deterministic":
            device = self.families[0].param.device
            return {st.group["id"]: st.deterministic().to(device) for st in self.groups}
        out = {}
        for f in self.families:
            value = mask_value(f.param, f.beta_state["beta"], f.q, f.config["gradient"])
            for st, part in zip(f.members, torch.split(value, f.widths)):
                out[st.group["id"]] = part
        return out

    def penalty_weight(self, st):
        kind = st.config["penalty"]
        if kind == "sum":
            return 1.0
        if kind == "mean":
            return 1.0 / max(1, self.total_structures)
        if kind == "group-mean":
            return 1.0 / max(1, st.width)
        return st.group["macsPerStructure"] / self.total_macs if self.total_macs > 0 else 0.0

    def penalty(self):
        """Σ_g λ_g·w_g·Σ_j σ(β_gj s_gj) (Eq. 6's second term with the spec's normalisation), a scalar tensor."""
        total = None
        for f in self.families:
            beta = f.beta_state["beta"]
            term = (mask_value(f.param, beta, torch.ones_like(beta), f.config["gradient"]) * f.coef).sum()
            total = term if total is None else total + term
        if total is None:
            total = torch.zeros(())
        return total

    def kept(self):
        """Kept width of every group by name (unmaskable groups at full width) — what compaction will keep."""
        return {st.name: len(kept_indices(st.s, st.group)) for st in self.groups}

    def load_logits(self, by_name):
        """Sets s of every group from `by_name` (group name → [width] tensor)."""
        with torch.no_grad():
            for st in self.groups:
                st.family.param[st.offset : st.offset + st.width].copy_(by_name[st.name])

    def get_state(self):
        return {
            st.name: {"beta": st.beta_state["beta"].cpu(), "counts": st.beta_state["counts"].cpu(), "q": st.q.cpu(), "gamma": float(st.gamma)}
            for st in self.groups
        }

    def set_state(self, state):
        for st in self.groups:
            if st.name not in state:
                raise ValueError(f"mask state has no entry for group {st.name}: was it saved from another spec?")
            v = state[st.name]
            f, a, b = st.family, st.offset, st.offset + st.width
            f.beta_state["beta"][a:b] = v["beta"].to(f.beta_state["beta"].device)
            f.beta_state["counts"][a:b] = v["counts"].to(f.beta_state["counts"].device)
            f.q[a:b] = v["q"].to(f.q.device)
            f.gamma = float(v["gamma"])
