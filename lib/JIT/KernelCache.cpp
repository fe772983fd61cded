//===- KernelCache.cpp - the on-disk kernel cache -------------------------===//
//
// Entry layout: "BICACHE1" | u64 payload length | payload | SHA-256(payload).
// The length and the checksum together catch truncation and corruption.
//
//===----------------------------------------------------------------------===//
#include "JIT/KernelCache.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/MemoryBuffer.h"
#include "llvm/Support/Path.h"
#include "llvm/Support/Process.h"
#include "llvm/Support/SHA256.h"
#include "llvm/Support/raw_ostream.h"
#include <atomic>
#include <cstdlib>
#include <cstring>
#include <thread>
#include <unistd.h>

using namespace bi;

static constexpr char kMagic[] = "BICACHE1";
static constexpr size_t kMagicSize = 8;
static constexpr size_t kDigestSize = 32;

std::string bi::sha256Hex(const std::string &bytes) {
  std::array<uint8_t, 32> digest = llvm::SHA256::hash(llvm::ArrayRef<uint8_t>(
      reinterpret_cast<const uint8_t *>(bytes.data()), bytes.size()));
  static const char *hex = "0123456789abcdef";
  std::string out;
  for (uint8_t byte : digest) {
    out += hex[byte >> 4];
    out += hex[byte & 15];
  }
  return out;
}

static std::string rawDigest(const std::string &bytes) {
  std::array<uint8_t, 32> digest = llvm::SHA256::hash(llvm::ArrayRef<uint8_t>(
      reinterpret_cast<const uint8_t *>(bytes.data()), bytes.size()));
  return std::string(reinterpret_cast<const char *>(digest.data()),
                     digest.size());
}

static bool isTrue(const char *value) {
  if (!value)
    return false;
  std::string v(value);
  return !v.empty() && v != "0" && v != "false" && v != "no" && v != "off";
}

bool DiskCache::disabledByEnv() {
  return isTrue(std::getenv("BI_DISABLE_CACHE"));
}

std::string DiskCache::defaultDir() {
  if (disabledByEnv())
    return "";
  if (const char *dir = std::getenv("BI_CACHE_DIR"); dir && *dir)
    return dir;
  llvm::SmallString<256> path;
  if (const char *xdg = std::getenv("XDG_CACHE_HOME"); xdg && *xdg) {
    path = xdg;
  } else if (const char *home = std::getenv("HOME"); home && *home) {
    path = home;
    llvm::sys::path::append(path, ".cache");
  } else {
    return "";
  }
  llvm::sys::path::append(path, "bi");
  return std::string(path);
}

DiskCache::DiskCache(std::string dir) : dir_(std::move(dir)) {}

std::string DiskCache::pathFor(const std::string &key) const {
  llvm::SmallString<256> path(dir_);
  llvm::sys::path::append(path, key.substr(0, 2), key + ".bicache");
  return std::string(path);
}

std::optional<std::string> DiskCache::load(const std::string &key,
                                           std::string &corrupt) {
  corrupt.clear();
  if (!enabled())
    return std::nullopt;
  std::string path = pathFor(key);
  auto buffer = llvm::MemoryBuffer::getFile(path, /*IsText=*/false,
                                            /*RequiresNullTerminator=*/false);
  if (!buffer)
    return std::nullopt; // Not there (or unreadable): compile.
  llvm::StringRef bytes = (*buffer)->getBuffer();
  auto reject = [&](const std::string &why) -> std::optional<std::string> {
    corrupt = "corrupt kernel cache entry " + path + " (" + why + ")";
    llvm::sys::fs::remove(path);
    return std::nullopt;
  };
  if (bytes.size() < kMagicSize + 8 + kDigestSize ||
      std::memcmp(bytes.data(), kMagic, kMagicSize) != 0)
    return reject("bad header");
  uint64_t length = 0;
  std::memcpy(&length, bytes.data() + kMagicSize, 8);
  if (length != bytes.size() - kMagicSize - 8 - kDigestSize)
    return reject("truncated or wrong length");
  std::string payload(bytes.data() + kMagicSize + 8, length);
  if (rawDigest(payload) !=
      bytes.substr(kMagicSize + 8 + length, kDigestSize).str())
    return reject("checksum mismatch");
  return payload;
}

std::optional<std::string> DiskCache::store(const std::string &key,
                                            const std::string &payload) {
  if (!enabled())
    return std::nullopt;
  std::string path = pathFor(key);
  auto disable = [&](const std::string &why) {
    std::string reason = "kernel cache directory " + dir_ + " is not usable (" +
                         why + "); continuing without the disk cache";
    dir_.clear();
    return reason;
  };
  if (std::error_code ec =
          llvm::sys::fs::create_directories(llvm::sys::path::parent_path(path)))
    return disable(ec.message());
  // A name no other writer uses: process, thread and a counter.
  static std::atomic<uint64_t> counter{0};
  std::string temp =
      path + ".tmp." + std::to_string(::getpid()) + "." +
      std::to_string(std::hash<std::thread::id>()(std::this_thread::get_id())) +
      "." + std::to_string(counter++);
  {
    std::error_code ec;
    llvm::raw_fd_ostream out(temp, ec, llvm::sys::fs::OF_None);
    if (ec)
      return disable(ec.message());
    uint64_t length = payload.size();
    out.write(kMagic, kMagicSize);
    out.write(reinterpret_cast<const char *>(&length), 8);
    out << payload << rawDigest(payload);
    out.close();
    if (out.has_error()) {
      std::string why = out.error().message();
      out.clear_error();
      llvm::sys::fs::remove(temp);
      return disable(why);
    }
  }
  if (std::error_code ec = llvm::sys::fs::rename(temp, path)) {
    llvm::sys::fs::remove(temp);
    return disable(ec.message());
  }
  return std::nullopt;
}
