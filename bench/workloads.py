"""The workloads bench/numpy/run.py and bench/torch/run.py share: names, the 2_2 variants and the
default repetition counts (both runners take the same command line, so compare.py can drive them
alike)."""

TRAINING_WORKLOADS = ["vanishing-gradient", "batch-normalization", "optimizers", "overfitting",
                      "simple-cnn", "double-cnn", "deep-cnn"]
STEP_WORKLOADS = ["mlp-step", "mlp-eval", "cnn-step", "cnn-eval"]

# hands-on 2_2: activation and weight initialisation of each variant
INIT_VARIANTS = {
    "relu-he": ("relu", "he"),
    "sigmoid-gauss": ("sigmoid", 0.01),
    "sigmoid-xavier": ("sigmoid", "xavier"),
    "relu-gauss": ("relu", 0.01),
    "sigmoid-he": ("sigmoid", "he"),
}

# iterations of a hands-on, or timed repetitions of a step/evaluation (cnn-epoch: PyTorch only)
DEFAULT_ITERATIONS = {
    "vanishing-gradient": 2000, "batch-normalization": 1000, "optimizers": 1000,
    "overfitting": 1000, "simple-cnn": 1000, "double-cnn": 1000, "deep-cnn": 1000,
    "mlp-step": 200, "mlp-eval": 20, "cnn-step": 20, "cnn-eval": 3, "cnn-epoch": 600,
}
DEFAULT_WARMUP = {"mlp-step": 20, "mlp-eval": 2, "cnn-step": 3, "cnn-eval": 1, "cnn-epoch": 3}
