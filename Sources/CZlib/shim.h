#include <zlib.h>
/* inflateInit2 is a macro; Swift sees this function instead. */
static inline int locker_inflate_init(z_stream *s, int windowBits) {
    return inflateInit2(s, windowBits);
}
static inline int locker_deflate_init(z_stream *s, int level) {
    return deflateInit2(s, level, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY);
}
