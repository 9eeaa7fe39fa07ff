# β schedulers (paper Eq. 7 global, Eq. 8 structure-wise), γ from βfinal, the learning-rate factor and `lr auto` of
# the mask optimizer: the same arithmetic as archc's src/runtime/schedulers.ts, src/runtime/optim.ts (lrFactor) and
# src/semantic/defaults.ts (resolveMaskLr). β and counters are tensors on the masks' device; every rank computes the
# same values from the same q and step count.
import math

import torch


def beta_at(n, beta0, gamma, p, beta_max):
    """Eq. 7/8: β = min(β0·(1 + γ·n)^p, βmax)."""
    return min(beta0 * math.pow(1 + gamma * n, p), beta_max)


def resolve_gamma(cfg, total_steps):
    """The spec's γ, or the γ that makes a structure sampled every step reach betaFinal after total_steps."""
    if cfg["gamma"] is not None:
        return cfg["gamma"]
    if cfg["betaFinal"] is None:
        raise ValueError("sparsify scheduler: set either gamma or betaFinal (both are null)")
    if not total_steps > 0:
        raise ValueError("sparsify scheduler: betaFinal needs a planned number of steps; set train steps or epochs")
    if cfg["betaFinal"] <= cfg["beta0"]:
        return 0.0
    return (math.pow(cfg["betaFinal"] / cfg["beta0"], 1 / cfg["p"]) - 1) / total_steps


def initial_beta_state(width, cfg):
    """Per-structure β (float32) and sample counters (float64, starting at 1 as in Algorithm 1), on the CPU."""
    return {
        "beta": torch.full((width,), float(cfg["beta0"]), dtype=torch.float32),
        "counts": torch.ones(width, dtype=torch.float64),
    }


def scheduler_step(state, cfg, gamma, step, q):
    """After 1-based step `step` with sample q: structure-wise counts += q; every T steps β is recomputed."""
    every = max(1, int(math.floor(cfg["every"])))
    if cfg["kind"] == "structurewise":
        state["counts"] += (q > 0).to(torch.float64)
        if step % every == 0:
            c = state["counts"]
            b = torch.clamp(cfg["beta0"] * torch.pow(1 + gamma * c, cfg["p"]), max=cfg["betaMax"])
            state["beta"] = b.to(torch.float32)
    elif step % every == 0:
        state["beta"].fill_(beta_at(step, cfg["beta0"], gamma, cfg["p"], cfg["betaMax"]))


def lr_factor(schedule, step, steps_per_epoch, total_steps, base_lr):
    """Multiplier of the base learning rate at 0-based step `step` (constant, step milestones, cosine)."""
    kind = schedule["kind"]
    if kind == "constant":
        return 1.0
    if kind == "step":
        unit = steps_per_epoch if schedule["unit"] == "epoch" else 1
        passed = sum(1 for m in schedule["milestones"] if step >= m * unit)
        return math.pow(schedule["factor"], passed)
    if step < schedule["warmupSteps"]:
        return (step + 1) / schedule["warmupSteps"]
    span = max(1, total_steps - schedule["warmupSteps"])
    progress = min(1.0, (step - schedule["warmupSteps"]) / span)
    floor = schedule["minLr"] / base_lr if base_lr > 0 else 0.0
    return floor + (1 - floor) * 0.5 * (1 + math.cos(math.pi * progress))


def resolve_mask_lr(lr, planned_steps, auto):
    """`lr auto` = drive / planned steps, capped at max (archc's MASK_LR_AUTO, emitted into defaults.py)."""
    if lr == "auto":
        return min(auto["max"], auto["drive"] / max(1, planned_steps))
    return lr
