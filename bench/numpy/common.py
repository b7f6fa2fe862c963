"""The course's `common/` library, written the book's way, in plain NumPy.

This is the reference that ScratchNet's benchmarks run side by side with the Swift code: the
layers (each a class with forward/backward), im2col-based Convolution and Pooling, the
optimizers, `MultiLayerNet`, `MultiLayerNetExtend`, `SimpleConvNet`, the course's
`DoubleConvNet` (hands-on 2_7) and the book's `DeepConvNet` (hands-on 2_8).

It follows "Deep Learning from Scratch" (ゼロから作るDeep Learning) `common/` as used by the
JDLA E資格 Day-2 hands-ons, with the formulas of /work/shared/course/COURSE.md. It is deliberately
NOT optimized: it is the code a learner runs, so that speed comparisons are honest.

Precision: the book computes in float64 (NumPy's default). Benchmarks time float32 by default;
call `set_dtype("float64")` before building a network for the book's precision. Every array the
library creates (weights, biases, zeros, one-hot labels, optimizer state) uses `DTYPE`, and all
scalars mixed in are Python floats, so (with NumPy 2's scalar promotion rules) a float32 run stays
float32 end to end.

Known slips of the course notes are NOT reproduced (COURSE.md, "Known slips"):
  * Sigmoid backward uses the layer's own output y: dx = dout * (1 - y) * y, which is σ'(input).
  * Every parameter is updated, including batch-norm γ/β and the output layer.
  * RMSProp is h = ρ·h + (1 − ρ)·g², momentum μ = 0.9.
  * L2 weight decay adds ½·λ·ΣW² to the loss (the notes take a square root), over all weights.
"""
from collections import OrderedDict

import numpy as np

# --------------------------------------------------------------------------------------------
# Precision
# --------------------------------------------------------------------------------------------
DTYPE = np.float32


def set_dtype(name):
    """Select float32 (default, for timing) or float64 (the book's NumPy default)."""
    global DTYPE
    DTYPE = {"float32": np.float32, "float64": np.float64}[str(name)]
    return DTYPE


def _randn(*shape):
    # Draw in float64 exactly like the book (np.random.randn), then store in DTYPE, so a seed
    # produces the same initial weights (up to rounding) in both precisions.
    return np.random.randn(*shape)


def _init(scale, *shape):
    return (float(scale) * _randn(*shape)).astype(DTYPE)


def _zeros(shape):
    return np.zeros(shape, dtype=DTYPE)


# --------------------------------------------------------------------------------------------
# functions.py
# --------------------------------------------------------------------------------------------
def identity_function(x):
    return x


def step_function(x):
    return np.array(x > 0, dtype=int)


def sigmoid(x):
    # σ(x) = 1 / (1 + e^(−x))
    return 1 / (1 + np.exp(-x))


def sigmoid_grad(x):
    # σ'(x) = (1 − σ(x))·σ(x), largest at x = 0 where it is 0.25
    return (1.0 - sigmoid(x)) * sigmoid(x)


def relu(x):
    return np.maximum(0, x)


def relu_grad(x):
    # gradient 0 where x ≤ 0
    grad = np.zeros_like(x)
    grad[x > 0] = 1
    return grad


def softmax(x):
    # subtract the row max first (overflow guard); softmax is unchanged by the shift
    x = x - np.max(x, axis=-1, keepdims=True)
    return np.exp(x) / np.sum(np.exp(x), axis=-1, keepdims=True)


def mean_squared_error(y, t):
    return 0.5 * np.sum((y - t) ** 2)


def cross_entropy_error(y, t):
    # E = −Σ log(y[i, tᵢ] + 1e-7) / N   (t one-hot or class indices)
    if y.ndim == 1:
        t = t.reshape(1, t.size)
        y = y.reshape(1, y.size)
    if t.size == y.size:  # one-hot → indices
        t = t.argmax(axis=1)
    batch_size = y.shape[0]
    return float(-np.sum(np.log(y[np.arange(batch_size), t] + 1e-7)) / batch_size)


def softmax_loss(X, t):
    y = softmax(X)
    return cross_entropy_error(y, t)


# --------------------------------------------------------------------------------------------
# gradient.py — numerical gradient (central difference, h = 1e-4, element by element)
# --------------------------------------------------------------------------------------------
def numerical_gradient(f, x):
    h = 1e-4
    grad = np.zeros_like(x)
    it = np.nditer(x, flags=["multi_index"], op_flags=[["readwrite"]])
    while not it.finished:
        idx = it.multi_index
        tmp_val = x[idx]
        x[idx] = tmp_val + h
        fxh1 = f(x)  # f(x+h)
        x[idx] = tmp_val - h
        fxh2 = f(x)  # f(x-h)
        grad[idx] = (fxh1 - fxh2) / (2 * h)
        x[idx] = tmp_val  # restore
        it.iternext()
    return grad


# --------------------------------------------------------------------------------------------
# util.py — im2col / col2im
# --------------------------------------------------------------------------------------------
def conv_output_size(input_size, filter_size, stride=1, pad=0):
    # OH = (H + 2P − FH)/S + 1
    return (input_size + 2 * pad - filter_size) // stride + 1


