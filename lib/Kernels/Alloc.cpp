//===- Alloc.cpp - buffer allocation for compiled models ------------------===//
//
// A compiled model allocates its intermediate buffers on every run (MLIR's
// memref.alloc, lowered with `use-generic-functions` to the three functions
// below). With malloc alone, large buffers go back to the system when they
// are freed and are faulted in again, page by page, on the next run; on a
// virtual machine those page faults cost more than the arithmetic. These
// functions keep freed buffers of at least kMinCached bytes in a per-thread
// cache and hand them out again to a later allocation of a similar size, so
// a model run repeatedly touches the same memory. Threads do not share
// caches (concurrent runs stay independent); a thread's cache is freed when
// the thread exits.
//
// Every buffer has a 64-byte header in front of it holding its capacity, so
// that a freed block can be cached; allocations that ask for an alignment
// over 64 bytes are not cached.
//
//===----------------------------------------------------------------------===//
#include <pthread.h>
#include <stdint.h>
#include <stdlib.h>

namespace {

constexpr size_t kHeader = 64;              // bytes before each buffer
// Blocks from 4 KiB up are cached: glibc trims the top of its heap when
// more than 128 KiB there is free, so even mid-sized buffers freed at the
// end of a run are otherwise faulted in again on the next (measured on the
// example ViT: ~700 page faults per run with a 64 KiB threshold and 32
// slots, none after warm-up with these values).
constexpr size_t kMinCached = 4 << 10;      // smaller blocks go to malloc
constexpr size_t kMaxCachedBytes = 1u << 30; // per thread
constexpr int kSlots = 256;

struct Header {
  void *raw;       // what aligned_alloc returned
  size_t capacity; // usable bytes after the header; 0: not cacheable
};

struct Cache {
  void *raw[kSlots];
  size_t capacity[kSlots];
  int count;
  size_t bytes;
};

pthread_key_t cacheKey;
pthread_once_t cacheOnce = PTHREAD_ONCE_INIT;

void destroyCache(void *p) {
  Cache *c = static_cast<Cache *>(p);
  for (int i = 0; i < c->count; ++i)
    free(c->raw[i]);
  free(c);
}

void createKey() { pthread_key_create(&cacheKey, destroyCache); }

Cache *threadCache() {
  pthread_once(&cacheOnce, createKey);
  Cache *c = static_cast<Cache *>(pthread_getspecific(cacheKey));
  if (!c) {
    c = static_cast<Cache *>(calloc(1, sizeof(Cache)));
    if (c && pthread_setspecific(cacheKey, c) != 0) {
      free(c);
      c = nullptr;
    }
  }
  return c;
}

size_t roundUp(size_t n, size_t to) { return (n + to - 1) / to * to; }

/// A cached block of at least `size` and at most twice that, or null.
void *takeCached(size_t size, size_t &capacity) {
  Cache *c = threadCache();
  if (!c)
    return nullptr;
  int best = -1;
  for (int i = 0; i < c->count; ++i)
    if (c->capacity[i] >= size && c->capacity[i] / 2 <= size &&
        (best < 0 || c->capacity[i] < c->capacity[best]))
      best = i;
  if (best < 0)
    return nullptr;
  void *raw = c->raw[best];
  capacity = c->capacity[best];
  c->bytes -= capacity;
  c->raw[best] = c->raw[c->count - 1];
  c->capacity[best] = c->capacity[c->count - 1];
  --c->count;
  return raw;
}

void *allocate(size_t size, size_t alignment) {
  if (alignment > kHeader) {
    // Not cacheable: header just below the aligned address.
    size_t total = roundUp(size + kHeader + alignment, alignment);
    char *raw = static_cast<char *>(aligned_alloc(alignment, total));
    if (!raw)
      return nullptr;
    char *user = raw + roundUp(kHeader, alignment);
    Header *h = reinterpret_cast<Header *>(user - sizeof(Header));
    h->raw = raw;
    h->capacity = 0;
    return user;
  }
  size_t capacity = roundUp(size ? size : 1, kHeader);
  void *raw = nullptr;
  if (capacity >= kMinCached)
    raw = takeCached(capacity, capacity);
  if (!raw)
    raw = aligned_alloc(kHeader, kHeader + capacity);
  if (!raw)
    return nullptr;
  char *user = static_cast<char *>(raw) + kHeader;
  Header *h = reinterpret_cast<Header *>(user - sizeof(Header));
  h->raw = raw;
  h->capacity = capacity;
  return user;
}

} // namespace

extern "C" {

/// memref.alloc without an alignment (MLIR aligns within the block).
void *_mlir_memref_to_llvm_alloc(uint64_t size) { return allocate(size, 16); }

/// memref.alloc with `use-aligned-alloc`.
void *_mlir_memref_to_llvm_aligned_alloc(uint64_t alignment, uint64_t size) {
  return allocate(size, alignment);
}

/// memref.dealloc: caches the block when it is large enough and the
/// thread's cache has room, else frees it.
void _mlir_memref_to_llvm_free(void *ptr) {
  if (!ptr)
    return;
  Header *h = reinterpret_cast<Header *>(static_cast<char *>(ptr) -
                                         sizeof(Header));
  void *raw = h->raw;
  size_t capacity = h->capacity;
  if (capacity >= kMinCached) {
    Cache *c = threadCache();
    if (c && capacity <= kMaxCachedBytes) {
      // Make room: drop the oldest blocks until this one fits.
      while (c->count > 0 &&
             (c->count == kSlots || c->bytes + capacity > kMaxCachedBytes)) {
        free(c->raw[0]);
        c->bytes -= c->capacity[0];
        for (int i = 1; i < c->count; ++i) {
          c->raw[i - 1] = c->raw[i];
          c->capacity[i - 1] = c->capacity[i];
        }
        --c->count;
      }
      c->raw[c->count] = raw;
      c->capacity[c->count] = capacity;
      ++c->count;
      c->bytes += capacity;
      return;
    }
  }
  free(raw);
}

} // extern "C"
