#!/usr/bin/env python3
"""rethink-bench's PyTorch worker: trains the tasks of a task folder exactly as runner/train/loop.ts does.

Kept in one self-contained file past 350 lines on purpose: `rethink-bench tasks export` copies this
single file to cluster and GPU nodes that have Python, torch (>= 1.13) and numpy and nothing else.

A task folder (docs/engines.md, "The task folder and the worker") holds tasks.json, data/ (raw
little-endian arrays named by their SHA-256), models/ (copied torch modules) and results/. The
Node side prepared everything random about the data (corruption, each epoch's example order, the
crop draws, the early-stopping split); this file builds the network (a TF.js layers topology, or
a user's nn.Module factory), trains it with SGD and momentum, evaluates the whole training and
test sets after every epoch and applies the stopping rule of schema/stopping-rule.ts.

Usage:
  python3 worker.py --dir DIR --task I [--device D] [--threads N]   train task I, write DIR/results/I.json
  python3 worker.py --dir DIR --all [--device D] [--threads N]      every task without a valid result
  python3 worker.py --dir DIR --describe I                          print task I's model description
  python3 worker.py --check [--device D]                            print the ready line and exit
  python3 worker.py --serve [--device D] [--threads N]              JSON lines on stdin/stdout (runner/torch/process.ts)

Exit codes: 0 done; 1 a task's model could not be built (the message names it); 2 usage;
3 torch or numpy missing, or torch older than 1.13; 4 the device asked for is absent;
65 a bad task folder (missing or corrupt file, named).
"""
import argparse
import base64
import hashlib
import importlib.util
import inspect
import json
import math
import os
import platform
import re
import sys
import time

EXIT_MODEL = 1
EXIT_USAGE = 2
EXIT_NO_TORCH = 3
EXIT_NO_DEVICE = 4
EXIT_BAD_FOLDER = 65

MIN_TORCH = (1, 13)
TASKS_FORMAT = "rethink-bench-torch-tasks"
RESULT_FORMAT = "rethink-bench-torch-result"
EVAL_BATCH = 500  # loop.ts's EVAL_BATCH
EPOCHS_AFTER_FIT = 3  # schema/stopping-rule.ts
OUT_OF_MEMORY = re.compile(r"out of memory|can't allocate memory|not enough memory", re.IGNORECASE)
DTYPES = {"float32": "<f4", "uint8": "|u1", "uint32": "<u4"}

torch = None  # imported by load_torch() once the arguments are parsed (threads must be set first)
np = None
nn = None
F = None


class WorkerError(Exception):
    """An error meant for the user, with the exit code of the --task/--all modes."""

    def __init__(self, message, code):
        super().__init__(message)
        self.code = code


def bad_folder(message):
    return WorkerError(message, EXIT_BAD_FOLDER)


def model_error(message):
    return WorkerError(message, EXIT_MODEL)


class RunFailure(Exception):
    """A run that cannot go on (NaN loss, out of memory): recorded as failed, never raised further."""


# ---------------------------------------------------------------------------------------------
# Start-up: torch, the device, determinism, and what the ready line says about them.


def load_torch(threads):
    """Imports numpy and torch; exits 3 with the pip command when either is missing or too old."""
    global torch, np, nn, F
    hint = "install them with: python3 -m pip install 'torch>=1.13' numpy (or pass another Python with --python)"
    # Must precede the import: OpenMP sizes its pool then, and cuBLAS reads it at start-up.
    os.environ.setdefault("OMP_NUM_THREADS", str(threads))
    os.environ.setdefault("CUBLAS_WORKSPACE_CONFIG", ":4096:8")
    try:
        import numpy
    except ImportError as error:
        fail_start("numpy is not installed for %s (%s); %s" % (sys.executable, error, hint), EXIT_NO_TORCH)
    try:
        import torch as torch_module
    except ImportError as error:
        fail_start("torch is not installed for %s (%s); %s" % (sys.executable, error, hint), EXIT_NO_TORCH)
    version = tuple(int(part) for part in re.findall(r"\d+", str(getattr(torch_module, "__version__", "0")))[:2])
    if version < MIN_TORCH:
        fail_start(
            "torch %s is too old: rethink-bench needs torch >= %d.%d; "
            "upgrade with: python3 -m pip install -U 'torch>=1.13'"
            % (getattr(torch_module, "__version__", "?"), MIN_TORCH[0], MIN_TORCH[1]),
            EXIT_NO_TORCH,
        )
    import torch.nn as nn_module
    import torch.nn.functional as functional
    torch, np, nn, F = torch_module, numpy, nn_module, functional


def fail_start(message, code):
    sys.stderr.write("worker.py: %s\n" % message)
    sys.stderr.flush()
    sys.exit(code)


def early_threads(argv):
    """--threads, read before argparse runs: torch is imported (and sized) before the layers are defined."""
    for i, arg in enumerate(argv):
        value = None
        if arg.startswith("--threads="):
            value = arg.split("=", 1)[1]
        elif arg == "--threads" and i + 1 < len(argv):
            value = argv[i + 1]
        if value is not None and value.isdigit() and int(value) > 0:
            return int(value)
    return 1


# The layers below subclass nn.Module, so torch is imported (or the worker exits 3) right here.
load_torch(early_threads(sys.argv[1:]))


def available_devices():
    devices = ["cpu"]
    if torch.cuda.is_available():
        devices += ["cuda:%d" % i for i in range(torch.cuda.device_count())]
    if mps_available():
        devices.append("mps")
    return devices


def mps_available():
    backend = getattr(torch.backends, "mps", None)
    return bool(backend is not None and backend.is_available())


def resolve_device(asked):
    """auto | cpu | cuda | cuda:N | mps → a torch.device; exits 4 naming the devices that exist."""
    if asked == "auto":
        asked = "cuda" if torch.cuda.is_available() else "mps" if mps_available() else "cpu"
    if asked == "cpu":
        return torch.device("cpu")
    here = "devices here: %s" % ", ".join(available_devices())
    match = re.match(r"^cuda(?::(\d+))?$", asked)
    if match:
        if not torch.cuda.is_available():
            built = "built with CUDA %s" % torch.version.cuda if torch.version.cuda else "built without CUDA"
            fail_start("CUDA is not available (torch %s, %s); %s" % (torch.__version__, built, here), EXIT_NO_DEVICE)
        index = int(match.group(1) or 0)
        if index >= torch.cuda.device_count():
            fail_start("there is no CUDA device %d; %s" % (index, here), EXIT_NO_DEVICE)
        return torch.device("cuda", index)
    if asked == "mps":
        if not mps_available():
            fail_start("Apple's MPS backend is not available; %s" % here, EXIT_NO_DEVICE)
        return torch.device("mps")
    fail_start('--device takes auto, cpu, cuda, cuda:N or mps; got "%s"' % asked, EXIT_USAGE)


def make_deterministic(device, threads):
    """Deterministic kernels, full float32 (no TF32), a fixed thread count: docs/engines.md says what that buys."""
    torch.set_num_threads(threads)
    try:
        torch.set_num_interop_threads(1)
    except RuntimeError:
        pass  # already set by an earlier call in this process
    torch.use_deterministic_algorithms(True)
    torch.backends.cudnn.benchmark = False
    torch.backends.cudnn.deterministic = True
    torch.backends.cudnn.allow_tf32 = False
    torch.backends.cuda.matmul.allow_tf32 = False


def cpu_model():
    try:
        with open("/proc/cpuinfo") as info:
            for line in info:
                if line.lower().startswith(("model name", "hardware", "cpu model")):
                    return line.split(":", 1)[1].strip()[:120]
    except OSError:
        pass
    if sys.platform == "darwin":
        try:
            import subprocess

            out = subprocess.run(["sysctl", "-n", "machdep.cpu.brand_string"], capture_output=True, text=True)
            if out.stdout.strip():
                return out.stdout.strip()[:120]
        except OSError:
            pass
    return (platform.processor() or "unknown CPU")[:120]


def memory_bytes():
    try:
        return os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES")
    except (ValueError, OSError, AttributeError):
        return 0


