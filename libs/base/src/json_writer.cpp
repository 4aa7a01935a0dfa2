#include "strava1/base/json_writer.hpp"

#include <charconv>
#include <cmath>

namespace strava1::json {

void AppendQuoted(std::string& out, std::string_view text) {
    static constexpr char kHex[] = "0123456789abcdef";
    out.push_back('"');
    std::size_t run_start = 0;
    for (std::size_t idx = 0; idx < text.size(); ++idx) {
        auto c = static_cast<unsigned char>(text[idx]);
        if (c >= 0x20 && c != '"' && c != '\\') {
            continue;
        }
        out.append(text.substr(run_start, idx - run_start));
        run_start = idx + 1;
        switch (c) {
            case '"':
                out.append("\\\"");
                break;
            case '\\':
                out.append("\\\\");
                break;
            case '\n':
                out.append("\\n");
                break;
            case '\r':
                out.append("\\r");
                break;
            case '\t':
                out.append("\\t");
                break;
            case '\b':
                out.append("\\b");
                break;
            case '\f':
                out.append("\\f");
                break;
            default: {
                char escaped[] = {'\\', 'u', '0', '0', kHex[c >> 4], kHex[c & 0xF]};
                out.append(escaped, sizeof escaped);
            }
        }
    }
    out.append(text.substr(run_start));
    out.push_back('"');
}

void Writer::BeforeValue() {
    if (after_key_) {
        after_key_ = false;
        return;
    }
    if (depth_ > 0) {
        std::uint64_t bit = std::uint64_t{1} << (depth_ - 1);
        if ((has_members_ & bit) != 0) {
            out_.push_back(',');
        }
        has_members_ |= bit;
    }
}

void Writer::Open(char bracket) {
    BeforeValue();
    out_.push_back(bracket);
    ++depth_;
    has_members_ &= ~(std::uint64_t{1} << (depth_ - 1));
}

void Writer::Close(char bracket) {
    --depth_;
    out_.push_back(bracket);
}

Writer& Writer::BeginObject() {
    Open('{');
    return *this;
}

Writer& Writer::EndObject() {
    Close('}');
    return *this;
}

Writer& Writer::BeginArray() {
    Open('[');
    return *this;
}

Writer& Writer::EndArray() {
    Close(']');
    return *this;
}

Writer& Writer::Key(std::string_view key) {
    BeforeValue();
    AppendQuoted(out_, key);
    out_.push_back(':');
    after_key_ = true;
    return *this;
}

Writer& Writer::String(std::string_view value) {
    BeforeValue();
    AppendQuoted(out_, value);
    return *this;
}

Writer& Writer::Int(std::int64_t value) {
    BeforeValue();
    char buf[24];
    auto [end, ec] = std::to_chars(buf, buf + sizeof buf, value);
    out_.append(buf, end);
    return *this;
}

Writer& Writer::Uint(std::uint64_t value) {
    BeforeValue();
    char buf[24];
    auto [end, ec] = std::to_chars(buf, buf + sizeof buf, value);
    out_.append(buf, end);
    return *this;
}

Writer& Writer::Double(double value) {
    BeforeValue();
    if (!std::isfinite(value)) {
        out_.append("null");
        return *this;
    }
    char buf[32];
    auto [end, ec] = std::to_chars(buf, buf + sizeof buf, value);
    out_.append(buf, end);
    return *this;
}

Writer& Writer::Bool(bool value) {
    BeforeValue();
    out_.append(value ? "true" : "false");
    return *this;
}

Writer& Writer::Null() {
    BeforeValue();
    out_.append("null");
    return *this;
}

}  // namespace strava1::json
