"""The course secret's strength, a fingerprint of it that is safe to hand out, and
new secrets.

Every variant is a public function of the secret and the student id, so a student
can test guesses of the secret offline against their own handout: only a secret
too large to guess (128 bits or more) keeps the other variants and the hidden
cases unknown.  The fingerprint is a keyed hash (HMAC-SHA256 of a fixed label,
keyed with the secret): it lets ``grade`` notice that it was given another secret
than the release was made with, and reveals nothing a handout does not already.
"""

from __future__ import annotations

import hashlib
import hmac
import math
import secrets
import string

from grader.errors import SpecError

MIN_SECRET_BITS = 128
MIN_DISTINCT_CHARACTERS = 10  # "aaaa..." is long, not strong
FINGERPRINT_LABEL = b"cnn-grader secret fingerprint v1\0"
_ALPHABETS = tuple(frozenset(chars) for chars in (
    string.digits, "0123456789abcdef", "0123456789ABCDEF", string.ascii_lowercase,
    string.ascii_uppercase, string.ascii_lowercase + string.digits,
    string.ascii_letters + string.digits, string.ascii_letters + string.digits + "-_",
    string.ascii_letters + string.digits + "+/=", string.printable[:95],
))


def new_secret() -> str:
    """A fresh secret of 256 random bits (43 URL-safe characters)."""
    return secrets.token_urlsafe(32)


def secret_fingerprint(secret: bytes, course_id: str) -> str:
    """A short keyed hash of the secret for this course (16 hex digits)."""
    digest = hmac.new(secret, FINGERPRINT_LABEL + course_id.encode("utf-8"), hashlib.sha256)
    return digest.hexdigest()[:16]


def secret_bits(secret: str) -> float:
    """The secret's strength if it were drawn at random from the smallest usual
    alphabet that holds all its characters (digits, hex, letters, base64, printable
    ASCII; anything else counts 8 bits a byte).  Random secrets reach it; words fall
    short of it, which is why ``check_secret_strength`` also wants variety."""
    for alphabet in _ALPHABETS:
        if all(c in alphabet for c in secret):
            return len(secret) * math.log2(len(alphabet))
    return len(secret.encode("utf-8")) * 8.0


def check_secret_strength(secret: str, *, where: str) -> None:
    """Refuse a secret that could be guessed, saying why and what to do."""
    bits = secret_bits(secret)
    distinct = len(set(secret))
    if bits >= MIN_SECRET_BITS and distinct >= MIN_DISTINCT_CHARACTERS:
        return
    why = (f"only {distinct} distinct characters" if bits >= MIN_SECRET_BITS
           else f"about {bits:.0f} bits")
    raise SpecError(
        f"the course secret is too weak ({why}; at least {MIN_SECRET_BITS} bits of random "
        "text are needed): a student can test guesses of it offline against their own "
        "handout and so find every classmate's variant and the hidden cases. "
        "Run `cnn-grader secret new` to write a strong one",
        where=where,
    )
