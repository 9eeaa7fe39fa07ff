#!/usr/bin/env bash
# A few-minute check of the PyTorch target on a machine with a GPU (none was available where archc was developed):
#   scripts/gpu-check.sh            # on CUDA; `scripts/gpu-check.sh cpu` runs the same steps on the CPU
# Uses the committed generated/pytorch/ (no Node needed), a Python with torch ≥ 1.13 ($PYTHON, default python3).
#  1. versions and the visible devices;
#  2. fashion_cnn: 50 steps on synthetic data on the device, the run files written;
#  3. the same weights evaluated with 1[s > 0] on the device and on the CPU agree (TF32 is switched off for this);
#  4. resume: 25 steps, then --resume to 50, equals the kept widths of the straight run;
#  5. DDP through torchrun: 2 processes (NCCL on 2+ GPUs, else gloo on the CPU), both ranks' masks and β identical;
#  6. the bench row: generated ResNet-20 train step vs a hand-written one (ratio ≥ 0.9 wanted);
#  7. with Node present, `archc compact` on the run of step 2 (pruned .arch that re-checks, tfjs export).
# SKIP_BENCH=1 leaves out step 6 (minutes on a small CPU). Exit 0 when every check passes; each failing check prints FAIL and the script exits 1 at the end.
set -uo pipefail
cd "$(dirname "$0")/.."
DEVICE="${1:-cuda}"
PY="${PYTHON:-python3}"
GEN="$PWD/generated/pytorch"
WORK="$(mktemp -d)"
export PYTHONDONTWRITEBYTECODE=1
fails=0
step() { printf '\n== %s\n' "$*"; }
fail() { echo "FAIL: $*"; fails=$((fails + 1)); }

step "1. versions"
"$PY" - "$DEVICE" <<'PY' || { echo "FAIL: no usable torch"; exit 1; }
import sys, torch
print("torch", torch.__version__, "cuda", torch.version.cuda, "available", torch.cuda.is_available(), "devices", torch.cuda.device_count())
if sys.argv[1] == "cuda" and not torch.cuda.is_available():
    sys.exit("CUDA is not visible to PyTorch")
if torch.cuda.is_available():
    print("device 0:", torch.cuda.get_device_name(0))
PY

step "2. fashion_cnn, 50 steps on $DEVICE"
(cd "$GEN" && "$PY" -m fashion_cnn --data synthetic --steps 50 --batch 64 --device "$DEVICE" --out "$WORK/run" --log-every 25) || fail "training on $DEVICE"
for f in weights.json weights.bin spec.arch run.json metrics.jsonl checkpoint.pt; do [ -f "$WORK/run/$f" ] || fail "missing $f"; done

step "3. masked evaluation: $DEVICE vs cpu"
(cd "$GEN" && "$PY" - "$WORK/run" "$DEVICE" <<'PY') || fail "device and CPU evaluations differ"
import sys, torch
torch.backends.cuda.matmul.allow_tf32 = False
torch.backends.cudnn.allow_tf32 = False
import fashion_cnn
from archc_torch import export
w = export.load_weights(sys.argv[1])
x = torch.randn(16, 1, 28, 28, generator=torch.Generator().manual_seed(0))
outs = []
for dev in (sys.argv[2], "cpu"):
    net = fashion_cnn.FashionCnn().to(dev)
    net.load_archc_weights(w)
    net.masks.to(dev)
    net.masks.mode = "deterministic"
    net.eval()
    with torch.no_grad():
        outs.append(net(x.to(dev)).cpu())
d = (outs[0] - outs[1]).abs().max().item()
scale = 1 + outs[1].abs().max().item()
print(f"max |Δ| = {d:.3g} (scale {scale:.3g})")
sys.exit(0 if d / scale <= 1e-4 else 1)
PY

step "4. resume: 25 steps, checkpoint, --resume to 50 = a straight 50-step run"
(cd "$GEN" && "$PY" -m fashion_cnn --data synthetic --steps 50 --batch 64 --device "$DEVICE" --out "$WORK/a" --quiet >/dev/null) || fail "straight run"
(cd "$GEN" && "$PY" - "$WORK/b" "$DEVICE" <<'PY') || fail "first half"
import sys
import fashion_cnn
from archc_torch.train import Trainer
opts = {"data": "synthetic", "steps": 50, "epochs": None, "batch": 64, "lr": None, "weight_decay": None, "lambda": None, "seed": None,
        "out": sys.argv[1], "device": sys.argv[2], "log_every": None, "eval_limit": None, "bn_recalibration": 20, "quiet": True}
