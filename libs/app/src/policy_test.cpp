#include "strava1/app/policy.hpp"

#include <boost/asio/io_context.hpp>
#include <gtest/gtest.h>

#include <functional>
#include <map>

#include "strava1/testing/pg.hpp"

namespace strava1::app {
namespace {
namespace asio = boost::asio;

struct Row {
    std::int64_t id = 0;
    std::int64_t owner_id = 0;
};

ErrorKind KindOf(const std::function<void()>& body) {
    try {
        body();
    } catch (const Error& e) {
        return e.Kind();
    }
    return ErrorKind::kInternal;  // "did not throw"
}

TEST(Policy, LoadOr404AndOwnerOnly) {
    const Principal ana{1, 10, {}};
    EXPECT_EQ(Found(std::optional<int>(5), "thing"), 5);
    try {
        Found(std::optional<int>(), "privacy zone");
        ADD_FAILURE();
    } catch (const Error& e) {
        EXPECT_EQ(e.Kind(), ErrorKind::kNotFound);
        EXPECT_EQ(e.Detail(), "privacy zone not found");
    }
    auto owner = [](const Row& r) { return r.owner_id; };
    EXPECT_EQ(FoundOwned(ana, std::optional<Row>(Row{7, 1}), owner, "activity").id, 7);
    EXPECT_EQ(KindOf([&] {
                  FoundOwned(ana, std::optional<Row>(Row{7, 2}), owner, "activity");
              }),
              ErrorKind::kNotFound)
        << "another's object answers as a missing one";
    EXPECT_EQ(KindOf([&] { FoundOwned(ana, std::optional<Row>(), owner, "activity"); }), ErrorKind::kNotFound);
    EXPECT_EQ(KindOf([&] { RequireOwner(ana, 2, "upload"); }), ErrorKind::kNotFound);
}

TEST(Policy, VisibleThroughThePrivacyFunction) {
    struct View {
        bool owner = false;
    };
    auto decide = [](std::int64_t viewer, std::int64_t owner, bool everyone) -> std::optional<View> {
        if (viewer == owner) {
            return View{true};
        }
        return everyone ? std::optional<View>(View{}) : std::nullopt;
    };
    EXPECT_TRUE(RequireVisible(decide(1, 1, false), "activity").owner);
    EXPECT_FALSE(RequireVisible(decide(2, 1, true), "activity").owner);
    EXPECT_EQ(KindOf([&] { RequireVisible(decide(2, 1, false), "activity"); }), ErrorKind::kNotFound);
}

/// A hand-written fake of the groups feature's membership.
class FakeMembership final : public Membership {
public:
    std::map<std::pair<std::int64_t, std::int64_t>, Role> roles;
    asio::awaitable<Role> RoleOf(std::int64_t scope_id, std::int64_t user_id) override {
        auto it = roles.find({scope_id, user_id});
        co_return it == roles.end() ? Role::kNone : it->second;
    }
};

TEST(Policy, MemberOfAndAdminOf) {
    FakeMembership groups;
    groups.roles[{5, 1}] = Membership::Role::kAdmin;
    groups.roles[{5, 2}] = Membership::Role::kMember;
    asio::io_context io;
    auto kind = [&io](auto check) { return KindOf([&] { testing::RunSync(io, std::move(check)); }); };
    EXPECT_EQ(testing::RunSync(io, RequireMember(&groups, 5, Principal{2, 0, {}}, "group")), Membership::Role::kMember);
    EXPECT_EQ(kind(RequireMember(&groups, 5, Principal{3, 0, {}}, "group")), ErrorKind::kNotFound)
        << "a stranger may not learn the group exists";
    testing::RunSync(io, RequireAdmin(&groups, 5, Principal{1, 0, {}}, "group"));
    EXPECT_EQ(kind(RequireAdmin(&groups, 5, Principal{2, 0, {}}, "group")), ErrorKind::kPermissionDenied);
    EXPECT_EQ(kind(RequireAdmin(&groups, 5, Principal{3, 0, {}}, "group")), ErrorKind::kNotFound);
    EXPECT_EQ(kind(RequireAdmin(&groups, 6, Principal{1, 0, {}}, "group")), ErrorKind::kNotFound)
        << "a role in one group is none in another";
}

}  // namespace
}  // namespace strava1::app
