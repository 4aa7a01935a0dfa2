// Gunzip: RFC 1952 member streams (several members concatenated, as `cat a.gz b.gz` makes them, are
// one stream) with a hard ceiling on the output, so a small upload cannot expand into gigabytes.

#include <zlib.h>

#include <algorithm>
#include <cstdint>
#include <cstring>
#include <string>
#include <string_view>

#include "strava1/formats/parse.hpp"

namespace strava1::formats {
namespace {

// Deflate cannot expand more than about 1032:1, so a size hint beyond that is a lie.
constexpr std::size_t kMaxDeflateRatio = 1032;
constexpr std::size_t kMinOutputStep = 64u << 10;

ParseError GzipError(std::string reason, std::size_t byte_offset) {
    ParseError error;
    error.reason = std::move(reason);
    error.byte_offset = byte_offset;
    error.context = "gzip";
    return error;
}

bool IsGzipMagic(std::string_view bytes, std::size_t offset) noexcept {
    return bytes.size() >= offset + 2 && static_cast<unsigned char>(bytes[offset]) == 0x1f &&
           static_cast<unsigned char>(bytes[offset + 1]) == 0x8b;
}

// The last member's ISIZE (uncompressed size mod 2^32): a first guess for the output size, trusted
// only as far as deflate could really expand the input and the limit allows.
std::size_t InitialCapacity(std::string_view bytes, std::size_t limit) noexcept {
    if (bytes.size() < 18) {
        return std::min(limit, kMinOutputStep);
    }
    const auto* tail = reinterpret_cast<const unsigned char*>(bytes.data() + bytes.size() - 4);
    const std::size_t hinted = static_cast<std::size_t>(tail[0]) | (static_cast<std::size_t>(tail[1]) << 8) |
                               (static_cast<std::size_t>(tail[2]) << 16) | (static_cast<std::size_t>(tail[3]) << 24);
    const std::size_t plausible = bytes.size() * kMaxDeflateRatio;
    if (hinted == 0 || hinted > plausible) {
        return std::min({limit, plausible, std::max(kMinOutputStep, bytes.size() * 4)});
    }
    return std::min(limit + 1, hinted);
}

class Inflater {
public:
    Inflater() noexcept { std::memset(&stream_, 0, sizeof(stream_)); }
    ~Inflater() {
        if (initialised_) {
            inflateEnd(&stream_);
        }
    }
    Inflater(const Inflater&) = delete;
    Inflater& operator=(const Inflater&) = delete;

    /// windowBits 15 + 16: a gzip wrapper (not zlib, not raw deflate), the largest window.
    bool Init() noexcept {
        initialised_ = inflateInit2(&stream_, 15 + 16) == Z_OK;
        return initialised_;
    }
    z_stream& Stream() noexcept { return stream_; }

private:
    z_stream stream_;
    bool initialised_ = false;
};

}  // namespace

Result<std::string> Gunzip(std::string_view bytes, const Limits& limits) {
    if (bytes.empty()) {
        return GzipError("empty file", 0);
    }
    if (!IsGzipMagic(bytes, 0)) {
        return GzipError("not a gzip stream (the first two bytes are not 1f 8b)", 0);
    }
    const std::size_t limit = limits.max_decompressed_bytes;
    Inflater inflater;
    if (!inflater.Init()) {
        return GzipError("cannot initialise zlib", 0);
    }
    z_stream& stream = inflater.Stream();

    std::string out;
    out.resize(std::max<std::size_t>(1, InitialCapacity(bytes, limit)));
    std::size_t produced = 0;
    std::size_t member_start = 0;  // input offset where the current member began
    std::size_t consumed = 0;      // input offset of the next byte to give zlib

    for (;;) {
        if (produced == out.size()) {
            if (out.size() > limit) {
                break;  // handled below: one byte past the limit was produced
            }
            // Grow by half again, never past limit + 1: producing that one extra byte proves the
            // stream is over the limit without inflating the rest of it.
            const std::size_t grown = std::max(out.size() + out.size() / 2, out.size() + kMinOutputStep);
            out.resize(std::min(grown, limit + 1));
        }
        const std::size_t in_available = std::min<std::size_t>(bytes.size() - consumed, 1u << 30);
        const std::size_t out_available = std::min<std::size_t>(out.size() - produced, 1u << 30);
        stream.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(bytes.data() + consumed));
        stream.avail_in = static_cast<uInt>(in_available);
        stream.next_out = reinterpret_cast<Bytef*>(out.data() + produced);
        stream.avail_out = static_cast<uInt>(out_available);

        const int status = inflate(&stream, Z_NO_FLUSH);
        const std::size_t used = in_available - stream.avail_in;
        const std::size_t made = out_available - stream.avail_out;
        consumed += used;
        produced += made;

        if (produced > limit) {
            break;
        }
        if (status == Z_STREAM_END) {
            // Another member may follow; trailing zero padding (tape blocks, some tools) is allowed.
            const std::string_view rest = bytes.substr(consumed);
            if (rest.empty() || std::all_of(rest.begin(), rest.end(), [](char c) { return c == 0; })) {
                out.resize(produced);
                if (out.capacity() - produced > produced / 4) {
                    out.shrink_to_fit();  // only when it saves much: it copies the whole output
                }
                return out;
            }
            if (!IsGzipMagic(bytes, consumed)) {
                return GzipError("trailing bytes after the gzip member that ends at byte " + std::to_string(consumed),
                                 consumed);
            }
            if (inflateReset(&stream) != Z_OK) {
                return GzipError("cannot reset zlib", consumed);
            }
            member_start = consumed;
            continue;
        }
        if (status == Z_DATA_ERROR) {
            std::string reason = "corrupt gzip stream";
            if (stream.msg != nullptr) {
                reason += ": ";
                reason += stream.msg;
            }
            return GzipError(std::move(reason), consumed);
        }
        if (status == Z_MEM_ERROR) {
            return GzipError("out of memory while decompressing", consumed);
        }
        if (status == Z_NEED_DICT) {
            return GzipError("gzip stream needs a preset dictionary", consumed);
        }
        if (status == Z_BUF_ERROR || status == Z_OK) {
            if (consumed == bytes.size() && stream.avail_out != 0) {
                return GzipError("truncated gzip stream: it ends at byte " + std::to_string(bytes.size()) +
                                     " inside the member that starts at byte " + std::to_string(member_start),
                                 bytes.size());
            }
            if (used == 0 && made == 0 && stream.avail_out != 0) {
                return GzipError("corrupt gzip stream: zlib makes no progress", consumed);
            }
            continue;  // needs more room: the loop grows the output
        }
        return GzipError("zlib error " + std::to_string(status), consumed);
    }
    return GzipError("gzip bomb refused: the stream decompresses to more than the limit of " + std::to_string(limit) +
                         " bytes (Limits::max_decompressed_bytes)",
                     consumed);
}

}  // namespace strava1::formats
