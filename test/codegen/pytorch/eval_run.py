# Test helper: the PyTorch masked evaluation (1[s > 0], BN in eval mode) of a finished run on given inputs.
# argv: GEN_DIR MODULE RUN_DIR INPUTS.bin N H W C → prints the logits as JSON. Inputs are float32 NHWC, as tfjs reads them.
import json
import sys

import numpy as np
import torch

gen_dir, module, run_dir, inputs = sys.argv[1:5]
n, h, w, c = (int(v) for v in sys.argv[5:9])
sys.path.insert(0, gen_dir)
mod = __import__(module)
from archc_torch import export  # noqa: E402

cls = next(v for v in vars(mod).values() if isinstance(v, type) and issubclass(v, torch.nn.Module) and v.__module__ == module)
net = cls()
net.load_archc_weights(export.load_weights(run_dir))
net.masks.mode = "deterministic"
net.eval()
x = torch.from_numpy(np.fromfile(inputs, dtype="<f4").reshape(n, h, w, c)).permute(0, 3, 1, 2).contiguous()
with torch.no_grad():
    print(json.dumps(net(x).tolist()))
