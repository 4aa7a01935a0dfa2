#pragma once

#include <cstddef>
#include <functional>
#include <string_view>

#include "strava1/formats/activity.hpp"

/// Streaming gzip decompression with a ceiling on the output, for files that may be bombs. Pure
/// functions: no I/O, no global state, safe to call from any thread at once. `Gunzip` in parse.hpp
/// is built on these.
namespace strava1::formats {

/// The size of the pieces GunzipStream hands to its sink, and of the only buffer it holds.
inline constexpr std::size_t kGunzipChunkBytes = 64u << 10;

/// Decompresses a gzip member stream (RFC 1952; several members concatenated, as `cat a.gz b.gz`
/// makes them, are one stream; trailing zero padding is allowed) and hands the output to `sink` in
/// order, in pieces of at most kGunzipChunkBytes. Memory stays at zlib's state plus one such buffer
/// whatever the stream expands to. Refuses with a ParseError ("gzip bomb refused: …") as soon as the
/// output passes `max_output_bytes`, without inflating the rest; the sink may then have received
/// up to `max_output_bytes` bytes. Returns the total output size.
Result<std::size_t> GunzipStream(std::string_view bytes, std::size_t max_output_bytes,
                                 const std::function<void(std::string_view)>& sink);

/// The decompressed size of a gzip stream without keeping its output (GunzipStream with a sink that
/// only counts): how much memory decoding it will need, known before any is taken.
Result<std::size_t> GunzippedSize(std::string_view bytes, std::size_t max_output_bytes);

}  // namespace strava1::formats
