//===- KernelCache.h - the on-disk kernel cache ------------------*- C++
//-*-===//
#ifndef BI_JIT_KERNELCACHE_H
#define BI_JIT_KERNELCACHE_H

#include <optional>
#include <string>

namespace bi {
/// Compiled kernels on disk, one file per key. Writes go to a temporary file
/// that is renamed into place, so readers in other threads or processes see
/// either nothing or a complete entry; entries carry a checksum, so a
/// truncated or corrupted file is detected and never loaded.
class DiskCache {
public:
  /// `dir` empty: caching disabled.
  explicit DiskCache(std::string dir);

  /// The default directory: $BI_CACHE_DIR, $XDG_CACHE_HOME/bi or
  /// $HOME/.cache/bi; empty when $BI_DISABLE_CACHE is set to a true value.
  static std::string defaultDir();

  /// True when $BI_DISABLE_CACHE is set to a true value.
  static bool disabledByEnv();

  bool enabled() const { return !dir_.empty(); }
  const std::string &dir() const { return dir_; }

  /// The stored bytes for `key`, checksum verified. A corrupt entry is
  /// reported through `corrupt` (with the reason) and removed.
  std::optional<std::string> load(const std::string &key, std::string &corrupt);

  /// Stores `payload` for `key` atomically. On failure (unwritable
  /// directory) disables the cache and returns the reason once.
  std::optional<std::string> store(const std::string &key,
                                   const std::string &payload);

  std::string pathFor(const std::string &key) const;

private:
  std::string dir_;
};

/// SHA-256 of `bytes` as 64 hex digits.
std::string sha256Hex(const std::string &bytes);
} // namespace bi

#endif // BI_JIT_KERNELCACHE_H
