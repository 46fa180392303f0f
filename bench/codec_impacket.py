#!/usr/bin/python3
"""Baseline for bench/codec.bench.ts: decode + encode throughput of impacket's
ldaptypes.SR_SECURITY_DESCRIPTOR (Debian python3-impacket) on the descriptors given on stdin.

stdin:  {"seconds": 1.0, "descriptors": [{"name": "...", "base64": "..."}, ...]}
stdout: {"impacket": "<version>", "python": "<version>", "results": [{"name": "...", "ops": N, "seconds": S, "opsPerSec": R}, ...]}
Each op is SR_SECURITY_DESCRIPTOR(data=bytes) followed by getData(), as in the TypeScript side.
"""
import base64
import json
import sys
import time

from impacket import version as impacket_version
from impacket.ldap import ldaptypes


def measure(data: bytes, seconds: float) -> dict:
    # Warm-up, and a check that impacket can read the value at all.
    for _ in range(200):
        ldaptypes.SR_SECURITY_DESCRIPTOR(data=data).getData()
    ops = 0
    batch = 100
    start = time.perf_counter()
    deadline = start + seconds
    while True:
        for _ in range(batch):
            ldaptypes.SR_SECURITY_DESCRIPTOR(data=data).getData()
        ops += batch
        now = time.perf_counter()
        if now >= deadline:
            break
    elapsed = now - start
    return {"ops": ops, "seconds": elapsed, "opsPerSec": ops / elapsed}


def main() -> None:
    request = json.load(sys.stdin)
    seconds = float(request.get("seconds", 1.0))
    results = []
    for descriptor in request["descriptors"]:
        data = base64.b64decode(descriptor["base64"])
        results.append({"name": descriptor["name"], **measure(data, seconds)})
    json.dump(
        {
            "impacket": impacket_version.version,
            "python": sys.version.split()[0],
            "results": results,
        },
        sys.stdout,
    )


if __name__ == "__main__":
    main()
