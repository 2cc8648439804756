"""Reference NumPy implementation of the course's convolution mathematics.

Everything is float64 and vectorized.  Activations are ``(N, C, H, W)``,
convolution weights ``(F, C // groups, kh, kw)`` and biases ``(F,)``.  The
modules are: :mod:`solutions.sizes` (output sizes), :mod:`solutions.conv`
(cross-correlation forward/backward, im2col, depthwise-separable),
:mod:`solutions.pool` (pooling forward/backward), :mod:`solutions.counts`
(parameters, multiply-accumulates, receptive fields, example networks),
:mod:`solutions.activations` and :mod:`solutions.mistakes` (the modeled wrong
ways to compute each of these, used to diagnose student answers).
"""
