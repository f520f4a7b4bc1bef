"""Every size and range limit in one place, so the CLI, the library and the docs agree.

Nothing here imports anything: the CLI reads these for its option ranges without loading the
library's models.
"""

from __future__ import annotations

MAX_FILE = 16 * 1024 * 1024  # bytes read from any one input file
MAX_UNPACKED = 64 * 1024 * 1024  # bytes gzip may unpack to while validating (bombs stop here)
# Findings shown per input (the rest are counted, in the summary and the exit code).
PER_CODE = 100  # of one code
PER_REPORT = 1000  # in all

# The largest --max-*-bytes: what is read is held in memory, and beyond this a read fails
# (OverflowError, MemoryError) instead of being judged.
LIMIT_CEILING = 4 * 1024**3

# libvirt's domain schema: <vcpu> is an unsignedShort >= 1; <memory unit='MiB'> is converted to
# KiB in an unsigned long long, which libvirt refuses to overflow: stay well inside both.
MAX_VCPUS = 65535
MAX_MEMORY_MIB = 2**40  # 1 EiB

# ISO 9660 directory records store the year as years since 1900 in one byte: 2155-12-31 23:59:59.
LAST_ISO_DATE = 5_869_583_999