def im2col(input_data, filter_h, filter_w, stride=1, pad=0):
    """N×C×H×W images → 2-D matrix (N·OH·OW) × (C·FH·FW).

    Rows are ordered (n, oh, ow), columns (c, fh, fw). The input is zero-padded first.
    """
    N, C, H, W = input_data.shape
    out_h = (H + 2 * pad - filter_h) // stride + 1
    out_w = (W + 2 * pad - filter_w) // stride + 1

    img = np.pad(input_data, [(0, 0), (0, 0), (pad, pad), (pad, pad)], "constant")
    col = np.zeros((N, C, filter_h, filter_w, out_h, out_w), dtype=input_data.dtype)

    for y in range(filter_h):
        y_max = y + stride * out_h
        for x in range(filter_w):
            x_max = x + stride * out_w
            col[:, :, y, x, :, :] = img[:, :, y:y_max:stride, x:x_max:stride]

    col = col.transpose(0, 4, 5, 1, 2, 3).reshape(N * out_h * out_w, -1)
    return col


def col2im(col, input_shape, filter_h, filter_w, stride=1, pad=0):
    """Inverse layout of im2col. Overlapping windows are ADDED, so
    col2im(im2col(x)) = x × (number of windows covering each pixel)."""
    N, C, H, W = input_shape
    out_h = (H + 2 * pad - filter_h) // stride + 1
    out_w = (W + 2 * pad - filter_w) // stride + 1
    col = col.reshape(N, out_h, out_w, C, filter_h, filter_w).transpose(0, 3, 4, 5, 1, 2)

    img = np.zeros((N, C, H + 2 * pad + stride - 1, W + 2 * pad + stride - 1), dtype=col.dtype)
    for y in range(filter_h):
        y_max = y + stride * out_h
        for x in range(filter_w):
            x_max = x + stride * out_w
            img[:, :, y:y_max:stride, x:x_max:stride] += col[:, :, y, x, :, :]

    return img[:, :, pad:H + pad, pad:W + pad]


# --------------------------------------------------------------------------------------------
# layers.py
# --------------------------------------------------------------------------------------------
class Relu:
    def __init__(self):
        self.mask = None

    def forward(self, x):
        self.mask = (x <= 0)
        out = x.copy()
        out[self.mask] = 0
        return out

    def backward(self, dout):
        dout[self.mask] = 0  # gradient 0 where x ≤ 0
        dx = dout
        return dx


class Sigmoid:
    def __init__(self):
        self.out = None

    def forward(self, x):
        out = sigmoid(x)
        self.out = out
        return out

    def backward(self, dout):
        # dy/dx = (1 − y)·y with y = σ(x): the derivative at the layer's INPUT, expressed
        # through its output (the notes' slip applied d_sigmoid to y itself).
        dx = dout * (1.0 - self.out) * self.out
        return dx


class Tanh:
    def __init__(self):
        self.out = None

    def forward(self, x):
        self.out = np.tanh(x)
        return self.out

    def backward(self, dout):
        return dout * (1.0 - self.out ** 2)


class Affine:
    def __init__(self, W, b):
        self.W = W
        self.b = b
        self.x = None
        self.original_x_shape = None
        self.dW = None
        self.db = None

    def forward(self, x):
        # tensor input (N×C×H×W) is flattened to N×(C·H·W)
        self.original_x_shape = x.shape
        x = x.reshape(x.shape[0], -1)
        self.x = x
        out = np.dot(self.x, self.W) + self.b  # out = xW + b
        return out

    def backward(self, dout):
        dx = np.dot(dout, self.W.T)        # dx = dout·Wᵀ
        self.dW = np.dot(self.x.T, dout)   # dW = xᵀ·dout
        self.db = np.sum(dout, axis=0)     # db = Σ over the batch
        dx = dx.reshape(*self.original_x_shape)
        return dx


class SoftmaxWithLoss:
    def __init__(self):
        self.loss = None
        self.y = None  # output of softmax
        self.t = None  # labels (one-hot or indices)

    def forward(self, x, t):
        self.t = t
        self.y = softmax(x)
        self.loss = cross_entropy_error(self.y, self.t)
        return self.loss

    def backward(self, dout=1):
        # dx = (y − t)/N
        batch_size = self.t.shape[0]
        if self.t.size == self.y.size:  # one-hot labels
            dx = (self.y - self.t) / batch_size
        else:
            dx = self.y.copy()
            dx[np.arange(batch_size), self.t] -= 1
            dx = dx / batch_size
        return dx


class Dropout:
    """Not inverted (the book's form): training multiplies by a mask (rand > ratio), inference
    multiplies by (1 − ratio); backward multiplies by the same mask."""

    def __init__(self, dropout_ratio=0.5):
        self.dropout_ratio = dropout_ratio
        self.mask = None

    def forward(self, x, train_flg=True):
        if train_flg:
            self.mask = np.random.rand(*x.shape) > self.dropout_ratio
            return x * self.mask
        else:
            return x * (1.0 - self.dropout_ratio)

    def backward(self, dout):
        return dout * self.mask


