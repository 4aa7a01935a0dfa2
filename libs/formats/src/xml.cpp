#include "xml.hpp"

#include <expat.h>

#if defined(__SSE2__)
#include <emmintrin.h>
#endif

#include <algorithm>
#include <array>
#include <cstdint>
#include <cstring>
#include <memory>
#include <string>
#include <vector>

namespace strava1::formats::xml {
namespace {

ParseError EmptyFile() {
    ParseError error;
    error.reason = "empty file";
    error.byte_offset = 0;
    return error;
}

struct Position {
    std::size_t line = 1;
    std::size_t column = 1;
};

// Line and column (1-based, columns in characters) of a byte offset, counted the way expat does:
// CR LF and a lone CR are one line break each. Computed only for an error, so the hot path records
// nothing but the byte offset of each start tag.
Position PositionAt(std::string_view bytes, std::size_t byte) {
    Position at;
    const std::size_t end = std::min(byte, bytes.size());
    for (std::size_t byte_idx = 0; byte_idx < end; ++byte_idx) {
        const auto c = static_cast<unsigned char>(bytes[byte_idx]);
        if (c == '\n' || (c == '\r' && (byte_idx + 1 >= bytes.size() || bytes[byte_idx + 1] != '\n'))) {
            ++at.line;
            at.column = 1;
        } else if ((c & 0xC0) != 0x80 && c != '\r') {
            ++at.column;  // UTF-8 continuation bytes belong to the character before
        }
    }
    return at;
}

struct Frame {
    std::uint64_t serial;     // 1 for the root, then every start tag in document order
    std::size_t start_byte;   // of the start tag's '<'
    const char* name;         // qualified, as written: the fast engine matches its end tag with it
    std::uint32_t name_size;  // (the fast engine leaves names of 4 GiB and more to expat)
    bool capture;
};  // 32 bytes, so that Depth() is a shift

/// Equality of short names without a call to memcmp (which dominates when done per element):
/// eight bytes at a time, then the tail.
inline bool SameName(std::string_view a, std::string_view b) noexcept {
    if (a.size() != b.size()) {
        return false;
    }
    const char* x = a.data();
    const char* y = b.data();
    std::size_t left = a.size();
    while (left >= 8) {
        std::uint64_t u = 0;
        std::uint64_t v = 0;
        std::memcpy(&u, x, 8);
        std::memcpy(&v, y, 8);
        if (u != v) {
            return false;
        }
        x += 8;
        y += 8;
        left -= 8;
    }
    for (std::size_t char_idx = 0; char_idx < left; ++char_idx) {
        if (x[char_idx] != y[char_idx]) {
            return false;
        }
    }
    return true;
}

/// What both engines share: the element stack (for depth, errors and text capture), the handler
/// calls, and turning a refusal into a ParseError. An engine feeds it Start/Text/End.
///
/// The element path of an error ("gpx/trk/trkseg/trkpt[12]") is not tracked while parsing: the
/// stack keeps only each open element's serial number, and Parse() rebuilds the path afterwards by
/// reading the document again up to that element (see PathTo). Errors are rare; start tags are not.
class ReaderCore : public Reader {
public:
    /// `input_text_stable`: the engine's AppendText pieces point into `bytes` (the fast engine), so
    /// an element's text can be handed over in place; expat's point into its own moving buffer.
    ReaderCore(std::string_view bytes, const Limits& limits, Handler& handler, bool input_text_stable)
        : bytes_(bytes), limits_(limits), handler_(handler), input_text_stable_(input_text_stable) {
        frames_.reserve(std::min<std::size_t>(limits.max_xml_depth, 64) + 1);
        text_.reserve(256);
    }
    ReaderCore(const ReaderCore&) = delete;
    ReaderCore& operator=(const ReaderCore&) = delete;

    void Fail(std::string reason) override {
        if (!error_) {
            FailAt(std::move(reason), frames_.empty() ? 0 : frames_.back().start_byte);
        }
    }
    bool Failed() const noexcept override { return error_.has_value(); }
    std::size_t Depth() const noexcept override { return frames_.size(); }

    /// Refuses the document at a byte offset (line and column are derived from it).
    void FailAt(std::string reason, std::size_t byte) {
        if (error_) {
            return;
        }
        const Position at = PositionAt(bytes_, byte);
        FailAtPosition(std::move(reason), byte, at.line, at.column);
    }

    void FailAtPosition(std::string reason, std::size_t byte, std::size_t line, std::size_t column) {
        if (error_) {
            return;
        }
        ParseError error;
        error.reason = std::move(reason);
        error.byte_offset = byte;
        error.line = line;
        error.column = column;
        error_ = std::move(error);
        error_serial_ = frames_.empty() ? 0 : frames_.back().serial;
        error_depth_ = frames_.size();
        Stop();
    }

    std::optional<ParseError> TakeError() { return std::move(error_); }
    /// The element the error is in (its serial and depth), 0 when outside the root.
    std::uint64_t ErrorSerial() const noexcept { return error_serial_; }
    std::size_t ErrorDepth() const noexcept { return error_depth_; }
    /// Start tags seen so far.
    std::uint64_t Started() const noexcept { return serial_; }

    /// A start tag (its '<' at `start_byte`; `qualified`: its name as written, if the engine wants
    /// it back from OpenName). False once the document is refused.
    [[gnu::always_inline]] bool Start(std::string_view local, const Attributes& attributes, std::size_t start_byte,
                                      std::string_view qualified = {}) {
        frames_.push_back(
            Frame{++serial_, start_byte, qualified.data(), static_cast<std::uint32_t>(qualified.size()), false});
        if (frames_.size() > limits_.max_xml_depth) {
            Fail("elements nested deeper than " + std::to_string(limits_.max_xml_depth) + " levels");
            return false;
        }
        ResetText();
        const bool capture = handler_.StartElement(*this, local, attributes);
        if (error_) {
            return false;
        }
        frames_.back().capture = capture;
        capturing_ = capture;
        return true;
    }

    /// The end tag of the innermost open element. False once the document is refused.
    [[gnu::always_inline]] bool End() {
        if (frames_.empty()) {
            return !error_;
        }
        handler_.EndElement(*this,
                            frames_.back().capture ? std::string_view(text_data_, text_size_) : std::string_view());
        if (error_) {
            return false;
        }
        frames_.pop_back();
        ResetText();
        capturing_ = !frames_.empty() && frames_.back().capture;
        return true;
    }

    bool Capturing() const noexcept { return capturing_; }

    /// Handler::CompileShape and Handler::RunShape, for the engine.
    int OfferShape(const Shape& shape) { return handler_.CompileShape(shape); }
    bool RunPlan(int plan, const std::string_view* holes) { return handler_.RunShape(plan, holes); }
    /// After a plan applied an element whole (see Handler::RunShape): counts its `starts` start tags
    /// and leaves the text as its end tag would have.
    void AppliedWhole(std::size_t starts) noexcept {
        serial_ += starts;
        ResetText();
    }
    std::size_t MaxDepth() const noexcept { return limits_.max_xml_depth; }

    /// The qualified name given to Start for the innermost open element. Precondition: Depth() > 0.
    std::string_view OpenName() const noexcept { return {frames_.back().name, frames_.back().name_size}; }

    /// Character data of the innermost element, as a piece of the input (see the constructor);
    /// kept only while it is captured. False once refused.
    [[gnu::always_inline]] bool AppendText(const char* text, std::size_t size) {
        return Append(text, size, input_text_stable_);
    }
    /// The same for bytes that live only during the call (a decoded reference, a normalised line end).
    bool AppendCopy(const char* text, std::size_t size) { return Append(text, size, false); }

protected:
    ~ReaderCore() = default;
    /// Makes the engine stop delivering events.
    virtual void Stop() = 0;

    std::string_view bytes_;

private:
    // The text is a view while it is one run of the input (nearly always: "46.5", a name), so the
    // common case copies nothing; the first piece that does not continue that run moves it into
    // text_, which then holds the rest.
    [[gnu::always_inline]] bool Append(const char* text, std::size_t size, bool in_input) {
        if (!capturing_ || size == 0) {
            return !error_;
        }
        if (text_size_ + size > kMaxTextBytes) {
            Fail("element text longer than " + std::to_string(kMaxTextBytes) + " bytes");
            return false;
        }
        if (!text_owned_) {
            if (in_input && (text_size_ == 0 || text_data_ + text_size_ == text)) {
                text_data_ = text_size_ == 0 ? text : text_data_;
                text_size_ += size;
                return true;
            }
            text_.assign(text_data_ != nullptr ? text_data_ : "", text_size_);
            text_owned_ = true;
        }
        text_.append(text, size);
        text_data_ = text_.data();
        text_size_ = text_.size();
        return true;
    }

    void ResetText() noexcept {
        text_data_ = nullptr;
        text_size_ = 0;
        text_owned_ = false;
    }

