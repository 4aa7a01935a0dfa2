// libFuzzer target for the XML layer under the GPX/TCX importers: its two engines (the fast UTF-8
// scanner and expat) must agree on every input the fast one decides - the same element events, the
// same text, the same attributes, and the same refusal (reason, line, column, byte and path). The
// fast engine may defer to expat, but never accept what expat refuses or refuse differently; any
// disagreement aborts, so libFuzzer reports it. Seeds are the GPX and TCX corpora (see xml.dict).

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>

#include "strava1/formats/parse.hpp"
#include "xml.hpp"

namespace {

using strava1::formats::Limits;
using strava1::formats::ParseError;
namespace xml = strava1::formats::xml;

/// Every event as text, so two runs can be compared as one string.
class Transcript final : public xml::Handler {
public:
    bool StartElement(xml::Reader& reader, std::string_view name, const xml::Attributes& attributes) override {
        log += '<';
        log.append(name);
        for (const char* attribute : {"lat", "lon", "creator", "Sport", "StartTime", "version"}) {
            if (auto value = attributes.Find(attribute)) {
                log += ' ';
                log += attribute;
                log += '=';
                log.append(*value);
            }
        }
        log += ' ';
        log += std::to_string(reader.Depth());
        log += '>';
        // Refuse somewhere in the middle now and then, to compare handler-raised errors too.
        if (name == "fail") {
            reader.Fail("refused");
        }
        return name.size() % 2 == 0;  // capture the text of some elements, not others
    }
    void EndElement(xml::Reader& /*reader*/, std::string_view text) override {
        log += "</";
        log.append(text);
        log += '>';
    }
    std::string log;
};

std::string Verdict(const xml::Outcome& outcome) {
    if (!outcome.error) {
        return "accepted";
    }
    const ParseError& error = *outcome.error;
    return error.Describe() + " @" + std::to_string(error.byte_offset.value_or(0));
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const std::string_view input(reinterpret_cast<const char*>(data), size);
    Limits limits;
    limits.max_xml_depth = 16;

    Transcript fast;
    const xml::Outcome fast_outcome = xml::Parse(xml::Engine::kFast, input, limits, fast);
    Transcript expat;
    const xml::Outcome expat_outcome = xml::Parse(xml::Engine::kExpat, input, limits, expat);
    if (expat_outcome.needs_expat) {
        std::abort();  // expat decides everything
    }
    if (fast_outcome.needs_expat) {
        return 0;
    }
    if (fast.log != expat.log || Verdict(fast_outcome) != Verdict(expat_outcome)) {
        std::abort();
    }
    return 0;
}
