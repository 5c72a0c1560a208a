"""PyTorch side of `npm run bench:torch`: trains one model on the CPU for a fixed number of SGD
steps whenever asked, and reports each trial's examples per second as a JSON line.

The models mirror rethink-bench's built-ins on 28x28x1 inputs (runner/models): MLP 1x512 and
3x512 (flatten, ReLU dense layers, 10 logits), the small AlexNet (two blocks of 5x5 conv
with 64 filters, 'same' padding and ReLU, 3x3 max-pool stride 2, local response norm; dense
384, 192, 10) and its 16-filter variant, and the small Inception (conv modules of convolution,
batch norm and ReLU; Inception and down-sampling modules; global average pooling; 10 logits).
SGD with momentum 0.9 and learning rate 0.01 on softmax cross-entropy, batch 128, each batch
gathered from a shuffled order as the rethink-bench loop does.

The process stays up so that bench-torch.ts can interleave its trials with ours (a change in
the machine's load then hits both sides alike). It warms up once with each thread count in
SETTINGS, prints {"model", "torch", "blas"}, then for every line THREADS read from stdin trains
a fresh model for STEPS steps with THREADS threads (Debian's build starts OpenMP with one thread,
so the count is always set) and prints {"threads", "examplesPerSecond"}. The count goes to torch's
intra-op pool and to OpenBLAS: torch.set_num_threads does not reach OpenBLAS's own pthreads pool,
which otherwise runs a thread per core in every process, so "one single-threaded process per
core" would put two BLAS threads on each core (see set_threads).

Usage: python3 bench_torch.py MODEL STEPS WARMUP_STEPS SETTINGS   (SETTINGS: e.g. "2,1")
"""
import ctypes
import json
import os
import sys
import time

import torch
from torch import nn
import torch.nn.functional as F

BATCH = 128
CLASSES = 10


def small_alexnet(filters: int = 64) -> nn.Module:
    # TensorFlow's LRN uses alpha per element of the window; PyTorch divides alpha by the
    # window size, so alpha = 0.001/9 * 9 for the same depth radius 4 (window 9).
    lrn = dict(size=9, alpha=0.001, beta=0.75, k=1.0)
    return nn.Sequential(
        nn.Conv2d(1, filters, 5, padding=2), nn.ReLU(),
        nn.MaxPool2d(3, stride=2, padding=1), nn.LocalResponseNorm(**lrn),
        nn.Conv2d(filters, filters, 5, padding=2), nn.ReLU(),
        nn.MaxPool2d(3, stride=2, padding=1), nn.LocalResponseNorm(**lrn),
        nn.Flatten(),
        nn.Linear(filters * 7 * 7, 384), nn.ReLU(),
        nn.Linear(384, 192), nn.ReLU(),
        nn.Linear(192, CLASSES),
    )


