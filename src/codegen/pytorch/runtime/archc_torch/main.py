# The command line of a generated PyTorch trainer: `python3 -m <network> [options]` for one process, or
# `torchrun --nproc-per-node N -m <network> …` (and `--nnodes`) for DDP. Options mirror `archc train`; user errors
# (data, devices, batch that does not divide) print one line and exit 1, never a traceback.
import argparse
import os
import sys

import torch

from .data import DataError
from .train import Trainer


def parse(argv, module_cls):
    name = module_cls.IR["name"]
    p = argparse.ArgumentParser(prog=f"python3 -m {name}", description=f"Train {name} with structured continuous sparsification (archc PyTorch target).")
    p.add_argument("--data", help="dataset kind (fashion-mnist, mnist, cifar10, ptb), a path, or 'synthetic'")
    p.add_argument("--steps", type=int, help="planned steps (takes precedence over epochs)")
    p.add_argument("--epochs", type=float, help="planned epochs")
    p.add_argument("--batch", type=int, help="global batch (split evenly over the processes)")
    p.add_argument("--lr", type=float, help="learning rate of the weights")
    p.add_argument("--weight-decay", type=float, help="weight decay of the weight optimizer")
    p.add_argument("--lambda", dest="lam", type=float, help="sparsity strength of every mask group")
    p.add_argument("--seed", type=int, help="seed of init, masks and data order")
    p.add_argument("--out", default=os.path.join("runs", name), help="run folder (metrics.jsonl, checkpoint.pt, weights.*)")
    p.add_argument("--device", choices=["auto", "cpu", "cuda"], default="auto")
    p.add_argument("--log-every", type=int, help="also evaluate and log every N steps")
    p.add_argument("--eval-limit", type=int, help="intermediate evaluations use at most this many examples")
    p.add_argument("--bn-recalibration", type=int, default=20, help="BN recalibration batches before evaluation (0 = off)")
    p.add_argument("--threads", type=int, help="torch.set_num_threads")
    p.add_argument("--resume", help="checkpoint.pt to resume from")
    p.add_argument("--quiet", action="store_true")
    return p.parse_args(argv)


def run_main(module_cls, argv=None):
    a = parse(sys.argv[1:] if argv is None else argv, module_cls)
    if a.threads:
        torch.set_num_threads(a.threads)
    opts = {
        "data": a.data, "steps": a.steps, "epochs": a.epochs, "batch": a.batch, "lr": a.lr, "weight_decay": a.weight_decay,
        "lambda": a.lam, "seed": a.seed, "out": a.out, "device": a.device, "log_every": a.log_every, "eval_limit": a.eval_limit,
        "bn_recalibration": a.bn_recalibration, "resume": a.resume, "quiet": a.quiet,
    }
    try:
        t = Trainer(module_cls, opts)
        t.run(module_cls)
    except (DataError, FileNotFoundError) as e:
        print(f"error: {e}", file=sys.stderr)
        return 1
    return 0
