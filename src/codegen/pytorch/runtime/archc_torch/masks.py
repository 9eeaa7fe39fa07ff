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


class MaskGroupState:
    """One maskable group: its logits parameter, β state, resolved γ and the latest sample q (CPU tensors)."""

    def __init__(self, group, param):
        self.group = group
        self.name = group["name"]
        self.s = param
        self.config = group["sparsify"]
        self.beta_state = schedulers.initial_beta_state(group["width"], self.config["scheduler"])
        self.gamma = self.config["scheduler"]["gamma"] or 0.0
        self.q = torch.ones(group["width"], dtype=torch.float32)

    @property
    def width(self):
        return self.group["width"]

    def deterministic(self):
        m = torch.zeros(self.width, dtype=torch.float32)
        m[kept_indices(self.s, self.group)] = 1.0
        return m


class MaskSet(nn.Module):
    """Every maskable group of a network (`ir["groups"]` with maskable true), keyed by IR group id."""

    def __init__(self, ir):
        super().__init__()
        self.logits = nn.ParameterDict()
        self.groups = []
        self.by_id = {}
        for g in ir["groups"]:
            if not g["maskable"]:
                continue
            p = nn.Parameter(torch.full((g["width"],), float(g["sparsify"]["init"]), dtype=torch.float32))
            self.logits[f"g{g['id']}"] = p
            st = MaskGroupState(g, p)
            self.groups.append(st)
            self.by_id[g["id"]] = st
        self.total_structures = sum(st.width for st in self.groups)
        self.total_macs = ir["macs"]
        # 'sample' = σ(βs)·q (training), 'deterministic' = 1[s > 0] (evaluation, BN recalibration), 'off' = no masks.
        self.mode = "sample"

    def plan_run(self, total_steps):
        for st in self.groups:
            st.gamma = schedulers.resolve_gamma(st.config["scheduler"], total_steps)

    def to(self, device):
        """Moves β, counters and q next to the logits (call after moving the network)."""
        super().to(device)
        for st in self.groups:
            st.beta_state = {k: v.to(device) for k, v in st.beta_state.items()}
            st.q = st.q.to(device)
        return self

    def probabilities(self):
        """σ(βs) per group, on the logits' device."""
        return [torch.clamp(st.beta_state["beta"] * st.s.detach() + 0.5, 0.0, 1.0) for st in self.groups]

    def sample(self, generator):
        """Draws this step's q for every group, in group order, from `generator` (identical on every rank)."""
        probs = self.probabilities()
        for st, p in zip(self.groups, probs):
            u = torch.rand(st.width, generator=generator, device=p.device, dtype=torch.float64)
            st.q = (u < p.to(torch.float64)).to(torch.float32)
        return probs

    def after_step(self, step):
        for st in self.groups:
            schedulers.scheduler_step(st.beta_state, st.config["scheduler"], st.gamma, step, st.q)

    def forward_masks(self):
        """Group id → the [width] mask this forward multiplies in, per `mode`."""
        if self.mode == "off" or not self.groups:
            return {}
        if self.mode == "deterministic":
            device = self.groups[0].s.device
            return {st.group["id"]: st.deterministic().to(device) for st in self.groups}
        return {st.group["id"]: mask_value(st.s, st.beta_state["beta"], st.q, st.config["gradient"]) for st in self.groups}

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
        for st in self.groups:
            coef = st.config["lambda"] * self.penalty_weight(st)
            if coef == 0:
                continue
            beta = st.beta_state["beta"]
            term = mask_value(st.s, beta, torch.ones_like(beta), st.config["gradient"]).sum() * coef
            total = term if total is None else total + term
        if total is None:
            device = self.groups[0].s.device if self.groups else "cpu"
            total = torch.zeros((), device=device)
        return total

    def kept(self):
        """Kept width of every group by name (unmaskable groups at full width) — what compaction will keep."""
        return {st.name: len(kept_indices(st.s, st.group)) for st in self.groups}

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
            device = st.s.device
            st.beta_state = {"beta": v["beta"].to(device), "counts": v["counts"].to(device)}
            st.q = v["q"].to(device)
            st.gamma = float(v["gamma"])
