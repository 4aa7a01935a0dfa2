#include "strava1/formats/gzip.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <zlib.h>

#include <cstring>
#include <string>

#include "strava1/formats/parse.hpp"
#include "xml_test_support.hpp"

namespace strava1::formats {
namespace {

using testing::Fixture;
using ::testing::HasSubstr;

/// Streams `total` bytes produced by `fill` (called per chunk) through deflate with a gzip wrapper,
/// so inputs far larger than memory can be compressed.
template <class Fill>
std::string GzipStream(std::size_t total, Fill fill, int level = Z_BEST_COMPRESSION) {
    z_stream stream;
    std::memset(&stream, 0, sizeof(stream));
    EXPECT_EQ(deflateInit2(&stream, level, Z_DEFLATED, 15 + 16, 9, Z_DEFAULT_STRATEGY), Z_OK);
    std::string out;
    std::string chunk(1u << 20, '\0');
    std::string buffer(1u << 16, '\0');
    std::size_t done = 0;
    for (;;) {
        const std::size_t size = std::min(chunk.size(), total - done);
        fill(chunk.data(), size, done);
        done += size;
        const int flush = done == total ? Z_FINISH : Z_NO_FLUSH;
        stream.next_in = reinterpret_cast<Bytef*>(chunk.data());
        stream.avail_in = static_cast<uInt>(size);
        int status = Z_OK;
        do {
            stream.next_out = reinterpret_cast<Bytef*>(buffer.data());
            stream.avail_out = static_cast<uInt>(buffer.size());
            status = deflate(&stream, flush);
            out.append(buffer.data(), buffer.size() - stream.avail_out);
        } while (stream.avail_out == 0 || (flush == Z_FINISH && status != Z_STREAM_END));
        if (flush == Z_FINISH) {
            break;
        }
    }
    deflateEnd(&stream);
    return out;
}

std::string Gzip(std::string_view data, int level = Z_DEFAULT_COMPRESSION) {
    return GzipStream(
        data.size(),
        [&](char* out, std::size_t size, std::size_t offset) { std::memcpy(out, data.data() + offset, size); }, level);
}

TEST(Gzip, RoundTrip) {
    const std::string text = Fixture("gpx/ride_two_segments.gpx");
    Result<std::string> out = Gunzip(Gzip(text));
    ASSERT_TRUE(out.ok()) << out.error().Describe();
    EXPECT_EQ(out.value(), text);
}

TEST(Gzip, ConcatenatedMembersAndZeroPaddingAreOneStream) {
    std::string stream = Gzip("first half, ") + Gzip("second half") + std::string(512, '\0');
    Result<std::string> out = Gunzip(stream);
    ASSERT_TRUE(out.ok()) << out.error().Describe();
    EXPECT_EQ(out.value(), "first half, second half");
}

TEST(Gzip, EmptyContent) {
    Result<std::string> out = Gunzip(Gzip(""));
    ASSERT_TRUE(out.ok()) << out.error().Describe();
    EXPECT_EQ(out.value(), "");
}

TEST(Gzip, NotGzipAndEmptyInput) {
    Result<std::string> empty = Gunzip("");
    ASSERT_FALSE(empty.ok());
    EXPECT_EQ(empty.error().reason, "empty file");
    Result<std::string> plain = Gunzip("<gpx/>");
    ASSERT_FALSE(plain.ok());
    EXPECT_THAT(plain.error().reason, HasSubstr("not a gzip stream"));
    EXPECT_EQ(plain.error().byte_offset, 0u);
}

TEST(Gzip, TruncatedStreamNamesTheOffset) {
    const std::string whole = Gzip(std::string(100'000, 'x') + Fixture("gpx/ride_two_segments.gpx"));
    for (const std::size_t cut :
         {std::size_t{5}, std::size_t{12}, whole.size() / 2, whole.size() - 4, whole.size() - 1}) {
        Result<std::string> out = Gunzip(std::string_view(whole).substr(0, cut));
        ASSERT_FALSE(out.ok()) << "cut at " << cut;
        EXPECT_THAT(out.error().reason, HasSubstr("truncated gzip stream")) << "cut at " << cut;
        EXPECT_EQ(out.error().byte_offset, cut);
        EXPECT_EQ(out.error().context, "gzip");
    }
}

TEST(Gzip, CorruptStreamNamesTheOffset) {
    std::string stream = Gzip(Fixture("tcx/run_two_laps.tcx"));
    stream[stream.size() - 6] = static_cast<char>(stream[stream.size() - 6] ^ 0x55);  // inside the CRC32
    Result<std::string> out = Gunzip(stream);
    ASSERT_FALSE(out.ok());
    EXPECT_THAT(out.error().reason, HasSubstr("corrupt gzip stream: incorrect data check"));
    ASSERT_TRUE(out.error().byte_offset);
    // zlib checks the CRC32 once it has read it: the offset is just past it (the trailer is CRC32, ISIZE).
    EXPECT_EQ(*out.error().byte_offset, stream.size() - 4);

    std::string header = Gzip("hello");
    header[2] = 7;  // compression method other than deflate
    Result<std::string> bad_method = Gunzip(header);
    ASSERT_FALSE(bad_method.ok());
    EXPECT_THAT(bad_method.error().reason, HasSubstr("corrupt gzip stream"));

    Result<std::string> trailing = Gunzip(Gzip("hello") + "junk");
    ASSERT_FALSE(trailing.ok());
    EXPECT_THAT(trailing.error().reason, HasSubstr("trailing bytes after the gzip member"));
}

TEST(Gzip, OneGibibyteOfZerosIsRefusedAsABomb) {
    const std::size_t gib = std::size_t{1} << 30;
    const std::string bomb =
        GzipStream(gib, [](char* out, std::size_t size, std::size_t) { std::memset(out, 0, size); });
    EXPECT_LT(bomb.size(), 1'100'000u);  // about 1 MiB: a ratio of ~1000:1
    Result<std::string> out = Gunzip(bomb);
    ASSERT_FALSE(out.ok());
    EXPECT_THAT(out.error().reason, HasSubstr("gzip bomb"));
    EXPECT_THAT(out.error().reason, HasSubstr("limit of 268435456 bytes"));
    // It stopped once past the limit: well before the end of the input.
    ASSERT_TRUE(out.error().byte_offset);
    EXPECT_LT(*out.error().byte_offset, bomb.size() / 2);

    Result<ImportedFile> parsed = Parse(bomb, DataType::kGpxGz);
    ASSERT_FALSE(parsed.ok());
    EXPECT_THAT(parsed.error().reason, HasSubstr("gzip bomb"));
}

TEST(Gzip, LimitIsExact) {
    Limits limits;
    limits.max_decompressed_bytes = 1000;
    EXPECT_TRUE(Gunzip(Gzip(std::string(1000, 'a')), limits).ok());
    Result<std::string> over = Gunzip(Gzip(std::string(1001, 'a')), limits);
    ASSERT_FALSE(over.ok());
    EXPECT_THAT(over.error().reason, HasSubstr("limit of 1000 bytes"));
    // Two members that are each under the limit but not together.
    Result<std::string> members = Gunzip(Gzip(std::string(600, 'a')) + Gzip(std::string(600, 'b')), limits);
    ASSERT_FALSE(members.ok());
    EXPECT_THAT(members.error().reason, HasSubstr("gzip bomb"));
}

TEST(Gzip, ALyingSizeTrailerDoesNotMatter) {
    std::string stream = Gzip(std::string(5000, 'z'));
    // ISIZE claims 4 GiB - 1: only a hint for the first allocation, bounded by what deflate can do.
    std::memset(stream.data() + stream.size() - 4, 0xff, 4);
    Result<std::string> out = Gunzip(stream);
    ASSERT_FALSE(out.ok());  // zlib checks ISIZE too
    EXPECT_THAT(out.error().reason, HasSubstr("incorrect length check"));
}

TEST(Gzip, StreamHandsOnBoundedPiecesInOrder) {
    std::string text;
    for (int line = 0; text.size() < 1'000'000; ++line) {
        text += "<trkpt lat=\"46." + std::to_string(line) + "\" lon=\"14.5\"/>\n";
    }
    std::string joined;
    std::size_t pieces = 0;
    Result<std::size_t> size = GunzipStream(Gzip(text), text.size(), [&](std::string_view piece) {
        EXPECT_GT(piece.size(), 0u);
        EXPECT_LE(piece.size(), kGunzipChunkBytes);
        joined.append(piece);
        ++pieces;
    });
    ASSERT_TRUE(size.ok()) << size.error().Describe();
    EXPECT_EQ(size.value(), text.size());
    EXPECT_EQ(joined, text);
    // As few pieces as the chunk size allows: the output is handed on in whole chunks.
    EXPECT_EQ(pieces, (text.size() + kGunzipChunkBytes - 1) / kGunzipChunkBytes);
    Result<std::size_t> counted = GunzippedSize(Gzip(text) + Gzip("tail"), 10'000'000);
    ASSERT_TRUE(counted.ok());
    EXPECT_EQ(counted.value(), text.size() + 4);
}

TEST(Gzip, StreamNeverHandsOnMoreThanTheLimit) {
    // A bomb's output past the limit never reaches the caller, so refusing it costs one buffer.
    const std::string bomb =
        GzipStream(64u << 20, [](char* out, std::size_t size, std::size_t) { std::memset(out, ' ', size); });
    for (const std::size_t limit : {std::size_t{0}, std::size_t{1}, std::size_t{100'000}, kGunzipChunkBytes * 3}) {
        std::size_t received = 0;
        Result<std::size_t> out = GunzipStream(bomb, limit, [&](std::string_view piece) { received += piece.size(); });
        ASSERT_FALSE(out.ok()) << limit;
        EXPECT_THAT(out.error().reason, HasSubstr("gzip bomb refused"));
        EXPECT_THAT(out.error().reason, HasSubstr("limit of " + std::to_string(limit) + " bytes"));
        EXPECT_LE(received, limit);
        ASSERT_TRUE(out.error().byte_offset);
        EXPECT_LT(*out.error().byte_offset, bomb.size() / 2) << "stopped early";
    }
    Result<std::size_t> exact = GunzippedSize(bomb, 64u << 20);
    ASSERT_TRUE(exact.ok());
    EXPECT_EQ(exact.value(), 64u << 20);
    EXPECT_FALSE(GunzippedSize(bomb, (64u << 20) - 1).ok());
}

TEST(Gzip, StreamReportsTheSameErrorsAsGunzip) {
    EXPECT_EQ(GunzippedSize("", 10).error().reason, "empty file");
    EXPECT_THAT(GunzippedSize("<gpx/>", 10).error().reason, HasSubstr("not a gzip stream"));
    const std::string whole = Gzip(std::string(300'000, 'x'));
    Result<std::size_t> cut = GunzippedSize(std::string_view(whole).substr(0, whole.size() / 2), 1'000'000);
    ASSERT_FALSE(cut.ok());
    EXPECT_THAT(cut.error().reason, HasSubstr("truncated gzip stream"));
    EXPECT_THAT(GunzippedSize(Gzip("hello") + "junk", 100).error().reason, HasSubstr("trailing bytes"));
}

TEST(Dispatch, DataTypeNames) {
    for (const DataType type :
         {DataType::kGpx, DataType::kTcx, DataType::kFit, DataType::kGpxGz, DataType::kTcxGz, DataType::kFitGz}) {
        EXPECT_EQ(ParseDataType(DataTypeName(type)), type) << DataTypeName(type);
    }
    EXPECT_STREQ(DataTypeName(DataType::kTcxGz), "tcx.gz");
    EXPECT_EQ(ParseDataType("GPX"), DataType::kGpx);
    EXPECT_EQ(ParseDataType(".fit.gz"), DataType::kFitGz);
    EXPECT_FALSE(ParseDataType("kml"));
    EXPECT_FALSE(ParseDataType(""));
    EXPECT_FALSE(ParseDataType("gpx.zip"));
}

TEST(Dispatch, SniffDataType) {
    const std::string gpx = Fixture("gpx/ride_two_segments.gpx");
    const std::string tcx = Fixture("tcx/run_two_laps.tcx");
    std::string fit(14, '\0');
    fit[0] = 14;
    std::memcpy(fit.data() + 8, ".FIT", 4);
    EXPECT_EQ(SniffDataType(gpx), DataType::kGpx);
    EXPECT_EQ(SniffDataType(tcx), DataType::kTcx);
    EXPECT_EQ(SniffDataType(fit), DataType::kFit);
    EXPECT_EQ(SniffDataType(Gzip(gpx)), DataType::kGpxGz);
    EXPECT_EQ(SniffDataType(Gzip(tcx)), DataType::kTcxGz);
    EXPECT_EQ(SniffDataType(Gzip(fit)), DataType::kFitGz);
    EXPECT_EQ(SniffDataType(Fixture("gpx/bom_prefixed.gpx")), DataType::kGpx);  // BOM, <g:gpx
    EXPECT_EQ(SniffDataType("<gpx>"), DataType::kGpx);
    EXPECT_EQ(SniffDataType(std::string("\xff\xfe<\0g\0p\0x\0>\0", 12)), DataType::kGpx);
    EXPECT_FALSE(SniffDataType(""));
    EXPECT_FALSE(SniffDataType("<kml/>"));
    EXPECT_FALSE(SniffDataType("<gpxfoo/>"));
    EXPECT_FALSE(SniffDataType(Gzip("plain text")));
    EXPECT_FALSE(SniffDataType("\x1f\x8b"));
}

TEST(Dispatch, ParseDecompressesAndDispatches) {
    Result<ImportedFile> gpx = Parse(Gzip(Fixture("gpx/ride_two_segments.gpx")), DataType::kGpxGz);
    ASSERT_TRUE(gpx.ok()) << gpx.error().Describe();
    EXPECT_EQ(gpx.value().format, ImportedFile::Format::kGpx);
    EXPECT_EQ(gpx.value().activities.at(0).track.size(), 4u);

    Result<ImportedFile> tcx = Parse(Gzip(Fixture("tcx/run_two_laps.tcx")), DataType::kTcxGz);
    ASSERT_TRUE(tcx.ok()) << tcx.error().Describe();
    EXPECT_EQ(tcx.value().format, ImportedFile::Format::kTcx);

    Result<ImportedFile> plain = Parse(Fixture("tcx/run_two_laps.tcx"), DataType::kTcx);
    ASSERT_TRUE(plain.ok());
    EXPECT_EQ(plain.value().activities.at(0).laps.size(), 2u);

    Result<ImportedFile> not_gzip = Parse(Fixture("gpx/ride_two_segments.gpx"), DataType::kGpxGz);
    ASSERT_FALSE(not_gzip.ok());
    EXPECT_THAT(not_gzip.error().reason, HasSubstr("not a gzip stream"));

    Result<ImportedFile> wrong = Parse(Fixture("gpx/ride_two_segments.gpx"), DataType::kTcx);
    ASSERT_FALSE(wrong.ok());
    EXPECT_THAT(wrong.error().reason, HasSubstr("not a TCX document"));
}

TEST(Dispatch, OversizeInputIsRefusedBeforeParsing) {
    Limits limits;
    limits.max_input_bytes = 100;
    const std::string big(101, ' ');
    for (const DataType type : {DataType::kGpx, DataType::kTcx, DataType::kFit, DataType::kGpxGz}) {
        Result<ImportedFile> out = Parse(big, type, limits);
        ASSERT_FALSE(out.ok());
        EXPECT_EQ(out.error().reason, "input of 101 bytes is over the limit of 100 bytes (Limits::max_input_bytes)");
    }
}

}  // namespace
}  // namespace strava1::formats
