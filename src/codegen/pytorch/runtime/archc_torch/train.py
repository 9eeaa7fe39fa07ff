# The training loop of continuous sparsification on PyTorch (archc's src/runtime/train/trainer.ts): per step, q is
# drawn for every group (CPU generator seeded identically on every rank), the forward uses σ(βs)·q, loss = task +
# λ-penalty, one backward (DDP all-reduces weight and mask-logit gradients alike), the weight optimizer and the mask
# optimizer step, β counters advance (identical on every rank since q and the step count are). Rank 0 evaluates with
# 1[s > 0] after BN recalibration, appends metrics.jsonl, writes checkpoints and, at the end, the run files.
import json
import math
import os
import time

import torch
import torch.distributed as dist
import torch.nn.functional as F

from . import checkpoint
from . import data as data_mod
from . import export
from .defaults import MASK_LR_AUTO
from .schedulers import lr_factor, resolve_mask_lr

METRICS_FILE = "metrics.jsonl"
CHECKPOINT_FILE = "checkpoint.pt"


def resolve_device(arg, local_rank):
    if arg == "auto":
        arg = "cuda" if torch.cuda.is_available() else "cpu"
    if arg == "cuda":
        if not torch.cuda.is_available():
            raise data_mod.DataError("--device cuda: no CUDA device is visible to PyTorch (use --device cpu)")
        torch.cuda.set_device(local_rank)
        return torch.device("cuda", local_rank)
    return torch.device("cpu")


def task_loss(logits, y, task, reduction):
    if task == "classification":
        xent = F.cross_entropy(logits, y)
        correct = (logits.argmax(1) == y).sum()
        return xent, xent, correct, y.numel()
    b, t, v = logits.shape
    xent = F.cross_entropy(logits.reshape(b * t, v), y.reshape(b * t))
    correct = (logits.argmax(-1) == y).sum()
    return (xent * t if reduction == "sum" else xent), xent, correct, y.numel()


def make_optimizer(params, cfg, lr):
    if cfg["kind"] == "sgd":
        return torch.optim.SGD(params, lr=lr, momentum=cfg["momentum"], nesterov=cfg["nesterov"], weight_decay=cfg["weightDecay"])
    # archc's Adam has decoupled weight decay: AdamW.
    return torch.optim.AdamW(params, lr=lr, betas=(cfg["beta1"], cfg["beta2"]), eps=cfg["epsilon"], weight_decay=cfg["weightDecay"])


