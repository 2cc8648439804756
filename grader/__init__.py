"""cnn-grader: per-student randomized, auto-graded exercises on convolutional networks."""

__version__ = "0.1.0"
