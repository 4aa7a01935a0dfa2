#pragma once
// The tile cache on disk: one file per tile under the cache directory, a size bound kept by
// evicting the least recently used tiles, and the freshness rule.

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <list>
#include <mutex>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

#include "address.hpp"
#include "strava1/base/clock.hpp"

namespace strava1::tiles {

/// A tile as upstream gave it, with what revalidating it needs.
struct TileRecord {
    std::string content_type;
    std::string body;
    std::string etag;           ///< empty when upstream sent none
    std::string last_modified;  ///< HTTP-date text, empty when upstream sent none
    SystemTime fetched_at;      ///< when upstream last gave or confirmed (304) these bytes
};

/// A tile is served without asking upstream for this long after it was fetched or revalidated
/// (the OpenStreetMap tile usage policy asks for at least 7 days).
inline constexpr std::chrono::seconds kTileFreshFor{7 * 24 * 3600};

bool IsFresh(const TileRecord& tile, SystemTime now, std::chrono::seconds fresh_for = kTileFreshFor);

/// Least-recently-used bookkeeping of sized entries under a byte bound. Not thread-safe.
class LruIndex {
public:
    explicit LruIndex(std::uint64_t max_bytes) : max_bytes_(max_bytes) {}

    /// Records `key` with `bytes` as the most recently used entry (replacing an entry of the same
    /// key) and returns the keys evicted, oldest first, to bring the total back under the bound.
    /// An entry larger than the whole bound is not recorded: the result is then {key}.
    std::vector<std::string> Put(const std::string& key, std::uint64_t bytes);
    /// Marks `key` most recently used; false when it is not recorded.
    bool Touch(const std::string& key);
    void Remove(const std::string& key);
    bool Contains(const std::string& key) const { return entries_.contains(key); }
    std::uint64_t TotalBytes() const { return total_bytes_; }
    std::size_t Size() const { return entries_.size(); }
    std::uint64_t MaxBytes() const { return max_bytes_; }

private:
    struct Entry {
        std::list<std::string>::iterator position;
        std::uint64_t bytes = 0;
    };
    std::uint64_t max_bytes_;
    std::uint64_t total_bytes_ = 0;
    std::list<std::string> order_;  // front: most recently used
    std::unordered_map<std::string, Entry> entries_;
};

/// Tiles on disk: `<root>/<z>/<x>-<y>.tile`, each file a short text header (format version,
/// fetch time, content type, validators, body length) then the body, written to a temporary file
/// and renamed into place so a reader never sees half a tile. Sizes are counted in whole 4 KiB
/// blocks, so the bound holds for the disk space used, not just the bytes written. The index is
/// built on first use from the files present (oldest written first, so a restart keeps the
/// approximate order). A file that does not parse is deleted and counts as missing.
///
/// Thread-safe (one mutex; file operations are small). One process should own a cache directory:
/// another process's writes are safe but not counted against this one's bound.
class DiskTileCache {
public:
    DiskTileCache(std::filesystem::path root, std::uint64_t max_bytes);

    /// The cached tile, marked most recently used; nullopt when missing or unreadable.
    std::optional<TileRecord> Get(const TileAddress& tile);
    /// Stores (or replaces) a tile, evicting least recently used tiles to stay within the bound.
    /// A write failure is logged and leaves the tile uncached.
    void Put(const TileAddress& tile, const TileRecord& record);
    /// Bytes counted against the bound (whole blocks).
    std::uint64_t UsedBytes();
    const std::filesystem::path& Root() const { return root_; }

    /// The file a tile lives in.
    std::filesystem::path PathOf(const TileAddress& tile) const;
    /// The header + body text of a tile file, and back (nullopt when malformed or truncated).
    static std::string Serialise(const TileRecord& record);
    static std::optional<TileRecord> Deserialise(std::string_view text);

private:
    void LoadLocked();
    void RemoveLocked(const std::string& key);

    std::filesystem::path root_;
    std::mutex mutex_;
    bool loaded_ = false;
    LruIndex index_;
};

}  // namespace strava1::tiles
