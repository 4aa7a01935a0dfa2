#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace strava1::json {

/// Appends compact JSON to a string, for responses built on hot paths where a boost::json::object
/// (a hash table per object, then a separate serialisation pass) costs more than the request's
/// own work. Keys and strings are escaped per RFC 8259; text must already be UTF-8.
///
/// The caller keeps the structure balanced (every Begin has its End, a Key before each object
/// member); nesting deeper than kMaxDepth is a programmer error. Not thread-safe; cheap to create.
class Writer {
public:
    static constexpr int kMaxDepth = 64;

    explicit Writer(std::string& out) : out_(out) {}

    Writer& BeginObject();
    Writer& EndObject();
    Writer& BeginArray();
    Writer& EndArray();
    Writer& Key(std::string_view key);
    Writer& String(std::string_view value);
    Writer& Int(std::int64_t value);
    Writer& Uint(std::uint64_t value);
    /// Shortest text that reads back as the same double; NaN and infinities (not JSON) as null.
    Writer& Double(double value);
    Writer& Bool(bool value);
    Writer& Null();

private:
    void BeforeValue();
    void Open(char bracket);
    void Close(char bracket);

    std::string& out_;
    int depth_ = 0;
    std::uint64_t has_members_ = 0;  // bit d: the container at depth d already has an element
    bool after_key_ = false;
};

/// Appends `text` as a JSON string literal (with quotes) to `out`.
void AppendQuoted(std::string& out, std::string_view text);

}  // namespace strava1::json