t = Trainer(fashion_cnn.FashionCnn, opts)
for _ in range(25):
    t.train_step()
t.save_checkpoint()
PY
(cd "$GEN" && "$PY" -m fashion_cnn --data synthetic --steps 50 --batch 64 --device "$DEVICE" --out "$WORK/b" --quiet --resume "$WORK/b/checkpoint.pt" >/dev/null) || fail "resumed run"
"$PY" - "$WORK" "$GEN" <<'PY' || fail "the resumed run differs from the straight one"
import json, sys
sys.path.insert(0, sys.argv[2])
from archc_torch import export
work = sys.argv[1]
last = lambda d: json.loads(open(f"{work}/{d}/metrics.jsonl").read().strip().split("\n")[-1])
wa, wb = export.load_weights(f"{work}/a"), export.load_weights(f"{work}/b")
d = max((wa[k] - wb[k]).abs().max().item() for k in wa if k.startswith("masks/"))
print("kept straight", last("a")["kept"], "resumed", last("b")["kept"], f"max |Δs| {d:.3g}")
sys.exit(0 if last("a")["kept"] == last("b")["kept"] and d <= 1e-5 else 1)
PY

step "5. DDP with torchrun, 2 processes"
NGPU="$("$PY" -c 'import torch; print(torch.cuda.device_count())')"
DDP_DEVICE=cpu
if [ "$DEVICE" = cuda ] && [ "$NGPU" -ge 2 ]; then DDP_DEVICE=cuda; fi
DDP_ARGS=(-m fashion_cnn --data synthetic --steps 30 --batch 64 --device "$DDP_DEVICE" --out "$WORK/ddp" --quiet)
if ! (cd "$GEN" && "$PY" -m torch.distributed.run --standalone --nproc_per_node 2 "${DDP_ARGS[@]}"); then
  # Debian's torchrun 1.13 under Python 3.11 dies before starting a worker (a PyTorch bug fixed in 2.x): start the
  # two processes with the environment torchrun would give them, and say so.
  echo "torchrun failed; launching the 2 ranks by hand (MASTER_ADDR/PORT, RANK, LOCAL_RANK, WORLD_SIZE)"
  pids=()
  for r in 0 1; do
    (cd "$GEN" && MASTER_ADDR=127.0.0.1 MASTER_PORT=29517 RANK=$r LOCAL_RANK=$r WORLD_SIZE=2 "$PY" "${DDP_ARGS[@]}") & pids+=($!)
  done
  for p in "${pids[@]}"; do wait "$p" || fail "DDP rank process ($DDP_DEVICE)"; done
fi
"$PY" - "$WORK/ddp" <<'PY' || fail "ranks disagree"
import json, sys
a, b = (json.load(open(f"{sys.argv[1]}/rank{r}.json")) for r in (0, 1))
same = all(a[k] == b[k] for k in ("s", "beta", "counts", "kept"))
print("ranks identical:", same, a["kept"])
sys.exit(0 if same else 1)
PY

step "6. bench: generated vs hand-written ResNet-20 train step on $DEVICE"
if [ -n "${SKIP_BENCH:-}" ]; then echo "skipped (SKIP_BENCH set)"; else
  "$PY" bench/torch_target.py "$GEN" "$(nproc 2>/dev/null || echo 4)" "$DEVICE" 5 || fail "bench"
fi

step "7. archc compact (needs Node and npm ci)"
if command -v node >/dev/null 2>&1 && [ -d node_modules ]; then
  node bin/archc.js compact "$WORK/run" || fail "archc compact"
  node bin/archc.js check "$WORK/run/fashion-cnn.pruned.arch" || fail "pruned spec does not check"
else
  echo "skipped: no node/node_modules here; copy $WORK/run to a machine with archc and run: npx archc compact RUN_DIR"
fi

echo
if [ "$fails" -eq 0 ]; then echo "gpu-check: all checks passed ($DEVICE)"; else echo "gpu-check: $fails check(s) failed"; fi
echo "run folders in $WORK"
[ "$fails" -eq 0 ]