class BatchNormalization:
    """Per activation; conv inputs are flattened to N×(C·H·W).

    Training: μ = batch mean, var = biased batch variance, std = √(var + 1e-6),
    xn = (x − μ)/std, out = γ·xn + β; running stats r ← 0.9·r + 0.1·batch stat (start at 0).
    Inference uses the running stats.
    """

    def __init__(self, gamma, beta, momentum=0.9, running_mean=None, running_var=None):
        self.gamma = gamma
        self.beta = beta
        self.momentum = momentum
        self.input_shape = None  # 4-D for a conv layer, 2-D for a fully connected one

        self.running_mean = running_mean
        self.running_var = running_var

        # intermediate values for backward
        self.batch_size = None
        self.xc = None
        self.xn = None
        self.std = None
        self.dgamma = None
        self.dbeta = None

    def forward(self, x, train_flg=True):
        self.input_shape = x.shape
        if x.ndim != 2:
            N = x.shape[0]
            x = x.reshape(N, -1)
        out = self.__forward(x, train_flg)
        return out.reshape(*self.input_shape)

    def __forward(self, x, train_flg):
        if self.running_mean is None:
            N, D = x.shape
            self.running_mean = np.zeros(D, dtype=x.dtype)
            self.running_var = np.zeros(D, dtype=x.dtype)

        if train_flg:
            mu = x.mean(axis=0)
            xc = x - mu
            var = np.mean(xc ** 2, axis=0)
            std = np.sqrt(var + 10e-7)  # 10e-7 == 1e-6
            xn = xc / std

            self.batch_size = x.shape[0]
            self.xc = xc
            self.xn = xn
            self.std = std
            self.running_mean = self.momentum * self.running_mean + (1 - self.momentum) * mu
            self.running_var = self.momentum * self.running_var + (1 - self.momentum) * var
        else:
            xc = x - self.running_mean
            xn = xc / (np.sqrt(self.running_var + 10e-7))

        out = self.gamma * xn + self.beta
        return out

    def backward(self, dout):
        if dout.ndim != 2:
            N = dout.shape[0]
            dout = dout.reshape(N, -1)
        dx = self.__backward(dout)
        dx = dx.reshape(*self.input_shape)
        return dx

    def __backward(self, dout):
        dbeta = dout.sum(axis=0)
        dgamma = np.sum(self.xn * dout, axis=0)
        dxn = self.gamma * dout
        dxc = dxn / self.std
        dstd = -np.sum((dxn * self.xc) / (self.std * self.std), axis=0)
        dvar = 0.5 * dstd / self.std
        dxc += (2.0 / self.batch_size) * self.xc * dvar
        dmu = np.sum(dxc, axis=0)
        dx = dxc - dmu / self.batch_size

        self.dgamma = dgamma
        self.dbeta = dbeta
        return dx


class Convolution:
    """Weights FN×C×FH×FW. out = col·W_colᵀ + b, reshaped to N×FN×OH×OW.
    Backward: db = Σ, dW = colᵀ·dout, dx = col2im(dout·W_col)."""

    def __init__(self, W, b, stride=1, pad=0):
        self.W = W
        self.b = b
        self.stride = stride
        self.pad = pad

        # intermediate values for backward
        self.x = None
        self.col = None
        self.col_W = None

        self.dW = None
        self.db = None

    def forward(self, x):
        FN, C, FH, FW = self.W.shape
        N, C, H, W = x.shape
        out_h = 1 + int((H + 2 * self.pad - FH) / self.stride)
        out_w = 1 + int((W + 2 * self.pad - FW) / self.stride)

        col = im2col(x, FH, FW, self.stride, self.pad)
        col_W = self.W.reshape(FN, -1).T

        out = np.dot(col, col_W) + self.b
        out = out.reshape(N, out_h, out_w, -1).transpose(0, 3, 1, 2)

        self.x = x
        self.col = col
        self.col_W = col_W
        return out

    def backward(self, dout):
        FN, C, FH, FW = self.W.shape
        dout = dout.transpose(0, 2, 3, 1).reshape(-1, FN)

        self.db = np.sum(dout, axis=0)
        self.dW = np.dot(self.col.T, dout)
        self.dW = self.dW.transpose(1, 0).reshape(FN, C, FH, FW)

        dcol = np.dot(dout, self.col_W.T)
        dx = col2im(dcol, self.x.shape, FH, FW, self.stride, self.pad)
        return dx


class Pooling:
    """Max pooling through im2col: each row of the reshaped col is one window of one channel.
    np.argmax picks the FIRST maximum on ties; backward routes the gradient to it."""

    def __init__(self, pool_h, pool_w, stride=1, pad=0):
        self.pool_h = pool_h
        self.pool_w = pool_w
        self.stride = stride
        self.pad = pad

        self.x = None
        self.arg_max = None

    def forward(self, x):
        N, C, H, W = x.shape
        out_h = int(1 + (H - self.pool_h) / self.stride)
        out_w = int(1 + (W - self.pool_w) / self.stride)

        col = im2col(x, self.pool_h, self.pool_w, self.stride, self.pad)
        col = col.reshape(-1, self.pool_h * self.pool_w)

        arg_max = np.argmax(col, axis=1)
        out = np.max(col, axis=1)
        out = out.reshape(N, out_h, out_w, C).transpose(0, 3, 1, 2)

        self.x = x
        self.arg_max = arg_max
        return out

    def backward(self, dout):
        dout = dout.transpose(0, 2, 3, 1)

        pool_size = self.pool_h * self.pool_w
        dmax = np.zeros((dout.size, pool_size), dtype=dout.dtype)
        dmax[np.arange(self.arg_max.size), self.arg_max.flatten()] = dout.flatten()
        dmax = dmax.reshape(dout.shape + (pool_size,))

        dcol = dmax.reshape(dmax.shape[0] * dmax.shape[1] * dmax.shape[2], -1)
        dx = col2im(dcol, self.x.shape, self.pool_h, self.pool_w, self.stride, self.pad)
        return dx