def conv_module(channels_in: int, filters: int, kernel: int, stride: int = 1) -> nn.Module:
    """The small Inception's conv module: convolution (with its bias), batch norm (Keras' momentum
    0.99 and epsilon 1e-3), ReLU."""
    return nn.Sequential(
        nn.Conv2d(channels_in, filters, kernel, stride=stride, padding=kernel // 2),
        nn.BatchNorm2d(filters, eps=1e-3, momentum=0.01), nn.ReLU(),
    )


class Inception(nn.Module):
    """A 1x1 and a 3x3 conv module side by side, concatenated along the channels."""

    def __init__(self, channels_in: int, ch1: int, ch3: int):
        super().__init__()
        self.one, self.three = conv_module(channels_in, ch1, 1), conv_module(channels_in, ch3, 3)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return torch.cat([self.one(x), self.three(x)], dim=1)


class Downsample(nn.Module):
    """A stride-2 3x3 conv module beside a stride-2 3x3 max-pool, concatenated."""

    def __init__(self, channels_in: int, ch3: int):
        super().__init__()
        self.conv, self.pool = conv_module(channels_in, ch3, 3, 2), nn.MaxPool2d(3, stride=2, padding=1)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return torch.cat([self.conv(x), self.pool(x)], dim=1)


def small_inception() -> nn.Module:
    """runner/models/small-inception.ts: the paper's module sequence on 28x28x1, then global
    average pooling and 10 logits."""
    layers = [conv_module(1, 96, 3)]
    channels = 96
    for kind, *widths in [
        ("inception", 32, 32), ("inception", 32, 48), ("down", 80),
        ("inception", 112, 48), ("inception", 96, 64), ("inception", 80, 80), ("inception", 48, 96),
        ("down", 96), ("inception", 176, 160), ("inception", 176, 160),
    ]:
        if kind == "inception":
            layers.append(Inception(channels, *widths))
            channels = sum(widths)
        else:
            layers.append(Downsample(channels, *widths))
            channels += widths[0]
    return nn.Sequential(*layers, nn.AdaptiveAvgPool2d(1), nn.Flatten(), nn.Linear(channels, CLASSES))


def mlp(depth: int) -> nn.Module:
    layers: list[nn.Module] = [nn.Flatten()]
    width = 28 * 28
    for _ in range(depth):
        layers += [nn.Linear(width, 512), nn.ReLU()]
        width = 512
    layers.append(nn.Linear(width, CLASSES))
    return nn.Sequential(*layers)


MODELS = {
    "mlp-1x512": lambda: mlp(1),
    "mlp-3x512": lambda: mlp(3),
    "small-alexnet": small_alexnet,
    "small-alexnet-tiny": lambda: small_alexnet(16),
    "small-inception": small_inception,
}


def set_threads(threads: int) -> None:
    """Sets torch's intra-op thread count and, when torch calls OpenBLAS, OpenBLAS's too.

    Debian's python3-torch links OpenBLAS (pthreads build), whose pool starts with a thread per
    core unless OPENBLAS_NUM_THREADS or OMP_NUM_THREADS said otherwise before it loaded, and
    torch.set_num_threads leaves it alone. Measured on the 2-core machine of docs/performance.md:
    a 128x784 by 784x512 product with torch.set_num_threads(1) took 6.0 ms with the default pool
    against 2.3 ms with OMP_NUM_THREADS=1, under load, because the process ran two BLAS threads
    on cores that other work also wanted."""
    torch.set_num_threads(threads)
    for path in loaded_blas_paths():
        library = ctypes.CDLL(path)
        if hasattr(library, "openblas_set_num_threads"):
            library.openblas_set_num_threads(threads)


def loaded_blas_paths() -> list:
    """The BLAS shared objects this process has mapped."""
    with open("/proc/self/maps") as maps:
        return sorted({line.split()[-1] for line in maps if "blas" in line.lower() and "/" in line})


def loaded_blas() -> str:
    """The BLAS shared objects this process has mapped: what torch actually calls."""
    return ", ".join(os.path.realpath(p) for p in loaded_blas_paths()) or "none mapped"


def train(
    model: nn.Module, images: torch.Tensor, labels: torch.Tensor, steps: int, generator: torch.Generator
) -> float:
    """Trains `steps` steps; returns the seconds they took."""
    optimizer = torch.optim.SGD(model.parameters(), lr=0.01, momentum=0.9)
    order = torch.randperm(images.shape[0], generator=generator)
    started = time.perf_counter()
    for step in range(steps):
        ids = order[step * BATCH:(step + 1) * BATCH]
        optimizer.zero_grad(set_to_none=True)
        loss = F.cross_entropy(model(images[ids]), labels[ids])
        loss.backward()
        optimizer.step()
    return time.perf_counter() - started


def main() -> None:
    model_id, steps, warmup, settings = (
        sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), [int(t) for t in sys.argv[4].split(",")]
    )
    generator = torch.Generator().manual_seed(0)
    examples = max(steps, warmup) * BATCH
    images = torch.rand(examples, 1, 28, 28, generator=generator)
    labels = torch.randint(0, CLASSES, (examples,), generator=generator)
    torch.manual_seed(0)
    for threads in settings:
        set_threads(threads)
        train(MODELS[model_id](), images, labels, warmup, generator)
    print(json.dumps({"model": model_id, "torch": torch.__version__, "blas": loaded_blas()}), flush=True)
    for line in sys.stdin:
        threads = int(line)
        set_threads(threads)
        rate = steps * BATCH / train(MODELS[model_id](), images, labels, steps, generator)
        print(json.dumps({"threads": torch.get_num_threads(), "examplesPerSecond": rate}), flush=True)


if __name__ == "__main__":
    main()
