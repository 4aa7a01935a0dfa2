#pragma once

#include <cstddef>
#include <cstdint>
#include <cstring>
#include <optional>
#include <string>
#include <string_view>

#include "strava1/formats/activity.hpp"
#include "strava1/formats/parse.hpp"

/// A thin, hardened streaming XML layer for the GPX and TCX importers.
///
/// What it guarantees, whatever the input:
/// - no DOM: elements are reported as they open and close; memory is a small window plus the text
///   of the element being read;
/// - nothing outside the input is ever read: no external entity or DTD is loaded, and any
///   `<!ENTITY>` declaration refuses the document (so neither entity-expansion bombs nor XXE);
/// - nesting deeper than Limits::max_xml_depth refuses the document;
/// - every refusal is a ParseError with line, column, byte offset and the element path.
///
/// Two engines give the same events and the same verdicts (xml_test.cpp and tests/fuzz/xml_fuzz.cpp
/// check one against the other):
/// - Engine::kFast, a scanner for the documents real devices write - UTF-8 (BOM or not), no DOCTYPE -
///   about five times faster than expat. Whenever a document uses anything else (another encoding,
///   a DOCTYPE) or is not well-formed, it answers `needs_expat` instead of deciding;
/// - Engine::kExpat, expat 2.5 without namespace processing, external entities, parameter entities or
///   entity declarations. It decides everything, and words every "malformed XML" error.
///
/// Elements are matched by local name: real files use arbitrary prefixes for the same thing
/// (`ns3:hr`, `gpxtpx:hr`, `hr`) and some never declare the prefix, so namespaces are not processed
/// and everything up to the last ':' is dropped.
namespace strava1::formats::xml {

/// The part of a qualified name after the last ':' ("ns3:hr" -> "hr").
std::string_view LocalName(std::string_view qualified_name) noexcept;

/// `name == literal`, written so that the comparison is always expanded in place (a length check
/// and one or two integer compares): as a plain `==` in a large handler it can become a call to
/// memcmp for every element.
template <std::size_t N>
inline bool NameIs(std::string_view name, const char (&literal)[N]) noexcept {
    return name.size() == N - 1 && std::memcmp(name.data(), literal, N - 1) == 0;
}

/// One attribute as written (qualified name) with its normalised value (entities resolved,
/// white space characters as spaces).
struct Attribute {
    std::string_view name;
    std::string_view value;
    std::string_view local_name;  ///< LocalName(name)
};

/// The attributes of one start tag. Valid only during Handler::StartElement.
class Attributes {
public:
    Attributes(const Attribute* begin, const Attribute* end) noexcept : begin_(begin), end_(end) {}
    /// The value of the first attribute with this local name, if any.
    std::optional<std::string_view> Find(std::string_view local_name) const noexcept;

private:
    const Attribute* begin_;
    const Attribute* end_;
};

/// What a Handler may ask of the parser while it runs.
class Reader {
public:
    /// Refuses the document: parsing stops after the current callback and the error points at the
    /// start tag of the element being reported (its line, column, byte offset and path).
    virtual void Fail(std::string reason) = 0;
    /// True once the document was refused (by the handler or by the parser itself).
    virtual bool Failed() const noexcept = 0;
    /// 1 for the root element.
    virtual std::size_t Depth() const noexcept = 0;

protected:
    ~Reader() = default;
};

/// The shape of an element that the fast engine saw repeat (a track point: the same markup each
/// time, other values): the events it gives, in order, with every attribute value and every text
/// run numbered as a "hole" instead of spelled out. See Handler::CompileShape.
struct ShapeAttribute {
    std::string_view local_name;
    std::uint32_t hole;
};
struct ShapeEvent {
    enum class Kind : std::uint8_t { kStart, kText, kEnd };
    Kind kind = Kind::kEnd;
    std::uint32_t hole = 0;             ///< kText: the text run
    std::string_view local_name;        ///< kStart
    std::uint32_t first_attribute = 0;  ///< kStart: its attributes in Shape::attributes
    std::uint32_t attribute_count = 0;
};
/// The fast engine keeps this many shapes; a new one replaces the one in its slot, and with it the
/// plan made for that slot (so a handler can keep one plan per slot).
inline constexpr std::size_t kShapeSlots = 3;

struct Shape {
    const ShapeEvent* events;  ///< a kStart of the root element first, its kEnd last
    std::size_t event_count;
    const ShapeAttribute* attributes;
    std::size_t hole_count;
    std::size_t slot;  ///< < kShapeSlots
};

/// Receives the elements of one document in document order.
class Handler {
public:
    virtual ~Handler() = default;
    /// A start tag. Returns true to receive the element's text in EndElement.
    virtual bool StartElement(Reader& reader, std::string_view local_name, const Attributes& attributes) = 0;
    /// The matching end tag. `text` is the element's character data (CDATA included, entities
    /// resolved, line ends normalised to LF) when StartElement returned true, else empty. For mixed
    /// content it is the text after the last child element.
    virtual void EndElement(Reader& reader, std::string_view text) = 0;

    /// Optional: whole repeated elements at once. When the fast engine has a new shape it offers it
    /// here; a handler that can apply an element of that shape directly returns a plan number
    /// (>= 0, its own choice), else -1. For each later element of that shape, as long as the shape
    /// keeps its slot, the engine then calls RunShape with the plan and the element's holes
    /// (attribute values and text runs exactly as the events would give them, none longer than
    /// kMaxTextBytes) instead of reporting its events. RunShape returns true when it applied the
    /// element - with the effect the events would have had - or false, changing nothing the events
    /// would not set again, to have the events reported after all (as for anything it would
    /// refuse: RunShape never calls Reader::Fail).
    virtual int CompileShape(const Shape& /*shape*/) { return -1; }
    virtual bool RunShape(int /*plan*/, const std::string_view* /*holes*/) { return false; }
};

/// Longest text one element may carry; longer refuses the document (no GPX/TCX value needs it).
inline constexpr std::size_t kMaxTextBytes = 1u << 20;

enum class Engine : std::uint8_t { kFast, kExpat };

struct Outcome {
    /// Engine::kFast only: the document needs expat (see above). The handler has seen part of the
    /// document and must be discarded; parse again with a fresh one and Engine::kExpat.
    bool needs_expat = false;
    /// Why the document was refused; nullopt when it was read to the end.
    std::optional<ParseError> error;
};

/// Parses `bytes` as one XML document with `engine` and reports its elements to `handler`.
/// Expat reads UTF-8 (BOM or not), UTF-16 with a BOM, ISO-8859-1, US-ASCII and windows-1252.
Outcome Parse(Engine engine, std::string_view bytes, const Limits& limits, Handler& handler);

/// How many times `needle` occurs in `haystack` (non-overlapping), e.g. "<trkpt" to size the
/// track columns before parsing. One pass at memory speed (SSE2 where there is SSE2).
std::size_t CountOccurrences(std::string_view haystack, std::string_view needle) noexcept;

}  // namespace strava1::formats::xml