class AvgPooling:
    """Average pooling (the notes name it beside max pooling): mean of each window; backward
    spreads dout/(PH·PW) evenly over the window."""

    def __init__(self, pool_h, pool_w, stride=1, pad=0):
        self.pool_h = pool_h
        self.pool_w = pool_w
        self.stride = stride
        self.pad = pad
        self.x = None

    def forward(self, x):
        N, C, H, W = x.shape
        out_h = int(1 + (H - self.pool_h) / self.stride)
        out_w = int(1 + (W - self.pool_w) / self.stride)
        col = im2col(x, self.pool_h, self.pool_w, self.stride, self.pad)
        col = col.reshape(-1, self.pool_h * self.pool_w)
        out = np.mean(col, axis=1)
        self.x = x
        return out.reshape(N, out_h, out_w, C).transpose(0, 3, 1, 2)

    def backward(self, dout):
        dout = dout.transpose(0, 2, 3, 1)
        pool_size = self.pool_h * self.pool_w
        dcol = np.repeat(dout.reshape(-1, 1) / pool_size, pool_size, axis=1)
        dcol = dcol.reshape(-1, self.x.shape[1] * pool_size)
        return col2im(dcol, self.x.shape, self.pool_h, self.pool_w, self.stride, self.pad)


# --------------------------------------------------------------------------------------------
# optimizer.py   (p parameter, g gradient; every update is in place, so layers that hold a
#                 reference to a parameter array see the new value)
# --------------------------------------------------------------------------------------------
class SGD:
    """p −= lr·g"""

    def __init__(self, lr=0.01):
        self.lr = lr

    def update(self, params, grads):
        for key in params.keys():
            params[key] -= self.lr * grads[key]


class Momentum:
    """v = μ·v − lr·g; p += v"""

    def __init__(self, lr=0.01, momentum=0.9):
        self.lr = lr
        self.momentum = momentum
        self.v = None

    def update(self, params, grads):
        if self.v is None:
            self.v = {key: np.zeros_like(val) for key, val in params.items()}
        for key in params.keys():
            self.v[key] = self.momentum * self.v[key] - self.lr * grads[key]
            params[key] += self.v[key]


class Nesterov:
    """Book form: p += μ²·v − (1 + μ)·lr·g; then v = μ·v − lr·g"""

    def __init__(self, lr=0.01, momentum=0.9):
        self.lr = lr
        self.momentum = momentum
        self.v = None

    def update(self, params, grads):
        if self.v is None:
            self.v = {key: np.zeros_like(val) for key, val in params.items()}
        for key in params.keys():
            params[key] += self.momentum * self.momentum * self.v[key]
            params[key] -= (1 + self.momentum) * self.lr * grads[key]
            self.v[key] *= self.momentum
            self.v[key] -= self.lr * grads[key]


class AdaGrad:
    """h += g²; p −= lr·g / (√h + 1e-7)"""

    def __init__(self, lr=0.01):
        self.lr = lr
        self.h = None

    def update(self, params, grads):
        if self.h is None:
            self.h = {key: np.zeros_like(val) for key, val in params.items()}
        for key in params.keys():
            self.h[key] += grads[key] * grads[key]
            params[key] -= self.lr * grads[key] / (np.sqrt(self.h[key]) + 1e-7)


class RMSprop:
    """h = ρ·h + (1 − ρ)·g²; p −= lr·g / (√h + 1e-7)   (ρ = decay_rate = 0.99)"""

    def __init__(self, lr=0.01, decay_rate=0.99):
        self.lr = lr
        self.decay_rate = decay_rate
        self.h = None

    def update(self, params, grads):
        if self.h is None:
            self.h = {key: np.zeros_like(val) for key, val in params.items()}
        for key in params.keys():
            self.h[key] *= self.decay_rate
            self.h[key] += (1 - self.decay_rate) * grads[key] * grads[key]
            params[key] -= self.lr * grads[key] / (np.sqrt(self.h[key]) + 1e-7)


class Adam:
    """t += 1; lr_t = lr·√(1 − β₂ᵗ)/(1 − β₁ᵗ); m += (1 − β₁)(g − m); v += (1 − β₂)(g² − v);
    p −= lr_t·m / (√v + 1e-7)"""

    def __init__(self, lr=0.001, beta1=0.9, beta2=0.999):
        self.lr = lr
        self.beta1 = beta1
        self.beta2 = beta2
        self.iter = 0
        self.m = None
        self.v = None

    def update(self, params, grads):
        if self.m is None:
            self.m = {key: np.zeros_like(val) for key, val in params.items()}
            self.v = {key: np.zeros_like(val) for key, val in params.items()}

        self.iter += 1
        # a Python float (not np.float64), so a float32 run stays float32
        lr_t = float(self.lr * np.sqrt(1.0 - self.beta2 ** self.iter) / (1.0 - self.beta1 ** self.iter))

        for key in params.keys():
            self.m[key] += (1 - self.beta1) * (grads[key] - self.m[key])
            self.v[key] += (1 - self.beta2) * (grads[key] ** 2 - self.v[key])
            params[key] -= lr_t * self.m[key] / (np.sqrt(self.v[key]) + 1e-7)


OPTIMIZERS = {
    "sgd": SGD, "momentum": Momentum, "nesterov": Nesterov,
    "adagrad": AdaGrad, "rmsprop": RMSprop, "adam": Adam,
}


