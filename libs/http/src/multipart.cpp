#include "strava1/http/multipart.hpp"

#include <algorithm>

#include "strava1/base/error.hpp"
#include "strava1/base/text.hpp"

namespace strava1::http {
namespace {

bool IEquals(std::string_view a, std::string_view b) {
    return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
               return (x >= 'A' && x <= 'Z' ? x + 32 : x) == (y >= 'A' && y <= 'Z' ? y + 32 : y);
           });
}

Error Malformed(std::string why) { return Error(ErrorKind::kInvalidArgument, "malformed multipart body: " + why); }

/// Parameters of a header value like `form-data; name="file"; filename="a.gpx"`. Quoted strings
/// may contain ';' and backslash escapes (RFC 7578 section 4.2 asks senders to percent-encode
/// instead, but browsers send quotes escaped as %22 and backslashes as-is).
struct HeaderValue {
    std::string_view main;
    std::vector<std::pair<std::string, std::string>> params;

    std::optional<std::string> Param(std::string_view key) const {
        for (const auto& [k, v] : params) {
            if (IEquals(k, key)) {
                return v;
            }
        }
        return std::nullopt;
    }
};

std::optional<HeaderValue> ParseHeaderValue(std::string_view value) {
    HeaderValue out;
    std::size_t semi = value.find(';');
    out.main = text::TrimOws(value.substr(0, semi));
    std::size_t i = semi == std::string_view::npos ? value.size() : semi + 1;
    while (i < value.size()) {
        while (i < value.size() && (value[i] == ' ' || value[i] == '\t' || value[i] == ';')) {
            ++i;
        }
        if (i >= value.size()) {
            break;
        }
        std::size_t eq = value.find('=', i);
        if (eq == std::string_view::npos) {
            return std::nullopt;
        }
        std::string key(text::TrimOws(value.substr(i, eq - i)));
        i = eq + 1;
        std::string val;
        if (i < value.size() && value[i] == '"') {
            ++i;
            bool closed = false;
            while (i < value.size()) {
                char c = value[i++];
                if (c == '"') {
                    closed = true;
                    break;
                }
                if (c == '\\' && i < value.size() && (value[i] == '"' || value[i] == '\\')) {
                    c = value[i++];
                }
                val.push_back(c);
            }
            if (!closed) {
                return std::nullopt;
            }
        } else {
            std::size_t end = value.find(';', i);
            val = std::string(
                text::TrimOws(value.substr(i, end == std::string_view::npos ? std::string_view::npos : end - i)));
            i = end == std::string_view::npos ? value.size() : end;
        }
        if (key.empty()) {
            return std::nullopt;
        }
        out.params.emplace_back(std::move(key), std::move(val));
    }
    return out;
}

}  // namespace

std::optional<std::string> MultipartBoundary(std::string_view content_type) {
    auto parsed = ParseHeaderValue(content_type);
    if (!parsed || !IEquals(parsed->main, "multipart/form-data")) {
        return std::nullopt;
    }
    auto boundary = parsed->Param("boundary");
    if (!boundary || boundary->empty() || boundary->size() > 70) {
        return std::nullopt;
    }
    return boundary;
}

std::vector<FormPart> ParseMultipart(std::string_view content_type, std::string_view body, std::size_t max_parts) {
    auto boundary = MultipartBoundary(content_type);
    if (!boundary) {
        throw Malformed("the Content-Type has no valid boundary");
    }
    const std::string delimiter = "--" + *boundary;
    // The first delimiter may follow a preamble; later ones are preceded by CRLF.
    std::size_t pos = 0;
    if (body.substr(0, delimiter.size()) != delimiter) {
        std::size_t first = body.find("\r\n" + delimiter);
        if (first == std::string_view::npos) {
            throw Malformed("no opening boundary");
        }
        pos = first + 2;
    }
    const std::string next_delimiter = "\r\n" + delimiter;
    std::vector<FormPart> parts;
    for (;;) {
        pos += delimiter.size();
        if (body.substr(pos, 2) == "--") {
            return parts;  // closing delimiter; the epilogue is ignored
        }
        // Transport padding (spaces) may follow a delimiter, then CRLF.
        while (pos < body.size() && (body[pos] == ' ' || body[pos] == '\t')) {
            ++pos;
        }
        if (body.substr(pos, 2) != "\r\n") {
            throw Malformed("a boundary is not followed by a line break");
        }
        pos += 2;
        if (parts.size() >= max_parts) {
            throw Malformed("more than " + std::to_string(max_parts) + " parts");
        }
        FormPart part;
        part.content_type = "text/plain";
        bool has_disposition = false;
        for (;;) {
            std::size_t eol = body.find("\r\n", pos);
            if (eol == std::string_view::npos) {
                throw Malformed("part headers are not terminated");
            }
            std::string_view line = body.substr(pos, eol - pos);
            pos = eol + 2;
            if (line.empty()) {
                break;
            }
            if (line.size() > 8192) {
                throw Malformed("a part header line is too long");
            }
            std::size_t colon = line.find(':');
            if (colon == std::string_view::npos) {
                throw Malformed("a part header has no ':'");
            }
            std::string_view name = text::TrimOws(line.substr(0, colon));
            std::string_view value = text::TrimOws(line.substr(colon + 1));
            if (IEquals(name, "content-disposition")) {
                auto parsed = ParseHeaderValue(value);
                if (!parsed || !IEquals(parsed->main, "form-data")) {
                    throw Malformed("a part's Content-Disposition is not form-data");
                }
                auto field = parsed->Param("name");
                if (!field || field->empty()) {
                    throw Malformed("a part has no name");
                }
                part.name = *field;
                part.filename = parsed->Param("filename");
                has_disposition = true;
            } else if (IEquals(name, "content-type")) {
                part.content_type = std::string(value);
            }
        }
        if (!has_disposition) {
            throw Malformed("a part has no Content-Disposition");
        }
        std::size_t end = body.find(next_delimiter, pos);
        if (end == std::string_view::npos) {
            throw Malformed("no closing boundary");
        }
        part.body = body.substr(pos, end - pos);
        pos = end + 2;
        for (const auto& existing : parts) {
            if (existing.name == part.name) {
                throw Malformed("the part \"" + part.name + "\" appears twice");
            }
        }
        parts.push_back(std::move(part));
    }
}

}  // namespace strava1::http
