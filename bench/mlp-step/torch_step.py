"""PyTorch anchor of bench/mlp-step: one training step of an MLP, CPU, one thread.

A step is: zero_grad, forward (Linear/ReLU ... Linear), cross_entropy (mean over
the batch), backward, Adam update (torch.optim.Adam, default single-tensor path).

Runs as a child of bench/mlp-step.bench.mjs and speaks the same line protocol
as bench/mlp-step/child.mjs: one JSON command per stdin line, one JSON reply
per stdout line.

  {"cmd": "setup", "problem": {...}}  -> {"ok": true, "info": {...}}
  {"cmd": "check", "steps": k}        -> {"ok": true, "losses": [...]}  (from the initial parameters)
  {"cmd": "run", "steps": n}          -> {"ok": true, "ms": wall, "cpuMs": process CPU time}

The problem names binary files written by the coordinator (problem.mjs): the
pool of batches (x: f32 [samples, d0], then y: i32 [samples]) and the initial
parameters (f32, in state_dict order: weight [out, in] row-major, then bias,
per layer). Step i uses batch i mod batches. `run` starts from the initial
parameters with a fresh Adam, takes 2 untimed steps, then times n steps.

Standalone: `/usr/bin/python3 bench/mlp-step/torch_step.py --standalone`
times the default workload (784-256-128-10, batch 128) on random data and
prints JSON.
"""

import json
import sys
import time

import numpy as np
import torch

torch.set_num_threads(1)
try:
    torch.set_num_interop_threads(1)
except RuntimeError:
    pass  # already set


def loaded_blas():
    """The BLAS library this process mapped (Debian's torch links libblas.so.3, whose
    provider the alternatives system or LD_LIBRARY_PATH decides)."""
    torch.ones(2, 2) @ torch.ones(2, 2)
    try:
        with open("/proc/self/maps") as f:
            libs = {line.split()[-1] for line in f if ".so" in line}
    except OSError:
        return "unknown"
    import os

    for lib in sorted(libs):
        name = os.path.basename(lib)
        if "openblas" in name or "mkl" in name or "blis" in name or "atlas" in name:
            return os.path.realpath(lib)
    for lib in sorted(libs):
        if os.path.basename(lib).startswith("libblas.so"):
            return os.path.realpath(lib)
    return "none found"


def openblas_core():
    """The kernel set OpenBLAS chose for this CPU (openblas_get_corename), or None when the BLAS
    is not OpenBLAS; the coordinator unsets OPENBLAS_CORETYPE / OPENBLAS_L2_SIZE for this process."""
    import ctypes

    lib = loaded_blas()
    if "openblas" not in lib:
        return None
    try:
        f = ctypes.CDLL(lib).openblas_get_corename
        f.restype = ctypes.c_char_p
        return f().decode()
    except (OSError, AttributeError):
        return "unknown"


class Runner:
    def setup(self, problem):
        self.problem = problem
        sizes = problem["sizes"]
        batch, samples, d0 = problem["batch"], problem["samples"], sizes[0]
        raw = np.fromfile(problem["dataFile"], dtype=np.uint8)
        x = raw[: samples * d0 * 4].view(np.float32).reshape(samples, d0)
        y = raw[samples * d0 * 4 : (samples * d0 + samples) * 4].view(np.int32).astype(np.int64)
        self.xs = [torch.from_numpy(x[i : i + batch].copy()) for i in range(0, samples, batch)]
        self.ys = [torch.from_numpy(y[i : i + batch].copy()) for i in range(0, samples, batch)]
        self.init = np.fromfile(problem["paramsFile"], dtype=np.float32)
        layers = []
        for i in range(len(sizes) - 1):
            layers.append(torch.nn.Linear(sizes[i], sizes[i + 1]))
            if i < len(sizes) - 2:
                layers.append(torch.nn.ReLU())
        self.model = torch.nn.Sequential(*layers)
        self.reset()
        return {"torch": torch.__version__, "threads": torch.get_num_threads(), "blas": loaded_blas(),
                "openblasCore": openblas_core()}

    def reset(self):
        """Initial parameters from the file, fresh Adam state."""
        off = 0
        with torch.no_grad():
            for p in self.model.parameters():
                n = p.numel()
                p.copy_(torch.from_numpy(self.init[off : off + n].reshape(p.shape)))
                off += n
        assert off == self.init.size, (off, self.init.size)
        pr = self.problem
        self.opt = torch.optim.Adam(
            self.model.parameters(), lr=pr["lr"], betas=tuple(pr["betas"]), eps=pr["eps"]
        )

    def step(self, i):
        j = i % len(self.xs)
        self.opt.zero_grad(set_to_none=True)
        loss = torch.nn.functional.cross_entropy(self.model(self.xs[j]), self.ys[j])
        loss.backward()
        self.opt.step()
        return loss

    def check(self, steps):
        self.reset()
        losses = [float(self.step(i).item()) for i in range(steps)]
        self.reset()
        return losses

    def run(self, steps):
        self.reset()
        self.step(0)
        self.step(1)
        c0, t0 = time.process_time(), time.perf_counter()
        for i in range(steps):
            self.step(i + 2)
        return (time.perf_counter() - t0) * 1e3, (time.process_time() - c0) * 1e3


def serve():
    runner = Runner()
    for line in sys.stdin:
        line = line.strip()
        if not line:
            continue
        try:
            msg = json.loads(line)
            cmd = msg["cmd"]
            if cmd == "setup":
                reply = {"ok": True, "info": runner.setup(msg["problem"])}
            elif cmd == "check":
                reply = {"ok": True, "losses": runner.check(msg["steps"])}
            elif cmd == "run":
                ms, cpu_ms = runner.run(msg["steps"])
                reply = {"ok": True, "ms": ms, "cpuMs": cpu_ms}
            elif cmd == "exit":
                break
            else:
                reply = {"ok": False, "error": "unknown command " + str(cmd)}
        except Exception as e:  # reported to the coordinator, which skips the variant
            reply = {"ok": False, "error": repr(e)}
        sys.stdout.write(json.dumps(reply) + "\n")
        sys.stdout.flush()


def standalone():
    import os
    import tempfile

    sizes, batch, samples = [784, 256, 128, 10], 128, 4096
    rng = np.random.default_rng(0)
    d = tempfile.mkdtemp()
    data, params = os.path.join(d, "data.bin"), os.path.join(d, "params.bin")
    with open(data, "wb") as f:
        f.write(rng.random((samples, sizes[0])).astype(np.float32).tobytes())
        f.write(rng.integers(0, sizes[-1], samples).astype(np.int32).tobytes())
    n = sum(sizes[i] * sizes[i + 1] + sizes[i + 1] for i in range(len(sizes) - 1))
    (rng.standard_normal(n) * 0.05).astype(np.float32).tofile(params)
    r = Runner()
    info = r.setup({"sizes": sizes, "batch": batch, "samples": samples, "dataFile": data, "paramsFile": params,
                    "lr": 1e-3, "betas": [0.9, 0.999], "eps": 1e-8})
    r.run(50)
    rates = []
    for _ in range(5):
        rates.append(200 / (r.run(200)[0] / 1e3))
    rates.sort()
    print(json.dumps({"info": info, "stepsPerSec": rates, "median": rates[len(rates) // 2]}))


if __name__ == "__main__":
    if "--standalone" in sys.argv:
        standalone()
    else:
        serve()