def cudnn_version():
    raw = torch.backends.cudnn.version()
    if not raw:
        return None
    # cuDNN 9 encodes major·10000 + minor·100 + patch; cuDNN 8 and older major·1000 + minor·100 + patch.
    major, rest = (raw // 10000, raw % 10000) if raw >= 90000 else (raw // 1000, raw % 1000)
    return "%d.%d.%d" % (major, rest // 100, rest % 100)


def describe_engine(device, threads):
    """The ready line's engine (the contract's TorchEngine) and hardware (Node's describeHardware)."""
    if device.type == "cuda":
        device_name = torch.cuda.get_device_name(device.index)
        label = "cuda:%d" % device.index
    elif device.type == "mps":
        device_name = "Apple GPU (MPS) on %s" % cpu_model()
        label = "mps"
    else:
        device_name = cpu_model()
        label = "cpu"
    on_cuda = device.type == "cuda"
    engine = {
        "name": "torch",
        "torchVersion": torch.__version__,
        "pythonVersion": platform.python_version(),
        "numpyVersion": np.__version__,
        "cudaVersion": torch.version.cuda if on_cuda else None,
        "cudnnVersion": cudnn_version() if on_cuda else None,
        "device": label,
        "deviceName": device_name[:120],
        "threads": threads,
        "deterministic": bool(torch.are_deterministic_algorithms_enabled()),
    }
    machine = platform.machine().lower()
    arch = {"x86_64": "x64", "amd64": "x64", "aarch64": "arm64", "arm64": "arm64", "i686": "ia32"}.get(machine, machine)
    try:
        cpus = len(os.sched_getaffinity(0))
    except AttributeError:
        cpus = os.cpu_count() or 1
    hardware = {
        "platform": sys.platform if sys.platform != "linux2" else "linux",
        "arch": arch or "unknown",
        "cpuModel": cpu_model(),
        "cpuCount": max(1, cpus),
        "memoryBytes": memory_bytes(),
        "gpu": None if device.type == "cpu" else device_name[:120],
    }
    return engine, hardware


# ---------------------------------------------------------------------------------------------
# Canonical JSON (RFC 8785), equal to schema/canonical.ts, for fingerprints.


def js_number(value):
    """A number as ECMAScript's Number::toString writes it (RFC 8785 §3.2.2.3)."""
    if isinstance(value, int) and abs(value) < 2**53:
        return str(value)
    value = float(value)
    if value != value or value in (float("inf"), float("-inf")):
        raise ValueError("canonical JSON has no representation for %r" % value)
    if value == 0:
        return "0"  # -0 too, as JSON.stringify writes it
    sign = "-" if value < 0 else ""
    mantissa, _, exponent = repr(abs(value)).partition("e")
    whole, _, fraction = mantissa.partition(".")
    digits = whole + fraction
    stripped = digits.lstrip("0")
    # value = 0.DIGITS × 10^n in ECMAScript's terms: n counts the digits before the decimal point.
    n = len(whole) + (int(exponent) if exponent else 0) - (len(digits) - len(stripped))
    digits = stripped.rstrip("0")
    k = len(digits)
    if k <= n <= 21:
        text = digits + "0" * (n - k)
    elif 0 < n <= 21:
        text = digits[:n] + "." + digits[n:]
    elif -6 < n <= 0:
        text = "0." + "0" * (-n) + digits
    else:
        e = n - 1
        text = (digits if k == 1 else digits[0] + "." + digits[1:]) + "e" + ("+" if e >= 0 else "-") + str(abs(e))
    return sign + text


ESCAPES = {'"': '\\"', "\\": "\\\\", "\b": "\\b", "\f": "\\f", "\n": "\\n", "\r": "\\r", "\t": "\\t"}


def js_string(text):
    out = []
    for char in text:
        if char in ESCAPES:
            out.append(ESCAPES[char])
        elif ord(char) < 0x20:
            out.append("\\u%04x" % ord(char))
        else:
            out.append(char)
    return '"' + "".join(out) + '"'


def canonical_json(value):
    """RFC 8785: keys sorted by UTF-16 code units, ECMAScript numbers, minimal escapes, no whitespace."""
    if value is None:
        return "null"
    if value is True:
        return "true"
    if value is False:
        return "false"
    if isinstance(value, (int, float)):
        return js_number(value)
    if isinstance(value, str):
        return js_string(value)
    if isinstance(value, (list, tuple)):
        return "[" + ",".join(canonical_json(item) for item in value) + "]"
    if isinstance(value, dict):
        keys = sorted(value, key=lambda key: key.encode("utf-16-be"))
        return "{" + ",".join(js_string(key) + ":" + canonical_json(value[key]) for key in keys) + "}"
    raise TypeError("no JSON representation for %r" % type(value))


def canonical_digest(value):
    return hashlib.sha256(canonical_json(value).encode("utf-8")).hexdigest()


# ---------------------------------------------------------------------------------------------
# Keras initializers, drawn in TF layout from the task's generator.


def fans(shape):
    """TF.js's computeFans for channels-last weights."""
    if len(shape) == 2:
        return shape[0], shape[1]
    if len(shape) in (3, 4, 5):
        receptive = 1
        for size in shape[:-2]:
            receptive *= size
        return shape[-2] * receptive, shape[-1] * receptive
    size = math.sqrt(max(1, int(np.prod(shape))))
    return size, size


def truncated_normal(shape, mean, stddev, generator):
    """Normal draws redrawn until within two standard deviations, as TF's truncated_normal."""
    values = torch.randn(shape, generator=generator)
    outside = values.abs() > 2
    while bool(outside.any()):
        values[outside] = torch.randn(int(outside.sum()), generator=generator)
        outside = values.abs() > 2
    return values * stddev + mean


VARIANCE_SCALING = {
    "GlorotUniform": (1.0, "fan_avg", "uniform"),
    "GlorotNormal": (1.0, "fan_avg", "truncated_normal"),
    "HeUniform": (2.0, "fan_in", "uniform"),
    "HeNormal": (2.0, "fan_in", "truncated_normal"),
    "LecunUniform": (1.0, "fan_in", "uniform"),
    "LecunNormal": (1.0, "fan_in", "truncated_normal"),
}
SNAKE_INITIALIZERS = {
    "glorot_uniform": "GlorotUniform", "glorot_normal": "GlorotNormal", "he_uniform": "HeUniform",
    "he_normal": "HeNormal", "lecun_uniform": "LecunUniform", "lecun_normal": "LecunNormal", "zeros": "Zeros",
    "ones": "Ones", "random_normal": "RandomNormal", "random_uniform": "RandomUniform",
    "truncated_normal": "TruncatedNormal", "variance_scaling": "VarianceScaling", "constant": "Constant",
}
SUPPORTED_INITIALIZERS = sorted(set(VARIANCE_SCALING) | {
    "VarianceScaling", "RandomNormal", "RandomUniform", "TruncatedNormal", "Zeros", "Ones", "Constant"})


def initial_values(spec, shape, generator, where):
    """A weight's initial values (float32, TF layout) from a Keras initializer spec."""
    if isinstance(spec, str):
        spec = {"class_name": spec, "config": {}}
    name = spec.get("class_name") if isinstance(spec, dict) else None
    name = SNAKE_INITIALIZERS.get(name, name)
    config = (spec or {}).get("config") or {}
    shape = [int(size) for size in shape]
    if name in VARIANCE_SCALING:
        scale, mode, distribution = VARIANCE_SCALING[name]
        name, config = "VarianceScaling", {"scale": scale, "mode": mode, "distribution": distribution}
    if name == "Zeros":
        return torch.zeros(shape)
    if name == "Ones":
        return torch.ones(shape)
    if name == "Constant":
        return torch.full(shape, float(config.get("value", 0)))
    if name == "RandomNormal":
        stddev, mean = float(config.get("stddev", 0.05)), float(config.get("mean", 0))
        return torch.randn(shape, generator=generator) * stddev + mean
    if name == "RandomUniform":
        low, high = float(config.get("minval", -0.05)), float(config.get("maxval", 0.05))
        return torch.rand(shape, generator=generator) * (high - low) + low
    if name == "TruncatedNormal":
        return truncated_normal(shape, float(config.get("mean", 0)), float(config.get("stddev", 0.05)), generator)
    if name == "VarianceScaling":
        fan_in, fan_out = fans(shape)
        mode = config.get("mode", "fan_in")
        fan = {"fan_in": fan_in, "fan_out": fan_out, "fan_avg": (fan_in + fan_out) / 2}.get(mode)
        if fan is None:
            raise model_error("%s: VarianceScaling mode %r is not fan_in, fan_out or fan_avg" % (where, mode))
        scale = float(config.get("scale", 1.0)) / max(1.0, fan)
        distribution = config.get("distribution", "truncated_normal")
        if distribution in ("normal", "truncated_normal"):
            # TF's constant: the standard deviation of a unit normal truncated at two deviations.
            return truncated_normal(shape, 0.0, math.sqrt(scale) / 0.87962566103423978, generator)
        if distribution == "untruncated_normal":
            return torch.randn(shape, generator=generator) * math.sqrt(scale)
        if distribution == "uniform":
            limit = math.sqrt(3.0 * scale)
            return torch.rand(shape, generator=generator) * (2 * limit) - limit
        raise model_error("%s: VarianceScaling distribution %r is not supported" % (where, distribution))
    supported = ", ".join(SUPPORTED_INITIALIZERS)
    raise model_error("%s: initializer %r is not supported; supported: %s" % (where, name, supported))


# ---------------------------------------------------------------------------------------------
# The layers of a TF.js topology in torch. Inside, rank-4 tensors are NCHW (what torch's kernels
# want); every shape, axis and weight the topology names is TF's channels-last one.

TF_TO_NCHW = {0: 0, 1: 2, 2: 3, 3: 1}


def internal_axis(axis, rank):
    axis = axis + rank if axis < 0 else axis
    return TF_TO_NCHW[axis] if rank == 4 else axis


def to_tf_layout(x):
    return x.permute(0, 2, 3, 1) if x.dim() == 4 else x


def from_tf_layout(x):
    return x.permute(0, 3, 1, 2) if x.dim() == 4 else x


def activation_function(name, where):
    name = {"hardSigmoid": "hard_sigmoid", "logSoftmax": "log_softmax", None: "linear"}.get(name, name)
    table = {
        "linear": lambda x: x,
        "relu": F.relu,
        "relu6": lambda x: torch.clamp(F.relu(x), max=6.0),
        "elu": F.elu,
        "selu": torch.selu,
        "sigmoid": torch.sigmoid,
        "hard_sigmoid": lambda x: torch.clamp(x * 0.2 + 0.5, 0.0, 1.0),
        "softplus": F.softplus,
        "softsign": F.softsign,
        "tanh": torch.tanh,
        "softmax": lambda x: torch.softmax(x, dim=internal_axis(-1, x.dim())),
        "log_softmax": lambda x: torch.log_softmax(x, dim=internal_axis(-1, x.dim())),
        "swish": lambda x: x * torch.sigmoid(x),
        "mish": lambda x: x * torch.tanh(F.softplus(x)),
        "gelu": lambda x: x * 0.5 * (1.0 + torch.erf(x / math.sqrt(2.0))),
        "gelu_new": lambda x: 0.5 * x * (1.0 + torch.tanh(math.sqrt(2.0 / math.pi) * (x + 0.044715 * x ** 3))),
    }
    if name not in table:
        raise model_error("%s: activation %r is not supported; supported: %s" % (where, name, ", ".join(sorted(table))))
    return table[name]


def pair(value, name, where):
    if isinstance(value, int):
        return (value, value)
    if isinstance(value, (list, tuple)) and len(value) == 2 and all(isinstance(v, int) for v in value):
        return (int(value[0]), int(value[1]))
    raise model_error("%s: %s must be an integer or two, got %r" % (where, name, value))


def same_padding(size, kernel, stride, dilation=1):
    """TF's 'same' padding of one dimension: (before, after, output size); the extra pixel goes after."""
    effective = (kernel - 1) * dilation + 1
    out = -(-size // stride)
    total = max((out - 1) * stride + effective - size, 0)
    return total // 2, total - total // 2, out


class TopologyLayer(nn.Module):
    """One layer of a topology: its TF-layout output shape, its weights' TF shapes, and its call."""

    multiple_inputs = False

    def __init__(self, config, where):
        super().__init__()
        self.config = config
        self.where = where
        self.tf_shapes = []  # the weights' shapes in TF.js layout, in TF.js's order
        self.tf_layouts = []  # per weight, in the same order: (attribute, TF layout → torch layout)

    def check_format(self):
        data_format = self.config.get("data_format", "channels_last")
        if data_format not in (None, "channels_last"):
            raise model_error("%s: data_format %r is not supported (only channels_last)" % (self.where, data_format))

    def initial(self, key, default, shape, generator):
        """The initial values (TF layout) of the weight whose initializer the config names under `key`."""
        return initial_values(self.config.get(key, default), shape, generator, self.where)

    def add_weight(self, name, values, to_torch=None, buffer=False):
        """Registers a weight given in TF layout as torch's parameter (or buffer) `name`, in torch's layout.

        The same mapping serves load_tf_weights, so the layouts a test checks are the ones training uses."""
        to_torch = to_torch or (lambda v: v)
        self.tf_shapes.append([int(size) for size in values.shape])
        self.tf_layouts.append((name, to_torch))
        tensor = to_torch(values).contiguous()
        if buffer:
            self.register_buffer(name, tensor)
        else:
            setattr(self, name, nn.Parameter(tensor))

    def load_tf_weights(self, arrays):
        """Sets the weights from TF-layout values (a TF.js layer's getWeights(), in order)."""
        if len(arrays) != len(self.tf_layouts):
            raise model_error("%s: %d weights given, it has %d" % (self.where, len(arrays), len(self.tf_layouts)))
        with torch.no_grad():
            for (name, to_torch), shape, values in zip(self.tf_layouts, self.tf_shapes, arrays):
                values = torch.as_tensor(np.asarray(values, dtype=np.float32))
                if list(values.shape) != shape:
                    raise model_error("%s: %s has shape %s, not %s" % (self.where, name, list(values.shape), shape))
                getattr(self, name).copy_(to_torch(values))


class InputLayer(TopologyLayer):
    pass


class Dense(TopologyLayer):
    def build(self, shapes, generator):
        (shape,) = shapes
        units = int(self.config["units"])
        self.use_bias = self.config.get("use_bias", True)
        self.activation = activation_function(self.config.get("activation"), self.where)
        kernel = self.initial("kernel_initializer", "GlorotUniform", [shape[-1], units], generator)
        self.add_weight("weight", kernel, lambda k: k.t())  # TF's [in, units] is torch's [units, in]
        self.bias = None
        if self.use_bias:
            self.add_weight("bias", self.initial("bias_initializer", "Zeros", [units], generator))
        return shape[:-1] + [units]

    def forward(self, x):
        if x.dim() == 4:  # a Dense on an image acts on its channels, as in TF
            return from_tf_layout(self.activation(F.linear(to_tf_layout(x), self.weight, self.bias)))
        return self.activation(F.linear(x, self.weight, self.bias))


def conv_kernel(kernel):
    """TF's [kh, kw, in, out] filters as torch's [out, in, kh, kw]."""
    return kernel.permute(3, 2, 0, 1)


def depthwise_kernel(kernel):
    """TF's depthwise [kh, kw, in, multiplier] filters as torch's grouped [in·multiplier, 1, kh, kw].

    TF orders the outputs channel by channel, each input channel's multiplier outputs together
    (output c·multiplier + m is input c's filter m), which is the order of torch's groups=in."""
    kh, kw, channels, multiplier = kernel.shape
    return kernel.permute(2, 3, 0, 1).reshape(channels * multiplier, 1, kh, kw)


class Convolution(TopologyLayer):
    """What Conv2D, DepthwiseConv2D and SeparableConv2D share: the window, TF's padding, the activation."""

    def geometry(self, shape):
        """Reads kernel size, strides, dilation and padding; returns the output's (height, width)."""
        self.check_format()
        if len(shape) != 3:
            raise model_error(
                "%s: %s needs images (height, width, channels), got shape %s" % (self.where, self.kind, shape)
            )
        self.kernel_size = pair(self.config["kernel_size"], "kernel_size", self.where)
        self.stride = pair(self.config.get("strides", 1), "strides", self.where)
        self.dilation = pair(self.config.get("dilation_rate", 1), "dilation_rate", self.where)
        self.padding = self.config.get("padding", "valid")
        self.activation = activation_function(self.config.get("activation"), self.where)
        (kh, kw), (dh, dw) = self.kernel_size, self.dilation
        if self.padding == "same":
            top, bottom, out_h = same_padding(shape[0], kh, self.stride[0], dh)
            left, right, out_w = same_padding(shape[1], kw, self.stride[1], dw)
            self.pads = (left, right, top, bottom)
        elif self.padding == "valid":
            out_h = (shape[0] - (kh - 1) * dh - 1) // self.stride[0] + 1
            out_w = (shape[1] - (kw - 1) * dw - 1) // self.stride[1] + 1
            self.pads = (0, 0, 0, 0)
        else:
            raise model_error("%s: padding %r is not supported (same or valid)" % (self.where, self.padding))
        if out_h < 1 or out_w < 1:
            size = (self.where, shape[0], shape[1], kh, kw)
            raise model_error("%s: a %d×%d input is smaller than its %d×%d window" % size)
        return out_h, out_w

    def convolve(self, x, weight, bias, groups=1):
        left, right, top, bottom = self.pads
        if left == right and top == bottom:  # symmetric: torch pads inside the kernel, no copy
            return F.conv2d(x, weight, bias, self.stride, (top, left), self.dilation, groups)
        return F.conv2d(F.pad(x, self.pads), weight, bias, self.stride, 0, self.dilation, groups)


class Conv2D(Convolution):
    def build(self, shapes, generator):
        (shape,) = shapes
        out_h, out_w = self.geometry(shape)
        filters = int(self.config["filters"])
        if self.config.get("groups", 1) not in (1, None):
            raise model_error("%s: grouped convolutions are not supported" % self.where)
        kh, kw = self.kernel_size
        kernel = self.initial("kernel_initializer", "GlorotUniform", [kh, kw, shape[2], filters], generator)
        self.add_weight("weight", kernel, conv_kernel)
        self.bias = None
        if self.config.get("use_bias", True):
            self.add_weight("bias", self.initial("bias_initializer", "Zeros", [filters], generator))
        return [out_h, out_w, filters]

    def forward(self, x):
        return self.activation(self.convolve(x, self.weight, self.bias))


def depth_multiplier(config, where):
    multiplier = config.get("depth_multiplier")
    multiplier = 1 if multiplier is None else multiplier  # TF.js's default, also when its config leaves it out
    if not isinstance(multiplier, int) or isinstance(multiplier, bool) or multiplier < 1:
        raise model_error("%s: depth_multiplier must be a positive integer, got %r" % (where, multiplier))
    return multiplier


class DepthwiseConv2D(Convolution):
    """Each input channel convolved with its own depth_multiplier filters: torch's groups = channels."""

    def build(self, shapes, generator):
        (shape,) = shapes
        out_h, out_w = self.geometry(shape)
        if self.dilation != (1, 1):
            # TF.js's DepthwiseConv2D.call passes no dilation to its kernel (4.22: "TODO: Add support for
            # dilation"), so the TF.js engine would train an undilated network: refuse rather than differ.
            raise model_error(
                "%s: dilation_rate %s is not supported (TF.js ignores it for DepthwiseConv2D); "
                "use dilation_rate 1, or a Conv2D or SeparableConv2D with the dilation"
                % (self.where, list(self.dilation))
            )
        self.multiplier = depth_multiplier(self.config, self.where)
        channels = shape[2]
        kh, kw = self.kernel_size
        kernel = self.initial("depthwise_initializer", "GlorotNormal", [kh, kw, channels, self.multiplier], generator)
        self.add_weight("depthwise", kernel, depthwise_kernel)
        self.bias = None
        if self.config.get("use_bias", True):
            bias = self.initial("bias_initializer", "Zeros", [channels * self.multiplier], generator)
            self.add_weight("bias", bias)
        self.groups = channels
        return [out_h, out_w, channels * self.multiplier]

    def forward(self, x):
        return self.activation(self.convolve(x, self.depthwise, self.bias, self.groups))


class SeparableConv2D(Convolution):
    """A depthwise convolution (strides, padding, dilation; no bias), then a 1×1 one to `filters`, with the bias."""

    def build(self, shapes, generator):
        (shape,) = shapes
        out_h, out_w = self.geometry(shape)
        self.multiplier = depth_multiplier(self.config, self.where)
        channels, filters = shape[2], int(self.config["filters"])
        kh, kw = self.kernel_size
        depthwise = [kh, kw, channels, self.multiplier]
        self.add_weight("depthwise", self.initial("depthwise_initializer", "GlorotUniform", depthwise, generator),
                        depthwise_kernel)
        pointwise = [1, 1, channels * self.multiplier, filters]
        self.add_weight("pointwise", self.initial("pointwise_initializer", "GlorotUniform", pointwise, generator),
                        conv_kernel)
        self.bias = None
        if self.config.get("use_bias", True):
            self.add_weight("bias", self.initial("bias_initializer", "Zeros", [filters], generator))
        self.groups = channels
        return [out_h, out_w, filters]

    def forward(self, x):
        y = self.convolve(x, self.depthwise, None, self.groups)
        return self.activation(F.conv2d(y, self.pointwise, self.bias))


class Pooling2D(TopologyLayer):
    def build(self, shapes, generator):
        (shape,) = shapes
        self.check_format()
        self.size = pair(self.config.get("pool_size", 2), "pool_size", self.where)
        strides = self.config.get("strides")
        self.stride = self.size if strides is None else pair(strides, "strides", self.where)
        padding = self.config.get("padding", "valid")
        if padding == "same":
            top, bottom, out_h = same_padding(shape[0], self.size[0], self.stride[0])
            left, right, out_w = same_padding(shape[1], self.size[1], self.stride[1])
            self.pads = (left, right, top, bottom)
        elif padding == "valid":
            out_h = (shape[0] - self.size[0]) // self.stride[0] + 1
            out_w = (shape[1] - self.size[1]) // self.stride[1] + 1
            self.pads = (0, 0, 0, 0)
        else:
            raise model_error("%s: padding %r is not supported (same or valid)" % (self.where, padding))
        return [out_h, out_w, shape[2]]


class MaxPooling2D(Pooling2D):
    def forward(self, x):
        if any(self.pads):
            x = F.pad(x, self.pads, value=float("-inf"))  # TF's max-pool never picks a padding pixel
        return F.max_pool2d(x, self.size, self.stride)


class AveragePooling2D(Pooling2D):
    def forward(self, x):
        if not any(self.pads):
            return F.avg_pool2d(x, self.size, self.stride)
        # TF averages over the window's real pixels only: the padded sum over the padded count.
        ones = torch.ones_like(x[:1, :1])
        sums = F.avg_pool2d(F.pad(x, self.pads), self.size, self.stride)
        return sums / F.avg_pool2d(F.pad(ones, self.pads), self.size, self.stride)


class GlobalPooling2D(TopologyLayer):
    def build(self, shapes, generator):
        (shape,) = shapes
        self.check_format()
        self.keepdims = bool(self.config.get("keepdims", False))
        return [1, 1, shape[2]] if self.keepdims else [shape[2]]


class GlobalAveragePooling2D(GlobalPooling2D):
    def forward(self, x):
        return x.mean(dim=(2, 3), keepdim=self.keepdims)


class GlobalMaxPooling2D(GlobalPooling2D):
    def forward(self, x):
        return torch.amax(x, dim=(2, 3), keepdim=self.keepdims)


class Flatten(TopologyLayer):
    def build(self, shapes, generator):
        (shape,) = shapes
        self.check_format()
        return [int(np.prod(shape))]

    def forward(self, x):
        return to_tf_layout(x).reshape(x.shape[0], -1)  # flattened in TF's NHWC order


class Reshape(TopologyLayer):
    def build(self, shapes, generator):
        (shape,) = shapes
        target = [int(size) for size in self.config["target_shape"]]
        if -1 in target:
            known = int(np.prod([size for size in target if size != -1]))
            target[target.index(-1)] = int(np.prod(shape)) // max(1, known)
        if int(np.prod(target)) != int(np.prod(shape)):
            raise model_error("%s: cannot reshape %s into %s" % (self.where, shape, target))
        self.target = target
        return target

    def forward(self, x):
        return from_tf_layout(to_tf_layout(x).reshape([x.shape[0]] + self.target))


class BatchNormalization(TopologyLayer):
    """Keras' batch norm: batch statistics (biased variance) in training, moving ones at inference."""

    def build(self, shapes, generator):
        (shape,) = shapes
        rank = len(shape) + 1
        axis = self.config.get("axis", -1)
        axis = axis[0] if isinstance(axis, list) and len(axis) == 1 else axis
        if not isinstance(axis, int) or internal_axis(axis, rank) != 1:
            raise model_error(
                "%s: batch normalization over axis %r of a rank-%d tensor is not supported (only the channels)"
                % (self.where, axis, rank)
            )
        channels = shape[-1]
        self.momentum = float(self.config.get("momentum", 0.99))
        self.epsilon = float(self.config.get("epsilon", 0.001))
        self.reduce = [0] + list(range(2, rank))
        self.gamma = self.beta = None
        if self.config.get("scale", True):
            self.add_weight("gamma", self.initial("gamma_initializer", "Ones", [channels], generator))
        if self.config.get("center", True):
            self.add_weight("beta", self.initial("beta_initializer", "Zeros", [channels], generator))
        moving_mean = self.initial("moving_mean_initializer", "Zeros", [channels], generator)
        self.add_weight("moving_mean", moving_mean, buffer=True)
        moving_variance = self.initial("moving_variance_initializer", "Ones", [channels], generator)
        self.add_weight("moving_variance", moving_variance, buffer=True)
        return shape

    def forward(self, x):
        if not self.training:
            moving = (self.moving_mean, self.moving_variance)
            return F.batch_norm(x, *moving, self.gamma, self.beta, False, 0.0, self.epsilon)
        y = F.batch_norm(x, None, None, self.gamma, self.beta, True, 0.0, self.epsilon)
        with torch.no_grad():
            # TF.js's update, with the biased variance it normalized by: m ← m − (m − value)·(1 − momentum).
            mean = x.mean(dim=self.reduce)
            shape = [1, -1] + [1] * (x.dim() - 2)
            variance = ((x - mean.reshape(shape)) ** 2).mean(dim=self.reduce)
            self.moving_mean.sub_((self.moving_mean - mean) * (1 - self.momentum))
            self.moving_variance.sub_((self.moving_variance - variance) * (1 - self.momentum))
        return y


class Activation(TopologyLayer):
    def build(self, shapes, generator):
        self.activation = activation_function(self.config.get("activation"), self.where)
        return shapes[0]

    def forward(self, x):
        return self.activation(x)


class ReLU(TopologyLayer):
    def build(self, shapes, generator):
        self.max_value = self.config.get("max_value")
        self.negative_slope = float(self.config.get("negative_slope") or 0.0)
        self.threshold = float(self.config.get("threshold") or 0.0)
        return shapes[0]

    def forward(self, x):
        if self.negative_slope == 0 and self.threshold == 0:
            y = F.relu(x)
        else:
            y = torch.where(x >= self.threshold, x, (x - self.threshold) * self.negative_slope)
        return y if self.max_value is None else torch.clamp(y, max=float(self.max_value))


class LeakyReLU(TopologyLayer):
    def build(self, shapes, generator):
        self.alpha = float(self.config.get("alpha", self.config.get("negative_slope", 0.3)))
        return shapes[0]

    def forward(self, x):
        return F.leaky_relu(x, self.alpha)


class ELU(TopologyLayer):
    def build(self, shapes, generator):
        self.alpha = float(self.config.get("alpha", 1.0))
        return shapes[0]

    def forward(self, x):
        return F.elu(x, self.alpha)


class Softmax(TopologyLayer):
    def build(self, shapes, generator):
        axis = self.config.get("axis", -1)
        self.axis = axis[0] if isinstance(axis, list) and len(axis) == 1 else axis
        return shapes[0]

    def forward(self, x):
        return torch.softmax(x, dim=internal_axis(self.axis, x.dim()))


class LocalResponseNormalization(TopologyLayer):
    """tf.nn.local_response_normalization: x / (bias + alpha·Σ x² over 2r+1 channels)^beta."""

    def build(self, shapes, generator):
        self.radius = int(self.config["depth_radius"])
        self.bias_value = float(self.config["bias"])
        self.alpha = float(self.config["alpha"])
        self.beta = float(self.config["beta"])
        return shapes[0]

    def forward(self, x):
        n, c, h, w = x.shape
        size = 2 * self.radius + 1
        # The channel window's mean by a 2-D average pool (deterministic on CUDA, unlike torch's
        # own LRN, which pools in 3-D); times the window size it is the sum, zero past the edges.
        squares = (x * x).reshape(n, 1, c, h * w)
        mean = F.avg_pool2d(squares, (size, 1), stride=1, padding=(self.radius, 0)).reshape(n, c, h, w)
        return x / (mean * (self.alpha * size) + self.bias_value) ** self.beta


class Dropout(TopologyLayer):
    """SeededDropout and Dropout: fresh masks on every training step from the run's dropout generator."""

    def build(self, shapes, generator):
        if self.config.get("noise_shape") is not None:
            raise model_error("%s: dropout with a noise_shape is not supported" % self.where)
        self.rate = float(self.config["rate"])
        return shapes[0]

    def forward(self, x):
        if not self.training or self.rate <= 0:
            return x
        keep = torch.rand(x.shape, generator=DROPOUT["generator"], device=DROPOUT["device"]).to(x.device) >= self.rate
        return x * keep / (1.0 - self.rate)


class SpatialDropout2D(TopologyLayer):
    """Keras' SpatialDropout2D: whole channels dropped, one draw per example and channel, on every training
    step from the run's dropout generator; the kept ones scaled by 1/(1 − rate)."""

    def build(self, shapes, generator):
        (shape,) = shapes
        self.check_format()
        if len(shape) != 3:
            raise model_error("%s: SpatialDropout2D needs images (height, width, channels), got %s"
                              % (self.where, shape))
        if self.config.get("noise_shape") is not None:
            raise model_error("%s: SpatialDropout2D with a noise_shape is not supported" % self.where)
        self.rate = float(self.config["rate"])
        return shape

    def forward(self, x):
        if not self.training or self.rate <= 0:
            return x
        draws = torch.rand(x.shape[:2], generator=DROPOUT["generator"], device=DROPOUT["device"]).to(x.device)
        keep = (draws >= self.rate).to(x.dtype)[:, :, None, None]  # NCHW: one value per example and channel
        return x * keep / (1.0 - self.rate)


class GaussianNoise(TopologyLayer):
    def build(self, shapes, generator):
        self.stddev = float(self.config["stddev"])
        return shapes[0]

    def forward(self, x):
        if not self.training:
            return x
        noise = torch.randn(x.shape, generator=DROPOUT["generator"], device=DROPOUT["device"]).to(x.device)
        return x + noise * self.stddev


class GaussianDropout(TopologyLayer):
    def build(self, shapes, generator):
        self.rate = float(self.config["rate"])
        return shapes[0]

    def forward(self, x):
        if not self.training or not 0 < self.rate < 1:
            return x
        noise = torch.randn(x.shape, generator=DROPOUT["generator"], device=DROPOUT["device"]).to(x.device)
        return x * (noise * math.sqrt(self.rate / (1 - self.rate)) + 1)


class ZeroPadding2D(TopologyLayer):
    def build(self, shapes, generator):
        (shape,) = shapes
        self.check_format()
        padding = self.config.get("padding", 1)
        if isinstance(padding, int):
            rows = cols = (padding, padding)
        elif isinstance(padding, list) and len(padding) == 2 and all(isinstance(p, int) for p in padding):
            rows, cols = (padding[0], padding[0]), (padding[1], padding[1])
        else:
            rows, cols = pair(padding[0], "padding", self.where), pair(padding[1], "padding", self.where)
        self.pads = (cols[0], cols[1], rows[0], rows[1])
        return [shape[0] + sum(rows), shape[1] + sum(cols), shape[2]]

    def forward(self, x):
        return F.pad(x, self.pads)


class Concatenate(TopologyLayer):
    multiple_inputs = True

    def build(self, shapes, generator):
        axis = self.config.get("axis", -1)
        rank = len(shapes[0]) + 1
        self.axis = axis
        tf_axis = (axis + rank if axis < 0 else axis) - 1
        out = list(shapes[0])
        out[tf_axis] = sum(shape[tf_axis] for shape in shapes)
        return out

    def forward(self, xs):
        return torch.cat(xs, dim=internal_axis(self.axis, xs[0].dim()))


class Merge(TopologyLayer):
    multiple_inputs = True
    OPERATIONS = {
        "Add": lambda xs: sum(xs[1:], xs[0]),
        "Subtract": lambda xs: xs[0] - xs[1],
        "Multiply": lambda xs: _reduce(lambda a, b: a * b, xs),
        "Average": lambda xs: sum(xs[1:], xs[0]) / len(xs),
        "Maximum": lambda xs: _reduce(torch.maximum, xs),
        "Minimum": lambda xs: _reduce(torch.minimum, xs),
    }

    def build(self, shapes, generator):
        self.operation = self.OPERATIONS[self.kind]
        return shapes[0]

    def forward(self, xs):
        return self.operation(xs)


def _reduce(function, xs):
    out = xs[0]
    for x in xs[1:]:
        out = function(out, x)
    return out


LAYERS = {
    "InputLayer": InputLayer, "Dense": Dense, "Conv2D": Conv2D, "DepthwiseConv2D": DepthwiseConv2D,
    "SeparableConv2D": SeparableConv2D, "SpatialDropout2D": SpatialDropout2D, "MaxPooling2D": MaxPooling2D,
    "AveragePooling2D": AveragePooling2D, "GlobalAveragePooling2D": GlobalAveragePooling2D,
    "GlobalMaxPooling2D": GlobalMaxPooling2D, "Flatten": Flatten, "Reshape": Reshape,
    "BatchNormalization": BatchNormalization, "Activation": Activation, "ReLU": ReLU, "LeakyReLU": LeakyReLU,
    "ELU": ELU, "Softmax": Softmax, "LocalResponseNormalization": LocalResponseNormalization,
    "SeededDropout": Dropout, "Dropout": Dropout, "GaussianNoise": GaussianNoise, "GaussianDropout": GaussianDropout,
    "ZeroPadding2D": ZeroPadding2D, "Concatenate": Concatenate,
    "Add": Merge, "Subtract": Merge, "Multiply": Merge, "Average": Merge, "Maximum": Merge, "Minimum": Merge,
}
# The dropout-like layers' generator for the task being trained (set by train_task).
DROPOUT = {"generator": None, "device": "cpu"}


class TopologyNet(nn.Module):
    """A TF.js layers topology (Sequential or functional, one input, one output) as a torch module."""

    def __init__(self, topology, input_shape, generator):
        super().__init__()
        class_name = topology.get("class_name")
        config = topology.get("config")
        if class_name == "Sequential":
            layers = config if isinstance(config, list) else config["layers"]
            specs, previous = [], None
            for i, layer in enumerate(layers):
                is_input = layer.get("class_name") == "InputLayer"
                inbound = [] if is_input or previous is None else [[[previous, 0, 0, {}]]]
                if previous is None and not is_input:
                    # The first layer names the input shape itself: an input node stands in front of it.
                    specs.append({"class_name": "InputLayer", "name": "__input", "config": {}, "synthetic": True})
                    inbound = [[["__input", 0, 0, {}]]]
                name = "__layer%d" % i
                specs.append(dict(layer, name=name, inbound_nodes=inbound))
                previous = name
            outputs = [[previous, 0, 0]]
        elif class_name in ("Model", "Functional"):
            specs = [dict(layer, name=layer.get("name") or layer["config"]["name"]) for layer in config["layers"]]
            inputs, outputs = config.get("input_layers"), config.get("output_layers")
            if not isinstance(inputs, list) or len(inputs) != 1 or not isinstance(outputs, list) or len(outputs) != 1:
                raise model_error("the topology must have exactly one input and one output")
        else:
            raise model_error("topology class %r is not supported (Sequential, Model or Functional)" % class_name)
        self.blocks = nn.ModuleList()
        self.plan = []  # (block index or None for the input, output key, input keys)
        self.tf_shapes = []  # per layer of the topology (not the synthetic input), its weights' TF shapes
        self.layer_blocks = []  # per layer of the topology, its block's index (None for an input)
        shapes = {}
        self.last_activation = None
        for i, spec in enumerate(specs):
            class_name = spec.get("class_name")
            layer_config = spec.get("config") or {}
            where = "layer %d %r (%s)" % (len(self.tf_shapes), layer_config.get("name", spec["name"]), class_name)
            if class_name not in LAYERS:
                raise model_error("%s is not supported; supported layers: %s" % (where, ", ".join(sorted(LAYERS))))
            if class_name == "InputLayer":
                declared = layer_config.get("batch_input_shape") or layer_config.get("batch_shape")
                if declared is not None and [int(s) for s in declared[1:]] != list(input_shape):
                    task_shape = list(input_shape)
                    raise model_error("%s: the input shape %s is not the task's %s" % (where, declared[1:], task_shape))
                shapes[(spec["name"], 0)] = list(input_shape)
                self.plan.append((None, (spec["name"], 0), []))
                if not spec.get("synthetic"):
                    self.tf_shapes.append([])
                    self.layer_blocks.append(None)
                continue
            nodes = spec.get("inbound_nodes") or []
            if len(nodes) != 1:
                raise model_error("%s is applied %d times; shared layers are not supported" % (where, len(nodes)))
            refs = []
            for ref in nodes[0]:
                key = (ref[0], int(ref[1]))
                if key not in shapes or (len(ref) > 2 and int(ref[2]) != 0):
                    raise model_error("%s: its input %r comes before it is computed" % (where, ref[0]))
                refs.append(key)
            layer_class = LAYERS[class_name]
            block = layer_class(layer_config, where)
            block.kind = class_name
            in_shapes = [shapes[key] for key in refs]
            if not layer_class.multiple_inputs and len(in_shapes) != 1:
                raise model_error("%s takes one input, got %d" % (where, len(in_shapes)))
            shapes[(spec["name"], 0)] = [int(size) for size in block.build(in_shapes, generator)]
            self.blocks.append(block)
            self.plan.append((len(self.blocks) - 1, (spec["name"], 0), refs))
            self.tf_shapes.append(block.tf_shapes)
            self.layer_blocks.append(len(self.blocks) - 1)
        self.output_key = (outputs[0][0], int(outputs[0][1]))
        if self.output_key not in shapes:
            raise model_error("the topology's output layer %r is not one of its layers" % outputs[0][0])
        self.output_shape = shapes[self.output_key]
        last = next(spec for spec in specs if spec["name"] == outputs[0][0])
        # As loop.ts's outputsProbabilities: a final softmax means the outputs are probabilities.
        last_activation = (last.get("config") or {}).get("activation")
        self.probabilities = last.get("class_name") == "Softmax" or last_activation == "softmax"

    def forward(self, x):
        return self.run_plan(x, lambda block, inputs: block(inputs))

    def run_plan(self, x, apply):
        """The graph's output for input x, each block evaluated as apply(block, its input or inputs)."""
        values = {}
        for block_index, key, refs in self.plan:
            if block_index is None:
                values[key] = x
                continue
            block = self.blocks[block_index]
            inputs = [values[ref] for ref in refs]
            values[key] = apply(block, inputs if block.multiple_inputs else inputs[0])
        return values[self.output_key]

    def parameter_count(self):
        return int(sum(int(np.prod(shape)) for layer in self.tf_shapes for shape in layer))

    def load_tf_weights(self, layers):
        """Sets every weight from TF.js's values: per layer of the topology, its getWeights() in TF layout.

        Training never calls it; it lets a test run TF.js's initial weights through both engines."""
        if len(layers) != len(self.layer_blocks):
            counts = (len(layers), len(self.layer_blocks))
            raise model_error("weights for %d layers given, the topology has %d" % counts)
        for block_index, arrays in zip(self.layer_blocks, layers):
            if block_index is None:
                if arrays:
                    raise model_error("an input layer has no weights, %d given" % len(arrays))
                continue
            self.blocks[block_index].load_tf_weights(arrays)


# ---------------------------------------------------------------------------------------------
# torch modules from a user's factory, and their canonical description.


def scalar_config_value(value):
    if value is None or isinstance(value, (bool, int, str)):
        return True, value
    if isinstance(value, float):
        # JSON has no infinities or NaN: the description spells them as strings.
        return True, value if math.isfinite(value) else repr(value)
    if isinstance(value, (tuple, list)) and not any(isinstance(item, (tuple, list)) for item in value):
        converted = [scalar_config_value(item) for item in value]
        if all(ok for ok, _ in converted):
            return True, [item for _, item in converted]
    return False, None


def describe_module(module, prefix="", first_holders=None):
    """The canonical description (docs/engines.md): types, hyper-parameters, shapes, sources.

    A parameter or buffer held by several modules (tied weights, or one module registered under two
    names) is described where named_parameters() / named_buffers() first meet it, a depth-first walk
    with a module's own tensors before its children's; each later holder lists it under "tied" with
    that first dotted path, so the server counts it once, as module_parameter_count does."""
    if first_holders is None:
        first_holders = ({}, {})  # id of a parameter, of a buffer -> dotted path of its first holder
    cls = type(module)
    config = {}
    for name, value in sorted(vars(module).items()):
        if name.startswith("_") or name == "training":
            continue
        ok, converted = scalar_config_value(value)
        if ok:
            config[name] = converted
    parameters, buffers, tied = {}, {}, {}
    # Parameters and buffers are deduplicated separately, as parameters() and buffers() count them.
    for tensors, shapes, seen in ((module._parameters, parameters, first_holders[0]),
                                  (module._buffers, buffers, first_holders[1])):
        for name, tensor in tensors.items():
            if tensor is None:
                continue
            if id(tensor) in seen:
                tied[name] = seen[id(tensor)]
            else:
                seen[id(tensor)] = prefix + name
                shapes[name] = list(tensor.shape)
    description = {
        "type": "%s.%s" % (cls.__module__, cls.__qualname__),
        "config": config,
        "parameters": parameters,
        "buffers": buffers,
        "children": {
            name: describe_module(child, prefix + name + ".", first_holders)
            for name, child in module._modules.items()
            if child is not None
        },
    }
    if tied:  # only then, so that the description (and fingerprint) of an untied module is as before
        description["tied"] = tied
    if cls.__module__ != "torch" and not cls.__module__.startswith("torch."):
        try:
            description["source"] = hashlib.sha256(inspect.getsource(cls).encode("utf-8")).hexdigest()
        except (OSError, TypeError):
            pass  # no source to read (a class made by exec): the description goes without it
    return description


def module_parameter_count(module):
    buffers = sum(b.numel() for b in module.buffers() if b.is_floating_point())
    return int(sum(p.numel() for p in module.parameters()) + buffers)


MODULES = {}


def load_factory(folder, model):
    path = os.path.join(folder, model["file"])
    label = "%s (%s)" % (os.path.basename(path), model["file"])
    if path not in MODULES:
        if not os.path.isfile(path):
            raise bad_folder("%s: the torch module is missing from the task folder" % path)
        name = os.path.splitext(os.path.basename(path))[0]
        if name in sys.modules and getattr(sys.modules[name], "__file__", None) != path:
            raise model_error("%s: the module name %r is taken by an installed module; rename the file" % (label, name))
        spec = importlib.util.spec_from_file_location(name, path)
        module = importlib.util.module_from_spec(spec)
        sys.modules[name] = module  # inspect.getsource finds classes through sys.modules
        try:
            spec.loader.exec_module(module)
        except Exception as error:
            del sys.modules[name]
            raise model_error("%s: importing it failed: %s: %s" % (label, type(error).__name__, error))
        MODULES[path] = module
    factory = getattr(MODULES[path], model["factory"], None)
    if not callable(factory):
        raise model_error("%s: has no function %r (--model FILE.py:FACTORY names it)" % (label, model["factory"]))
    return factory, label


def build_torch_module(folder, entry):
    """Calls the factory (after torch.manual_seed(seed)) and checks that it returns [batch, classes] logits."""
    model = entry["model"]
    factory, label = load_factory(folder, model)
    height, width, channels = entry["inputShape"]
    classes, seed = entry["classes"], entry["task"]["seed"]
    torch.manual_seed(seed)
    call = "%s((%d, %d, %d), %d, regularizer, %d)" % (model["factory"], channels, height, width, classes, seed)
    try:
        module = factory((channels, height, width), classes, dict(entry["task"]["regularizer"]), seed)
    except Exception as error:
        raise model_error("%s: %s raised %s: %s" % (label, call, type(error).__name__, error))
    if not isinstance(module, nn.Module):
        raise model_error("%s: %s returned %s, not a torch.nn.Module" % (label, call, type(module).__name__))
    module.eval()
    try:
        with torch.no_grad():
            out = module(torch.zeros(2, channels, height, width))
    except Exception as error:
        raise model_error(
            "%s: the module from %s fails on a batch of shape [2, %d, %d, %d]: %s: %s"
            % (label, call, channels, height, width, type(error).__name__, error)
        )
    shape = list(out.shape) if isinstance(out, torch.Tensor) else None
    if shape != [2, classes]:
        got = "shape %s" % shape if shape is not None else type(out).__name__
        raise model_error(
            "%s: the module from %s outputs %s for a batch of shape [2, %d, %d, %d]; "
            "it must output [batch, classes] = [2, %d] logits" % (label, call, got, channels, height, width, classes)
        )
    return module


def build_model(folder, entry):
    """(model, probabilities, parameter count, fingerprint, description or None, per-layer TF weight shapes)."""
    model = entry["model"]
    if model["kind"] == "topology":
        generator = torch.Generator().manual_seed(entry["task"]["seed"])
        net = TopologyNet(model["topology"], entry["inputShape"], generator)
        if net.output_shape != [entry["classes"]]:
            raise model_error(
                "the topology outputs shape %s; it must output one score per class (%d)"
                % (net.output_shape, entry["classes"])
            )
        return net, net.probabilities, net.parameter_count(), canonical_digest(model["topology"]), None, net.tf_shapes
    module = build_torch_module(folder, entry)
    description = describe_module(module)
    return module, False, module_parameter_count(module), canonical_digest(description), description, []


# ---------------------------------------------------------------------------------------------
# The task folder.

TASK_LISTS = {}


def read_tasks(folder):
    path = os.path.join(folder, "tasks.json")
    try:
        stamp = os.stat(path).st_mtime_ns
    except OSError:
        raise bad_folder("%s: no task list here; is %s a rethink-bench task folder?" % (path, folder))
    if TASK_LISTS.get(path, (None,))[0] != stamp:
        try:
            with open(path, encoding="utf-8") as file:
                tasks = json.load(file)
        except (OSError, ValueError) as error:
            raise bad_folder("%s: cannot read the task list (%s)" % (path, error))
        if not isinstance(tasks, dict) or tasks.get("format") != TASKS_FORMAT or tasks.get("version") != 1:
            raise bad_folder("%s: not a version 1 %s file; export the tasks again" % (path, TASKS_FORMAT))
        TASK_LISTS[path] = (stamp, tasks["tasks"])
    return TASK_LISTS[path][1]


def task_entry(folder, index):
    tasks = read_tasks(folder)
    if not 0 <= index < len(tasks):
        message = "there is no task %d in %s (it holds tasks 0 to %d)" % (index, folder, len(tasks) - 1)
        raise WorkerError(message, EXIT_USAGE)
    return tasks[index]


ARRAYS = {}  # sha256 → numpy array, the last task's (a server keeps the shared test set between tasks)


def load_arrays(folder, entry):
    loaded = {}
    for name, ref in entry["arrays"].items():
        digest = ref["sha256"]
        if digest not in ARRAYS:
            path = os.path.join(folder, ref["file"])
            try:
                with open(path, "rb") as file:
                    data = file.read()
            except OSError as error:
                what = "%s of task %d" % (name, entry["index"])
                raise bad_folder("%s: cannot read %s (%s); export the tasks again" % (path, what, error.strerror))
            if hashlib.sha256(data).hexdigest() != digest:
                raise bad_folder(
                    "%s: checksum mismatch (%s of task %d): the file is corrupt; copy or export the task folder again"
                    % (path, name, entry["index"])
                )
            dtype = np.dtype(DTYPES[ref["dtype"]])
            if len(data) != dtype.itemsize * int(np.prod(ref["shape"])):
                expected = "a %s array of shape %s" % (ref["dtype"], ref["shape"])
                raise bad_folder("%s: holds %d bytes, not %s" % (path, len(data), expected))
            ARRAYS[digest] = np.frombuffer(data, dtype=dtype).reshape(ref["shape"])
        loaded[name] = ARRAYS[digest]
    for digest in [d for d in ARRAYS if d not in {ref["sha256"] for ref in entry["arrays"].values()}]:
        del ARRAYS[digest]
    return loaded


# ---------------------------------------------------------------------------------------------
# Training: runner/train/loop.ts step for step.


def standardize_per_image(x):
    """TF's per_image_standardization on NHWC images: (x − mean) / max(std, 1/√N)."""
    count = x[0].numel()
    mean = x.mean(dim=(1, 2, 3), keepdim=True)
    variance = ((x - mean) ** 2).mean(dim=(1, 2, 3), keepdim=True)
    return (x - mean) / torch.clamp(torch.sqrt(variance), min=1.0 / math.sqrt(count))


IDENTITIES = {}


def cross_entropy(outputs, labels, classes, probabilities):
    """Per-example cross-entropy on logits, or on clipped probabilities after a softmax (as Keras)."""
    # One-hot rows times log-probabilities, as TF.js's softmaxCrossEntropy: no nll_loss, whose CUDA
    # kernels are not deterministic in every torch version.
    key = (classes, str(outputs.device), outputs.dtype)
    if key not in IDENTITIES:
        IDENTITIES[key] = torch.eye(classes, device=outputs.device, dtype=outputs.dtype)
    one_hot = IDENTITIES[key][labels]
    if probabilities:
        return -(one_hot * torch.log(torch.clamp(outputs, 1e-7, 1 - 1e-7))).sum(dim=1)
    return -(one_hot * torch.log_softmax(outputs, dim=1)).sum(dim=1)


def evaluate(model, images, labels, classes, probabilities):
    """Loss (float32 sum / count), accuracy, argmax predictions and the outputs over a whole split, in eval mode."""
    model.eval()
    count = images.shape[0]
    totals = torch.zeros(2, device=images.device)
    predictions, kept = [], []
    with torch.no_grad():
        for start in range(0, count, EVAL_BATCH):
            x, y = images[start:start + EVAL_BATCH], labels[start:start + EVAL_BATCH]
            outputs = model(x)
            ids = torch.argmax(outputs, dim=1)
            loss = cross_entropy(outputs, y, classes, probabilities).sum()
            totals = totals + torch.stack([loss, (ids == y).float().sum()])
            predictions.append(ids)
            kept.append(outputs)
    sums = totals.cpu().tolist()
    ids = torch.cat(predictions).to(torch.uint8).cpu().numpy()
    return sums[0] / count, sums[1] / count, ids, torch.cat(kept)


def stop_after(curve, task):
    """schema/stopping-rule.ts's stopAfter."""
    patience = task["regularizer"]["earlyStoppingPatience"]
    fitted, best, since = 0, -1.0, 0
    for i, point in enumerate(curve):
        epoch = i + 1
        fitted = fitted + 1 if point["trainAcc"] >= task["fitThreshold"] else 0
        if fitted > EPOCHS_AFTER_FIT:
            return epoch
        if patience is not None:
            if point["valAcc"] > best:
                best, since = point["valAcc"], 0
            else:
                since += 1
            if since >= patience:
                return epoch
        if epoch >= task["epochs"]:
            return epoch
    return None


def synchronize(device):
    if device.type == "cuda":
        torch.cuda.synchronize(device)
    elif device.type == "mps" and hasattr(torch, "mps"):
        torch.mps.synchronize()


def derived_generator(seed, stream, device):
    """A generator for one purpose of a task, seeded from (seed, stream); on the device when it can be."""
    value = int.from_bytes(hashlib.sha256(("%d/%s" % (seed, stream)).encode()).digest()[:8], "little") >> 1
    try:
        return torch.Generator(device=device).manual_seed(value), device
    except RuntimeError:
        return torch.Generator().manual_seed(value), torch.device("cpu")


# ---------------------------------------------------------------------------------------------
# Complexity measures of the final weights (docs/measures.md), from the definitions that
# runner/measures/ follows on TF.js. Sums, norms and the margin's quantile are float64 on the CPU
# (MPS has no float64); forward and backward passes run where the model trained.

# Layers through which the path-ℓ2 norm is defined: each is linear in its squared weights on the
# non-negative values the squared network computes (where ReLU is the identity).
PATH_LAYERS = {"InputLayer", "Dense", "Conv2D", "DepthwiseConv2D", "BatchNormalization", "Activation", "ReLU",
               "Flatten", "Reshape", "SeededDropout", "Dropout", "SpatialDropout2D", "MaxPooling2D", "Add",
               "Concatenate"}
PATH_ACTIVATIONS = (None, "linear", "relu")
# The torch.nn modules of a user's nn.Sequential through which the path-ℓ2 norm is defined.
PATH_MODULES = ("Sequential", "Linear", "Conv2d", "ReLU", "Flatten", "Dropout", "MaxPool2d", "BatchNorm1d",
                "BatchNorm2d", "Identity")
FLATNESS_SEED_STRIDE = 1000003  # noise draw s of trainable tensor j is seeded with 1000003·s + j


def trainable_parameters(model):
    """The tensors the optimizer trains, in registration order (TF.js's trainableWeights order for a topology)."""
    return [p for p in model.parameters() if p.requires_grad]


def measure_kernels(model):
    """The kernels (trainable tensors of rank ≥ 2) as float64 CPU matrices, read as TF.js holds them.

    TF's dense [in, out] and conv [kh, kw, cin, cout] → (kh·kw·cin) × cout have the singular values of
    torch's [out, in] and [cout, cin, kh, kw] → cout × (cin·kh·kw) (a transpose with rows permuted). A
    depthwise kernel, torch's grouped [cin·m, 1, kh, kw], is reshaped as TF's [kh, kw, cin, m] →
    (kh·kw·cin) × m, whose singular values are not those of the grouped layout's (cin·m) × (kh·kw)."""
    depthwise = {}  # id of a depthwise parameter → (input channels, multiplier)
    for module in model.modules():
        if isinstance(module, (DepthwiseConv2D, SeparableConv2D)):
            depthwise[id(module.depthwise)] = (module.groups, module.multiplier)
        elif isinstance(module, nn.Conv2d) and module.groups > 1 and module.groups == module.in_channels:
            depthwise[id(module.weight)] = (module.groups, module.out_channels // module.groups)
    kernels = []
    for parameter in trainable_parameters(model):
        if parameter.dim() < 2:
            continue
        w = parameter.detach().to("cpu", torch.float64)
        if id(parameter) in depthwise:
            channels, multiplier = depthwise[id(parameter)]
            kh, kw = w.shape[2], w.shape[3]
            kernels.append(w.reshape(channels, multiplier, kh, kw).permute(2, 3, 0, 1).reshape(-1, multiplier))
        else:
            kernels.append(w.reshape(w.shape[0], -1))
    return kernels


def spectral_norm(w):
    """σ_max of a float64 matrix: the square root of the largest eigenvalue of its smaller Gram matrix.

    The same number as torch.linalg.matrix_norm(w, 2) to within float64 rounding (about 1e-15 relative
    on a 512 × 784 kernel), in a quarter of its time: that SVD alone took 0.19 s of a 1.7 s quick-suite run."""
    gram = w @ w.T if w.shape[0] <= w.shape[1] else w.T @ w
    return math.sqrt(max(float(torch.linalg.eigvalsh(gram)[-1]), 0.0))


def type7_quantile(values, q):
    """schema/quantiles.ts's quantile of a sorted list of floats."""
    h = (len(values) - 1) * q
    lo = int(math.floor(h))
    hi = min(lo + 1, len(values) - 1)
    a, b, t = values[lo], values[hi], h - lo
    return a if t == 0 or a == b else a + t * (b - a)


def model_outputs(model, images):
    """The model's outputs on the examples in eval mode, batched as evaluate() batches them."""
    model.eval()
    with torch.no_grad():
        return torch.cat([model(images[start:start + EVAL_BATCH]) for start in range(0, images.shape[0], EVAL_BATCH)])


def output_margin(outputs, labels, probabilities, quantile):
    """γ: the quantile of f_y − max_{j≠y} f_j over the examples; f = ln p after a softmax. None if not finite."""
    outputs, y = outputs.detach().to("cpu", torch.float64), labels.cpu()
    # Softmax is shift-invariant: differences of log-probabilities are differences of logits.
    f = torch.log(outputs) if probabilities else outputs
    true = f.gather(1, y[:, None])[:, 0]
    others = f.scatter(1, y[:, None], float("-inf")).amax(dim=1)
    gamma = type7_quantile(sorted((true - others).tolist()), quantile)
    return gamma if math.isfinite(gamma) else None


def path_supported(model):
    """Whether the path-ℓ2 norm is defined for the model: logits out, and only the layers it passes through."""
    if isinstance(model, TopologyNet):
        if model.probabilities:
            return False
        for block in model.blocks:
            if block.kind not in PATH_LAYERS or block.config.get("activation") not in PATH_ACTIVATIONS:
                return False
            # A capped, leaky or shifted ReLU is not the identity on non-negative values.
            if block.kind == "ReLU" and (block.max_value is not None or block.negative_slope or block.threshold):
                return False
        return True
    # A user's module: only an nn.Sequential of torch's own modules has a forward pass known here
    # (a subclass, even of nn.Sequential, may compute anything in its own forward).
    if type(model) is not nn.Sequential:
        return False
    for module in sequential_layers(model):
        name = type(module).__name__
        if type(module).__module__.split(".")[0] != "torch" or name not in PATH_MODULES:
            return False
        if name == "Conv2d" and module.padding_mode != "zeros":
            return False
        if name.startswith("BatchNorm") and module.running_var is None:
            return False
    return True


def sequential_layers(module):
    """The modules an nn.Sequential applies, in order, nested ones flattened (a module held twice listed twice)."""
    layers = []
    for child in module._modules.values():
        if isinstance(child, nn.Sequential):
            layers.extend(sequential_layers(child))
        elif child is not None:
            layers.append(child)
    return layers


def cpu64(tensor):
    return tensor.detach().to("cpu", torch.float64)


def squared_block(block, inputs):
    """One layer of the squared network g on float64 inputs: kernels squared, no biases, batch norm a scale."""
    kind = block.kind if isinstance(block, TopologyLayer) else type(block).__name__
    x = inputs
    if kind == "Dense":
        if x.dim() == 4:  # a Dense on an image acts on its channels, as in TF
            return from_tf_layout(F.linear(to_tf_layout(x), cpu64(block.weight) ** 2))
        return F.linear(x, cpu64(block.weight) ** 2)
    if kind == "Conv2D":
        return block.convolve(x, cpu64(block.weight) ** 2, None)
    if kind == "DepthwiseConv2D":
        return block.convolve(x, cpu64(block.depthwise) ** 2, None, block.groups)
    if kind == "Linear":
        return F.linear(x, cpu64(block.weight) ** 2)
    if kind == "Conv2d":
        weight = cpu64(block.weight) ** 2
        return F.conv2d(x, weight, None, block.stride, block.padding, block.dilation, block.groups)
    if kind in ("BatchNormalization", "BatchNorm1d", "BatchNorm2d"):
        gamma = getattr(block, "gamma" if kind == "BatchNormalization" else "weight", None)
        variance = block.moving_variance if kind == "BatchNormalization" else block.running_var
        epsilon = block.epsilon if kind == "BatchNormalization" else block.eps
        scale = 1.0 / (cpu64(variance) + epsilon)
        if gamma is not None:
            scale = scale * cpu64(gamma) ** 2
        return x * scale.reshape([1, -1] + [1] * (x.dim() - 2))
    if kind in ("Activation", "ReLU", "SeededDropout", "Dropout", "SpatialDropout2D", "Identity", "InputLayer"):
        return x  # the identity on non-negative values, or at inference
    return block(x)  # Flatten, Reshape, max pooling, Add, Concatenate: no weights, so the layer's own call


def log_path_l2(model, input_shape):
    """0.5·ln Σ_k g_k(1): the squared network on one all-ones input (Neyshabur et al. 2015); None if undefined."""
    if not path_supported(model):
        return None
    height, width, channels = input_shape
    # On the CPU in float64 wherever the model is: the weightless layers' calls take any tensor.
    x = torch.ones(1, channels, height, width, dtype=torch.float64)
    with torch.no_grad():
        if isinstance(model, TopologyNet):
            out = model.run_plan(x, squared_block)
        else:
            out = x
            for module in sequential_layers(model):
                out = squared_block(module, out)
    total = float(out.sum())
    return 0.5 * math.log(total) if total > 0 and math.isfinite(total) else None


def subset_accuracy(model, images, labels):
    """The share of the examples whose argmax is their label, in eval mode."""
    correct = 0
    with torch.no_grad():
        for start in range(0, images.shape[0], EVAL_BATCH):
            ids = torch.argmax(model(images[start:start + EVAL_BATCH]), dim=1)
            correct += int((ids == labels[start:start + EVAL_BATCH]).sum())
    return correct / images.shape[0]


def flatness_sigma(model, images, labels, settings, base):
    """PAC-Bayes flatness (Jiang et al. 2020, magnitude-aware, ε = 0): bisection on ln σ with fixed noise seeds.

    `base` is the accuracy on the examples without noise (the final predictions give it)."""
    model.eval()
    parameters = trainable_parameters(model)
    originals = [p.detach().clone() for p in parameters]
    samples = settings["flatnessSamples"]
    # Drawn once per sample on the CPU (the same numbers on every device), reused at every σ.
    noise = [
        [torch.randn(p.shape, generator=torch.Generator().manual_seed(FLATNESS_SEED_STRIDE * s + j)).to(p.device)
         for j, p in enumerate(parameters)]
        for s in range(samples)
    ]
    drop = settings["flatnessAccuracyDrop"]

    def passes(sigma):
        accuracies = []
        with torch.no_grad():
            for done, draws in enumerate(noise, 1):
                for p, w, z in zip(parameters, originals, draws):
                    p.copy_(w + sigma * w.abs() * z)
                accuracies.append(subset_accuracy(model, images, labels))
                # Decided already when even perfect remaining draws (accuracy 1) cannot pass: the
                # answer is the same, without their forward passes. The slack keeps rounding out of it.
                best = (sum(accuracies) + (samples - done)) / samples
                if done < samples and base - best > drop + 1e-9:
                    return False
        return base - sum(accuracies) / len(accuracies) <= drop

    try:
        low, high = settings["flatnessSigmaMin"], settings["flatnessSigmaMax"]
        if passes(high):
            return high
        if not passes(low):
            return low
        lo, hi = math.log(low), math.log(high)
        for _ in range(settings["flatnessSteps"]):
            mid = (lo + hi) / 2
            if passes(math.exp(mid)):
                lo = mid
            else:
                hi = mid
        return math.exp(lo)
    finally:
        with torch.no_grad():
            for p, w in zip(parameters, originals):
                p.copy_(w)


def adversarial_sharpness(model, images, labels, classes, probabilities, settings):
    """Worst case in the box |u| ≤ α|w| (Keskar et al. 2017, Jiang et al.'s relative box): sign-gradient ascent."""
    model.eval()
    parameters = trainable_parameters(model)
    originals = [p.detach().clone() for p in parameters]
    count = images.shape[0]

    def loss(with_gradient):
        """The mean training cross-entropy on the examples (float64 sum), and its gradient when asked."""
        total = 0.0
        for p in parameters:
            p.grad = None
        for start in range(0, count, EVAL_BATCH):
            x, y = images[start:start + EVAL_BATCH], labels[start:start + EVAL_BATCH]
            with torch.set_grad_enabled(with_gradient):
                losses = cross_entropy(model(x), y, classes, probabilities)
                if with_gradient:
                    (losses.sum() / count).backward()
            total += float(losses.detach().double().sum())
        return total / count

    alpha, steps = settings["sharpnessBox"], settings["sharpnessSteps"]
    try:
        bounds = [alpha * w.abs() for w in originals]
        offsets = [torch.zeros_like(w) for w in originals]
        before = None
        for _ in range(steps):
            value = loss(True)
            before = value if before is None else before  # the first gradient is taken at u = 0: L(w)
            with torch.no_grad():
                for p, w, u, bound in zip(parameters, originals, offsets, bounds):
                    g = p.grad if p.grad is not None else torch.zeros_like(w)
                    u.copy_(torch.maximum(torch.minimum(u + (2 * alpha / steps) * w.abs() * torch.sign(g), bound),
                                          -bound))
                    p.copy_(w + u)
        after = loss(False)
    finally:
        with torch.no_grad():
            for p, w in zip(parameters, originals):
                p.copy_(w)
                p.grad = None
    sharpness = after - before
    if not math.isfinite(sharpness):
        raise RunFailure("the worst-case sharpness is not finite (training loss %s, perturbed %s)"
                         % (js_loss(before), js_loss(after)))
    return sharpness


def compute_measures(model, initial_kernels, images, labels, classes, probabilities, input_shape, parameter_count,
                     settings, outputs=None):
    """A run's RunMeasures (schema/contract/measures.ts) from its final weights, on its training set.

    `outputs`: the model's outputs on `images` from the last evaluation, when the caller has them (the
    margin and the noise-free accuracy then cost no forward pass)."""
    synchronize(images.device)
    started = time.perf_counter()
    if outputs is None:
        outputs = model_outputs(model, images)
    kernels = measure_kernels(model)
    frobenius = sum(float((w ** 2).sum()) for w in kernels)
    distance = math.sqrt(sum(float(((w - w0) ** 2).sum()) for w, w0 in zip(kernels, initial_kernels)))
    spectral = [spectral_norm(w) for w in kernels]
    log_spectral = sum(math.log(s) for s in spectral) if all(s > 0 for s in spectral) else None
    gamma = output_margin(outputs, labels, probabilities, settings["marginQuantile"])
    over_margin = None
    if gamma is not None and gamma > 0 and log_spectral is not None:
        over_margin = 2 * log_spectral - 2 * math.log(gamma)
    subset = settings["sharpnessExamples"]
    x, y = images[:subset], labels[:subset]
    base = float((torch.argmax(outputs[:subset], dim=1) == y).sum()) / y.shape[0]
    measures = {
        "parameterCount": parameter_count,
        "frobeniusSquared": frobenius,
        "distanceFromInit": distance,
        "logSpectralProduct": log_spectral,
        "logSpectralOverMargin": over_margin,
        "logPathL2": log_path_l2(model, input_shape),
        "margin": gamma,
        "flatnessSigma": flatness_sigma(model, x, y, settings, base),
        "adversarialSharpness": adversarial_sharpness(model, x, y, classes, probabilities, settings),
    }
    synchronize(images.device)
    measures["seconds"] = time.perf_counter() - started
    return measures


def train_task(folder, entry, device, engine, hardware, emit):
    """Trains one task; returns the RESULT record (a failed run is a result, not an error)."""
    task = entry["task"]
    arrays = load_arrays(folder, entry)
    model, probabilities, parameter_count, _, description, _ = build_model(folder, entry)
    model.to(device)
    settings = entry.get("measures")  # the suite's MeasureSettings; absent in folders of older exports
    # Kept for the distance from initialization, before the first step changes them.
    initial_kernels = measure_kernels(model) if settings is not None else None
    classes = entry["classes"]
    height, width, channels = entry["inputShape"]
    cifar = entry["preprocess"] == "cifar"
    optimizer_config = task["optimizer"]
    DROPOUT["generator"], DROPOUT["device"] = derived_generator(task["seed"], "dropout", device)

    def model_view(images):
        """The images as the model sees them at evaluation (NCHW): CIFAR center-cropped and standardized."""
        x = torch.from_numpy(np.array(images)).to(device)
        if cifar:
            top, left = (x.shape[1] - height) // 2, (x.shape[2] - width) // 2
            x = standardize_per_image(x[:, top:top + height, left:left + width, :])
        return x.permute(0, 3, 1, 2).contiguous()

    train_x = model_view(arrays["trainImages"])
    train_y = torch.from_numpy(arrays["trainLabels"].astype(np.int64)).to(device)
    test_x = model_view(arrays["testImages"])
    test_y = torch.from_numpy(arrays["testLabels"].astype(np.int64)).to(device)
    order = torch.from_numpy(arrays["order"].astype(np.int64)).to(device)
    count = order.shape[1]
    validation = None
    if "validation" in arrays:
        ids = torch.from_numpy(arrays["validation"].astype(np.int64)).to(device)
        validation = (train_x[ids], train_y[ids])
    crops = framed = None
    if "crops" in arrays:
        crops = torch.from_numpy(arrays["crops"].astype(np.int64)).to(device)
        pad = entry["framePadding"]
        framed = F.pad(torch.from_numpy(np.array(arrays["trainImages"])).to(device), (0, 0, pad, pad, pad, pad))
        rows_base = torch.arange(height, device=device)
        cols_base = torch.arange(width, device=device)

    def batch(epoch, start, end):
        ids = order[epoch - 1, start:end]
        if crops is None:
            return train_x[ids], train_y[ids]
        draws = crops[epoch - 1, start:end]
        rows = draws[:, 0:1] + rows_base  # [B, h]
        cols = draws[:, 1:2] + torch.where(draws[:, 2:3] == 1, width - 1 - cols_base, cols_base)  # [B, w]
        x = framed[ids[:, None, None], rows[:, :, None], cols[:, None, :]]  # [B, h, w, c]
        if cifar:
            x = standardize_per_image(x)
        return x.permute(0, 3, 1, 2).contiguous(), train_y[ids]

    decay, other = [], []
    for parameter in model.parameters():
        (decay if parameter.dim() >= 2 else other).append(parameter)
    weight_decay = task["regularizer"]["weightDecay"]
    learning_rate = optimizer_config["learningRate"]
    # torch's SGD (dampening 0, no Nesterov) is TF's MomentumOptimizer: v ← μv + g, w ← w − ηv; weight
    # decay adds λw to the gradient of kernels only (rank ≥ 2), as loop.ts's MomentumSgd.
    sgd = torch.optim.SGD(
        [{"params": decay, "weight_decay": weight_decay}, {"params": other, "weight_decay": 0.0}],
        lr=learning_rate, momentum=optimizer_config["momentum"], dampening=0, nesterov=False,
    )
    batch_size = optimizer_config["batchSize"]
    curve, last, train_seconds = [], None, 0.0
    result = {
        "format": RESULT_FORMAT, "version": 1, "index": entry["index"], "key": entry["key"], "engine": engine,
        "hardware": hardware, "parameterCount": parameter_count, "description": description, "measures": None,
    }
    for epoch in range(1, task["epochs"] + 1):
        try:
            model.train()
            synchronize(device)
            started = time.perf_counter()
            for start in range(0, count, batch_size):
                x, y = batch(epoch, start, min(start + batch_size, count))
                loss = cross_entropy(model(x), y, classes, probabilities).mean()
                sgd.zero_grad(set_to_none=True)
                loss.backward()
                sgd.step()
            synchronize(device)
            train_seconds += time.perf_counter() - started
            train_loss, train_acc, train_ids, train_outputs = evaluate(model, train_x, train_y, classes, probabilities)
            test_loss, test_acc, test_ids, _ = evaluate(model, test_x, test_y, classes, probabilities)
            last = (train_ids, test_ids)
            val_acc = None
            if validation is not None:
                val_acc = evaluate(model, validation[0], validation[1], classes, probabilities)[1]
            broken = [loss for loss in (train_loss, test_loss) if not math.isfinite(loss)]
            if broken:
                raise RunFailure(
                    "the loss became %s in epoch %d (training loss %s, test loss %s); the learning rate may be too high"
                    % ("NaN" if math.isnan(broken[0]) else "infinite", epoch, js_loss(train_loss), js_loss(test_loss))
                )
            point = {"epoch": epoch, "trainLoss": train_loss, "trainAcc": train_acc}
            point.update(testLoss=test_loss, testAcc=test_acc)
            if val_acc is not None:
                point["valAcc"] = val_acc
            point["wallSeconds"] = train_seconds
            curve.append(point)
            emit(point)
            learning_rate *= optimizer_config["decayPerEpoch"]
            for group in sgd.param_groups:
                group["lr"] = learning_rate
            if stop_after(curve, task) is not None:
                break
        except RunFailure as failure:
            return dict(result, status="failed", failure=str(failure), curve=curve, predictions=None)
        except Exception as error:  # any error ends this run only, as in the TF.js worker thread
            message = str(error)
            if OUT_OF_MEMORY.search(message):
                if device.type == "cuda":
                    torch.cuda.empty_cache()
                failure = "out of memory in epoch %d: %s" % (epoch, message.split("\n")[0][:300])
            else:
                # A module's own error, or an operation torch refuses in deterministic mode: the run
                # fails with the reason, as runner/pool/run-worker.ts records a TF.js run's error,
                # rather than killing the worker and every later task with it.
                failure = ("training stopped in epoch %d: %s: %s" % (epoch, type(error).__name__, message))[:2000]
            return dict(result, status="failed", failure=failure, curve=curve, predictions=None)
    measures = None
    if settings is not None:
        # The final weights are those of the last epoch evaluated, which the predictions come from.
        try:
            measures = compute_measures(model, initial_kernels, train_x, train_y, classes, probabilities,
                                        entry["inputShape"], parameter_count, settings, train_outputs)
        except RunFailure as failure:
            return dict(result, status="failed", failure=str(failure), curve=curve, predictions=None)
        except Exception as error:  # the suite needs measures on every ok run: without them the run failed
            message = str(error)
            if OUT_OF_MEMORY.search(message) and device.type == "cuda":
                torch.cuda.empty_cache()
            failure = "computing the complexity measures failed: %s: %s" % (type(error).__name__, message)
            return dict(result, status="failed", failure=failure[:2000], curve=curve, predictions=None)
    train_ids, test_ids = (base64.b64encode(ids.tobytes()).decode("ascii") for ids in last)
    predictions = {"train": train_ids, "test": test_ids}
    return dict(result, status="ok", failure=None, curve=curve, predictions=predictions, measures=measures)


def js_loss(value):
    """A loss as JavaScript prints it in loop.ts's message (NaN, Infinity)."""
    if math.isnan(value):
        return "NaN"
    if math.isinf(value):
        return "Infinity" if value > 0 else "-Infinity"
    return js_number(value)


def describe_task(folder, entry):
    _, _, parameter_count, fingerprint, description, layers = build_model(folder, entry)
    return {
        "type": "described", "index": entry["index"], "parameterCount": parameter_count,
        "fingerprint": fingerprint, "description": description, "layers": layers,
    }


# ---------------------------------------------------------------------------------------------
# Modes.


def write_line(stream, value):
    stream.write(json.dumps(value, separators=(",", ":"), allow_nan=False) + "\n")
    stream.flush()


def result_path(folder, index):
    return os.path.join(folder, "results", "%d.json" % index)


def finished(folder, entry):
    """Whether the task already has a complete, matching result (then --task and --all skip it)."""
    try:
        with open(result_path(folder, entry["index"]), encoding="utf-8") as file:
            result = json.load(file)
    except (OSError, ValueError):
        return False
    return (
        isinstance(result, dict) and result.get("format") == RESULT_FORMAT and result.get("version") == 1
        and result.get("index") == entry["index"] and result.get("key") == entry["key"]
        and result.get("status") in ("ok", "failed") and isinstance(result.get("curve"), list)
    )


def write_result(folder, result):
    """Writes results/<index>.json atomically: a killed worker leaves no half-written result."""
    path = result_path(folder, result["index"])
    os.makedirs(os.path.dirname(path), exist_ok=True)
    temporary = "%s.%d.tmp" % (path, os.getpid())
    with open(temporary, "w", encoding="utf-8") as file:
        json.dump(result, file, separators=(",", ":"), allow_nan=False)
        file.write("\n")
        file.flush()
        os.fsync(file.fileno())
    os.replace(temporary, path)


def run_tasks(folder, indices, device, engine, hardware):
    """--task / --all: trains each task without a valid result, with progress on stderr; returns the exit code."""
    code = 0
    tasks = read_tasks(folder)
    for index in indices:
        entry = task_entry(folder, index)
        label = "task %d/%d %s" % (index, len(tasks), entry["key"])
        if finished(folder, entry):
            sys.stderr.write("%s: already done (results/%d.json)\n" % (label, index))
            continue
        started = time.perf_counter()

        def progress(point):
            figures = (point["epoch"], point["trainAcc"], point["testAcc"], point["wallSeconds"])
            sys.stderr.write("%s: epoch %d train acc %.4f test acc %.4f (%.1f s)\n" % ((label,) + figures))
            sys.stderr.flush()

        try:
            result = train_task(folder, entry, device, engine, hardware, progress)
        except WorkerError as error:
            sys.stderr.write("worker.py: %s: %s\n" % (label, error))
            code = code or error.code
            continue
        write_result(folder, result)
        status = result["status"] if result["failure"] is None else "failed: " + result["failure"]
        seconds = time.perf_counter() - started
        sys.stderr.write("%s: %s in %.1f s, results/%d.json\n" % (label, status, seconds, index))
    return code


def serve(device, engine, hardware, protocol):
    """--serve: one JSON request per stdin line, answers on the protocol stream (the real stdout)."""
    for text in sys.stdin:
        if not text.strip():
            continue
        index = None
        try:
            request = json.loads(text)
            index = request.get("index")
            entry = task_entry(request["dir"], int(index))
            if request.get("op") == "train":
                def on_epoch(point):
                    write_line(protocol, {"type": "epoch", "index": index, "point": point})

                result = train_task(request["dir"], entry, device, engine, hardware, on_epoch)
                write_line(protocol, {"type": "done", "index": index, "result": result})
            elif request.get("op") == "describe":
                write_line(protocol, describe_task(request["dir"], entry))
            else:
                raise WorkerError("unknown op %r (train or describe)" % request.get("op"), EXIT_USAGE)
        except WorkerError as error:
            write_line(protocol, {"type": "error", "index": index, "message": str(error), "fatal": False})
        except (ValueError, KeyError, TypeError) as error:
            message = "bad request %r: %s" % (text.strip()[:200], error)
            write_line(protocol, {"type": "error", "index": index, "message": message, "fatal": False})


def main(argv):
    parser = argparse.ArgumentParser(prog="worker.py", description="Trains rethink-bench tasks with PyTorch.")
    mode = parser.add_mutually_exclusive_group(required=True)
    mode.add_argument("--task", type=int, metavar="I", help="train task I of --dir")
    mode.add_argument("--all", action="store_true", help="train every task of --dir that has no valid result")
    mode.add_argument("--describe", type=int, metavar="I", help="print task I's model description as a JSON line")
    mode.add_argument("--check", action="store_true", help="print the ready line and exit")
    mode.add_argument("--serve", action="store_true", help="answer JSON-line requests on stdin")
    here = os.path.dirname(os.path.abspath(__file__))
    parser.add_argument("--dir", default=here, help="the task folder (default: the one this file is in)")
    parser.add_argument("--device", default="auto", help="auto, cpu, cuda, cuda:N or mps (default auto)")
    parser.add_argument("--threads", type=int, default=1, help="intra-op threads (default 1, one per process)")
    args = parser.parse_args(argv)
    if args.threads < 1:
        parser.error("--threads must be at least 1")
    # JSON lines go to the real stdout only; anything a user's module prints goes to stderr.
    protocol, sys.stdout = sys.stdout, sys.stderr
    device = resolve_device(args.device)
    make_deterministic(device, args.threads)
    engine, hardware = describe_engine(device, args.threads)
    ready = {"type": "ready", "engine": engine, "hardware": hardware}
    try:
        if args.check:
            write_line(protocol, ready)
            return 0
        if args.serve:
            write_line(protocol, ready)
            serve(device, engine, hardware, protocol)
            return 0
        if args.describe is not None:
            write_line(protocol, describe_task(args.dir, task_entry(args.dir, args.describe)))
            return 0
        indices = list(range(len(read_tasks(args.dir)))) if args.all else [args.task]
        if args.task is not None:
            task_entry(args.dir, args.task)  # a wrong index is a usage error before anything runs
        return run_tasks(args.dir, indices, device, engine, hardware)
    except WorkerError as error:
        sys.stderr.write("worker.py: %s\n" % error)
        return error.code


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
