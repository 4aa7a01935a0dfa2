// Gunzip: RFC 1952 member streams (several members concatenated, as `cat a.gz b.gz` makes them, are
// one stream) inflated through one fixed buffer with a hard ceiling on the output, so a small upload
// can neither expand into gigabytes nor make us allocate for the expansion before refusing it.

#include "strava1/formats/gzip.hpp"

#include <zlib.h>

#include <algorithm>
#include <cstdint>
#include <cstring>
#include <memory>
#include <string>
#include <string_view>

#include "strava1/formats/parse.hpp"

namespace strava1::formats {
namespace {

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

Result<std::size_t> GunzipStream(std::string_view bytes, std::size_t max_output_bytes,
                                 const std::function<void(std::string_view)>& sink) {
    if (bytes.empty()) {
        return GzipError("empty file", 0);
    }
    if (!IsGzipMagic(bytes, 0)) {
        return GzipError("not a gzip stream (the first two bytes are not 1f 8b)", 0);
    }
    Inflater inflater;
    if (!inflater.Init()) {
        return GzipError("cannot initialise zlib", 0);
    }
    z_stream& stream = inflater.Stream();
    // On the heap: CPU-pool threads and sanitizer builds have no stack to spare for 64 KiB.
    const auto buffer = std::make_unique<char[]>(kGunzipChunkBytes);

    std::size_t produced = 0;
    std::size_t member_start = 0;  // input offset where the current member began
    std::size_t consumed = 0;      // input offset of the next byte to give zlib
    for (;;) {
        const std::size_t in_available = std::min<std::size_t>(bytes.size() - consumed, 1u << 30);
        stream.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(bytes.data() + consumed));
        stream.avail_in = static_cast<uInt>(in_available);
        stream.next_out = reinterpret_cast<Bytef*>(buffer.get());
        stream.avail_out = static_cast<uInt>(kGunzipChunkBytes);

        const int status = inflate(&stream, Z_NO_FLUSH);
        const std::size_t used = in_available - stream.avail_in;
        const std::size_t made = kGunzipChunkBytes - stream.avail_out;
        consumed += used;
        if (made > max_output_bytes - produced) {
            // Checked before the sink sees the piece: no caller ever holds more than the limit.
            return GzipError("gzip bomb refused: the stream decompresses to more than the limit of " +
                                 std::to_string(max_output_bytes) + " bytes",
                             consumed);
        }
        produced += made;
        if (made > 0) {
            sink(std::string_view(buffer.get(), made));
        }

        if (status == Z_STREAM_END) {
            // Another member may follow; trailing zero padding (tape blocks, some tools) is allowed.
            const std::string_view rest = bytes.substr(consumed);
            if (rest.empty() || std::all_of(rest.begin(), rest.end(), [](char c) { return c == 0; })) {
                return produced;
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
            if (used == 0 && made == 0) {
                return GzipError("corrupt gzip stream: zlib makes no progress", consumed);
            }
            continue;  // the buffer was full: hand on the next piece
        }
        return GzipError("zlib error " + std::to_string(status), consumed);
    }
}

Result<std::size_t> GunzippedSize(std::string_view bytes, std::size_t max_output_bytes) {
    return GunzipStream(bytes, max_output_bytes, [](std::string_view) {});
}

Result<std::string> Gunzip(std::string_view bytes, const Limits& limits) {
    // Two passes: the first only counts, so a bomb is refused having cost one 64 KiB buffer, and
    // the output is then allocated once at its exact size instead of grown (and copied) to it.
    Result<std::size_t> size = GunzippedSize(bytes, limits.max_decompressed_bytes);
    if (!size) {
        ParseError error = size.error();
        if (error.reason.starts_with("gzip bomb")) {
            error.reason += " (Limits::max_decompressed_bytes)";
        }
        return error;
    }
    std::string out;
    out.reserve(size.value());
    Result<std::size_t> written =
        GunzipStream(bytes, size.value(), [&out](std::string_view piece) { out.append(piece); });
    if (!written) {
        return written.error();
    }
    return out;
}

}  // namespace strava1::formats