# --------------------------------------------------------------------------------------------
# Weight decay helpers (shared by the fully connected nets)
#   L2: loss += ½·λ·ΣW²,  gradient += λ·W
#   L1: loss += λ·Σ|W|,   gradient += λ·sign(W)      (biases are not decayed)
# --------------------------------------------------------------------------------------------
def _decay_loss(W, lam, kind):
    if kind == "l1":
        return lam * float(np.sum(np.abs(W)))
    return 0.5 * lam * float(np.sum(W ** 2))


def _decay_grad(W, lam, kind):
    if kind == "l1":
        return lam * np.sign(W)
    return lam * W


def _weight_scale(weight_init_std, n_in):
    s = str(weight_init_std).lower()
    if s in ("relu", "he"):
        return np.sqrt(2.0 / n_in)      # He: √(2/n_in)
    if s in ("sigmoid", "xavier"):
        return np.sqrt(1.0 / n_in)      # Xavier: √(1/n_in)
    return float(weight_init_std)       # Gaussian with the given std (0.01 in the notes)


# --------------------------------------------------------------------------------------------
# multi_layer_net.py
# --------------------------------------------------------------------------------------------
class MultiLayerNet:
    """Fully connected net: (Affine → activation) × hidden layers → Affine → SoftmaxWithLoss.

    weight_init_std: 'relu'/'he', 'sigmoid'/'xavier', or a number (Gaussian std).
    weight_decay_lambda with weight_decay_type 'l2' (the book) or 'l1' (hands-on 2_5).
    """

    def __init__(self, input_size, hidden_size_list, output_size,
                 activation="relu", weight_init_std="relu",
                 weight_decay_lambda=0, weight_decay_type="l2"):
        self.input_size = input_size
        self.output_size = output_size
        self.hidden_size_list = list(hidden_size_list)
        self.hidden_layer_num = len(hidden_size_list)
        self.weight_decay_lambda = weight_decay_lambda
        self.weight_decay_type = weight_decay_type
        self.params = {}

        self.__init_weight(weight_init_std)

        activation_layer = {"sigmoid": Sigmoid, "relu": Relu, "tanh": Tanh}
        self.layers = OrderedDict()
        for idx in range(1, self.hidden_layer_num + 1):
            self.layers["Affine" + str(idx)] = Affine(self.params["W" + str(idx)],
                                                      self.params["b" + str(idx)])
            self.layers["Activation_function" + str(idx)] = activation_layer[activation]()

        idx = self.hidden_layer_num + 1
        self.layers["Affine" + str(idx)] = Affine(self.params["W" + str(idx)],
                                                  self.params["b" + str(idx)])
        self.last_layer = SoftmaxWithLoss()

    def __init_weight(self, weight_init_std):
        all_size_list = [self.input_size] + self.hidden_size_list + [self.output_size]
        for idx in range(1, len(all_size_list)):
            scale = _weight_scale(weight_init_std, all_size_list[idx - 1])
            self.params["W" + str(idx)] = _init(scale, all_size_list[idx - 1], all_size_list[idx])
            self.params["b" + str(idx)] = _zeros(all_size_list[idx])

    def predict(self, x):
        for layer in self.layers.values():
            x = layer.forward(x)
        return x

    def loss(self, x, t):
        y = self.predict(x)
        weight_decay = 0
        if self.weight_decay_lambda:
            for idx in range(1, self.hidden_layer_num + 2):
                W = self.params["W" + str(idx)]
                weight_decay += _decay_loss(W, self.weight_decay_lambda, self.weight_decay_type)
        return self.last_layer.forward(y, t) + weight_decay

    def accuracy(self, x, t):
        y = self.predict(x)
        y = np.argmax(y, axis=1)
        if t.ndim != 1:
            t = np.argmax(t, axis=1)
        return float(np.sum(y == t) / float(x.shape[0]))

    def numerical_gradient(self, x, t):
        loss_W = lambda W: self.loss(x, t)
        grads = {}
        for idx in range(1, self.hidden_layer_num + 2):
            grads["W" + str(idx)] = numerical_gradient(loss_W, self.params["W" + str(idx)])
            grads["b" + str(idx)] = numerical_gradient(loss_W, self.params["b" + str(idx)])
        return grads

    def gradient(self, x, t):
        # forward (the loss is kept in self.last_loss so a training loop can record it)
        self.last_loss = self.loss(x, t)

        # backward
        dout = 1
        dout = self.last_layer.backward(dout)
        layers = list(self.layers.values())
        layers.reverse()
        for layer in layers:
            dout = layer.backward(dout)

        grads = {}
        for idx in range(1, self.hidden_layer_num + 2):
            affine = self.layers["Affine" + str(idx)]
            grads["W" + str(idx)] = affine.dW
            if self.weight_decay_lambda:
                grads["W" + str(idx)] = affine.dW + _decay_grad(
                    affine.W, self.weight_decay_lambda, self.weight_decay_type)
            grads["b" + str(idx)] = affine.db
        return grads


