"""PyTorch CPU as a contender of the training bench (tools/bench/src/train-speed.mjs).

Run by the bench as a child process speaking its line protocol (../protocol.mjs): one JSON request per
line on stdin, one answer per request on stdout as `@@bench <json>`. argv[1] is the thread count
(torch.set_num_threads). The model is what the JavaScript contenders train: nn.LSTM or nn.GRU
(batch-first, one layer) with a Linear head on the last step, MSE, Adam (lr 1e-3), float32, on the same
batch (the same LCG, evaluated in double precision as JavaScript does).

Requests: info -> versions, threads, which BLAS library is loaded (the mapped shared objects) and, for
OpenBLAS, its core kernel set and build config; setup {cell, hidden, input, steps, batch} -> {stepSeconds}
after warm-up; round {steps, batch} -> {seqPerSec, seconds, maxRssMiB}; exit. maxRssMiB is the process's
peak resident set so far (getrusage ru_maxrss, KiB on Linux), as the Node contenders report theirs.
"""
import ctypes
import json
import math
import os
import resource
import sys
import time

import torch

PREFIX = "@@bench "
WARM_STEPS, WARM_SECONDS = 2, 0.5


def bench_batch(B, T, I):
    """The bench's batch: U(-0.5, 0.5) from s <- (1103515245 s + 12345) mod 2^31 in doubles, x then y."""
    s = 12345.0

    def r():
        nonlocal s
        s = math.fmod(s * 1103515245.0 + 12345.0, 2147483648.0)
        return s / 2147483648.0 - 0.5

    x = [[[r() for _ in range(I)] for _ in range(T)] for _ in range(B)]
    y = [[r()] for _ in range(B)]
    return torch.tensor(x, dtype=torch.float32), torch.tensor(y, dtype=torch.float32)


def mapped_libraries(words):
    """Shared objects of this process whose file name contains one of `words` (the last two path parts)."""
    found = []
    try:
        with open("/proc/self/maps") as maps:
            for line in maps:
                path = line.split()[-1] if len(line.split()) >= 6 else ""
                name = os.path.basename(path)
                if any(word in name for word in words) and path not in found:
                    found.append(path)
    except OSError:
        return []
    return found


def blas_info():
    """Which BLAS torch calls: the loaded libraries and, for OpenBLAS, the core it picked and its config."""
    libraries = mapped_libraries(("blas", "lapack", "mkl"))
    info = {
        "libraries": ["/".join(path.split("/")[-2:]) for path in libraries],
        "openblasCoretype": os.environ.get("OPENBLAS_CORETYPE"),
        "threadpoolctl": None,
    }
    for path in libraries:
        try:
            lib = ctypes.CDLL(path)
            lib.openblas_get_corename.restype = ctypes.c_char_p
            lib.openblas_get_config.restype = ctypes.c_char_p
            info["openblasCore"] = lib.openblas_get_corename().decode()
            info["openblasConfig"] = lib.openblas_get_config().decode()
            break
        except (OSError, AttributeError):
            continue
    try:
        import threadpoolctl

        info["threadpoolctl"] = [
            {k: pool.get(k) for k in ("user_api", "internal_api", "version", "num_threads", "threading_layer", "architecture")}
            for pool in threadpoolctl.threadpool_info()
        ]
    except ImportError:
        pass
    return info


def cpu_capability():
    """The 'CPU capability usage' line of torch's build config (the vector ISA of its own kernels)."""
    for line in torch.__config__.show().splitlines():
        if "CPU capability" in line:
            return line.split(":", 1)[1].strip()
    return None


class Trainer:
    def __init__(self, cell, hidden, input, steps, batch):
        torch.manual_seed(1)
        rnn = {"lstm": torch.nn.LSTM, "gru": torch.nn.GRU}[cell]
        self.rnn = rnn(input, hidden, batch_first=True)
        self.head = torch.nn.Linear(hidden, 1)
        params = list(self.rnn.parameters()) + list(self.head.parameters())
        self.optimizer = torch.optim.Adam(params, lr=1e-3)
        self.loss = torch.nn.MSELoss()
        self.x, self.y = bench_batch(batch, steps, input)

    def step(self):
        self.optimizer.zero_grad(set_to_none=True)
        out, _ = self.rnn(self.x)
        loss = self.loss(self.head(out[:, -1]), self.y)
        loss.backward()
        self.optimizer.step()
        return loss.item()


def time_steps(trainer, count):
    start = time.perf_counter()
    for _ in range(count):
        trainer.step()
    return time.perf_counter() - start


def main():
    threads = int(sys.argv[1])
    torch.set_num_threads(threads)
    trainer = None
    for line in sys.stdin:
        request = json.loads(line)
        op = request.get("op")
        try:
            if op == "info":
                answer = {
                    "torch": torch.__version__,
                    "threads": torch.get_num_threads(),
                    "cpuCapability": cpu_capability(),
                    "mkldnn": torch.backends.mkldnn.is_available(),
                    "blas": blas_info(),
                }
            elif op == "setup":
                trainer = Trainer(request["cell"], request["hidden"], request["input"], request["steps"], request["batch"])
                steps, seconds, fastest = 0, 0.0, float("inf")
                while steps < WARM_STEPS or seconds < WARM_SECONDS:
                    one = time_steps(trainer, 1)
                    fastest = min(fastest, one)
                    seconds += one
                    steps += 1
                # The fastest warm step sizes the rounds, as in the JavaScript contenders.
                answer = {"stepSeconds": fastest, "warmSteps": steps, "threads": torch.get_num_threads()}
            elif op == "round":
                seconds = time_steps(trainer, request["steps"])
                peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
                answer = {"seconds": seconds, "seqPerSec": request["steps"] * request["batch"] / seconds, "maxRssMiB": peak}
            elif op == "exit":
                answer = {}
            else:
                raise ValueError("unknown request %r" % op)
        except Exception as error:  # reported to the bench, which names the contender
            answer = {"error": "%s: %s" % (type(error).__name__, error)}
        sys.stdout.write(PREFIX + json.dumps(answer) + "\n")
        sys.stdout.flush()
        if op == "exit":
            return


if __name__ == "__main__":
    main()
