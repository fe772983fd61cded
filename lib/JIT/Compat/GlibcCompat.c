/*===- GlibcCompat.c - run on older glibc than the build machine's -------===*
 *
 * The statically linked libstdc++ of the self-contained libbi.so calls
 * arc4random, which glibc only has from 2.36 on (Debian 12 builds, the GPU
 * machine may be older). This definition, from getrandom (glibc 2.25),
 * satisfies it inside the library so no GLIBC_2.36 symbol is needed.
 *
 *===----------------------------------------------------------------------===*/
#include <stdint.h>
#include <sys/random.h>

uint32_t arc4random(void) {
  uint32_t value = 0;
  while (getrandom(&value, sizeof value, 0) != (long)sizeof value) {
  }
  return value;
}