    const Limits& limits_;
    Handler& handler_;
    std::vector<Frame> frames_;
    std::uint64_t serial_ = 0;
    bool input_text_stable_;
    const char* text_data_ = nullptr;  // the captured text so far: into the input, or text_.data()
    std::size_t text_size_ = 0;
    bool text_owned_ = false;
    std::string text_;
    bool capturing_ = false;
    std::optional<ParseError> error_;
    std::uint64_t error_serial_ = 0;
    std::size_t error_depth_ = 0;
};

// Siblings are counted per name for the element path ("trkpt[12]"); a level with more distinct
// child names than this stops counting new names (their index is then left out of the path).
constexpr std::size_t kMaxCountedNames = 16;

// Paths deeper than this are shortened in messages: the first kPathHead names, "…", the rest.
constexpr std::size_t kMaxPathParts = 10;
constexpr std::size_t kPathHead = 3;

/// Re-reads a document up to the start tag with a given serial number, keeping the names of the
/// open elements and how many same-name siblings came before each: the path of that element.
class PathRecorder final : public Handler {
public:
    explicit PathRecorder(std::uint64_t target) : target_(target) {}

    bool StartElement(Reader& reader, std::string_view local_name, const Attributes& /*attributes*/) override {
        const std::size_t level = stack_.size();
        if (siblings_.size() <= level) {
            siblings_.resize(level + 1);
        }
        const std::uint64_t parent = level == 0 ? 0 : stack_.back().serial;
        std::uint32_t index = 0;
        std::vector<Sibling>& counts = siblings_[level];
        bool found = false;
        for (Sibling& sibling : counts) {
            if (sibling.name == local_name) {
                if (sibling.parent != parent) {
                    sibling.parent = parent;
                    sibling.count = 0;
                }
                index = ++sibling.count;
                found = true;
                break;
            }
        }
        if (!found && counts.size() < kMaxCountedNames) {
            counts.push_back(Sibling{std::string(local_name), parent, 1});
            index = 1;
        }
        stack_.push_back(Open{std::string(local_name), index, ++seen_});
        if (seen_ == target_) {
            path_ = Render();
            reader.Fail("found");  // stop reading: the rest of the document does not matter
        }
        return false;
    }

    void EndElement(Reader& /*reader*/, std::string_view /*text*/) override { stack_.pop_back(); }

    const std::string& Path() const noexcept { return path_; }

private:
    struct Sibling {
        std::string name;
        std::uint64_t parent = 0;
        std::uint32_t count = 0;
    };
    struct Open {
        std::string name;
        std::uint32_t index;  // 1-based among same-name siblings; 0 when not counted
        std::uint64_t serial;
    };

    std::string Render() const {
        std::string path;
        auto append = [&](const Open& open) {
            if (!path.empty()) {
                path += '/';
            }
            path += open.name;
            if (open.index > 1) {
                path += '[';
                path += std::to_string(open.index);
                path += ']';
            }
        };
        if (stack_.size() <= kMaxPathParts) {
            for (const Open& open : stack_) {
                append(open);
            }
            return path;
        }
        for (std::size_t open_idx = 0; open_idx < kPathHead; ++open_idx) {
            append(stack_[open_idx]);
        }
        path += "/…";
        for (std::size_t open_idx = stack_.size() - (kMaxPathParts - kPathHead); open_idx < stack_.size(); ++open_idx) {
            append(stack_[open_idx]);
        }
        return path;
    }