# --------------------------------------------------------------------------------------------
# multi_layer_net_extend.py — with batch normalization and dropout
# --------------------------------------------------------------------------------------------
class MultiLayerNetExtend:
    """(Affine → [BatchNorm] → activation → [Dropout]) × hidden layers → Affine → SoftmaxWithLoss.

    γ (gamma) and β (beta) of every batch-norm layer are parameters and are learned.
    """

    def __init__(self, input_size, hidden_size_list, output_size,
                 activation="relu", weight_init_std="relu",
                 weight_decay_lambda=0, weight_decay_type="l2",
                 use_dropout=False, dropout_ration=0.5, use_batchnorm=False):
        self.input_size = input_size
        self.output_size = output_size
        self.hidden_size_list = list(hidden_size_list)
        self.hidden_layer_num = len(hidden_size_list)
        self.use_dropout = use_dropout
        self.weight_decay_lambda = weight_decay_lambda
        self.weight_decay_type = weight_decay_type
        self.use_batchnorm = use_batchnorm
        self.params = {}

        self.__init_weight(weight_init_std)

        activation_layer = {"sigmoid": Sigmoid, "relu": Relu, "tanh": Tanh}
        self.layers = OrderedDict()
        for idx in range(1, self.hidden_layer_num + 1):
            self.layers["Affine" + str(idx)] = Affine(self.params["W" + str(idx)],
                                                      self.params["b" + str(idx)])
            if self.use_batchnorm:
                self.params["gamma" + str(idx)] = np.ones(hidden_size_list[idx - 1], dtype=DTYPE)
                self.params["beta" + str(idx)] = _zeros(hidden_size_list[idx - 1])
                self.layers["BatchNorm" + str(idx)] = BatchNormalization(
                    self.params["gamma" + str(idx)], self.params["beta" + str(idx)])

            self.layers["Activation_function" + str(idx)] = activation_layer[activation]()

            if self.use_dropout:
                self.layers["Dropout" + str(idx)] = Dropout(dropout_ration)

        idx = self.hidden_layer_num + 1
        self.layers["Affine" + str(idx)] = Affine(self.params["W" + str(idx)],
                                                  self.params["b" + str(idx)])
        self.last_layer = SoftmaxWithLoss()

    def __init_weight(self, weight_init_std):
        all_size_list = [self.input_size] + self.hidden_size_list + [self.output_size]
        for idx in range(1, len(all_size_list)):
            scale = _weight_scale(weight_init_std, all_size_list[idx - 1])
            self.params["W" + str(idx)] = _init(scale, all_size_list[idx - 1], all_size_list[idx])
            self.params["b" + str(idx)] = _zeros(all_size_list[idx])

    def predict(self, x, train_flg=False):
        for key, layer in self.layers.items():
            if "Dropout" in key or "BatchNorm" in key:
                x = layer.forward(x, train_flg)
            else:
                x = layer.forward(x)
        return x

    def loss(self, x, t, train_flg=False):
        y = self.predict(x, train_flg)
        weight_decay = 0
        if self.weight_decay_lambda:
            for idx in range(1, self.hidden_layer_num + 2):
                W = self.params["W" + str(idx)]
                weight_decay += _decay_loss(W, self.weight_decay_lambda, self.weight_decay_type)
        return self.last_layer.forward(y, t) + weight_decay

    def accuracy(self, X, T):
        Y = self.predict(X, train_flg=False)
        Y = np.argmax(Y, axis=1)
        if T.ndim != 1:
            T = np.argmax(T, axis=1)
        return float(np.sum(Y == T) / float(X.shape[0]))

    def numerical_gradient(self, X, T):
        loss_W = lambda W: self.loss(X, T, train_flg=True)
        grads = {}
        for idx in range(1, self.hidden_layer_num + 2):
            grads["W" + str(idx)] = numerical_gradient(loss_W, self.params["W" + str(idx)])
            grads["b" + str(idx)] = numerical_gradient(loss_W, self.params["b" + str(idx)])
            if self.use_batchnorm and idx != self.hidden_layer_num + 1:
                grads["gamma" + str(idx)] = numerical_gradient(loss_W, self.params["gamma" + str(idx)])
                grads["beta" + str(idx)] = numerical_gradient(loss_W, self.params["beta" + str(idx)])
        return grads

    def gradient(self, x, t):
        # forward
        self.last_loss = self.loss(x, t, train_flg=True)

        # backward
        dout = 1
        dout = self.last_layer.backward(dout)
        layers = list(self.layers.values())
        layers.reverse()
        for layer in layers:
            dout = layer.backward(dout)

        grads = {}
        for idx in range(1, self.hidden_layer_num + 2):
            affine = self.layers["Affine" + str(idx)]
            grads["W" + str(idx)] = affine.dW
            if self.weight_decay_lambda:
                grads["W" + str(idx)] = affine.dW + _decay_grad(
                    affine.W, self.weight_decay_lambda, self.weight_decay_type)
            grads["b" + str(idx)] = affine.db
            if self.use_batchnorm and idx != self.hidden_layer_num + 1:
                grads["gamma" + str(idx)] = self.layers["BatchNorm" + str(idx)].dgamma
                grads["beta" + str(idx)] = self.layers["BatchNorm" + str(idx)].dbeta
        return grads


