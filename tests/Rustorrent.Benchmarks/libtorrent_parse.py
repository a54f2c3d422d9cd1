#!/usr/bin/python3
"""Times libtorrent's own .torrent parser (torrent_info from bytes) on the given files, for comparison
with MetainfoParsingBenchmarks. Usage: /usr/bin/python3 libtorrent_parse.py file.torrent..."""
import sys
import time

import libtorrent as lt

for path in sys.argv[1:]:
    data = open(path, "rb").read()
    limits = {"max_buffer_size": 64 * 1024 * 1024, "max_pieces": 0x200000, "max_decode_tokens": 10000000}
    # Warm up, then pick an iteration count that runs about a second, best of 5 rounds.
    lt.torrent_info(data, limits)
    start = time.perf_counter()
    lt.torrent_info(data, limits)
    once = time.perf_counter() - start
    n = max(1, int(1.0 / max(once, 1e-6)))
    best = float("inf")
    for _ in range(5):
        start = time.perf_counter()
        for _ in range(n):
            info = lt.torrent_info(data, limits)
        best = min(best, (time.perf_counter() - start) / n)
    print(f"{path}: libtorrent {lt.__version__} torrent_info: {best * 1e3:.3f} ms per parse "
          f"({info.num_files()} files, {info.num_pieces()} pieces, {n} iterations x 5 rounds)")
