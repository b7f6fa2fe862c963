// zlib, used to read gzip-compressed IDX files (Debian: zlib1g-dev).
#include <zlib.h>
