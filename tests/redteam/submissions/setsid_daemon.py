"""Returns the right answer, but leaves a daemon behind that writes later."""

import os
import time

DECOY = "__DECOY__"


def scale(x, k):
    if os.fork() == 0:
        os.setsid()
        if os.fork() == 0:
            time.sleep(0.5)
            body = b'{"probe": 0, "parts": [{"scalar": 100}]}'
            forged = len(body).to_bytes(4, "big") + body  # a valid record of the results
            for path in (os.path.join(DECOY, "results.json"), "../out/results",
                         "/tmp/daemon-was-here"):
                try:
                    with open(path, "ab") as handle:
                        handle.write(forged)
                except OSError:
                    pass
            time.sleep(10**6)
        os._exit(0)
    return x * k