class Trainer:
    def __init__(self, module_cls, opts):
        self.opts = opts
        self.world = int(os.environ.get("WORLD_SIZE", "1"))
        self.rank = int(os.environ.get("RANK", "0"))
        local_rank = int(os.environ.get("LOCAL_RANK", "0"))
        self.device = resolve_device(opts["device"], local_rank)
        if self.world > 1 and not dist.is_initialized():
            dist.init_process_group(backend="nccl" if self.device.type == "cuda" else "gloo")
        ir = module_cls.IR
        self.ir = ir
        seed = opts["seed"] if opts["seed"] is not None else ir["train"]["seed"]
        self.seed = int(seed)
        # Dropout may differ between ranks (as in any data-parallel run); masks and data order may not.
        torch.manual_seed(self.seed * 1000 + self.rank)
        self.model = module_cls(self.seed)
        self.model.to(self.device)
        self.masks = self.model.masks
        if opts["lambda"] is not None:
            for st in self.masks.groups:
                st.config["lambda"] = float(opts["lambda"])
            self.masks.update_coefficients()
        self.masks.to(self.device)
        self.dataset = data_mod.open_dataset(ir, opts["data"], self.seed)
        batch = opts["batch"] or ir["train"]["batch"]
        self.batch = batch
        if self.dataset.kind == "image":
            self.batches = data_mod.ImageBatches(self.dataset, batch, self.seed, self.rank, self.world)
            self.carry = None
        else:
            self.batches = data_mod.TokenBatches(self.dataset, batch, ir["input"]["seq"], self.rank, self.world)
            self.carry = {}
            self.model.set_carry(self.carry)
        spe = self.batches.steps_per_epoch
        steps = opts["steps"] if opts["steps"] is not None else (None if opts["epochs"] is not None else ir["train"]["steps"])
        epochs = opts["epochs"] if opts["epochs"] is not None else (ir["train"]["epochs"] or 1)
        self.planned = int(steps) if steps is not None else max(1, round(epochs * spe))
        self.masks.plan_run(self.planned)
        tc = ir["train"]
        self.base_lr = opts["lr"] if opts["lr"] is not None else tc["optimizer"]["lr"]
        wcfg = dict(tc["optimizer"])
        if opts["weight_decay"] is not None:
            wcfg["weightDecay"] = opts["weight_decay"]
        mask_ids = {id(f.param) for f in self.masks.families}
        self.weight_params = [p for p in self.model.parameters() if id(p) not in mask_ids]
        self.weight_opt = make_optimizer(self.weight_params, wcfg, self.base_lr)
        self.mask_opts = []
        for kind in ("sgd", "adam"):
            groups = []
            for f in self.masks.families:
                m = f.config["maskOptimizer"]
                if m["kind"] != kind:
                    continue
                lr = resolve_mask_lr(m["lr"], self.planned, MASK_LR_AUTO)
                g = {"params": [f.param], "lr": lr, "base_lr": lr}
                if kind == "sgd":
                    g.update(momentum=m["momentum"], nesterov=m["nesterov"])
                groups.append(g)
            if groups:
                cfg = {"kind": "sgd", "momentum": 0.9, "nesterov": False, "weightDecay": 0} if kind == "sgd" else {"kind": "adam", "beta1": 0.9, "beta2": 0.999, "epsilon": 1e-8, "weightDecay": 0}
                self.mask_opts.append(make_optimizer(groups, cfg, groups[0]["lr"]))
        self.mask_gen = torch.Generator(device=self.device)
        self.mask_gen.manual_seed(self.seed * 2_147_483 + 0x6D61736B)
        if self.world > 1:
            ids = [local_rank] if self.device.type == "cuda" else None
            self.net = torch.nn.parallel.DistributedDataParallel(self.model, device_ids=ids)
        else:
            self.net = self.model
        self.step = 0
        self.wall = 0.0
        self.interval = self._empty_interval()
        self.out = opts["out"]
        if self.rank == 0 and self.out:
            os.makedirs(self.out, exist_ok=True)
        if opts.get("resume"):
            self.load_checkpoint(opts["resume"])

    @staticmethod
    def _empty_interval():
        return {"steps": 0, "loss": 0.0, "task": 0.0, "lambda": 0.0, "correct": 0, "count": 0}

    def log(self, line):
        if self.rank == 0 and not self.opts.get("quiet"):
            print(line, flush=True)

    def train_step(self):
        t0 = time.time()
        x, y, last, reset = self.batches.next()
        if reset and self.carry is not None:
            self.carry.clear()
        x, y = x.to(self.device, non_blocking=True), y.to(self.device, non_blocking=True)
        factor = lr_factor(self.ir["train"]["lrSchedule"], self.step, self.batches.steps_per_epoch, self.planned, self.base_lr)
        for g in self.weight_opt.param_groups:
            g["lr"] = self.base_lr * factor
        for opt in self.mask_opts:
            for g in opt.param_groups:
                g["lr"] = g["base_lr"] * factor
        self.masks.sample(self.mask_gen)
        self.masks.mode = "sample"
        self.net.train()
        logits = self.net(x)
        loss_task, xent, correct, count = task_loss(logits, y, self.ir["task"], self.ir["train"]["lossReduction"])
        pen = self.masks.penalty()
        loss = loss_task + pen
        self.weight_opt.zero_grad(set_to_none=True)
        for opt in self.mask_opts:
            opt.zero_grad(set_to_none=True)
        loss.backward()
        clip = self.ir["train"]["clip"]
        if clip is not None:
            torch.nn.utils.clip_grad_norm_(self.weight_params, clip)
        self.weight_opt.step()
        for f in self.masks.families:
            if self.step < f.config["warmup"]:
                f.param.grad = None  # mask warm-up: the logits do not learn yet (SGD/Adam skip a None gradient)
        for opt in self.mask_opts:
            opt.step()
        self.step += 1
        self.masks.after_step(self.step)
        # Sums stay on the device (no host sync per step); write_metrics reads them.
        iv = self.interval
        iv["steps"] += 1
        iv["loss"] = iv["loss"] + loss.detach()
        iv["task"] = iv["task"] + xent.detach()
        iv["lambda"] = iv["lambda"] + pen.detach()
        iv["correct"] = iv["correct"] + correct
        iv["count"] += count
        self.wall += time.time() - t0
        return last

    @torch.no_grad()
    def recalibrate_bn(self, batches):
        """BN statistics of the kept architecture: the plain mean over in-order train batches with 1[s > 0]."""
        bns = [m for m in self.model.modules() if isinstance(m, torch.nn.modules.batchnorm._BatchNorm)]
        if not bns or self.dataset.kind != "image" or batches <= 0:
            return None
        saved = [(m.running_mean.clone(), m.running_var.clone(), m.num_batches_tracked.clone(), m.momentum) for m in bns]
        for m in bns:
            m.reset_running_stats()
            m.momentum = None  # cumulative average
        self.masks.mode = "deterministic"
        self.model.train()
        for i, (x, _) in enumerate(self.batches.eval_batches("train", 256)):
            if i >= batches:
                break
            self.model(x.to(self.device))
        for m, s in zip(bns, saved):
            m.momentum = s[3]
        return saved

    @staticmethod
    def _restore_bn(model, saved):
        bns = [m for m in model.modules() if isinstance(m, torch.nn.modules.batchnorm._BatchNorm)]
        for m, s in zip(bns, saved):
            m.running_mean.copy_(s[0])
            m.running_var.copy_(s[1])
            m.num_batches_tracked.copy_(s[2])

    @torch.no_grad()
    def evaluate(self, limit=None):
        split = "test" if self.dataset.kind == "image" else "valid"
        self.masks.mode = "deterministic"
        self.model.eval()
        saved_carry = None
        if self.carry is not None:
            saved_carry = dict(self.carry)
            self.carry.clear()
        loss_sum, correct, count = 0.0, 0, 0
        for x, y in self.batches.eval_batches(split, 256, limit):
            x, y = x.to(self.device), y.to(self.device)
            _, xent, c, n = task_loss(self.model(x), y, self.ir["task"], "mean")
            loss_sum += float(xent) * n
            correct += int(c)
            count += n
        if self.carry is not None:
            self.carry.clear()
            self.carry.update(saved_carry)
        self.masks.mode = "sample"
        loss = loss_sum / count if count else float("nan")
        return {"split": split, "loss": loss, "accuracy": correct / count if count else float("nan"), "perplexity": math.exp(loss) if self.ir["task"] == "language-model" else None}

    def write_metrics(self, final):
        """Rank 0 only: evaluate with 1[s > 0] and append one complete JSON line."""
        t0 = time.time()
        recal = self.opts["bn_recalibration"]
        saved = self.recalibrate_bn(recal)
        ev = self.evaluate(None if final else self.opts.get("eval_limit"))
        if saved is not None and not final:
            self._restore_bn(self.model, saved)
        self.wall += time.time() - t0
        iv = {k: (float(v) if torch.is_tensor(v) else v) for k, v in self.interval.items()}
        n = max(1, iv["steps"])
        betas = {st.name: st.beta_state["beta"] for st in self.masks.groups}
        allb = torch.cat(list(betas.values())).cpu() if betas else torch.zeros(0)
        line = {
            "step": self.step,
            "epoch": self.step / self.batches.steps_per_epoch,
            "loss": iv["loss"] / n,
            "taskLoss": iv["task"] / n,
            "lambdaTerm": iv["lambda"] / n,
            "trainAccuracy": iv["correct"] / iv["count"] if iv["count"] else None,
            "evalSplit": ev["split"],
            "evalLoss": ev["loss"],
            "evalAccuracy": ev["accuracy"],
            "evalPerplexity": ev["perplexity"],
            "betaMedian": float(allb.median()) if allb.numel() else None,
            "kept": self.masks.kept(),
            "lr": self.weight_opt.param_groups[0]["lr"],
            "wallTime": self.wall,
            "worldSize": self.world,
        }
        self.interval = self._empty_interval()
        if self.out:
            with open(os.path.join(self.out, METRICS_FILE), "a", encoding="utf-8") as f:
                f.write(json.dumps(line) + "\n")
        acc = f"ppl {ev['perplexity']:.1f}" if ev["perplexity"] is not None else f"acc {100 * ev['accuracy']:.2f}%"
        kept = sum(line["kept"].values())
        total = sum(st.width for st in self.masks.groups)
        self.log(f"step {self.step} loss {line['loss']:.4f} (task {line['taskLoss']:.4f}, λ {line['lambdaTerm']:.4f}) eval {acc} kept {kept}/{total} structures β med {line['betaMedian'] or 0:.2f}")
        return line

    def state(self):
        return {
            "version": 1,
            "step": self.step,
            "planned": self.planned,
            "model": self.model.state_dict(),
            "masks": self.masks.get_state(),
            "weight_opt": self.weight_opt.state_dict(),
            "mask_opts": [o.state_dict() for o in self.mask_opts],
            "mask_gen": self.mask_gen.get_state().cpu(),
            "torch_rng": torch.get_rng_state(),
            "data": self.batches.state(),
            "wall": self.wall,
        }

    def save_checkpoint(self):
        if self.rank != 0 or not self.out:
            return
        checkpoint.save(os.path.join(self.out, CHECKPOINT_FILE), self.state())

    def load_checkpoint(self, path):
        try:
            s = checkpoint.load(path)
        except Exception as e:  # noqa: BLE001 — any unreadable file is the same user error
            raise data_mod.DataError(f"cannot resume from {path}: {e}") from None
        if s.get("version") != 1:
            raise data_mod.DataError(f"{path}: not an archc PyTorch checkpoint (version {s.get('version')})")
        self.model.load_state_dict(s["model"])
        self.masks.set_state(s["masks"])
        self.weight_opt.load_state_dict(s["weight_opt"])
        for o, st in zip(self.mask_opts, s["mask_opts"]):
            o.load_state_dict(st)
        self.mask_gen.set_state(s["mask_gen"])
        torch.set_rng_state(s["torch_rng"])
        self.batches.restore(s["data"])
        self.step = s["step"]
        self.wall = s["wall"]

    def rank_summary(self):
        """What must agree across ranks: masks, β, counters, kept widths (written per rank in multi-process runs)."""
        return {
            "rank": self.rank,
            "step": self.step,
            "kept": self.masks.kept(),
            "s": {st.name: st.s.detach().cpu().tolist() for st in self.masks.groups},
            "beta": {st.name: st.beta_state["beta"].cpu().tolist() for st in self.masks.groups},
            "counts": {st.name: st.beta_state["counts"].cpu().tolist() for st in self.masks.groups},
        }

    def run(self, module_cls):
        every = self.ir["train"]["checkpointEvery"]
        log_every = self.opts.get("log_every")
        while self.step < self.planned:
            last = self.train_step()
            final = self.step == self.planned
            due = log_every is not None and self.step % log_every == 0
            if self.rank == 0 and (last or due or final):
                self.write_metrics(final)
            if (every is not None and self.step % every == 0) or last or final:
                self.save_checkpoint()
        if self.out and self.world > 1:
            export.write_atomic(os.path.join(self.out, f"rank{self.rank}.json"), json.dumps(self.rank_summary()) + "\n")
        if self.rank == 0 and self.out:
            export.save_weights(self.out, self.model.archc_weights())
            info = {"steps": self.step, "plannedSteps": self.planned, "batch": self.batch, "worldSize": self.world, "device": self.device.type, "torch": torch.__version__, "seed": self.seed}
            export.save_run(self.out, self.ir["name"], module_cls.SPEC_PATH, module_cls.SPEC_SOURCE, info)
            self.log(f"wrote {self.out}/weights.json, weights.bin, spec.arch, run.json; compact with: npx archc compact {self.out}")
        if self.world > 1:
            dist.barrier()
            dist.destroy_process_group()
