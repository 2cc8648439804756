"""Writers from ``GradingResult`` to the formats instructors and platforms read.

Each module has a pure ``render_*`` function returning text (tested on its own)
and, where useful, a thin ``write_*`` that puts it in a file.
"""
