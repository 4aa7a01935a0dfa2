#include "cache.hpp"

#include <algorithm>
#include <charconv>
#include <fstream>
#include <sstream>

#include "strava1/base/crypto.hpp"
#include "strava1/base/log.hpp"

namespace strava1::tiles {
namespace fs = std::filesystem;
namespace {

constexpr std::string_view kMagic = "strava1-tile-v1\n";
constexpr std::uint64_t kBlock = 4096;

std::uint64_t OnDisk(std::uint64_t bytes) { return (bytes + kBlock - 1) / kBlock * kBlock; }

/// The index key and relative path of a tile: "<z>/<x>-<y>.tile".
std::string RelativePath(const TileAddress& tile) {
    return std::to_string(tile.z) + "/" + std::to_string(tile.x) + "-" + std::to_string(tile.y) + ".tile";
}

/// Header values come from upstream's headers; a line break would end the header early.
std::string OneLine(std::string_view value) {
    std::string out(value);
    std::replace_if(
        out.begin(), out.end(), [](char c) { return c == '\n' || c == '\r'; }, ' ');
    return out;
}

}  // namespace

bool IsFresh(const TileRecord& tile, SystemTime now, std::chrono::seconds fresh_for) {
    return now >= tile.fetched_at ? now - tile.fetched_at < fresh_for : true;
}

std::vector<std::string> LruIndex::Put(const std::string& key, std::uint64_t bytes) {
    Remove(key);
    if (bytes > max_bytes_) {
        return {key};
    }
    order_.push_front(key);
    entries_[key] = Entry{order_.begin(), bytes};
    total_bytes_ += bytes;
    std::vector<std::string> evicted;
    while (total_bytes_ > max_bytes_) {
        std::string oldest = order_.back();  // never `key`: it alone fits
        Remove(oldest);
        evicted.push_back(std::move(oldest));
    }
    return evicted;
}

bool LruIndex::Touch(const std::string& key) {
    auto it = entries_.find(key);
    if (it == entries_.end()) {
        return false;
    }
    order_.splice(order_.begin(), order_, it->second.position);
    return true;
}

void LruIndex::Remove(const std::string& key) {
    auto it = entries_.find(key);
    if (it == entries_.end()) {
        return;
    }
    total_bytes_ -= it->second.bytes;
    order_.erase(it->second.position);
    entries_.erase(it);
}

DiskTileCache::DiskTileCache(fs::path root, std::uint64_t max_bytes) : root_(std::move(root)), index_(max_bytes) {}

fs::path DiskTileCache::PathOf(const TileAddress& tile) const { return root_ / RelativePath(tile); }

std::string DiskTileCache::Serialise(const TileRecord& record) {
    std::string out(kMagic);
    out += "fetched: " + std::to_string(UnixSeconds(record.fetched_at)) + "\n";
    out += "content-type: " + OneLine(record.content_type) + "\n";
    out += "etag: " + OneLine(record.etag) + "\n";
    out += "last-modified: " + OneLine(record.last_modified) + "\n";
    out += "length: " + std::to_string(record.body.size()) + "\n\n";
    out += record.body;
    return out;
}

std::optional<TileRecord> DiskTileCache::Deserialise(std::string_view text) {
    if (!text.starts_with(kMagic)) {
        return std::nullopt;
    }
    text.remove_prefix(kMagic.size());
    TileRecord record;
    std::optional<std::uint64_t> length;
    std::optional<std::int64_t> fetched;
    for (;;) {
        auto eol = text.find('\n');
        if (eol == std::string_view::npos) {
            return std::nullopt;
        }
        std::string_view line = text.substr(0, eol);
        text.remove_prefix(eol + 1);
        if (line.empty()) {
            break;
        }
        auto colon = line.find(": ");
        if (colon == std::string_view::npos) {
            return std::nullopt;
        }
        std::string_view name = line.substr(0, colon);
        std::string_view value = line.substr(colon + 2);
        if (name == "fetched") {
            std::int64_t n = 0;
            if (std::from_chars(value.data(), value.data() + value.size(), n).ec != std::errc{}) {
                return std::nullopt;
            }
            fetched = n;
        } else if (name == "content-type") {
            record.content_type = value;
        } else if (name == "etag") {
            record.etag = value;
        } else if (name == "last-modified") {
            record.last_modified = value;
        } else if (name == "length") {
            std::uint64_t n = 0;
            if (std::from_chars(value.data(), value.data() + value.size(), n).ec != std::errc{}) {
                return std::nullopt;
            }
            length = n;
        }
    }
    // A file cut short (a crash mid-write of an older version, a full disk) must not pass as a tile.
    if (!length || !fetched || text.size() != *length || record.content_type.empty()) {
        return std::nullopt;
    }
    record.body = text;
    record.fetched_at = SystemTime{std::chrono::seconds(*fetched)};
    return record;
}

void DiskTileCache::LoadLocked() {
    if (loaded_) {
        return;
    }
    loaded_ = true;
    std::error_code ec;
    if (!fs::exists(root_, ec)) {
        return;
    }
    struct Found {
        fs::file_time_type written;
        std::string key;
        std::uint64_t bytes;
    };
    std::vector<Found> found;
    for (auto it = fs::recursive_directory_iterator(root_, ec); !ec && it != fs::recursive_directory_iterator();
         it.increment(ec)) {
        if (!it->is_regular_file(ec)) {
            continue;
        }
        const fs::path& path = it->path();
        const std::string name = path.filename().string();
        if (name.starts_with(".")) {  // a temporary file a crash left behind
            fs::remove(path, ec);
            continue;
        }
        if (!name.ends_with(".tile")) {
            continue;
        }
        found.push_back({it->last_write_time(ec), fs::relative(path, root_, ec).generic_string(), it->file_size(ec)});
    }
    std::sort(found.begin(), found.end(), [](const Found& a, const Found& b) { return a.written < b.written; });
    for (const Found& file : found) {
        for (const std::string& evicted : index_.Put(file.key, OnDisk(file.bytes))) {
            fs::remove(root_ / evicted, ec);  // the bound shrank since they were written
        }
    }
    log::Info("tile cache loaded", {{"dir", root_.string()},
                                    {"tiles", static_cast<std::int64_t>(index_.Size())},
                                    {"bytes", static_cast<std::int64_t>(index_.TotalBytes())}});
}

void DiskTileCache::RemoveLocked(const std::string& key) {
    index_.Remove(key);
    std::error_code ec;
    fs::remove(root_ / key, ec);
}

std::optional<TileRecord> DiskTileCache::Get(const TileAddress& tile) {
    std::lock_guard lock(mutex_);
    LoadLocked();
    const std::string key = RelativePath(tile);
    if (!index_.Touch(key)) {
        return std::nullopt;
    }
    std::ifstream in(root_ / key, std::ios::binary);
    std::ostringstream text;
    text << in.rdbuf();
    auto record = in ? Deserialise(text.view()) : std::nullopt;
    if (!record) {
        log::Warn("unreadable tile file removed", {{"file", (root_ / key).string()}});
        RemoveLocked(key);
    }
    return record;
}

void DiskTileCache::Put(const TileAddress& tile, const TileRecord& record) {
    const std::string text = Serialise(record);
    const std::string key = RelativePath(tile);
    std::lock_guard lock(mutex_);
    LoadLocked();
    if (OnDisk(text.size()) > index_.MaxBytes()) {
        return;
    }
    const fs::path path = root_ / key;
    const fs::path temp =
        path.parent_path() / ("." + path.filename().string() + ".tmp-" + crypto::Hex(crypto::RandomBytes(4)));
    std::error_code ec;
    fs::create_directories(path.parent_path(), ec);
    {
        std::ofstream out(temp, std::ios::binary | std::ios::trunc);
        out.write(text.data(), static_cast<std::streamsize>(text.size()));
        out.close();
        if (!out) {
            fs::remove(temp, ec);
            log::Warn("tile not cached: cannot write", {{"file", temp.string()}});
            return;
        }
    }
    fs::rename(temp, path, ec);
    if (ec) {
        fs::remove(temp, ec);
        log::Warn("tile not cached: cannot rename", {{"file", path.string()}});
        return;
    }
    for (const std::string& evicted : index_.Put(key, OnDisk(text.size()))) {
        fs::remove(root_ / evicted, ec);
    }
}

std::uint64_t DiskTileCache::UsedBytes() {
    std::lock_guard lock(mutex_);
    LoadLocked();
    return index_.TotalBytes();
}

}  // namespace strava1::tiles
