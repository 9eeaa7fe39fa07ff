# Checkpoints that load with `torch.load(weights_only=True)` on every PyTorch from 1.13 on: the state's tensors go
# into one flat dict of tensors, and everything else (numbers, strings, optimizer hyperparameters, dicts with int
# keys) into a JSON document stored in that dict as a uint8 tensor. 1.13's weights-only unpickler rejects even a
# pickled float, and 2.6 makes weights_only the default, so nothing else is pickled. Written atomically.
import json
import os

import torch

_META = "__archc_meta__"


def _encode(v, tensors):
    if torch.is_tensor(v):
        key = f"t{len(tensors)}"
        tensors[key] = v.detach().cpu()
        return {"__tensor__": key}
    if isinstance(v, dict):
        return {"__dict__": [[_encode(k, tensors), _encode(x, tensors)] for k, x in v.items()]}
    if isinstance(v, (list, tuple)):
        return {"__list__": [_encode(x, tensors) for x in v], "tuple": isinstance(v, tuple)}
    if isinstance(v, float) and (v != v or v in (float("inf"), float("-inf"))):
        return {"__float__": repr(v)}
    if v is None or isinstance(v, (bool, int, float, str)):
        return v
    raise TypeError(f"checkpoint: cannot store a {type(v).__name__}")


def _decode(v, tensors):
    if isinstance(v, dict):
        if "__tensor__" in v:
            return tensors[v["__tensor__"]]
        if "__dict__" in v:
            return {_decode(k, tensors): _decode(x, tensors) for k, x in v["__dict__"]}
        if "__list__" in v:
            items = [_decode(x, tensors) for x in v["__list__"]]
            return tuple(items) if v["tuple"] else items
        if "__float__" in v:
            return float(v["__float__"])
    return v


def save(path, state):
    tensors = {}
    meta = _encode(state, tensors)
    tensors[_META] = torch.frombuffer(bytearray(json.dumps(meta).encode("utf-8")), dtype=torch.uint8)
    tmp = f"{path}.{os.getpid()}.tmp"
    torch.save(tensors, tmp)
    os.replace(tmp, path)


def load(path):
    tensors = torch.load(path, map_location="cpu", weights_only=True)
    if not isinstance(tensors, dict) or _META not in tensors:
        raise ValueError(f"{path}: not an archc PyTorch checkpoint")
    meta = json.loads(tensors[_META].numpy().tobytes().decode("utf-8"))
    return _decode(meta, tensors)
