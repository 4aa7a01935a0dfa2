#include "strava1/http/router.hpp"

#include <gtest/gtest.h>

namespace strava1::http {
namespace {

boost::asio::awaitable<Response> Ok(RequestPtr) { co_return Response::NoContent(); }

Route Make(Method m, std::string path, Access access = Access::Anyone()) {
    Route r;
    r.method = m;
    r.path = std::move(path);
    r.access = access;
    r.body = Body::None();
    r.handler = Ok;
    return r;
}

TEST(Router, MatchesTemplatesAndExtractsParams) {
    Router router;
    router.Add(Make(Method::kGet, "/v1/users/{user_id}"));
    router.Add(Make(Method::kGet, "/v1/me"));
    auto m = router.Match(Method::kGet, "/v1/users/42");
    ASSERT_NE(m.route, nullptr);
    EXPECT_EQ(m.route->path, "/v1/users/{user_id}");
    ASSERT_EQ(m.params.size(), 1u);
    EXPECT_EQ(m.params[0].first, "user_id");
    EXPECT_EQ(m.params[0].second, "42");
    EXPECT_EQ(router.Match(Method::kGet, "/v1/me").index, 1u);
}

TEST(Router, DistinguishesNotFoundFromMethodNotAllowed) {
    Router router;
    router.Add(Make(Method::kGet, "/v1/me"));
    router.Add(Make(Method::kPatch, "/v1/me"));
    auto missing = router.Match(Method::kGet, "/v1/nope");
    EXPECT_EQ(missing.route, nullptr);
    EXPECT_FALSE(missing.path_exists);
    auto wrong = router.Match(Method::kPost, "/v1/me");
    EXPECT_EQ(wrong.route, nullptr);
    EXPECT_TRUE(wrong.path_exists);
    EXPECT_EQ(wrong.allow, "GET, HEAD, PATCH");
    EXPECT_NE(router.Match(Method::kHead, "/v1/me").route, nullptr);
}

TEST(Router, DoesNotMatchEmptyParamsOrExtraSegments) {
    Router router;
    router.Add(Make(Method::kGet, "/v1/users/{user_id}"));
    EXPECT_FALSE(router.Match(Method::kGet, "/v1/users/").path_exists);
    EXPECT_FALSE(router.Match(Method::kGet, "/v1/users/1/x").path_exists);
    EXPECT_FALSE(router.Match(Method::kGet, "v1/users/1").path_exists);
}

TEST(Router, RefusesRoutesWithoutPolicyDuplicatesAndBadTemplates) {
    Router router;
    EXPECT_THROW(router.Add(Make(Method::kGet, "/v1/x", Access{})), std::invalid_argument);
    router.Add(Make(Method::kGet, "/v1/x"));
    EXPECT_THROW(router.Add(Make(Method::kGet, "/v1/x")), std::invalid_argument);
    EXPECT_THROW(router.Add(Make(Method::kGet, "/v1/{x")), std::invalid_argument);
    EXPECT_THROW(router.Add(Make(Method::kGet, "v1/y")), std::invalid_argument);
    Route no_handler = Make(Method::kGet, "/v1/z");
    no_handler.handler = nullptr;
    EXPECT_THROW(router.Add(no_handler), std::invalid_argument);
}

TEST(Router, RefusesRoutesThatDoNotStateTheirBody) {
    Router router;
    Route unstated = Make(Method::kPost, "/v1/a");
    unstated.body = Body{};
    EXPECT_THROW(router.Add(unstated), std::invalid_argument);
    Route none_with_limit = Make(Method::kPost, "/v1/b");
    none_with_limit.body = Body{BodyKind::kNone, 10};
    EXPECT_THROW(router.Add(none_with_limit), std::invalid_argument);
    Route json_without_limit = Make(Method::kPost, "/v1/c");
    json_without_limit.body = Body{BodyKind::kJson, 0};
    EXPECT_THROW(router.Add(json_without_limit), std::invalid_argument);
    router.Add({.method = Method::kPost,
                .path = "/v1/d",
                .summary = "A large JSON batch",
                .access = Access::SignedIn(),
                .body = Body::Json(8u << 20),
                .idempotent = true,
                .handler = Ok});
    const Route& added = router.Routes().back();
    EXPECT_EQ(added.body.kind, BodyKind::kJson);
    EXPECT_EQ(added.body.limit, 8u << 20);
    EXPECT_TRUE(added.idempotent);
    EXPECT_EQ(BodyKindName(BodyKind::kMultipart), "multipart");
    EXPECT_EQ(AuthPolicyName(AuthPolicy::kOwnToken), "token");
    EXPECT_EQ(AccessKindName(AccessKind::kScopeAdmin), "scope-admin");
    EXPECT_EQ(RateClassName(RateClass::kAuth), "auth");
}

TEST(Router, RefusesAnAccessThatNamesNoObjectOrAParameterThePathLacks) {
    Router router;
    // An owner policy without its object, or naming a parameter the path does not have, could never
    // be enforced by what the route table says.
    EXPECT_THROW(router.Add(Make(Method::kGet, "/v1/things/{thing_id}", Access{AccessKind::kOwner, {}, {}})),
                 std::invalid_argument);
    EXPECT_THROW(router.Add(Make(Method::kGet, "/v1/things/{thing_id}", Access::OwnerOf("thing", "id"))),
                 std::invalid_argument);
    EXPECT_THROW(router.Add(Make(Method::kGet, "/v1/things", Access{AccessKind::kSignedIn, "thing", "thing_id"})),
                 std::invalid_argument);
    router.Add(Make(Method::kGet, "/v1/things/{thing_id}", Access::ViewerOf("thing", "thing_id")));
    const Route& added = router.Routes().back();
    EXPECT_EQ(added.Auth(), AuthPolicy::kUser);
    EXPECT_EQ(AuthPolicyOf(Access::SignedUrl()), AuthPolicy::kPublic);
    EXPECT_EQ(AuthPolicyOf(Access::Operator()), AuthPolicy::kOwnToken);
    EXPECT_EQ(AuthPolicyOf(Access::AdminOf("club", "club_id")), AuthPolicy::kUser);
}

}  // namespace
}  // namespace strava1::http