# --------------------------------------------------------------------------------------------
# simple_convnet.py — hands-on 2_6
#   conv 30×5×5 (pad 0, stride 1) → ReLU → max-pool 2×2 → Affine 100 → ReLU → Affine 10
# --------------------------------------------------------------------------------------------
class _ConvNetBase:
    """Shared predict/loss/accuracy/gradient of the book's conv nets (layers in an OrderedDict)."""

    def predict(self, x, train_flg=False):
        for layer in self.layers.values():
            if isinstance(layer, Dropout):
                x = layer.forward(x, train_flg)
            else:
                x = layer.forward(x)
        return x

    def loss(self, x, t, train_flg=False):
        y = self.predict(x, train_flg)
        return self.last_layer.forward(y, t)

    def accuracy(self, x, t, batch_size=100):
        # evaluated in batches of 100, as in the book (memory)
        if t.ndim != 1:
            t = np.argmax(t, axis=1)
        acc = 0.0
        for i in range(int(x.shape[0] / batch_size)):
            tx = x[i * batch_size:(i + 1) * batch_size]
            tt = t[i * batch_size:(i + 1) * batch_size]
            y = self.predict(tx, train_flg=False)
            y = np.argmax(y, axis=1)
            acc += np.sum(y == tt)
        return float(acc / x.shape[0])

    def numerical_gradient(self, x, t):
        loss_w = lambda w: self.loss(x, t, train_flg=True)
        grads = {}
        for key in self.params:
            grads[key] = numerical_gradient(loss_w, self.params[key])
        return grads

    def gradient(self, x, t):
        # forward
        self.last_loss = self.loss(x, t, train_flg=True)

        # backward
        dout = 1
        dout = self.last_layer.backward(dout)
        layers = list(self.layers.values())
        layers.reverse()
        for layer in layers:
            dout = layer.backward(dout)

        grads = {}
        for key, layer_name in self.param_layers.items():
            layer = self.layers[layer_name]
            grads["W" + key] = layer.dW
            grads["b" + key] = layer.db
        return grads


class SimpleConvNet(_ConvNetBase):
    def __init__(self, input_dim=(1, 28, 28),
                 conv_param={"filter_num": 30, "filter_size": 5, "pad": 0, "stride": 1},
                 hidden_size=100, output_size=10, weight_init_std=0.01):
        filter_num = conv_param["filter_num"]
        filter_size = conv_param["filter_size"]
        filter_pad = conv_param["pad"]
        filter_stride = conv_param["stride"]
        input_size = input_dim[1]
        conv_output_size = (input_size - filter_size + 2 * filter_pad) / filter_stride + 1
        pool_output_size = int(filter_num * (conv_output_size / 2) * (conv_output_size / 2))

        # weights: weight_init_std·N(0, 1)
        self.params = {}
        self.params["W1"] = _init(weight_init_std, filter_num, input_dim[0], filter_size, filter_size)
        self.params["b1"] = _zeros(filter_num)
        self.params["W2"] = _init(weight_init_std, pool_output_size, hidden_size)
        self.params["b2"] = _zeros(hidden_size)
        self.params["W3"] = _init(weight_init_std, hidden_size, output_size)
        self.params["b3"] = _zeros(output_size)

        self.layers = OrderedDict()
        self.layers["Conv1"] = Convolution(self.params["W1"], self.params["b1"],
                                           conv_param["stride"], conv_param["pad"])
        self.layers["Relu1"] = Relu()
        self.layers["Pool1"] = Pooling(pool_h=2, pool_w=2, stride=2)
        self.layers["Affine1"] = Affine(self.params["W2"], self.params["b2"])
        self.layers["Relu2"] = Relu()
        self.layers["Affine2"] = Affine(self.params["W3"], self.params["b3"])
        self.last_layer = SoftmaxWithLoss()

        self.param_layers = {"1": "Conv1", "2": "Affine1", "3": "Affine2"}


# --------------------------------------------------------------------------------------------
# double_convnet.py — hands-on 2_7
#   conv 10×7×7 pad 1 → ReLU → pool 2×2 → conv 20×3×3 pad 1 → ReLU → pool 2×2
#   → Affine 100 → ReLU → Affine 10        (28 → 24 → 12 → 12 → 6; 20·6·6 = 720 features)
# --------------------------------------------------------------------------------------------
class DoubleConvNet(_ConvNetBase):
    def __init__(self, input_dim=(1, 28, 28),
                 conv_param_1={"filter_num": 10, "filter_size": 7, "pad": 1, "stride": 1},
                 conv_param_2={"filter_num": 20, "filter_size": 3, "pad": 1, "stride": 1},
                 hidden_size=100, output_size=10, weight_init_std=0.01):
        input_size = input_dim[1]
        conv_output_size_1 = conv_output_size(input_size, conv_param_1["filter_size"],
                                              conv_param_1["stride"], conv_param_1["pad"])
        pool_output_1 = conv_output_size_1 // 2
        conv_output_size_2 = conv_output_size(pool_output_1, conv_param_2["filter_size"],
                                              conv_param_2["stride"], conv_param_2["pad"])
        pool_output_2 = conv_output_size_2 // 2
        pool_output_size_2 = conv_param_2["filter_num"] * pool_output_2 * pool_output_2

        self.params = {}
        self.params["W1"] = _init(weight_init_std, conv_param_1["filter_num"], input_dim[0],
                                  conv_param_1["filter_size"], conv_param_1["filter_size"])
        self.params["b1"] = _zeros(conv_param_1["filter_num"])
        self.params["W2"] = _init(weight_init_std, conv_param_2["filter_num"], conv_param_1["filter_num"],
                                  conv_param_2["filter_size"], conv_param_2["filter_size"])
        self.params["b2"] = _zeros(conv_param_2["filter_num"])
        self.params["W3"] = _init(weight_init_std, pool_output_size_2, hidden_size)
        self.params["b3"] = _zeros(hidden_size)
        self.params["W4"] = _init(weight_init_std, hidden_size, output_size)
        self.params["b4"] = _zeros(output_size)

        self.layers = OrderedDict()
        self.layers["Conv1"] = Convolution(self.params["W1"], self.params["b1"],
                                           conv_param_1["stride"], conv_param_1["pad"])
        self.layers["Relu1"] = Relu()
        self.layers["Pool1"] = Pooling(pool_h=2, pool_w=2, stride=2)
        self.layers["Conv2"] = Convolution(self.params["W2"], self.params["b2"],
                                           conv_param_2["stride"], conv_param_2["pad"])
        self.layers["Relu2"] = Relu()
        self.layers["Pool2"] = Pooling(pool_h=2, pool_w=2, stride=2)
        self.layers["Affine1"] = Affine(self.params["W3"], self.params["b3"])
        self.layers["Relu3"] = Relu()
        self.layers["Affine2"] = Affine(self.params["W4"], self.params["b4"])
        self.last_layer = SoftmaxWithLoss()

        self.param_layers = {"1": "Conv1", "2": "Conv2", "3": "Affine1", "4": "Affine2"}


