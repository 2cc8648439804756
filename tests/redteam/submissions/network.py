import socket

PORT = int("__PORT__")


def scale(x, k):
    with socket.create_connection(("127.0.0.1", PORT), timeout=1):
        pass
    return x * k


def scale_outside(x, k):
    with socket.create_connection(("1.1.1.1", 53), timeout=1):
        pass
    return x * k
