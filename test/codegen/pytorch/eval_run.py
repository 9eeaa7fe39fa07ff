# Test helper: the PyTorch masked evaluation (1[s > 0], BN in eval mode) of archc-format weights on given inputs.
# argv: GEN_DIR MODULE WEIGHTS_DIR INPUTS.bin SHAPE (comma-separated) DTYPE (float32 NHWC images | int32 token ids)
# → prints the logits as JSON (images NHWC as tfjs reads them; the module itself runs NCHW).
import json
import sys

import numpy as np
import torch

gen_dir, module, weights_dir, inputs, shape, dtype = sys.argv[1:7]
sys.path.insert(0, gen_dir)
mod = __import__(module)
from archc_torch import export  # noqa: E402

cls = next(v for v in vars(mod).values() if isinstance(v, type) and issubclass(v, torch.nn.Module) and v.__module__ == module)
net = cls()
net.load_archc_weights(export.load_weights(weights_dir))
net.masks.mode = "deterministic"
net.eval()
dims = [int(v) for v in shape.split(",")]
if dtype == "float32":
    x = torch.from_numpy(np.fromfile(inputs, dtype="<f4").reshape(dims)).permute(0, 3, 1, 2).contiguous()
else:
    x = torch.from_numpy(np.fromfile(inputs, dtype="<i4").reshape(dims).astype(np.int64))
with torch.no_grad():
    print(json.dumps(net(x).reshape(-1).tolist()))
