#pragma once

#include "posts_service.hpp"
#include "strava1/app/registry.hpp"
#include "strava1/base/json_writer.hpp"
#include "strava1/http/message.hpp"

namespace strava1::social {

/// Writes row `row` of `rows` as the Post schema (the feed writes its post items with it too).
void WritePost(json::Writer& w, const Rows& rows, int row);

/// The route table of posts, comments, kudos and likes.
class PostRoutes {
public:
    explicit PostRoutes(Posts& posts) : posts_(posts) {}
    void Register(app::Registry& registry);

private:
    Posts& posts_;
};

}  // namespace strava1::social
