# The files a PyTorch run leaves for archc (README "PyTorch target"): weights.json + weights.bin hold every variable
# under archc's logical name and layout as raw little-endian float32 (`tensors: [{name, shape, offset}]`, offsets in
# bytes into weights.bin), spec.arch is the spec text the module was generated from, and run.json says what ran.
# `archc compact RUN_DIR` reads them (src/compaction/torch-run.ts). Files are written atomically.
import json
import os

import numpy as np
import torch

WEIGHTS_FORMAT = "archc-weights"
RUN_FORMAT = "archc-torch-run"


def write_atomic(path, data):
    tmp = f"{path}.{os.getpid()}.tmp"
    with open(tmp, "wb") as f:
        f.write(data if isinstance(data, bytes) else data.encode("utf-8"))
    os.replace(tmp, path)


def save_weights(out_dir, weights):
    index, chunks, offset = [], [], 0
    for name in sorted(weights):
        a = weights[name].detach().to("cpu", torch.float32).contiguous().numpy().astype("<f4", copy=False)
        index.append({"name": name, "shape": list(a.shape), "offset": offset})
        chunks.append(a.tobytes())
        offset += a.nbytes
    write_atomic(os.path.join(out_dir, "weights.bin"), b"".join(chunks))
    meta = {"format": WEIGHTS_FORMAT, "version": 1, "dtype": "float32", "byteOrder": "little", "tensors": index}
    write_atomic(os.path.join(out_dir, "weights.json"), json.dumps(meta, indent=1) + "\n")


def load_weights(run_dir):
    with open(os.path.join(run_dir, "weights.json"), encoding="utf-8") as f:
        meta = json.load(f)
    with open(os.path.join(run_dir, "weights.bin"), "rb") as f:
        raw = f.read()
    out = {}
    for t in meta["tensors"]:
        n = int(np.prod(t["shape"])) if t["shape"] else 1
        a = np.frombuffer(raw, dtype="<f4", count=n, offset=t["offset"]).reshape(t["shape"])
        out[t["name"]] = torch.from_numpy(a.copy())
    return out


def save_run(out_dir, module_name, spec_path, spec_source, info):
    write_atomic(os.path.join(out_dir, "spec.arch"), spec_source)
    run = {"format": RUN_FORMAT, "version": 1, "network": module_name, "spec": "spec.arch", "specPath": spec_path, **info}
    write_atomic(os.path.join(out_dir, "run.json"), json.dumps(run, indent=1) + "\n")