    std::uint64_t target_;
    std::uint64_t seen_ = 0;
    std::vector<Open> stack_;
    std::vector<std::vector<Sibling>> siblings_;
    std::string path_;
};

// ---- expat --------------------------------------------------------------------------------------

// Expat copies whatever it is given into its own buffer, so the input is fed in slices: the
// parser's memory stays one slice (plus the token it is inside of) instead of a second copy.
constexpr std::size_t kSliceBytes = 64u << 10;

struct ParserDeleter {
    void operator()(XML_ParserStruct* parser) const noexcept { XML_ParserFree(parser); }
};
using ParserPtr = std::unique_ptr<XML_ParserStruct, ParserDeleter>;

bool EqualsAsciiNoCase(std::string_view a, std::string_view b) noexcept {
    if (a.size() != b.size()) {
        return false;
    }
    for (std::size_t char_idx = 0; char_idx < a.size(); ++char_idx) {
        auto lower = [](char c) { return (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c; };
        if (lower(a[char_idx]) != lower(b[char_idx])) {
            return false;
        }
    }
    return true;
}

// windows-1252 differs from ISO-8859-1 only in 0x80..0x9F; the five unassigned bytes map to the
// C1 controls of the same value, as browsers do.
constexpr std::array<int, 32> kWindows1252High = {
    0x20AC, 0x0081, 0x201A, 0x0192, 0x201E, 0x2026, 0x2020, 0x2021, 0x02C6, 0x2030, 0x0160,
    0x2039, 0x0152, 0x008D, 0x017D, 0x008F, 0x0090, 0x2018, 0x2019, 0x201C, 0x201D, 0x2022,
    0x2013, 0x2014, 0x02DC, 0x2122, 0x0161, 0x203A, 0x0153, 0x009D, 0x017E, 0x0178,
};

int XMLCALL UnknownEncoding(void* /*data*/, const XML_Char* name, XML_Encoding* info) {
    const std::string_view encoding(name);
    if (!EqualsAsciiNoCase(encoding, "windows-1252") && !EqualsAsciiNoCase(encoding, "cp1252") &&
        !EqualsAsciiNoCase(encoding, "x-cp1252")) {
        return XML_STATUS_ERROR;
    }
    for (int byte = 0; byte < 256; ++byte) {
        info->map[byte] =
            (byte >= 0x80 && byte < 0xA0) ? kWindows1252High[static_cast<std::size_t>(byte - 0x80)] : byte;
    }
    info->data = nullptr;
    info->convert = nullptr;
    info->release = nullptr;
    return XML_STATUS_OK;
}

class ExpatReader final : public ReaderCore {
public:
    ExpatReader(XML_Parser parser, std::string_view bytes, const Limits& limits, Handler& handler)
        : ReaderCore(bytes, limits, handler, /*input_text_stable=*/false), parser_(parser) {}

    /// Turns expat's own refusal into a ParseError (unless one is already recorded).
    void RecordExpatError() {
        if (Failed()) {
            return;
        }
        const XML_Error code = XML_GetErrorCode(parser_);
        const XML_Index byte = XML_GetErrorByteIndex(parser_);
        std::string reason = "malformed XML: ";
        reason += XML_ErrorString(code);
        if (code == XML_ERROR_UNDEFINED_ENTITY) {
            reason += " (only the five predefined entities and character references are accepted)";
        }
        FailAtPosition(std::move(reason), byte < 0 ? 0 : static_cast<std::size_t>(byte),
                       static_cast<std::size_t>(XML_GetErrorLineNumber(parser_)),
                       static_cast<std::size_t>(XML_GetErrorColumnNumber(parser_)) + 1);
    }

    static void XMLCALL OnStart(void* data, const XML_Char* name, const XML_Char** attributes) {
        auto* self = static_cast<ExpatReader*>(data);
        if (self->Failed()) {
            return;
        }
        self->attributes_.clear();
        for (const XML_Char** attribute = attributes; attribute[0] != nullptr; attribute += 2) {
            const std::string_view qualified(attribute[0]);
            self->attributes_.push_back(Attribute{qualified, attribute[1], LocalName(qualified)});
        }
        const Attributes view(self->attributes_.data(), self->attributes_.data() + self->attributes_.size());
        self->Start(LocalName(name), view, self->CurrentByte());
    }
    static void XMLCALL OnEnd(void* data, const XML_Char* /*name*/) {
        auto* self = static_cast<ExpatReader*>(data);
        if (!self->Failed()) {
            self->End();
        }
    }
    static void XMLCALL OnText(void* data, const XML_Char* text, int size) {
        auto* self = static_cast<ExpatReader*>(data);
        if (!self->Failed() && size > 0) {
            self->AppendText(text, static_cast<std::size_t>(size));
        }
    }
    static void XMLCALL OnEntityDecl(void* data, const XML_Char* name, int is_parameter_entity,
                                     const XML_Char* /*value*/, int /*value_size*/, const XML_Char* /*base*/,
                                     const XML_Char* system_id, const XML_Char* /*public_id*/,
                                     const XML_Char* /*notation*/) {
        auto* self = static_cast<ExpatReader*>(data);
        std::string reason = "entity declarations are not accepted (<!ENTITY ";
        if (is_parameter_entity != 0) {
            reason += "% ";
        }
        reason += name;
        reason += system_id != nullptr ? " SYSTEM ...>: an external entity" : ">: entity expansion";
        reason += " could read local files or expand without bound)";
        self->FailAt(std::move(reason), self->CurrentByte());
    }
    static void XMLCALL OnSkippedEntity(void* data, const XML_Char* name, int /*is_parameter_entity*/) {
        auto* self = static_cast<ExpatReader*>(data);
        std::string reason = "reference to undeclared entity &";
        reason += name;
        reason += "; (external DTDs are never loaded)";
        self->FailAt(std::move(reason), self->CurrentByte());
    }

protected:
    void Stop() override { XML_StopParser(parser_, XML_FALSE); }

private:
    std::size_t CurrentByte() const {
        const XML_Index byte = XML_GetCurrentByteIndex(parser_);
        return byte < 0 ? 0 : static_cast<std::size_t>(byte);
    }

    XML_Parser parser_;
    std::vector<Attribute> attributes_;
};

Outcome ParseWithExpat(std::string_view bytes, const Limits& limits, Handler& handler, std::uint64_t& error_serial) {
    Outcome outcome;
    // No namespace processing on purpose (see xml.hpp); nullptr encoding: detect from the BOM and
    // the XML declaration.
    ParserPtr parser(XML_ParserCreate(nullptr));
    if (!parser) {
        outcome.error = ParseError{};
        outcome.error->reason = "out of memory creating the XML parser";
        return outcome;
    }
    ExpatReader reader(parser.get(), bytes, limits, handler);
    XML_SetUserData(parser.get(), &reader);
    XML_SetElementHandler(parser.get(), &ExpatReader::OnStart, &ExpatReader::OnEnd);
    XML_SetCharacterDataHandler(parser.get(), &ExpatReader::OnText);
    XML_SetEntityDeclHandler(parser.get(), &ExpatReader::OnEntityDecl);
    XML_SetSkippedEntityHandler(parser.get(), &ExpatReader::OnSkippedEntity);
    XML_SetUnknownEncodingHandler(parser.get(), &UnknownEncoding, nullptr);
    // Never read the external DTD subset or parameter entities; and no external entity handler is
    // installed, so no external entity is ever opened.
    XML_SetParamEntityParsing(parser.get(), XML_PARAM_ENTITY_PARSING_NEVER);

    std::size_t offset = 0;
    while (offset < bytes.size()) {
        const std::size_t slice = std::min(kSliceBytes, bytes.size() - offset);
        const bool last = offset + slice == bytes.size();
        void* buffer = XML_GetBuffer(parser.get(), static_cast<int>(slice));
        if (buffer == nullptr) {
            reader.RecordExpatError();
            error_serial = reader.ErrorSerial();
            outcome.error = reader.TakeError();
            return outcome;
        }
        std::memcpy(buffer, bytes.data() + offset, slice);
        if (XML_ParseBuffer(parser.get(), static_cast<int>(slice), last ? XML_TRUE : XML_FALSE) != XML_STATUS_OK) {
            reader.RecordExpatError();
            error_serial = reader.ErrorSerial();
            outcome.error = reader.TakeError();
            return outcome;
        }
        offset += slice;
    }
    if (reader.Failed()) {
        error_serial = reader.ErrorSerial();
        outcome.error = reader.TakeError();
    }
    return outcome;
}

// ---- the fast engine ----------------------------------------------------------------------------
//
// A non-validating scanner for UTF-8 documents without a DOCTYPE. It checks well-formedness as
// strictly as expat for everything it accepts; on anything else it gives up (`needs_expat`), so it
// never has to word a syntax error and never has to be as complete as expat.

enum : std::uint8_t {
    kNameStart = 1,   // [A-Za-z_:]
    kNameChar = 2,    // [A-Za-z0-9._:-]
    kSpace = 4,       // XML S: space, tab, CR, LF
    kTextStop = 8,    // in character data: '<', '&', ']', CR, controls, non-ASCII
    kValueStop = 16,  // in attribute values: '&', '<', tab, CR, LF, controls, non-ASCII
};

constexpr std::array<std::uint8_t, 256> MakeClasses() {
    std::array<std::uint8_t, 256> classes{};
    for (int c = 0; c < 256; ++c) {
        std::uint8_t bits = 0;
        const bool letter = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z');
        const bool digit = c >= '0' && c <= '9';
        if (letter || c == '_' || c == ':') {
            bits |= kNameStart | kNameChar;
        }
        if (digit || c == '.' || c == '-') {
            bits |= kNameChar;
        }
        if (c == ' ' || c == '\t' || c == '\r' || c == '\n') {
            bits |= kSpace;
        }
        const bool control = c < 0x20 && c != '\t' && c != '\n';
        if (control || c == '<' || c == '&' || c == ']' || c == '\r' || c >= 0x80) {
            bits |= kTextStop;
        }
        if (c < 0x20 || c == '&' || c == '<' || c >= 0x80) {
            bits |= kValueStop;
        }
        classes[static_cast<std::size_t>(c)] = bits;
    }
    return classes;
}
constexpr std::array<std::uint8_t, 256> kClasses = MakeClasses();

inline std::uint8_t ClassOf(char c) noexcept { return kClasses[static_cast<unsigned char>(c)]; }

/// Length of the valid UTF-8 sequence at `p` (2..4 bytes) encoding an XML Char, or 0.
std::size_t Utf8CharLength(const char* p, const char* end) noexcept {
    const auto b0 = static_cast<unsigned char>(p[0]);
    auto continuation = [&](std::size_t at) {
        return p + at < end && (static_cast<unsigned char>(p[at]) & 0xC0) == 0x80;
    };
    if (b0 >= 0xC2 && b0 <= 0xDF) {
        return continuation(1) ? 2 : 0;
    }
    if (b0 >= 0xE0 && b0 <= 0xEF) {
        if (!continuation(1) || !continuation(2)) {
            return 0;
        }
        const auto b1 = static_cast<unsigned char>(p[1]);
        const auto b2 = static_cast<unsigned char>(p[2]);
        if ((b0 == 0xE0 && b1 < 0xA0) || (b0 == 0xED && b1 >= 0xA0)) {
            return 0;  // overlong, or a surrogate
        }
        if (b0 == 0xEF && b1 == 0xBF && (b2 == 0xBE || b2 == 0xBF)) {
            return 0;  // U+FFFE, U+FFFF are not XML characters
        }
        return 3;
    }
    if (b0 >= 0xF0 && b0 <= 0xF4) {
        if (!continuation(1) || !continuation(2) || !continuation(3)) {
            return 0;
        }
        const auto b1 = static_cast<unsigned char>(p[1]);
        if ((b0 == 0xF0 && b1 < 0x90) || (b0 == 0xF4 && b1 >= 0x90)) {
            return 0;  // overlong, or past U+10FFFF
        }
        return 4;
    }
    return 0;
}

bool IsXmlChar(std::uint32_t code) noexcept {
    return code == 0x9 || code == 0xA || code == 0xD || (code >= 0x20 && code <= 0xD7FF) ||
           (code >= 0xE000 && code <= 0xFFFD) || (code >= 0x10000 && code <= 0x10FFFF);
}

/// UTF-8 of `code` into `out` (at least 4 bytes); returns the length.
std::size_t EncodeUtf8(std::uint32_t code, char* out) noexcept {
    if (code < 0x80) {
        out[0] = static_cast<char>(code);
        return 1;
    }
    if (code < 0x800) {
        out[0] = static_cast<char>(0xC0 | (code >> 6));
        out[1] = static_cast<char>(0x80 | (code & 0x3F));
        return 2;
    }
    if (code < 0x10000) {
        out[0] = static_cast<char>(0xE0 | (code >> 12));
        out[1] = static_cast<char>(0x80 | ((code >> 6) & 0x3F));
        out[2] = static_cast<char>(0x80 | (code & 0x3F));
        return 3;
    }
    out[0] = static_cast<char>(0xF0 | (code >> 18));
    out[1] = static_cast<char>(0x80 | ((code >> 12) & 0x3F));
    out[2] = static_cast<char>(0x80 | ((code >> 6) & 0x3F));
    out[3] = static_cast<char>(0x80 | (code & 0x3F));
    return 4;
}

/// A reference at `p` (which points at '&'): the five predefined entities or a character
/// reference. On success sets `out`/`out_size` to its UTF-8 and returns the reference's length;
/// 0 for anything else.
std::size_t DecodeReference(const char* p, const char* end, char* out, std::size_t& out_size) noexcept {
    const std::string_view rest(p, static_cast<std::size_t>(end - p));
    struct Named {
        std::string_view text;
        char value;
    };
    static constexpr Named kNamed[] = {{"&lt;", '<'}, {"&gt;", '>'}, {"&amp;", '&'}, {"&quot;", '"'}, {"&apos;", '\''}};
    for (const Named& named : kNamed) {
        if (rest.substr(0, named.text.size()) == named.text) {
            out[0] = named.value;
            out_size = 1;
            return named.text.size();
        }
    }
    if (rest.size() < 4 || rest[1] != '#') {
        return 0;
    }
    std::size_t pos = 2;
    const bool hex = rest[pos] == 'x';
    if (hex) {
        ++pos;
    }
    std::uint32_t code = 0;
    const std::size_t digits_begin = pos;
    while (pos < rest.size() && rest[pos] != ';') {
        const char c = rest[pos];
        std::uint32_t digit = 0;
        if (c >= '0' && c <= '9') {
            digit = static_cast<std::uint32_t>(c - '0');
        } else if (hex && c >= 'a' && c <= 'f') {
            digit = static_cast<std::uint32_t>(c - 'a' + 10);
        } else if (hex && c >= 'A' && c <= 'F') {
            digit = static_cast<std::uint32_t>(c - 'A' + 10);
        } else {
            return 0;
        }
        code = code * (hex ? 16 : 10) + digit;
        if (code > 0x10FFFF) {
            return 0;
        }
        ++pos;
    }
    if (pos == digits_begin || pos >= rest.size() || !IsXmlChar(code)) {
        return 0;
    }
    out_size = EncodeUtf8(code, out);
    return pos + 1;
}

// Sixteen bytes at a time where SSE2 is there (every x86-64): the scanner spends most of its time
// skipping the white space between tags and reading names. Each helper returns the first byte at
// or after `p` that needs a closer look, or `end`.
#if defined(__SSE2__)
inline int TrailingZeros(unsigned mask) noexcept { return __builtin_ctz(mask); }

/// A bit for each of the 16 bytes at `p` that is '<', '&', ']', CR, another control character
/// except tab and LF, or non-ASCII.
inline unsigned PlainTextStops(const char* p) noexcept {
    const __m128i v = _mm_loadu_si128(reinterpret_cast<const __m128i*>(p));
    __m128i stop = _mm_or_si128(_mm_cmpeq_epi8(v, _mm_set1_epi8('<')), _mm_cmpeq_epi8(v, _mm_set1_epi8('&')));
    stop =
        _mm_or_si128(stop, _mm_or_si128(_mm_cmpeq_epi8(v, _mm_set1_epi8(']')), _mm_cmpeq_epi8(v, _mm_set1_epi8('\r'))));
    // Signed compare: bytes >= 0x80 are negative, so they count as "below space" too.
    const __m128i below_space = _mm_cmplt_epi8(v, _mm_set1_epi8(0x20));
    const __m128i allowed =
        _mm_or_si128(_mm_cmpeq_epi8(v, _mm_set1_epi8('\t')), _mm_cmpeq_epi8(v, _mm_set1_epi8('\n')));
    stop = _mm_or_si128(stop, _mm_andnot_si128(allowed, below_space));
    return static_cast<unsigned>(_mm_movemask_epi8(stop));
}

/// A bit for each of the 16 bytes at `p` that is `quote`, '&', '<', a control character or non-ASCII.
inline unsigned ValueStops(const char* p, char quote) noexcept {
    const __m128i v = _mm_loadu_si128(reinterpret_cast<const __m128i*>(p));
    __m128i stop = _mm_or_si128(_mm_cmpeq_epi8(v, _mm_set1_epi8('<')), _mm_cmpeq_epi8(v, _mm_set1_epi8('&')));
    // Signed compare: bytes >= 0x80 are negative, so they count as "below space" too.
    stop = _mm_or_si128(stop,
                        _mm_or_si128(_mm_cmpeq_epi8(v, _mm_set1_epi8(quote)), _mm_cmplt_epi8(v, _mm_set1_epi8(0x20))));
    return static_cast<unsigned>(_mm_movemask_epi8(stop));
}

/// First byte that is '<', '&', ']', CR, another control character except tab and LF, or non-ASCII.
inline const char* SkipPlainText(const char* p, const char* end) noexcept {
    while (end - p >= 16) {
        const unsigned mask = PlainTextStops(p);
        if (mask != 0) {
            return p + TrailingZeros(mask);
        }
        p += 16;
    }
    while (p < end && !(ClassOf(*p) & kTextStop)) {
        ++p;
    }
    return p;
}

/// First byte of an attribute value that is the closing quote, '&', '<', a control character
/// (tab, LF and CR included: they are normalised) or non-ASCII.
inline const char* SkipValueChars(const char* p, const char* end, char quote) noexcept {
    while (end - p >= 16) {
        const unsigned mask = ValueStops(p, quote);
        if (mask != 0) {
            return p + TrailingZeros(mask);
        }
        p += 16;
    }
    while (p < end && *p != quote && !(ClassOf(*p) & kValueStop)) {
        ++p;
    }
    return p;
}

/// First byte that is not a name character [A-Za-z0-9._:-]; `last_colon` is moved to the last ':'
/// before it, if any.
inline const char* SkipNameChars(const char* p, const char* end, const char*& last_colon) noexcept {
    const __m128i case_bit = _mm_set1_epi8(0x20);
    const __m128i before_a = _mm_set1_epi8('a' - 1);
    const __m128i after_z = _mm_set1_epi8('z' + 1);
    const __m128i before_0 = _mm_set1_epi8('0' - 1);
    const __m128i after_9 = _mm_set1_epi8('9' + 1);
    const __m128i dot = _mm_set1_epi8('.');
    const __m128i dash = _mm_set1_epi8('-');
    const __m128i underscore = _mm_set1_epi8('_');
    const __m128i colon = _mm_set1_epi8(':');
    while (end - p >= 16) {
        const __m128i v = _mm_loadu_si128(reinterpret_cast<const __m128i*>(p));
        const __m128i lower = _mm_or_si128(v, case_bit);
        const __m128i letter = _mm_and_si128(_mm_cmpgt_epi8(lower, before_a), _mm_cmplt_epi8(lower, after_z));
        const __m128i digit = _mm_and_si128(_mm_cmpgt_epi8(v, before_0), _mm_cmplt_epi8(v, after_9));
        const __m128i colons = _mm_cmpeq_epi8(v, colon);
        __m128i name = _mm_or_si128(letter, digit);
        name = _mm_or_si128(name, _mm_or_si128(_mm_cmpeq_epi8(v, dot), _mm_cmpeq_epi8(v, dash)));
        name = _mm_or_si128(name, _mm_or_si128(_mm_cmpeq_epi8(v, underscore), colons));
        const unsigned stop = ~static_cast<unsigned>(_mm_movemask_epi8(name)) & 0xFFFFu;
        unsigned colon_bits = static_cast<unsigned>(_mm_movemask_epi8(colons));
        if (stop != 0) {
            colon_bits &= (1u << TrailingZeros(stop)) - 1;
        }
        if (colon_bits != 0) {
            last_colon = p + (31 - __builtin_clz(colon_bits));
        }
        if (stop != 0) {
            return p + TrailingZeros(stop);
        }
        p += 16;
    }
    while (p < end && (ClassOf(*p) & kNameChar)) {
        if (*p == ':') {
            last_colon = p;
        }
        ++p;
    }
    return p;
}
#else
inline const char* SkipValueChars(const char* p, const char* end, char quote) noexcept {
    while (p < end && *p != quote && !(ClassOf(*p) & kValueStop)) {
        ++p;
    }
    return p;
}

inline const char* SkipPlainText(const char* p, const char* end) noexcept {
    while (p < end && !(ClassOf(*p) & kTextStop)) {
        ++p;
    }
    return p;
}

inline const char* SkipNameChars(const char* p, const char* end, const char*& last_colon) noexcept {
    while (p < end && (ClassOf(*p) & kNameChar)) {
        if (*p == ':') {
            last_colon = p;
        }
        ++p;
    }
    return p;
}
#endif

class FastReader final : public ReaderCore {
public:
    FastReader(std::string_view bytes, const Limits& limits, Handler& handler)
        : ReaderCore(bytes, limits, handler, /*input_text_stable=*/true) {
        attributes_.reserve(8);
        raw_values_.reserve(8);
    }

    /// True: the whole document was read (or refused by the handler or a limit: see Failed()).
    /// False: it needs expat.
    bool Run() {
        p_ = bytes_.data();
        end_ = p_ + bytes_.size();
        if (bytes_.size() >= 3 && std::memcmp(p_, "\xEF\xBB\xBF", 3) == 0) {
            p_ += 3;
        }
        if (!XmlDeclaration() || !Misc()) {
            return false;
        }
        if (p_ >= end_ || *p_ != '<' || p_ + 1 >= end_ || !(ClassOf(p_[1]) & kNameStart)) {
            return false;  // no root element, a DOCTYPE, or junk: expat words it
        }
        if (!Content()) {
            return false;
        }
        if (Failed()) {
            return true;
        }
        return Misc() && p_ == end_;
    }

protected:
    void Stop() override { stopped_ = true; }

private:
    std::size_t Offset(const char* at) const { return static_cast<std::size_t>(at - bytes_.data()); }

    bool StartsWith(std::string_view text) const {
        return static_cast<std::size_t>(end_ - p_) >= text.size() && SameName(std::string_view(p_, text.size()), text);
    }

    void SkipSpace() {
        const char* p = p_;
        while (p < end_ && (ClassOf(*p) & kSpace)) {
            ++p;
        }
        p_ = p;
    }

    /// A name at p_ (empty if there is none), and where its local part starts (after the last ':').
    std::string_view Name(const char** local = nullptr) {
        const char* const begin = p_;
        const char* const end = end_;
        if (begin >= end || !(ClassOf(*begin) & kNameStart)) {
            return {};
        }
        const char* last_colon = *begin == ':' ? begin : nullptr;
        const char* p = SkipNameChars(begin + 1, end, last_colon);
        const char* after_colon = last_colon != nullptr ? last_colon + 1 : begin;
        p_ = p;
        if (p < end && static_cast<unsigned char>(*p) >= 0x80) {
            return {};  // non-ASCII name characters: expat's tables decide
        }
        if (local != nullptr) {
            *local = after_colon;
        }
        return std::string_view(begin, static_cast<std::size_t>(p - begin));
    }

    /// `<?xml version="1.0" [encoding="UTF-8"] [standalone="yes|no"] ?>`, if present. Anything else
    /// (another encoding, another version, odd syntax) is expat's.
    bool XmlDeclaration() {
        if (!StartsWith("<?xml") || p_ + 5 >= end_ || !(ClassOf(p_[5]) & kSpace)) {
            return !StartsWith("<?xml");  // "<?xml-stylesheet" is a PI, handled by Misc
        }
        p_ += 5;
        auto pseudo = [&](std::string_view name, std::string_view& value) {
            const char* save = p_;
            SkipSpace();
            if (p_ == save || !StartsWith(name)) {
                p_ = save;
                return false;
            }
            p_ += name.size();
            SkipSpace();
            if (p_ >= end_ || *p_ != '=') {
                return false;
            }
            ++p_;
            SkipSpace();
            if (p_ >= end_ || (*p_ != '"' && *p_ != '\'')) {
                return false;
            }
            const char quote = *p_++;
            const char* close = static_cast<const char*>(std::memchr(p_, quote, static_cast<std::size_t>(end_ - p_)));
            if (close == nullptr) {
                return false;
            }
            value = std::string_view(p_, static_cast<std::size_t>(close - p_));
            p_ = close + 1;
            return true;
        };
        std::string_view version;
        if (!pseudo("version", version) || version != "1.0") {
            return false;
        }
        const char* before_encoding = p_;
        std::string_view encoding;
        if (pseudo("encoding", encoding)) {
            if (!EqualsAsciiNoCase(encoding, "UTF-8")) {
                return false;
            }
        } else {
            p_ = before_encoding;
        }
        const char* before_standalone = p_;
        std::string_view standalone;
        if (pseudo("standalone", standalone)) {
            if (standalone != "yes" && standalone != "no") {
                return false;
            }
        } else {
            p_ = before_standalone;
        }
        SkipSpace();
        if (!StartsWith("?>")) {
            return false;
        }
        p_ += 2;
        return true;
    }

    /// Comments, processing instructions and white space outside the root element.
    bool Misc() {
        for (;;) {
            SkipSpace();
            if (p_ >= end_) {
                return true;
            }
            if (StartsWith("<!--")) {
                if (!Comment()) {
                    return false;
                }
            } else if (StartsWith("<?")) {
                if (!ProcessingInstruction()) {
                    return false;
                }
            } else {
                return true;
            }
        }
    }

    /// Checks that [begin, end) holds only XML characters (tab, LF, CR allowed; valid UTF-8).
    static bool ValidChars(const char* begin, const char* end) {
        for (const char* at = begin; at < end;) {
            const auto c = static_cast<unsigned char>(*at);
            if (c < 0x80) {
                if (c < 0x20 && c != '\t' && c != '\n' && c != '\r') {
                    return false;
                }
                ++at;
                continue;
            }
            const std::size_t length = Utf8CharLength(at, end);
            if (length == 0) {
                return false;
            }
            at += length;
        }
        return true;
    }

    bool Comment() {
        p_ += 4;
        const std::string_view rest(p_, static_cast<std::size_t>(end_ - p_));
        const std::size_t dashes = rest.find("--");
        if (dashes == std::string_view::npos || dashes + 2 >= rest.size() || rest[dashes + 2] != '>') {
            return false;  // unterminated, or "--" inside a comment
        }
        if (!ValidChars(p_, p_ + dashes)) {
            return false;
        }
        p_ += dashes + 3;
        return true;
    }

    bool ProcessingInstruction() {
        p_ += 2;
        const std::string_view target = Name();
        if (target.empty() || EqualsAsciiNoCase(target, "xml") || target.find(':') != std::string_view::npos) {
            return false;
        }
        const std::string_view rest(p_, static_cast<std::size_t>(end_ - p_));
        const std::size_t close = rest.find("?>");
        if (close == std::string_view::npos || (close != 0 && !(ClassOf(rest[0]) & kSpace))) {
            return false;
        }
        if (!ValidChars(p_, p_ + close)) {
            return false;
        }
        p_ += close + 2;
        return true;
    }

    /// Character data up to the next '<', checked, normalised and kept if captured. False when the
    /// document needs expat (including when it ends here: unclosed elements).
    bool Text() {
        const bool capture = Capturing();
        const char* const stop = end_;
        const char* const begin = p_;
        const char* run = p_;  // start of the bytes not yet appended
        bool plain = true;     // nothing to check or normalise: the text is the bytes as written
        for (;;) {
            p_ = SkipPlainText(p_, stop);
            if (p_ >= stop) {
                return false;
            }
            const auto c = static_cast<unsigned char>(*p_);
            if (c == '<') {
                break;
            }
            plain = false;
            if (c >= 0x80) {
                const std::size_t length = Utf8CharLength(p_, stop);
                if (length == 0) {
                    return false;
                }
                p_ += length;
                continue;
            }
            if (c == ']') {
                if (stop - p_ >= 3 && p_[1] == ']' && p_[2] == '>') {
                    return false;  // "]]>" is not allowed in character data
                }
                ++p_;
                continue;
            }
            if (c == '\r') {  // CR LF and a lone CR become LF
                if (capture && !AppendText(run, static_cast<std::size_t>(p_ - run))) {
                    return true;
                }
                ++p_;
                if (p_ < stop && *p_ == '\n') {
                    run = p_;
                } else {
                    if (capture && !AppendCopy("\n", 1)) {
                        return true;
                    }
                    run = p_;
                }
                continue;
            }
            if (c == '&') {
                char decoded[4];
                std::size_t decoded_size = 0;
                const std::size_t length = DecodeReference(p_, stop, decoded, decoded_size);
                if (length == 0) {
                    return false;
                }
                if (capture &&
                    (!AppendText(run, static_cast<std::size_t>(p_ - run)) || !AppendCopy(decoded, decoded_size))) {
                    return true;
                }
                p_ += length;
                run = p_;
                continue;
            }
            return false;  // a control character
        }
        if (recording_) {
            if (plain || StartsWithCrLf(begin, p_)) {
                RecordText(begin, p_);
            } else {
                StopRecording();
            }
        }
        if (capture) {
            AppendText(run, static_cast<std::size_t>(p_ - run));
        }
        return true;
    }

    bool CData() {
        p_ += 9;  // "<![CDATA["
        const std::string_view rest(p_, static_cast<std::size_t>(end_ - p_));
        const std::size_t close = rest.find("]]>");
        if (close == std::string_view::npos || !ValidChars(p_, p_ + close)) {
            return false;
        }
        if (Capturing()) {
            const char* run = p_;
            const char* stop = p_ + close;
            for (const char* at = p_; at < stop; ++at) {
                if (*at == '\r') {
                    if (!AppendText(run, static_cast<std::size_t>(at - run))) {
                        return true;
                    }
                    if (at + 1 < stop && at[1] == '\n') {
                        run = at + 1;
                    } else {
                        if (!AppendCopy("\n", 1)) {
                            return true;
                        }
                        run = at + 1;
                    }
                }
            }
            AppendText(run, static_cast<std::size_t>(stop - run));
        }
        p_ += close + 3;
        return true;
    }

    /// One attribute value between quotes: checked, and normalised when it has to be.
    struct RawValue {
        const char* begin;
        const char* end;
        bool plain;  // no reference and no white space to normalise: usable as written
    };

    bool AttributeValue(RawValue& raw) {
        if (p_ >= end_ || (*p_ != '"' && *p_ != '\'')) {
            return false;
        }
        const char quote = *p_++;
        raw.begin = p_;
        raw.plain = true;
        for (;;) {
            const char* p = p_;
            p_ = SkipValueChars(p, end_, quote);
            if (p_ >= end_ || *p_ == quote) {
                break;
            }
            const auto c = static_cast<unsigned char>(*p_);
            if (c >= 0x80) {
                const std::size_t length = Utf8CharLength(p_, end_);
                if (length == 0) {
                    return false;
                }
                p_ += length;
            } else if (c == '\t' || c == '\n' || c == '\r') {
                raw.plain = false;
                ++p_;
            } else if (c == '&') {
                char decoded[4];
                std::size_t decoded_size = 0;
                const std::size_t length = DecodeReference(p_, end_, decoded, decoded_size);
                if (length == 0) {
                    return false;
                }
                raw.plain = false;
                p_ += length;
            } else {
                return false;  // '<' or a control character
            }
        }
        if (p_ >= end_) {
            return false;
        }
        raw.end = p_++;
        return true;
    }

    /// Writes the normalised form of a checked value (references resolved, each literal tab, LF,
    /// CR or CR LF as one space) at the end of `scratch_`.
    void NormaliseInto(const RawValue& raw) {
        for (const char* at = raw.begin; at < raw.end;) {
            const char c = *at;
            if (c == '\r') {
                scratch_ += ' ';
                at += (at + 1 < raw.end && at[1] == '\n') ? 2 : 1;
            } else if (c == '\t' || c == '\n') {
                scratch_ += ' ';
                ++at;
            } else if (c == '&') {
                char decoded[4];
                std::size_t decoded_size = 0;
                at += DecodeReference(at, raw.end, decoded, decoded_size);
                scratch_.append(decoded, decoded_size);
            } else {
                scratch_ += c;
                ++at;
            }
        }
    }

    /// The attributes of a start tag, from just after its name to its '>' (or "/>"), into
    /// attributes_ (normalised where they have to be).
    bool ReadAttributes(bool& empty_element) {
        bool normalise = false;
        for (;;) {
            const char* before_space = p_;
            SkipSpace();
            if (p_ >= end_) {
                return false;
            }
            if (*p_ == '>') {
                ++p_;
                break;
            }
            if (*p_ == '/') {
                if (p_ + 1 >= end_ || p_[1] != '>') {
                    return false;
                }
                p_ += 2;
                empty_element = true;
                break;
            }
            if (p_ == before_space) {
                return false;  // attributes must be separated by white space
            }
            const char* attribute_local = nullptr;
            const std::string_view attribute = Name(&attribute_local);
            if (attribute.empty()) {
                return false;
            }
            SkipSpace();
            if (p_ >= end_ || *p_ != '=') {
                return false;
            }
            ++p_;
            SkipSpace();
            RawValue raw{};
            if (!AttributeValue(raw)) {
                return false;
            }
            for (const Attribute& seen : attributes_) {
                if (SameName(seen.name, attribute)) {
                    return false;  // duplicate attribute
                }
            }
            if (recording_) {
                if (raw.plain) {
                    RecordHole(raw.begin, raw.end, Hole::kValue, raw.begin[-1]);
                } else {
                    StopRecording();
                }
            }
            normalise = normalise || !raw.plain;
            attributes_.push_back(Attribute{
                attribute, std::string_view(raw.begin, static_cast<std::size_t>(raw.end - raw.begin)),
                std::string_view(attribute_local,
                                 static_cast<std::size_t>(attribute.data() + attribute.size() - attribute_local))});
            raw_values_.push_back(raw);
        }
        if (normalise) {
            // Normalised values never grow, so one reservation keeps every view valid.
            std::size_t total = 0;
            for (const RawValue& raw : raw_values_) {
                total += static_cast<std::size_t>(raw.end - raw.begin);
            }
            scratch_.clear();
            scratch_.reserve(total);
            for (std::size_t attribute_idx = 0; attribute_idx < attributes_.size(); ++attribute_idx) {
                const RawValue& raw = raw_values_[attribute_idx];
                if (raw.plain) {
                    continue;
                }
                const std::size_t begin = scratch_.size();
                NormaliseInto(raw);
                attributes_[attribute_idx].value = std::string_view(scratch_.data() + begin, scratch_.size() - begin);
            }
        }
        return true;
    }

    /// At "<" followed by a byte that is not '/', '!' or '?'.
    bool StartTag() {
        const char* const tag = p_;
        if (!recording_) {
            const std::size_t depth = Depth();
            for (std::size_t slot = 0; slot < kShapeSlots; ++slot) {
                if (shapes_[slot].depth != depth) {
                    continue;
                }
                if (Replay(slot)) {
                    return true;
                }
                if (++shapes_[slot].misses > kMaxShapeMisses) {
                    DropShape(slot);  // elements at its depth have stopped looking like it
                }
            }
            std::size_t& wait = record_wait_[BackoffLevel(depth)];
            if (wait == 0) {
                BeginRecording(tag);
            } else {
                --wait;
            }
        } else if (tag - record_mark_ > kMaxPieceBytes) {
            StopRecording();
        }
        // Where this tag is in the recording, while there is one.
        const auto record_piece = static_cast<std::uint32_t>(recorded_.pieces.size());
        const auto record_offset = recording_ ? static_cast<std::uint32_t>(tag - record_mark_) : 0u;
        const std::size_t record_hole = recorded_.holes;
        const char* const name_begin = tag + 1;  // Content checked that it is in the input
        if (!(ClassOf(*name_begin) & kNameStart)) {
            return false;
        }
        const char* last_colon = *name_begin == ':' ? name_begin : nullptr;
        const char* const name_end = SkipNameChars(name_begin + 1, end_, last_colon);
        if (name_end >= end_) {
            return false;
        }
        const std::string_view name(name_begin, static_cast<std::size_t>(name_end - name_begin));
        if (name.size() > UINT32_MAX) {
            return false;  // see Frame::name_size
        }
        const char* const local = last_colon != nullptr ? last_colon + 1 : name_begin;
        const std::string_view local_name(local, static_cast<std::size_t>(name_end - local));
        attributes_.clear();
        bool empty_element = false;
        if (*name_end == '>') {  // most elements have no attributes
            p_ = name_end + 1;
        } else {
            // Anything but white space, '>' or "/>" after the name (a non-ASCII name character
            // included: expat's tables decide those) fails in ReadAttributes.
            p_ = name_end;
            raw_values_.clear();
            if (!ReadAttributes(empty_element)) {
                return false;
            }
        }
        const Attributes view(attributes_.data(), attributes_.data() + attributes_.size());
        if (!Start(local_name, view, Offset(tag), name)) {
            return true;
        }
        if (recording_) {
            RecordStart(record_piece, record_offset, record_hole, local_name, name);
        }
        if (empty_element) {
            End();
            if (recording_) {
                RecordEnd();
            }
        }
        return true;
    }

    /// Whether the input at `at` starts with `name`, which is also in the input, before `at`.
    bool NameAt(const char* at, std::string_view name) const noexcept {
#if defined(__SSE2__)
        // One 16-byte compare for the names of nearly every document; both loads stay in the input
        // because `name` lies before `at`.
        if (name.size() <= 16 && end_ - at >= 16) {
            const __m128i here = _mm_loadu_si128(reinterpret_cast<const __m128i*>(at));
            const __m128i open = _mm_loadu_si128(reinterpret_cast<const __m128i*>(name.data()));
            const auto equal = static_cast<unsigned>(_mm_movemask_epi8(_mm_cmpeq_epi8(here, open)));
            const unsigned wanted = (1u << name.size()) - 1;
            return (equal & wanted) == wanted;
        }
#endif
        return SameName(std::string_view(at, name.size()), name);
    }

    bool EndTag() {
        // The name can only be the open element's: compare it in place instead of scanning it, and
        // check that it ends there.
        if (Depth() == 0) {
            return false;
        }
        const char* const name_begin = p_ + 2;  // after "</"
        const std::string_view open = OpenName();
        if (static_cast<std::size_t>(end_ - name_begin) <= open.size() || !NameAt(name_begin, open)) {
            return false;
        }
        const char* const after = name_begin + open.size();
        if (*after == '>') {
            p_ = after + 1;
        } else {
            if ((ClassOf(*after) & kNameChar) || static_cast<unsigned char>(*after) >= 0x80) {
                return false;
            }
            p_ = after;
            SkipSpace();
            if (p_ >= end_ || *p_ != '>') {
                return false;
            }
            ++p_;
        }
        End();
        if (recording_) {
            RecordEnd();
        }
        return true;
    }

    /// From the root start tag to its end tag.
    bool Content() {
        do {
            if (p_ >= end_) {
                return false;  // unclosed elements
            }
            if (*p_ != '<') {
                if (!Text()) {
                    return false;
                }
                if (stopped_) {
                    return true;
                }
                continue;
            }
            if (p_ + 1 >= end_) {
                return false;
            }
            const char next = p_[1];
            bool ok = false;
            if (next == '/') {
                ok = EndTag();
            } else if (next == '!') {
                StopRecording();  // shapes hold elements, text and values only
                if (StartsWith("<!--")) {
                    ok = Comment();
                } else if (StartsWith("<![CDATA[")) {
                    ok = CData();
                }
            } else if (next == '?') {
                StopRecording();
                ok = ProcessingInstruction();
            } else {
                ok = StartTag();
            }
            if (!ok) {
                return false;
            }
            if (stopped_) {
                return true;
            }
        } while (Depth() != 0);
        return true;
    }

    // ---- repeated elements ----------------------------------------------------------------------
    //
    // A track repeats one element shape thousands of times: the same markup, other values. After
    // reading an element the ordinary way, the reader keeps its shape - the literal markup bytes
    // between its values (attribute values and text runs, the "holes") and the events it gave. A
    // later element at the same depth whose bytes equal those literals, with holes that need no
    // processing (no reference, CR, ']', control or non-ASCII byte, which a value or text run ends
    // at, as the ordinary scan does; a text run may start with the CR LF of a CR LF file), is
    // well-formed exactly as the recorded one was and would give exactly its events with the new
    // values. So the reader only checks the bytes, then either hands the holes to the handler's
    // plan for the shape (Handler::CompileShape), or replays the events through
    // Start/AppendText/End - the handler, depth and limits see the same calls as from a scan.
    // Anything else is read the ordinary way, and may become a new shape.

    enum class Hole : std::uint8_t { kNone, kValue, kText };

    struct Piece {
        const char* literal;  // in the input, where the recorded element has it
        std::uint32_t size;
        std::uint32_t hole_size;  // of the hole after it in the recorded element
        Hole hole;                // what follows the literal
        char quote;               // kValue: the quote that ends it
    };
    /// Where a start tag of the shape is, and its name as written.
    struct StartPlace {
        std::uint32_t piece;   // the piece holding its '<'
        std::uint32_t offset;  // of the '<' in that piece
        std::string_view name;
    };
    struct RecordedShape {
        std::vector<Piece> pieces;
        std::vector<ShapeEvent> events;
        std::vector<StartPlace> places;  // one per event, used for kStart
        std::vector<ShapeAttribute> attributes;
        std::vector<std::string_view> attribute_names;  // as written, one per attribute
        std::size_t holes = 0;
        std::size_t starts = 0;
        std::size_t depth = SIZE_MAX;  // Depth() before its root element
        std::size_t max_depth = 0;     // of its deepest element, counted from its parent
        int plan = -1;                 // the handler's, see Handler::CompileShape
        std::uint64_t last_use = 0;    // use_clock_ when recorded or last repeated
        std::size_t misses = 0;        // elements at its depth in a row that did not have it
        bool repeated = false;         // some element had this shape
    };

    // Bounds that keep a failed match cheap and the replay buffers fixed; a track point has about
    // 20 events and 10 holes.
    static constexpr std::size_t kMaxShapeEvents = 128;
    static constexpr std::size_t kMaxShapeHoles = 48;
    static constexpr std::ptrdiff_t kMaxPieceBytes = 1 << 20;  // a longer stretch of markup is no track point
    static constexpr std::size_t kMaxRecordWait = 4095;
    static constexpr std::size_t kMaxShapeMisses = 16;
    static constexpr std::size_t kBackoffLevels = 16;

    void BeginRecording(const char* tag) {
        recorded_.pieces.clear();
        recorded_.events.clear();
        recorded_.places.clear();
        recorded_.attributes.clear();
        recorded_.attribute_names.clear();
        recorded_.holes = 0;
        recorded_.starts = 0;
        recorded_.depth = Depth();
        recorded_.max_depth = 0;
        recorded_.plan = -1;
        record_mark_ = tag;
        recording_ = true;
    }

    void RecordHole(const char* begin, const char* end, Hole hole, char quote) {
        if (recorded_.holes == kMaxShapeHoles || begin - record_mark_ > kMaxPieceBytes) {
            StopRecording();
            return;
        }
        recorded_.pieces.push_back(Piece{record_mark_, static_cast<std::uint32_t>(begin - record_mark_),
                                         static_cast<std::uint32_t>(std::min<std::ptrdiff_t>(end - begin, UINT32_MAX)),
                                         hole, quote});
        ++recorded_.holes;
        record_mark_ = end;
    }

    void RecordText(const char* begin, const char* end) {
        RecordHole(begin, end, Hole::kText, 0);
        if (recording_) {
            ShapeEvent event;
            event.kind = ShapeEvent::Kind::kText;
            event.hole = static_cast<std::uint32_t>(recorded_.holes - 1);
            RecordEvent(event, StartPlace{});
        }
    }

    /// After Start for a tag whose '<' was at `offset` in piece `piece` and whose attribute values
    /// (attributes_, in order) are the holes from `first_hole`.
    void RecordStart(std::uint32_t piece, std::uint32_t offset, std::size_t first_hole, std::string_view local_name,
                     std::string_view name) {
        ShapeEvent event;
        event.kind = ShapeEvent::Kind::kStart;
        event.local_name = local_name;
        event.first_attribute = static_cast<std::uint32_t>(recorded_.attributes.size());
        event.attribute_count = static_cast<std::uint32_t>(attributes_.size());
        for (std::size_t attribute_idx = 0; attribute_idx < attributes_.size(); ++attribute_idx) {
            recorded_.attributes.push_back(ShapeAttribute{attributes_[attribute_idx].local_name,
                                                          static_cast<std::uint32_t>(first_hole + attribute_idx)});
            recorded_.attribute_names.push_back(attributes_[attribute_idx].name);
        }
        ++recorded_.starts;
        recorded_.max_depth = std::max(recorded_.max_depth, Depth() - recorded_.depth);
        RecordEvent(event, StartPlace{piece, offset, name});
    }

    /// After End; the recording is a shape once its root element has ended.
    void RecordEnd() {
        RecordEvent(ShapeEvent{}, StartPlace{});
        if (recording_ && p_ - record_mark_ > kMaxPieceBytes) {
            StopRecording();
        }
        if (recording_ && Depth() == recorded_.depth) {
            recorded_.pieces.push_back(
                Piece{record_mark_, static_cast<std::uint32_t>(p_ - record_mark_), 0, Hole::kNone, 0});
            recording_ = false;
            // The new shape takes the slot used least recently; if that shape never repeated, the
            // recording was wasted.
            std::size_t slot = 0;
            for (std::size_t other = 1; other < kShapeSlots; ++other) {
                if (shapes_[other].last_use < shapes_[slot].last_use) {
                    slot = other;
                }
            }
            const bool wasted = !shapes_[slot].events.empty() && !shapes_[slot].repeated;
            const std::size_t wasted_depth = shapes_[slot].depth;
            RecordedShape& shape = shapes_[slot];
            std::swap(shape, recorded_);
            shape.last_use = ++use_clock_;
            shape.misses = 0;
            shape.repeated = false;
            shape.plan =
                OfferShape(Shape{shape.events.data(), shape.events.size(), shape.attributes.data(), shape.holes, slot});
            if (wasted) {
                BackOff(wasted_depth);
            }
        }
    }

    void DropShape(std::size_t slot) {
        RecordedShape& shape = shapes_[slot];
        if (!shape.repeated) {
            BackOff(shape.depth);
        }
        shape.events.clear();
        shape.depth = SIZE_MAX;  // matches no element
        shape.plan = -1;
        shape.last_use = 0;  // the first slot to record into
    }

    /// Ends a recording that cannot become a shape.
    void StopRecording() {
        if (recording_) {
            recording_ = false;
            BackOff(recorded_.depth);
        }
    }

    /// Where a document does not repeat itself, recording would be pure overhead: after each wasted
    /// recording of an element at some depth (one that gave no shape, or a shape that never
    /// repeated), the reader lets more start tags at that depth pass before it records there again
    /// (up to kMaxRecordWait), and goes back to recording at once when a shape there repeats.
    /// Depths are told apart because a document can repeat well at one (a leaf like <hr>) and not
    /// at all at another (points whose markup always differs).
    static std::size_t BackoffLevel(std::size_t depth) noexcept { return std::min(depth, kBackoffLevels - 1); }

    void BackOff(std::size_t depth) noexcept {
        const std::size_t level = BackoffLevel(depth);
        record_backoff_[level] = std::min(2 * record_backoff_[level] + 1, kMaxRecordWait);
        record_wait_[level] = record_backoff_[level];
    }

    void RecordEvent(const ShapeEvent& event, const StartPlace& place) {
        if (recorded_.events.size() == kMaxShapeEvents) {
            StopRecording();
            return;
        }
        recorded_.events.push_back(event);
        recorded_.places.push_back(place);
    }

    /// A text run that is a CR LF and then plain text: a line end and indentation in a CR LF file.
    /// Its text is the run without the CR, so as a hole it is still a piece of the input.
    static bool StartsWithCrLf(const char* begin, const char* end) noexcept {
        return end - begin >= 2 && begin[0] == '\r' && begin[1] == '\n' && SkipPlainText(begin + 2, end) == end;
    }

    /// Whether the `size` bytes at `at` equal those at `seen`, which lies before `at` in the input.
    /// Precondition: size <= end_ - at.
    bool SameBytes(const char* at, const char* seen, std::size_t size) const noexcept {
#if defined(__SSE2__)
        auto equal16 = [](const char* a, const char* b) {
            const __m128i x = _mm_loadu_si128(reinterpret_cast<const __m128i*>(a));
            const __m128i y = _mm_loadu_si128(reinterpret_cast<const __m128i*>(b));
            return static_cast<unsigned>(_mm_movemask_epi8(_mm_cmpeq_epi8(x, y)));
        };
        if (size >= 16) {
            for (std::size_t done = 0; done + 16 < size; done += 16) {
                if (equal16(at + done, seen + done) != 0xFFFFu) {
                    return false;
                }
            }
            return equal16(at + size - 16, seen + size - 16) == 0xFFFFu;  // the last 16, overlapping
        }
        if (end_ - at >= 16) {  // `seen` + 16 is then in the input too
            const unsigned wanted = (1u << size) - 1;
            return (equal16(at, seen) & wanted) == wanted;
        }
#endif
        return std::memcmp(at, seen, size) == 0;
    }

    /// At the '<' of a start tag: if the element has the shape's bytes, applies it (the handler's
    /// plan, else its events) and moves past it (true, also when the handler refused it); else
    /// changes nothing (false).
    bool Replay(std::size_t slot) {
        RecordedShape& shape = shapes_[slot];
        const char* p = p_;
        std::size_t hole = 0;
        std::size_t longest_hole = 0;
        const std::size_t piece_count = shape.pieces.size();
        for (std::size_t piece_idx = 0; piece_idx < piece_count; ++piece_idx) {
            const Piece& piece = shape.pieces[piece_idx];
            if (static_cast<std::size_t>(end_ - p) < piece.size || !SameBytes(p, piece.literal, piece.size)) {
                return false;
            }
            piece_starts_[piece_idx] = p;
            p += piece.size;
            if (piece.hole == Hole::kNone) {
                break;  // the last piece
            }
            const char* text = p;
            const char* close = nullptr;
            const char terminator = piece.hole == Hole::kValue ? piece.quote : '<';
#if defined(__SSE2__)
            // Most holes are as long as in the recorded element (a time, a latitude, an indent).
            // Checking that guess, rather than computing where the hole ends, lets the next
            // comparison start before this one is done: its address does not wait for the data.
            if (piece.hole_size < 16 && end_ - p >= 16) {
                const unsigned stops = piece.hole == Hole::kValue ? ValueStops(p, piece.quote) : PlainTextStops(p);
                const unsigned first = 1u << piece.hole_size;
                if ((stops & ((first << 1) - 1)) == first && p[piece.hole_size] == terminator) {
                    close = p + piece.hole_size;
                }
            }
#endif
            if (close == nullptr) {
                close = piece.hole == Hole::kValue ? SkipValueChars(p, end_, piece.quote) : SkipPlainText(p, end_);
                if (piece.hole == Hole::kText && close == p && end_ - p >= 2 && p[0] == '\r' && p[1] == '\n') {
                    text = p + 1;  // see StartsWithCrLf
                    close = SkipPlainText(p + 2, end_);
                }
                if (close >= end_ || *close != terminator) {
                    return false;
                }
            }
            const auto size = static_cast<std::size_t>(close - text);
            hole_values_[hole++] = std::string_view(text, size);
            longest_hole = std::max(longest_hole, size);
            p = close;
        }
        shape.last_use = ++use_clock_;
        shape.misses = 0;
        shape.repeated = true;
        record_backoff_[BackoffLevel(shape.depth)] = 0;
        record_wait_[BackoffLevel(shape.depth)] = 0;
        if (shape.plan >= 0 && longest_hole <= kMaxTextBytes && Depth() + shape.max_depth <= MaxDepth() &&
            RunPlan(shape.plan, hole_values_.data())) {
            AppliedWhole(shape.starts);
            p_ = p;
            return true;
        }
        p_ = p;
        const std::size_t event_count = shape.events.size();
        for (std::size_t event_idx = 0; event_idx < event_count; ++event_idx) {
            const ShapeEvent& event = shape.events[event_idx];
            switch (event.kind) {
                case ShapeEvent::Kind::kStart: {
                    attributes_.clear();
                    for (std::uint32_t attribute_idx = 0; attribute_idx < event.attribute_count; ++attribute_idx) {
                        const std::uint32_t at = event.first_attribute + attribute_idx;
                        const ShapeAttribute& attribute = shape.attributes[at];
                        attributes_.push_back(
                            Attribute{shape.attribute_names[at], hole_values_[attribute.hole], attribute.local_name});
                    }
                    const Attributes view(attributes_.data(), attributes_.data() + attributes_.size());
                    const StartPlace& place = shape.places[event_idx];
                    if (!Start(event.local_name, view, Offset(piece_starts_[place.piece] + place.offset), place.name)) {
                        return true;
                    }
                    break;
                }
                case ShapeEvent::Kind::kText: {
                    const std::string_view text = hole_values_[event.hole];
                    if (!AppendText(text.data(), text.size())) {
                        return true;
                    }
                    break;
                }
                case ShapeEvent::Kind::kEnd:
                    End();
                    if (stopped_) {
                        return true;
                    }
                    break;
            }
        }
        return true;
    }

    const char* p_ = nullptr;
    const char* end_ = nullptr;
    bool stopped_ = false;
    std::array<RecordedShape, kShapeSlots> shapes_;  // ready to match (those with events)
    RecordedShape recorded_;                         // the one being recorded, while recording_
    bool recording_ = false;
    std::uint64_t use_clock_ = 0;
    std::array<std::size_t, kBackoffLevels> record_backoff_{};  // per depth, see BackOff
    std::array<std::size_t, kBackoffLevels> record_wait_{};     // start tags to let pass before recording
    const char* record_mark_ = nullptr;                         // where the literal being recorded starts
    std::array<std::string_view, kMaxShapeHoles> hole_values_{};
    std::array<const char*, kMaxShapeHoles + 1> piece_starts_{};
    std::vector<Attribute> attributes_;
    std::vector<RawValue> raw_values_;
    std::string scratch_;
};

}  // namespace

std::string_view LocalName(std::string_view qualified_name) noexcept {
    for (std::size_t char_idx = qualified_name.size(); char_idx > 0; --char_idx) {
        if (qualified_name[char_idx - 1] == ':') {
            return qualified_name.substr(char_idx);
        }
    }
    return qualified_name;
}

std::size_t CountOccurrences(std::string_view haystack, std::string_view needle) noexcept {
    if (needle.empty() || needle.size() > haystack.size()) {
        return 0;
    }
    const std::size_t n = needle.size();
    std::size_t count = 0;
    const char* at = haystack.data();
    const char* const last = haystack.data() + haystack.size() - n;  // last possible start
    auto matches = [&](const char* start) {
        std::size_t matched = 0;
        while (matched < n && start[matched] == needle[matched]) {
            ++matched;
        }
        return matched == n;
    };
#if defined(__SSE2__)
    // Sixteen candidate starts at a time: those whose first and last bytes are the needle's ("<" and
    // "t" for "<trkpt" and "<Trackpoint"), which XML markup rarely has at that distance; each
    // candidate is then compared in place. One pass at memory speed, no call per candidate.
    const __m128i first = _mm_set1_epi8(needle.front());
    const __m128i final = _mm_set1_epi8(needle.back());
    while (last - at >= 16) {  // the 16 starts at .. at+15 and their last bytes are all in the input
        const __m128i head = _mm_loadu_si128(reinterpret_cast<const __m128i*>(at));
        const __m128i tail = _mm_loadu_si128(reinterpret_cast<const __m128i*>(at + n - 1));
        unsigned mask = static_cast<unsigned>(
            _mm_movemask_epi8(_mm_and_si128(_mm_cmpeq_epi8(head, first), _mm_cmpeq_epi8(tail, final))));
        const char* next = at + 16;
        while (mask != 0) {
            const char* start = at + TrailingZeros(mask);
            mask &= mask - 1;
            if (matches(start)) {
                ++count;
                // Non-overlapping: the next match starts after this one.
                const char* after = start + n;
                if (after > next) {
                    next = after;
                    mask = 0;
                } else {
                    mask &= ~0u << static_cast<unsigned>(after - at);
                }
            }
        }
        at = next;
    }
#endif
    while (at <= last) {
        if (matches(at)) {
            ++count;
            at += n;
        } else {
            ++at;
        }
    }
    return count;
}

std::optional<std::string_view> Attributes::Find(std::string_view local_name) const noexcept {
    for (const Attribute* attribute = begin_; attribute != end_; ++attribute) {
        if (SameName(attribute->local_name, local_name)) {
            return attribute->value;
        }
    }
    return std::nullopt;
}

namespace {

Outcome RunEngine(Engine engine, std::string_view bytes, const Limits& limits, Handler& handler,
                  std::uint64_t& error_serial) {
    Outcome outcome;
    if (engine == Engine::kExpat) {
        return ParseWithExpat(bytes, limits, handler, error_serial);
    }
    FastReader reader(bytes, limits, handler);
    if (!reader.Run()) {
        outcome.needs_expat = true;
        return outcome;
    }
    if (reader.Failed()) {
        error_serial = reader.ErrorSerial();
        outcome.error = reader.TakeError();
    }
    return outcome;
}

/// The path of the `serial`-th start tag, by reading the document again up to it with the same
/// engine (which sees the same elements in the same order).
std::string PathTo(Engine engine, std::string_view bytes, const Limits& limits, std::uint64_t serial) {
    PathRecorder recorder(serial);
    Limits deeper = limits;
    deeper.max_xml_depth = limits.max_xml_depth + 1;  // a depth error's element must be reachable
    std::uint64_t ignored = 0;
    RunEngine(engine, bytes, deeper, recorder, ignored);
    return recorder.Path();
}

}  // namespace

Outcome Parse(Engine engine, std::string_view bytes, const Limits& limits, Handler& handler) {
    if (bytes.empty()) {
        Outcome outcome;
        outcome.error = EmptyFile();
        return outcome;
    }
    std::uint64_t error_serial = 0;
    Outcome outcome = RunEngine(engine, bytes, limits, handler, error_serial);
    if (outcome.error && error_serial != 0) {
        outcome.error->context = PathTo(engine, bytes, limits, error_serial);
    }
    return outcome;
}

}  // namespace strava1::formats::xml
