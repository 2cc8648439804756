"""The nbgrader round trip: our exercises as an nbgrader course with per-student variants.

``notebook`` builds the source notebook and the per-student copies (pure),
``keyfile`` writes and reads the per-student answer keys, ``kernel`` is what the
notebook's test cells import inside the Jupyter kernel, ``course`` does the file
work, and ``extract`` turns a notebook back into modules for our own sandbox.
See docs/nbgrader.md for why the design looks like this.
"""
