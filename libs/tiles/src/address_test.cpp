#include "address.hpp"

#include <gtest/gtest.h>

namespace strava1::tiles {
namespace {

std::vector<FieldError> Problems(std::string_view z, std::string_view x, std::string_view y, int max_zoom = 19) {
    auto parsed = ParseTileAddress(z, x, y, max_zoom);
    auto* errors = std::get_if<std::vector<FieldError>>(&parsed);
    return errors == nullptr ? std::vector<FieldError>{} : *errors;
}

std::vector<std::string> Fields(const std::vector<FieldError>& errors) {
    std::vector<std::string> out;
    for (const auto& e : errors) {
        out.push_back(e.field);
    }
    return out;
}

TEST(TileAddress, AcceptsEveryTileOfTheRange) {
    auto top = ParseTileAddress("0", "0", "0", 19);
    ASSERT_TRUE(std::holds_alternative<TileAddress>(top));
    EXPECT_EQ(std::get<TileAddress>(top), (TileAddress{0, 0, 0}));
    auto corner = ParseTileAddress("19", "524287", "524287", 19);
    ASSERT_TRUE(std::holds_alternative<TileAddress>(corner));
    EXPECT_EQ(std::get<TileAddress>(corner), (TileAddress{19, 524287, 524287}));
    EXPECT_EQ(std::get<TileAddress>(corner).Key(), "19/524287/524287");
}

TEST(TileAddress, NamesEachFieldOutOfRange) {
    EXPECT_EQ(Fields(Problems("20", "0", "0")), std::vector<std::string>{"z"});
    EXPECT_EQ(Problems("20", "0", "0")[0].reason, "must be an integer from 0 to 19");
    EXPECT_EQ(Fields(Problems("3", "8", "0")), std::vector<std::string>{"x"});
    EXPECT_EQ(Problems("3", "8", "0")[0].reason, "must be an integer from 0 to 7 at zoom 3");
    EXPECT_EQ(Fields(Problems("3", "0", "8")), std::vector<std::string>{"y"});
    EXPECT_EQ(Fields(Problems("1", "2", "2")), (std::vector<std::string>{"x", "y"}));
    EXPECT_EQ(Fields(Problems("12", "0", "0", 11)), std::vector<std::string>{"z"});
    EXPECT_TRUE(Problems("11", "0", "0", 11).empty());
}

TEST(TileAddress, RefusesWhatIsNotADecimalInteger) {
    for (std::string_view bad : {"", "-1", "+1", "1.0", "1e3", " 1", "0x1", "a", "99999999999", "١"}) {
        EXPECT_EQ(Fields(Problems(bad, "0", "0")), std::vector<std::string>{"z"}) << bad;
        EXPECT_EQ(Fields(Problems("5", bad, "0")), std::vector<std::string>{"x"}) << bad;
        EXPECT_EQ(Fields(Problems("5", "0", bad)), std::vector<std::string>{"y"}) << bad;
    }
    // x and y are still checked to be integers when z is out of range.
    EXPECT_EQ(Fields(Problems("99", "a", "0")), (std::vector<std::string>{"z", "x"}));
}

UpstreamTemplate Template(std::string_view text) {
    auto parsed = UpstreamTemplate::Parse(text);
    EXPECT_TRUE(std::holds_alternative<UpstreamTemplate>(parsed)) << text;
    return std::get<UpstreamTemplate>(parsed);
}

std::string TemplateProblem(std::string_view text) {
    auto parsed = UpstreamTemplate::Parse(text);
    auto* problem = std::get_if<std::string>(&parsed);
    return problem == nullptr ? "" : *problem;
}

TEST(UpstreamTemplate, ExpandsThePlaceholders) {
    EXPECT_EQ(Template("https://tile.openstreetmap.org/{z}/{x}/{y}.png").Expand({5, 17, 10}),
              "https://tile.openstreetmap.org/5/17/10.png");
    EXPECT_EQ(Template("http://127.0.0.1:9/t?l={z}&c={x}&r={y}").Expand({0, 0, 0}), "http://127.0.0.1:9/t?l=0&c=0&r=0");
    // {s} picks a, b or c by the tile, the same one every time.
    const UpstreamTemplate sub = Template("https://{s}.tile.example/{z}/{x}/{y}.png");
    EXPECT_EQ(sub.Expand({3, 0, 0}), "https://a.tile.example/3/0/0.png");
    EXPECT_EQ(sub.Expand({3, 1, 0}), "https://b.tile.example/3/1/0.png");
    EXPECT_EQ(sub.Expand({3, 1, 1}), "https://c.tile.example/3/1/1.png");
    EXPECT_EQ(sub.Expand({3, 2, 1}), "https://a.tile.example/3/2/1.png");
}

TEST(UpstreamTemplate, RefusesWhatCannotBeATileUrl) {
    EXPECT_EQ(TemplateProblem("ftp://x/{z}/{x}/{y}"), "must start with http:// or https://");
    EXPECT_EQ(TemplateProblem("file:///{z}/{x}/{y}"), "must start with http:// or https://");
    EXPECT_EQ(TemplateProblem("https:///{z}/{x}/{y}"), "must name a host");
    EXPECT_EQ(TemplateProblem("https://x/{z}/{x}.png"), "must contain {z}, {x} and {y}");
    EXPECT_EQ(TemplateProblem("https://x/{z}/{x}/{y}/{r}"), "may use only the placeholders {z}, {x}, {y} and {s}");
    EXPECT_EQ(TemplateProblem("https://x/{z}/{x}/{y}}"), "has a '}' that closes no placeholder");
    EXPECT_EQ(TemplateProblem("https://x/{z}/{x}/{y"), "may use only the placeholders {z}, {x}, {y} and {s}");
    EXPECT_EQ(TemplateProblem("https://x/{z} /{x}/{y}"), "must not contain spaces or control characters");
    EXPECT_EQ(TemplateProblem("https://{s}.x/{z}/{x}/{y}"), "");
}

TEST(TileUrl, OneSignatureCoversADayAndExpiresAfterTheNext) {
    const std::string key(43, 'k');
    const SystemTime afternoon{std::chrono::seconds(1'764'000'000)};  // 2025-11-24T16:00:00Z
    const std::int64_t exp = TileUrlExpiry(afternoon);
    EXPECT_EQ(exp % 86400, 0);
    EXPECT_GE(exp - 1'764'000'000, 86400);
    EXPECT_LE(exp - 1'764'000'000, 2 * 86400);
    // The same template all day, so browsers keep their cached tiles.
    EXPECT_EQ(TileUrlExpiry(afternoon + std::chrono::hours(7)), exp);
    EXPECT_EQ(TileUrlExpiry(afternoon + std::chrono::hours(9)), exp + 86400);

    const std::string sig = SignTileUrl(key, exp);
    const auto e = std::optional<std::string>(std::to_string(exp));
    EXPECT_EQ(VerifyTileUrl(key, e, sig, afternoon), TileUrlVerdict::kValid);
    EXPECT_EQ(VerifyTileUrl(key, e, sig, SystemTime{std::chrono::seconds(exp - 1)}), TileUrlVerdict::kValid);
    EXPECT_EQ(VerifyTileUrl(key, e, sig, SystemTime{std::chrono::seconds(exp)}), TileUrlVerdict::kExpired);
    EXPECT_EQ(VerifyTileUrl(std::string(43, 'o'), e, sig, afternoon), TileUrlVerdict::kBadSignature);
    EXPECT_EQ(VerifyTileUrl(key, std::to_string(exp + 86400), sig, afternoon), TileUrlVerdict::kBadSignature);
    EXPECT_EQ(VerifyTileUrl(key, std::nullopt, sig, afternoon), TileUrlVerdict::kMalformed);
    EXPECT_EQ(VerifyTileUrl(key, e, std::nullopt, afternoon), TileUrlVerdict::kMalformed);
    EXPECT_EQ(VerifyTileUrl(key, "0" + *e, sig, afternoon), TileUrlVerdict::kMalformed);
    EXPECT_EQ(VerifyTileUrl(key, "-1", sig, afternoon), TileUrlVerdict::kMalformed);
}

TEST(TileBody, OnlyImagesThatAreWhatTheySay) {
    const std::string png = std::string("\x89PNG\r\n\x1a\n", 8) + "rest";
    EXPECT_EQ(TileBodyProblem("image/png", png, 1000), std::nullopt);
    EXPECT_EQ(TileBodyProblem("Image/PNG; charset=binary", png, 1000), std::nullopt);
    EXPECT_EQ(TileBodyProblem("image/jpeg", "\xff\xd8\xff\xe0jfif", 1000), std::nullopt);
    EXPECT_EQ(TileBodyProblem("image/webp", std::string("RIFF\x10\0\0\0WEBPVP8 ", 16), 1000), std::nullopt);
    EXPECT_EQ(*TileBodyProblem("text/html", "<html>", 1000),
              "content type \"text/html\", not a PNG, JPEG or WebP image");
    EXPECT_EQ(*TileBodyProblem("image/png", "<html>error</html>", 1000),
              "a body that is not the image/png it claims to be");
    EXPECT_EQ(*TileBodyProblem("image/svg+xml", "<svg/>", 1000),
              "content type \"image/svg+xml\", not a PNG, JPEG or WebP image");
    EXPECT_EQ(*TileBodyProblem("image/png", "", 1000), "an empty body");
    EXPECT_EQ(*TileBodyProblem("image/png", png, 5), "a body of 12 bytes, over the 5-byte limit");
    EXPECT_EQ(*TileBodyProblem("", png, 1000), "content type \"\", not a PNG, JPEG or WebP image");
}

}  // namespace
}  // namespace strava1::tiles
