#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "strava1/formats/activity.hpp"

/// The storage form of a Track: one compact binary blob per activity (a PostgreSQL bytea), never a
/// row per point. Each column is quantised where it is floating point, delta coded, zigzagged and
/// written as LEB128 varints; missing values are run lengths beside the values. The byte layout is
/// in docs/formats.md, "Stream storage format". Pure functions, safe to call from any thread at once.
namespace strava1::formats {

/// The first bytes of every blob.
inline constexpr std::string_view kStreamMagic = "S1TK";
/// The layout EncodeTrack writes. DecodeTrack reads this version; a later layout takes a new number
/// and the decoder keeps reading every earlier one, since blobs stay in the database for years.
inline constexpr std::uint8_t kStreamVersion = 1;
/// Most points one blob may hold: as many as one imported file may have (Limits::max_points), so
/// every track an importer accepts can be stored. It bounds what DecodeTrack allocates (about 42 bytes
/// a point when every column is present).
inline constexpr std::size_t kMaxStreamPoints = 5'000'000;

/// Encodes `track.size()` and every non-empty column of `track`. Deterministic: the same track gives
/// the same bytes. Integer columns and the missing markers are kept exactly; altitude is kept to
/// 1 cm, distance to 1 cm, speed to 1 mm/s, temperature to 0.1 °C (a float column holding a value
/// too large or not finite for its quantum is stored as raw IEEE bits instead, exactly).
/// Throws std::invalid_argument only for a track that breaks its invariant: a non-empty column whose
/// size is not `point_count`, latitudes without longitudes or the reverse, or more than
/// kMaxStreamPoints points.
std::string EncodeTrack(const Track& track);

/// Decodes a blob made by EncodeTrack. Anything else - truncated, padded, corrupted, an unknown
/// version, more than kMaxStreamPoints points - gives a ParseError with the byte offset and, where it
/// is about one column, the column's name as `context`; never a crash or an exception. Every count
/// is checked against the bytes that remain before anything is allocated for it.
Result<Track> DecodeTrack(std::string_view blob);

}  // namespace strava1::formats
