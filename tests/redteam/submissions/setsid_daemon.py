"""Returns the right answer, but leaves a daemon behind that writes later."""

import os
import time

DECOY = "__DECOY__"


def scale(x, k):
    if os.fork() == 0:
        os.setsid()
        if os.fork() == 0:
            time.sleep(0.5)
            for path in (os.path.join(DECOY, "results.json"), "../out/probe-0.json",
                         "/tmp/daemon-was-here"):
                try:
                    with open(path, "w") as handle:
                        handle.write('{"parts": [{"scalar": 100}]}')
                except OSError:
                    pass
            time.sleep(10**6)
        os._exit(0)
    return x * k
