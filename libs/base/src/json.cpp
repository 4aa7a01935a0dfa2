#include "strava1/base/json.hpp"

#include <boost/json/basic_parser_impl.hpp>

#include <unordered_set>

#include "strava1/base/json_writer.hpp"

namespace strava1::json {
namespace {

/// Builds the value like Boost.JSON's own parser handler, and also refuses a key that appears
/// twice in one object (RFC 8259 leaves the meaning open; Boost.JSON 1.81 silently keeps one of
/// them, so two components could read different values out of the same body).
class StrictHandler {
public:
    static constexpr std::size_t max_object_size =
        boost::json::object::max_size();  // NOLINT(readability-identifier-naming)
    static constexpr std::size_t max_array_size =
        boost::json::array::max_size();  // NOLINT(readability-identifier-naming)
    static constexpr std::size_t max_key_size =
        boost::json::string::max_size();  // NOLINT(readability-identifier-naming)
    static constexpr std::size_t max_string_size =
        boost::json::string::max_size();  // NOLINT(readability-identifier-naming)

    boost::json::value_stack stack;
    std::optional<std::string> duplicate;  ///< dotted path of the first repeated key

    // The parser's handler interface: names and signatures are Boost.JSON's.
    // NOLINTBEGIN(readability-identifier-naming)
    bool on_document_begin(boost::system::error_code&) { return true; }
    bool on_document_end(boost::system::error_code&) { return true; }
    bool on_object_begin(boost::system::error_code&) {
        Open(true);
        return true;
    }
    bool on_object_end(std::size_t n, boost::system::error_code&) {
        stack.push_object(n);
        Close();
        return true;
    }
    bool on_array_begin(boost::system::error_code&) {
        Open(false);
        return true;
    }
    bool on_array_end(std::size_t n, boost::system::error_code&) {
        stack.push_array(n);
        Close();
        return true;
    }
    bool on_key_part(boost::json::string_view s, std::size_t, boost::system::error_code&) {
        stack.push_chars(s);
        pending_key_.append(s.data(), s.size());
        return true;
    }
    bool on_key(boost::json::string_view s, std::size_t, boost::system::error_code& ec) {
        stack.push_key(s);
        pending_key_.append(s.data(), s.size());
        Frame& frame = frames_.back();
        if (!frame.keys.insert(pending_key_).second) {
            duplicate = Path(pending_key_);
            ec = boost::json::error::syntax;
            return false;
        }
        frame.key = std::move(pending_key_);
        pending_key_.clear();
        return true;
    }
    bool on_string_part(boost::json::string_view s, std::size_t, boost::system::error_code&) {
        stack.push_chars(s);
        return true;
    }
    bool on_string(boost::json::string_view s, std::size_t, boost::system::error_code&) {
        stack.push_string(s);
        Scalar();
        return true;
    }
    bool on_number_part(boost::json::string_view, boost::system::error_code&) { return true; }
    bool on_int64(std::int64_t i, boost::json::string_view, boost::system::error_code&) {
        stack.push_int64(i);
        Scalar();
        return true;
    }
    bool on_uint64(std::uint64_t u, boost::json::string_view, boost::system::error_code&) {
        stack.push_uint64(u);
        Scalar();
        return true;
    }
    bool on_double(double d, boost::json::string_view, boost::system::error_code&) {
        stack.push_double(d);
        Scalar();
        return true;
    }
    bool on_bool(bool b, boost::system::error_code&) {
        stack.push_bool(b);
        Scalar();
        return true;
    }
    bool on_null(boost::system::error_code&) {
        stack.push_null();
        Scalar();
        return true;
    }
    bool on_comment_part(boost::json::string_view, boost::system::error_code&) { return true; }
    bool on_comment(boost::json::string_view, boost::system::error_code&) { return true; }
    // NOLINTEND(readability-identifier-naming)

private:
    struct Frame {
        bool object = false;
        std::string name;  // this container's path component within its parent
        std::unordered_set<std::string> keys;
        std::string key;           // object: the member being read
        std::size_t elements = 0;  // array: elements completed so far
    };

    std::string Component() const {
        if (frames_.empty()) {
            return {};
        }
        const Frame& parent = frames_.back();
        return parent.object ? parent.key : "[" + std::to_string(parent.elements) + "]";
    }
    void Open(bool object) {
        Frame frame;
        frame.object = object;
        frame.name = Component();
        frames_.push_back(std::move(frame));
    }
    void Close() {
        frames_.pop_back();
        Scalar();
    }
    /// A value of the current container is complete.
    void Scalar() {
        if (!frames_.empty() && !frames_.back().object) {
            ++frames_.back().elements;
        }
    }
    std::string Path(const std::string& key) const {
        std::string path;
        for (std::size_t idx = 1; idx < frames_.size(); ++idx) {
            const std::string& name = frames_[idx].name;
            if (!path.empty() && !name.starts_with("[")) {
                path += ".";
            }
            path += name;
        }
        return path.empty() ? key : path + "." + key;
    }

    std::vector<Frame> frames_;
    std::string pending_key_;
};

void WriteTo(Writer& w, const boost::json::value& value) {
    switch (value.kind()) {
        case boost::json::kind::null:
            w.Null();
            break;
        case boost::json::kind::bool_:
            w.Bool(value.get_bool());
            break;
        case boost::json::kind::int64:
            w.Int(value.get_int64());
            break;
        case boost::json::kind::uint64:
            w.Uint(value.get_uint64());
            break;
        case boost::json::kind::double_:
            w.Double(value.get_double());
            break;
        case boost::json::kind::string:
            w.String(std::string_view(value.get_string().data(), value.get_string().size()));
            break;
        case boost::json::kind::array:
            w.BeginArray();
            for (const auto& item : value.get_array()) {
                WriteTo(w, item);
            }
            w.EndArray();
            break;
        case boost::json::kind::object:
            w.BeginObject();
            for (const auto& member : value.get_object()) {
                w.Key(std::string_view(member.key().data(), member.key().size()));
                WriteTo(w, member.value());
            }
            w.EndObject();
            break;
    }
}

}  // namespace

boost::json::value Parse(std::string_view text, std::size_t max_depth) {
    boost::json::parse_options options;
    options.max_depth = max_depth;
    boost::json::basic_parser<StrictHandler> parser(options);
    parser.handler().stack.reset();
    boost::system::error_code ec;
    std::size_t consumed = parser.write_some(false, text.data(), text.size(), ec);
    if (!ec && consumed != text.size()) {
        ec = boost::json::error::extra_data;
    }
    if (auto& duplicate = parser.handler().duplicate) {
        std::string reason = "duplicate key";
        throw Error(ErrorKind::kInvalidArgument, *duplicate + ": " + reason, {FieldError{*duplicate, reason}});
    }
    if (ec) {
        std::string reason = "invalid JSON at byte " + std::to_string(consumed) + ": " + ec.message();
        throw Error(ErrorKind::kInvalidArgument, reason, {FieldError{"body", reason}});
    }
    return parser.handler().stack.release();
}

std::string Serialize(const boost::json::value& value) {
    std::string out;
    Writer w(out);
    WriteTo(w, value);
    return out;
}

}  // namespace strava1::json
