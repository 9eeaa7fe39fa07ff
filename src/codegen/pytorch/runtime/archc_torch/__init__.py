# archc_torch: the runtime that archc's PyTorch target ships next to every generated module (`archc build --target
# pytorch`). It mirrors archc's TypeScript runtime: masks and β schedulers (masks.py, schedulers.py), layers and ops in
# archc's semantics (layers.py, ops.py), data (data.py), the training loop with DDP (train.py), the run files that
# `archc compact` reads (export.py) and the command line (main.py). Copied verbatim by the build: do not edit a copy.
