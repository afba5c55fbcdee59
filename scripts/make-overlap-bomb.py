#!/usr/bin/env python3
"""Writes an overlapping-entry zip bomb for trove's fault tests: one deflate
stream of SIZE zero bytes (default 1 GiB, about 1 MB compressed) listed
under COUNT names (default 50) in the central directory, every entry
pointing at the same local header. Usage: make-overlap-bomb.py OUT.zip
[COUNT] [SIZE]. `trove ingest OUT.zip` must refuse it at once."""
import struct
import sys
import zlib

out, count, size = sys.argv[1], int(sys.argv[2]) if len(sys.argv) > 2 else 50, \
    int(sys.argv[3]) if len(sys.argv) > 3 else 1 << 30
compressor = zlib.compressobj(9, zlib.DEFLATED, -15)
chunk = bytes(1 << 20)
crc, parts = 0, []
for _ in range(size // len(chunk)):
    crc = zlib.crc32(chunk, crc)
    parts.append(compressor.compress(chunk))
parts.append(compressor.flush())
data = b"".join(parts)
first = b"messages.json"
local = struct.pack("<IHHHHHIIIHH", 0x04034B50, 20, 0, 8, 0, 0x21, crc, len(data), size,
                    len(first), 0) + first
directory = b""
for n in range(count):
    name = b"copy%d.json" % n
    directory += struct.pack("<IHHHHHHIIIHHHHHII", 0x02014B50, 20, 20, 0, 8, 0, 0x21, crc,
                             len(data), size, len(name), 0, 0, 0, 0, 0, 0) + name
start = len(local) + len(data)
end = struct.pack("<IHHHHIIH", 0x06054B50, 0, 0, count, count, len(directory), start, 0)
with open(out, "wb") as f:
    f.write(local + data + directory + end)
print(f"{out}: {count} entries x {size} bytes from {start + len(directory) + len(end)} bytes")
