#pragma once

// People search's decisions that need no database (ADR 0027): what a query may be, how it becomes
// the statement's parameters, and the rank that orders and pages the hits.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace strava1::accounts {

/// A search query as the statement takes it.
struct SearchTerms {
    /// Trimmed, lower-cased (ASCII letters; the statement folds the rest itself). The statement
    /// splits it into words; a word shorter than a trigram matches by prefix only, since every name
    /// shares a trigram with a one- or two-letter word and typo tolerance means nothing there.
    std::string text;
};

inline constexpr std::size_t kMaxSearchChars = 100;

/// The terms of `?q=`, or the reason it cannot be one: empty (after trimming), more than
/// kMaxSearchChars characters (code points), or not UTF-8 / holding control characters.
struct ParsedSearch {
    std::optional<SearchTerms> terms;
    std::string problem;
};
ParsedSearch ParseSearch(std::string_view q);

/// The integer rank of a hit, highest first: prefix matches (every query word a prefix of a word of
/// the user's display name or username) rank above every other, then by trigram word similarity
/// (0..1, the mean over the query's words) in millionths. An integer so that it pages exactly in a
/// cursor.
inline constexpr std::int64_t kPrefixBonus = 2'000'000;

}  // namespace strava1::accounts
