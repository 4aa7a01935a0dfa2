#include "cache.hpp"

#include <gtest/gtest.h>

#include <fstream>

#include "strava1/base/crypto.hpp"

namespace strava1::tiles {
namespace {
namespace fs = std::filesystem;
using std::chrono::hours;
using std::chrono::seconds;

const SystemTime kT0{seconds(1'764'000'000)};

TEST(LruIndex, EvictsTheLeastRecentlyUsedToStayUnderTheBound) {
    LruIndex index(10);
    EXPECT_TRUE(index.Put("a", 4).empty());
    EXPECT_TRUE(index.Put("b", 4).empty());
    EXPECT_EQ(index.TotalBytes(), 8u);
    EXPECT_TRUE(index.Touch("a"));  // b is now the oldest
    EXPECT_EQ(index.Put("c", 4), std::vector<std::string>{"b"});
    EXPECT_TRUE(index.Contains("a"));
    EXPECT_TRUE(index.Contains("c"));
    EXPECT_EQ(index.TotalBytes(), 8u);
    // Several go when one large entry needs their room, oldest first.
    EXPECT_EQ(index.Put("d", 10), (std::vector<std::string>{"a", "c"}));
    EXPECT_EQ(index.Size(), 1u);
    EXPECT_EQ(index.TotalBytes(), 10u);
    EXPECT_FALSE(index.Touch("a"));
}

TEST(LruIndex, ReplacingAnEntryCountsItOnceAndTooLargeIsNotKept) {
    LruIndex index(10);
    index.Put("a", 6);
    EXPECT_TRUE(index.Put("a", 3).empty());
    EXPECT_EQ(index.TotalBytes(), 3u);
    EXPECT_EQ(index.Size(), 1u);
    EXPECT_EQ(index.Put("huge", 11), std::vector<std::string>{"huge"});
    EXPECT_FALSE(index.Contains("huge"));
    EXPECT_EQ(index.TotalBytes(), 3u);
    index.Remove("a");
    EXPECT_EQ(index.TotalBytes(), 0u);
    index.Remove("a");  // removing twice is harmless
    EXPECT_EQ(index.Size(), 0u);
}

TEST(Freshness, SevenDaysFromTheLastFetchOrRevalidation) {
    TileRecord tile;
    tile.fetched_at = kT0;
    EXPECT_TRUE(IsFresh(tile, kT0));
    EXPECT_TRUE(IsFresh(tile, kT0 + hours(7 * 24) - seconds(1)));
    EXPECT_FALSE(IsFresh(tile, kT0 + hours(7 * 24)));
    EXPECT_FALSE(IsFresh(tile, kT0 + hours(30 * 24)));
    EXPECT_GE(kTileFreshFor, seconds(7 * 24 * 3600));  // the OpenStreetMap tile usage policy's minimum
    // A clock set back does not make every tile stale at once.
    EXPECT_TRUE(IsFresh(tile, kT0 - hours(1)));
}

class DiskTileCacheTest : public ::testing::Test {
protected:
    void TearDown() override {
        std::error_code ignored;
        fs::remove_all(root_, ignored);
    }
    TileRecord Tile(std::size_t bytes, char fill = 'p') {
        TileRecord tile;
        tile.content_type = "image/png";
        tile.body = std::string(bytes, fill);
        tile.etag = "\"v1\"";
        tile.last_modified = "Mon, 24 Nov 2025 16:00:00 GMT";
        tile.fetched_at = kT0;
        return tile;
    }
    std::uint64_t BytesOnDisk() {
        std::uint64_t total = 0;
        for (const auto& entry : fs::recursive_directory_iterator(root_)) {
            if (entry.is_regular_file()) {
                total += entry.file_size();
            }
        }
        return total;
    }

    fs::path root_ = fs::temp_directory_path() / ("strava1-tiles-" + crypto::Hex(crypto::RandomBytes(6)));
};

TEST_F(DiskTileCacheTest, KeepsATileWithItsValidators) {
    DiskTileCache cache(root_ / "tiles", 1 << 20);
    EXPECT_EQ(cache.Get({3, 1, 2}), std::nullopt);
    cache.Put({3, 1, 2}, Tile(100));
    auto got = cache.Get({3, 1, 2});
    ASSERT_TRUE(got);
    EXPECT_EQ(got->body, std::string(100, 'p'));
    EXPECT_EQ(got->content_type, "image/png");
    EXPECT_EQ(got->etag, "\"v1\"");
    EXPECT_EQ(got->last_modified, "Mon, 24 Nov 2025 16:00:00 GMT");
    EXPECT_EQ(got->fetched_at, kT0);
    EXPECT_TRUE(fs::exists(root_ / "tiles" / "3" / "1-2.tile"));
    EXPECT_EQ(cache.UsedBytes(), 4096u);  // whole blocks
}

TEST_F(DiskTileCacheTest, StaysWithinItsBoundOnDiskEvictingTheLeastRecentlyUsed) {
    DiskTileCache cache(root_, 5 * 4096);
    for (std::uint32_t x = 0; x < 5; ++x) {
        cache.Put({4, x, 0}, Tile(3000));
    }
    ASSERT_TRUE(cache.Get({4, 0, 0}));  // now the most recently used
    for (std::uint32_t x = 5; x < 40; ++x) {
        cache.Put({4, x, 0}, Tile(3000));
        EXPECT_LE(BytesOnDisk(), 5u * 4096) << x;
    }
    EXPECT_EQ(cache.UsedBytes(), 5u * 4096);
    EXPECT_TRUE(cache.Get({4, 39, 0}));
    EXPECT_FALSE(cache.Get({4, 1, 0}));
    EXPECT_FALSE(fs::exists(cache.PathOf({4, 1, 0})));
    // A tile that would not fit in the whole bound is not kept.
    cache.Put({4, 0, 1}, Tile(6 * 4096));
    EXPECT_FALSE(cache.Get({4, 0, 1}));
    EXPECT_LE(BytesOnDisk(), 5u * 4096);
}

TEST_F(DiskTileCacheTest, ARestartFindsTheTilesAndAppliesASmallerBound) {
    {
        DiskTileCache cache(root_, 1 << 20);
        for (std::uint32_t y = 0; y < 6; ++y) {
            cache.Put({5, 0, y}, Tile(100));
        }
    }
    DiskTileCache reopened(root_, 3 * 4096);
    EXPECT_EQ(reopened.UsedBytes(), 3u * 4096);
    int kept = 0;
    for (std::uint32_t y = 0; y < 6; ++y) {
        kept += reopened.Get({5, 0, y}).has_value() ? 1 : 0;
    }
    EXPECT_EQ(kept, 3);
    EXPECT_LE(BytesOnDisk(), 3u * 4096);
}

TEST_F(DiskTileCacheTest, ATruncatedOrForeignFileIsAMissAndRemoved) {
    DiskTileCache cache(root_, 1 << 20);
    cache.Put({2, 1, 1}, Tile(500));
    const fs::path path = cache.PathOf({2, 1, 1});
    fs::resize_file(path, fs::file_size(path) - 10);
    EXPECT_FALSE(cache.Get({2, 1, 1}));
    EXPECT_FALSE(fs::exists(path));
    EXPECT_EQ(cache.UsedBytes(), 0u);

    EXPECT_EQ(DiskTileCache::Deserialise("GIF89a..."), std::nullopt);
    const std::string text = DiskTileCache::Serialise(Tile(10));
    EXPECT_TRUE(DiskTileCache::Deserialise(text));
    EXPECT_FALSE(DiskTileCache::Deserialise(text + "x"));
    // A validator with a line break cannot end the header early.
    TileRecord odd = Tile(10);
    odd.etag = "\"a\"\nlength: 0";
    auto back = DiskTileCache::Deserialise(DiskTileCache::Serialise(odd));
    ASSERT_TRUE(back);
    EXPECT_EQ(back->body, std::string(10, 'p'));
}

}  // namespace
}  // namespace strava1::tiles