# --------------------------------------------------------------------------------------------
# deep_convnet.py — hands-on 2_8 (the book's DeepConvNet)
#   conv16 3×3 → ReLU → conv16 → ReLU → pool → conv32 → ReLU → conv32 (pad 2) → ReLU → pool
#   → conv64 → ReLU → conv64 → ReLU → pool → Affine 50 → ReLU → Dropout 0.5 → Affine 10
#   → Dropout 0.5 → SoftmaxWithLoss;  He init √(2/fan_in)
#   (28 → 28 → 28 → 14 → 14 → 16 → 8 → 8 → 8 → 4; 64·4·4 = 1024 features)
# --------------------------------------------------------------------------------------------
class DeepConvNet(_ConvNetBase):
    def __init__(self, input_dim=(1, 28, 28),
                 conv_param_1={"filter_num": 16, "filter_size": 3, "pad": 1, "stride": 1},
                 conv_param_2={"filter_num": 16, "filter_size": 3, "pad": 1, "stride": 1},
                 conv_param_3={"filter_num": 32, "filter_size": 3, "pad": 1, "stride": 1},
                 conv_param_4={"filter_num": 32, "filter_size": 3, "pad": 2, "stride": 1},
                 conv_param_5={"filter_num": 64, "filter_size": 3, "pad": 1, "stride": 1},
                 conv_param_6={"filter_num": 64, "filter_size": 3, "pad": 1, "stride": 1},
                 hidden_size=50, output_size=10, dropout_ratio=0.5):
        # fan-in of each layer's weights (He: √(2/fan_in))
        pre_node_nums = np.array([1 * 3 * 3, 16 * 3 * 3, 16 * 3 * 3, 32 * 3 * 3, 32 * 3 * 3,
                                  64 * 3 * 3, 64 * 4 * 4, hidden_size])
        weight_init_scales = np.sqrt(2.0 / pre_node_nums)

        self.params = {}
        pre_channel_num = input_dim[0]
        conv_params = [conv_param_1, conv_param_2, conv_param_3,
                       conv_param_4, conv_param_5, conv_param_6]
        for idx, conv_param in enumerate(conv_params):
            self.params["W" + str(idx + 1)] = _init(
                weight_init_scales[idx], conv_param["filter_num"], pre_channel_num,
                conv_param["filter_size"], conv_param["filter_size"])
            self.params["b" + str(idx + 1)] = _zeros(conv_param["filter_num"])
            pre_channel_num = conv_param["filter_num"]
        self.params["W7"] = _init(weight_init_scales[6], 64 * 4 * 4, hidden_size)
        self.params["b7"] = _zeros(hidden_size)
        self.params["W8"] = _init(weight_init_scales[7], hidden_size, output_size)
        self.params["b8"] = _zeros(output_size)

        self.layers = OrderedDict()
        p = self.params
        self.layers["Conv1"] = Convolution(p["W1"], p["b1"], conv_param_1["stride"], conv_param_1["pad"])
        self.layers["Relu1"] = Relu()
        self.layers["Conv2"] = Convolution(p["W2"], p["b2"], conv_param_2["stride"], conv_param_2["pad"])
        self.layers["Relu2"] = Relu()
        self.layers["Pool1"] = Pooling(pool_h=2, pool_w=2, stride=2)
        self.layers["Conv3"] = Convolution(p["W3"], p["b3"], conv_param_3["stride"], conv_param_3["pad"])
        self.layers["Relu3"] = Relu()
        self.layers["Conv4"] = Convolution(p["W4"], p["b4"], conv_param_4["stride"], conv_param_4["pad"])
        self.layers["Relu4"] = Relu()
        self.layers["Pool2"] = Pooling(pool_h=2, pool_w=2, stride=2)
        self.layers["Conv5"] = Convolution(p["W5"], p["b5"], conv_param_5["stride"], conv_param_5["pad"])
        self.layers["Relu5"] = Relu()
        self.layers["Conv6"] = Convolution(p["W6"], p["b6"], conv_param_6["stride"], conv_param_6["pad"])
        self.layers["Relu6"] = Relu()
        self.layers["Pool3"] = Pooling(pool_h=2, pool_w=2, stride=2)
        self.layers["Affine1"] = Affine(p["W7"], p["b7"])
        self.layers["Relu7"] = Relu()
        self.layers["Dropout1"] = Dropout(dropout_ratio)
        self.layers["Affine2"] = Affine(p["W8"], p["b8"])
        self.layers["Dropout2"] = Dropout(dropout_ratio)
        self.last_layer = SoftmaxWithLoss()

        self.param_layers = {"1": "Conv1", "2": "Conv2", "3": "Conv3", "4": "Conv4",
                             "5": "Conv5", "6": "Conv6", "7": "Affine1", "8": "Affine2"}
