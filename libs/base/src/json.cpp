#include "strava1/base/json.hpp"

namespace strava1::json {

boost::json::value Parse(std::string_view text, std::size_t max_depth) {
    boost::json::parse_options options;
    options.max_depth = max_depth;
    boost::json::stream_parser parser({}, options);
    boost::system::error_code ec;
    std::size_t consumed = parser.write_some(text.data(), text.size(), ec);
    if (!ec) {
        parser.finish(ec);
    }
    if (!ec && consumed != text.size()) {
        ec = boost::json::error::extra_data;
    }
    if (ec) {
        std::string reason = "invalid JSON at byte " + std::to_string(consumed) + ": " + ec.message();
        throw Error(ErrorKind::kInvalidArgument, reason, {FieldError{"body", reason}});
    }
    return parser.release();
}

std::string Serialize(const boost::json::value& value) { return boost::json::serialize(value); }

}  // namespace strava1::json
