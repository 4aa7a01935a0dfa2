#include "strava1/http/static_files.hpp"

#include <gtest/gtest.h>

#include <array>

namespace strava1::http {
namespace {

Request Get(std::string path, std::vector<std::pair<std::string, std::string>> headers = {}) {
    Request r;
    r.method = Method::kGet;
    r.path = std::move(path);
    r.headers = std::move(headers);
    return r;
}

// Embedded files as the generated table gives them: static storage, a gzip copy for some.
const std::string kIndex = "<!doctype html><div id=\"app\"></div>";
const std::string kScript = std::string(4000, 'x');
const std::string kScriptGzip = "gzip bytes";
const std::array<EmbeddedFile, 4> kFiles{{
    {"index.html", kIndex, "", "\"1111\""},
    {"assets/index-abc.js", kScript, kScriptGzip, "\"2222\""},
    {"docs/index.html", "<!doctype html><redoc>", "", "\"3333\""},
    {"sw.js", "self.addEventListener()", "", "\"4444\""},
}};

TEST(StaticFiles, ServesEmbeddedFilesWithTypesAndCaching) {
    StaticFiles files{std::span<const EmbeddedFile>(kFiles)};
    auto index = files.Serve(Get("/"));
    ASSERT_TRUE(index);
    EXPECT_EQ(index->status, 200);
    EXPECT_EQ(index->body, kIndex);
    EXPECT_EQ(index->content_type, "text/html; charset=utf-8");
    EXPECT_EQ(index->Header("cache-control"), "no-cache");
    EXPECT_EQ(index->Header("etag"), "\"1111\"");

    auto script = files.Serve(Get("/assets/index-abc.js"));
    ASSERT_TRUE(script);
    EXPECT_EQ(script->content_type, "text/javascript; charset=utf-8");
    EXPECT_EQ(script->Header("cache-control"), "public, max-age=31536000, immutable");
    EXPECT_EQ(script->body, kScript);
    EXPECT_EQ(script->Header("content-encoding"), "");
    EXPECT_EQ(script->Header("vary"), "Accept-Encoding");
    EXPECT_EQ(script->Header("content-security-policy"), "") << "only pages carry the page policy";

    auto docs = files.Serve(Get("/docs"));
    ASSERT_TRUE(docs);
    EXPECT_EQ(docs->body, "<!doctype html><redoc>");
    EXPECT_EQ(files.Serve(Get("/docs/"))->body, "<!doctype html><redoc>");
    EXPECT_EQ(files.Serve(Get("/sw.js"))->Header("cache-control"), "no-cache");
}

TEST(StaticFiles, SendsTheGzipCopyToClientsThatAcceptIt) {
    StaticFiles files{std::span<const EmbeddedFile>(kFiles)};
    auto zipped = files.Serve(Get("/assets/index-abc.js", {{"accept-encoding", "br, gzip, deflate"}}));
    ASSERT_TRUE(zipped);
    EXPECT_EQ(zipped->body, kScriptGzip);
    EXPECT_EQ(zipped->Header("content-encoding"), "gzip");
    EXPECT_EQ(zipped->Header("etag"), "\"2222-gz\"");
    auto refused = files.Serve(Get("/assets/index-abc.js", {{"accept-encoding", "gzip;q=0"}}));
    EXPECT_EQ(refused->body, kScript);
}

TEST(StaticFiles, AnswersNotModifiedForACurrentCopy) {
    StaticFiles files{std::span<const EmbeddedFile>(kFiles)};
    for (const char* validator : {"\"1111\"", "W/\"1111\"", "\"0000\", \"1111\"", "*"}) {
        auto r = files.Serve(Get("/", {{"if-none-match", validator}}));
        ASSERT_TRUE(r);
        EXPECT_EQ(r->status, 304) << validator;
        EXPECT_TRUE(r->body.empty());
        EXPECT_EQ(r->Header("etag"), "\"1111\"");
    }
    EXPECT_EQ(files.Serve(Get("/", {{"if-none-match", "\"0000\""}}))->status, 200);
}

TEST(StaticFiles, ClientRoutesFallBackToTheAppButAssetsAndFilesDoNot) {
    StaticFiles files{std::span<const EmbeddedFile>(kFiles)};
    for (const char* route : {"/you", "/activity/42/edit", "/feed/"}) {
        auto r = files.Serve(Get(route));
        ASSERT_TRUE(r) << route;
        EXPECT_EQ(r->body, kIndex) << route;
    }
    EXPECT_FALSE(files.Serve(Get("/assets/index-old.js")));
    EXPECT_FALSE(files.Serve(Get("/assets/no-extension")));
    EXPECT_FALSE(files.Serve(Get("/favicon.ico")));
    // Embedded files are looked up by name, so ".." reaches nothing; without an extension it is a route.
    EXPECT_EQ(files.Serve(Get("/../etc/passwd"))->body, kIndex);
    EXPECT_FALSE(files.Serve(Get("/../etc/passwd.txt")));
    Request post = Get("/");
    post.method = Method::kPost;
    EXPECT_FALSE(files.Serve(post));
}

TEST(StaticFiles, PagesCarryTheSecurityHeaders) {
    StaticFiles files{std::span<const EmbeddedFile>(kFiles)};
    for (const char* page : {"/", "/docs", "/you"}) {
        auto r = files.Serve(Get(page));
        ASSERT_TRUE(r) << page;
        const std::string policy(r->Header("content-security-policy"));
        EXPECT_NE(policy.find("default-src 'self'"), std::string::npos) << policy;
        EXPECT_NE(policy.find("script-src 'self';"), std::string::npos) << "no inline or eval'd scripts: " << policy;
        EXPECT_NE(policy.find("frame-ancestors 'none'"), std::string::npos) << policy;
        EXPECT_EQ(r->Header("x-frame-options"), "DENY");
        EXPECT_EQ(r->Header("referrer-policy"), "strict-origin-when-cross-origin");
    }
    // Only the API docs page gets what Redoc needs; the app's styles stay 'self' only.
    EXPECT_NE(files.Serve(Get("/"))->Header("content-security-policy").find("style-src 'self';"), std::string::npos);
    EXPECT_NE(files.Serve(Get("/docs"))->Header("content-security-policy").find("style-src 'self' 'unsafe-inline'"),
              std::string::npos);
}

TEST(StaticFiles, WithoutABuiltWebAppPagesSaySoInsteadOf404) {
    StaticFiles files{std::span<const EmbeddedFile>()};
    for (const char* page : {"/", "/you", "/docs"}) {
        auto r = files.Serve(Get(page));
        ASSERT_TRUE(r) << page;
        EXPECT_EQ(r->status, 200);
        EXPECT_EQ(r->content_type, "text/html; charset=utf-8");
        EXPECT_NE(r->body.find("The web app was not built"), std::string::npos);
        EXPECT_NE(r->body.find("make run"), std::string::npos);
        EXPECT_NE(r->Header("content-security-policy").find("default-src 'self'"), std::string::npos);
    }
    EXPECT_FALSE(files.Serve(Get("/assets/index-abc.js"))) << "a file that is not there stays 404";
}

TEST(StaticFiles, ContentTypesByName) {
    EXPECT_EQ(StaticFiles::ContentTypeFor("manifest.webmanifest"), "application/manifest+json");
    EXPECT_EQ(StaticFiles::ContentTypeFor("icons/icon.svg"), "image/svg+xml");
    EXPECT_EQ(StaticFiles::ContentTypeFor("icons/icon-192.png"), "image/png");
    EXPECT_EQ(StaticFiles::ContentTypeFor("assets/font.woff2"), "font/woff2");
    EXPECT_EQ(StaticFiles::ContentTypeFor("openapi.json"), "application/json");
    EXPECT_EQ(StaticFiles::ContentTypeFor("LICENSE"), "application/octet-stream");
}

}  // namespace
}  // namespace strava1::http
