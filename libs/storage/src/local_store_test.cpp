#include "strava1/storage/local_store.hpp"

#include <gtest/gtest.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/sha.h>

#include <atomic>
#include <cstdlib>
#include <filesystem>
#include <string>
#include <thread>
#include <vector>

#include "strava1/base/error.hpp"

namespace strava1::storage {
namespace {

namespace fs = std::filesystem;
using std::chrono::seconds;

constexpr std::string_view kSigningKey = "0123456789abcdef0123456789abcdef-test-key";
constexpr std::string_view kBaseUrl = "https://objects.example.test/";

class FakeClock final : public Clock {
public:
    SystemTime Now() const override { return now; }
    SystemTime now{seconds(1'764'000'000)};
};

std::string OpenSslSha256Hex(std::string_view data) {
    unsigned char digest[SHA256_DIGEST_LENGTH];
    SHA256(reinterpret_cast<const unsigned char*>(data.data()), data.size(), digest);
    static constexpr char kHex[] = "0123456789abcdef";
    std::string out;
    for (unsigned char byte : digest) {
        out += kHex[byte >> 4];
        out += kHex[byte & 0x0f];
    }
    return out;
}

// HMAC-SHA256 + base64url straight from OpenSSL, independent of libs/base.
std::string OpenSslHmacBase64Url(std::string_view key, std::string_view data) {
    unsigned char mac[EVP_MAX_MD_SIZE];
    unsigned int mac_len = 0;
    HMAC(EVP_sha256(), key.data(), static_cast<int>(key.size()), reinterpret_cast<const unsigned char*>(data.data()),
         data.size(), mac, &mac_len);
    std::string b64(4 * ((mac_len + 2) / 3) + 1, '\0');
    int n = EVP_EncodeBlock(reinterpret_cast<unsigned char*>(b64.data()), mac, static_cast<int>(mac_len));
    b64.resize(static_cast<std::size_t>(n));
    while (!b64.empty() && b64.back() == '=') {
        b64.pop_back();
    }
    for (char& c : b64) {
        if (c == '+') {
            c = '-';
        } else if (c == '/') {
            c = '_';
        }
    }
    return b64;
}

// Every file under `dir` (recursively) except the shard lock files.
std::vector<std::string> FilesUnder(const fs::path& dir) {
    std::vector<std::string> out;
    for (const auto& entry : fs::recursive_directory_iterator(dir)) {
        if (entry.is_regular_file() && entry.path().filename() != ".lock") {
            out.push_back(fs::relative(entry.path(), dir).string());
        }
    }
    return out;
}

class LocalStoreTest : public ::testing::Test {
protected:
    void SetUp() override {
        std::string pattern = (fs::temp_directory_path() / "strava1-storage-XXXXXX").string();
        ASSERT_NE(::mkdtemp(pattern.data()), nullptr);
        root_ = fs::path(pattern) / "objects";
    }
    void TearDown() override { fs::remove_all(root_.parent_path()); }

    LocalObjectStore MakeStore(LocalStoreHooks hooks = {}) {
        return LocalObjectStore(root_, std::string(kSigningKey), std::string(kBaseUrl), clock_, std::move(hooks));
    }

    fs::path root_;
    FakeClock clock_;
};

// Splits a signed URL into the key (path after /v1/objects/) and its parsed query.
struct SplitUrl {
    std::string key;
    std::string raw_query;
    SignedQuery query;
};

SplitUrl Split(const std::string& url) {
    const std::string prefix = "https://objects.example.test/v1/objects/";
    EXPECT_EQ(url.rfind(prefix, 0), 0u) << url;
    std::size_t question = url.find('?');
    SplitUrl out;
    out.key = url.substr(prefix.size(), question - prefix.size());
    out.raw_query = url.substr(question + 1);
    auto query = ParseSignedQuery(out.raw_query);
    EXPECT_TRUE(query.has_value()) << url;
    if (query) {
        out.query = *query;
    }
    return out;
}

ErrorKind KindOf(const std::function<void()>& action, std::string* detail = nullptr) {
    try {
        action();
    } catch (const Error& e) {
        if (detail != nullptr) {
            *detail = e.Detail();
        }
        return e.Kind();
    }
    ADD_FAILURE() << "no Error thrown";
    return ErrorKind::kInternal;
}

TEST_F(LocalStoreTest, RoundTripsBinaryDataWithNuls) {
    auto store = MakeStore();
    std::string bytes;
    for (int round = 0; round < 3; ++round) {
        for (int value = 0; value < 256; ++value) {
            bytes += static_cast<char>(value);
        }
    }
    bytes += std::string(5, '\0');

    ObjectInfo info = store.Put("activities/42/original.fit", bytes, "application/vnd.ant.fit");
    EXPECT_EQ(info.key, "activities/42/original.fit");
    EXPECT_EQ(info.size_bytes, bytes.size());
    EXPECT_EQ(info.sha256_hex, OpenSslSha256Hex(bytes));
    EXPECT_EQ(info.content_type, "application/vnd.ant.fit");
    EXPECT_EQ(info.created, clock_.now);

    auto got = store.Get("activities/42/original.fit");
    ASSERT_TRUE(got.has_value());
    EXPECT_EQ(*got, bytes);
    auto stat = store.Stat("activities/42/original.fit");
    ASSERT_TRUE(stat.has_value());
    EXPECT_EQ(*stat, info);

    // Another store on the same root (a restart, or another process) sees the same object.
    auto reopened = MakeStore();
    EXPECT_EQ(reopened.Get("activities/42/original.fit"), bytes);

    store.Delete("activities/42/original.fit");
    EXPECT_FALSE(store.Get("activities/42/original.fit").has_value());
    EXPECT_FALSE(store.Stat("activities/42/original.fit").has_value());
    EXPECT_TRUE(FilesUnder(root_).empty());
    // Idempotent.
    store.Delete("activities/42/original.fit");
    store.Delete("never/existed");
}

TEST_F(LocalStoreTest, EmptyObjectAndMissingKeys) {
    auto store = MakeStore();
    EXPECT_FALSE(store.Get("missing").has_value());
    EXPECT_FALSE(store.Stat("missing").has_value());
    ObjectInfo info = store.Put("empty", "", "text/plain");
    EXPECT_EQ(info.size_bytes, 0u);
    EXPECT_EQ(info.sha256_hex, "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
    EXPECT_EQ(store.Get("empty"), std::string());
}

TEST_F(LocalStoreTest, OverwriteReplacesObjectAndRemovesOldData) {
    auto store = MakeStore();
    store.Put("photos/1.jpg", "first version", "image/jpeg");
    clock_.now += seconds(10);
    ObjectInfo second = store.Put("photos/1.jpg", "second", "image/png");
    EXPECT_EQ(store.Get("photos/1.jpg"), "second");
    auto stat = store.Stat("photos/1.jpg");
    ASSERT_TRUE(stat.has_value());
    EXPECT_EQ(stat->content_type, "image/png");
    EXPECT_EQ(stat->size_bytes, 6u);
    EXPECT_EQ(stat->created, clock_.now);
    EXPECT_EQ(*stat, second);
    // One metadata file and one data file: the replaced version is gone.
    EXPECT_EQ(FilesUnder(root_).size(), 2u);
}

TEST_F(LocalStoreTest, RejectsEachBadKeyRule) {
    auto store = MakeStore();
    struct Case {
        std::string key;
        std::string reason;
    };
    const std::vector<Case> cases = {
        {"", "must not be empty"},
        {std::string(kMaxKeyBytes + 1, 'a'), "at most 512 bytes"},
        {"/abs", "must not start with '/'"},
        {"a//b", "empty segment"},
        {"a/", "empty segment"},
        {"..", "'..' segment"},
        {"a/./b", "'.' or '..' segment"},
        {"a b", "may contain only"},
        {"a\\b", "may contain only"},
        {"caf\xc3\xa9", "may contain only"},
        {std::string("a\0b", 3), "may contain only"},
    };
    for (const auto& c : cases) {
        auto problem = KeyProblem(c.key);
        ASSERT_TRUE(problem.has_value()) << c.key;
        EXPECT_NE(problem->find(c.reason), std::string::npos) << c.key << ": " << *problem;
        std::string detail;
        EXPECT_EQ(KindOf([&] { store.Put(c.key, "x", "text/plain"); }, &detail), ErrorKind::kInvalidArgument);
        EXPECT_NE(detail.find(c.reason), std::string::npos) << detail;
        EXPECT_EQ(KindOf([&] { store.Get(c.key); }), ErrorKind::kInvalidArgument);
        EXPECT_EQ(KindOf([&] { store.Stat(c.key); }), ErrorKind::kInvalidArgument);
        EXPECT_EQ(KindOf([&] { store.Delete(c.key); }), ErrorKind::kInvalidArgument);
        EXPECT_EQ(KindOf([&] { store.SignedGetUrl(c.key, seconds(60), std::nullopt); }), ErrorKind::kInvalidArgument);
        EXPECT_EQ(KindOf([&] { store.SignedPutUrl(c.key, seconds(60), "text/plain", 10); }),
                  ErrorKind::kInvalidArgument);
    }
    EXPECT_TRUE(FilesUnder(root_).empty());
    EXPECT_FALSE(KeyProblem(std::string(kMaxKeyBytes, 'a')).has_value());
    EXPECT_FALSE(KeyProblem("A-Z_a.z/0-9/.hidden/x..y").has_value());
}

TEST_F(LocalStoreTest, RejectsPathTraversal) {
    auto store = MakeStore();
    fs::path outside = root_.parent_path() / "x";
    const std::vector<std::string> keys = {"../x", "a/../../b", "/etc/passwd",          "a//b",
                                           "./x",  "x/..",      std::string(4096, 'a'), "..\\x"};
    for (const auto& key : keys) {
        EXPECT_EQ(KindOf([&] { store.Put(key, "evil", "text/plain"); }), ErrorKind::kInvalidArgument) << key;
    }
    EXPECT_FALSE(fs::exists(outside));
    EXPECT_TRUE(FilesUnder(root_.parent_path()).empty());
}

TEST_F(LocalStoreTest, RejectsBadContentType) {
    auto store = MakeStore();
    EXPECT_EQ(KindOf([&] { store.Put("k", "x", ""); }), ErrorKind::kInvalidArgument);
    EXPECT_EQ(KindOf([&] { store.Put("k", "x", "text/plain\r\nX-Evil: 1"); }), ErrorKind::kInvalidArgument);
    EXPECT_FALSE(store.Stat("k").has_value());
}

TEST_F(LocalStoreTest, PutFailingHalfWayLeavesNoObjectAndNoTempFile) {
    auto store = MakeStore({.after_partial_write = [] { throw std::runtime_error("disk full (simulated)"); }});
    EXPECT_THROW(store.Put("a/b", std::string(100'000, 'z'), "text/plain"), std::runtime_error);
    EXPECT_FALSE(store.Stat("a/b").has_value());
    EXPECT_FALSE(store.Get("a/b").has_value());
    EXPECT_TRUE(FilesUnder(root_).empty()) << FilesUnder(root_).front();
}

TEST_F(LocalStoreTest, FailedOverwriteKeepsTheOldObject) {
    auto good = MakeStore();
    ObjectInfo old_info = good.Put("a/b", "old bytes", "text/plain");
    auto failing = MakeStore({.before_commit = [] { throw std::runtime_error("crash before commit"); }});
    EXPECT_THROW(failing.Put("a/b", "new bytes that never land", "text/csv"), std::runtime_error);
    EXPECT_EQ(good.Get("a/b"), "old bytes");
    EXPECT_EQ(good.Stat("a/b"), old_info);
    EXPECT_EQ(FilesUnder(root_).size(), 2u);
}

TEST_F(LocalStoreTest, ConcurrentPutsOfOneKeyNeverTear) {
    auto store = MakeStore();
    const std::string a(200'000, 'a');
    const std::string b(300'000, 'b');
    constexpr int kRounds = 15;
    std::atomic<bool> done{false};
    std::atomic<int> torn{0};
    std::thread reader([&] {
        while (!done.load()) {
            auto got = store.Get("shared/key");
            if (got && *got != a && *got != b) {
                torn.fetch_add(1);
            }
            if (auto info = store.Stat("shared/key")) {
                bool matches = (info->size_bytes == a.size() && info->content_type == "text/a") ||
                               (info->size_bytes == b.size() && info->content_type == "text/b");
                if (!matches) {
                    torn.fetch_add(1);
                }
            }
        }
    });
    auto writer = [&](const std::string& bytes, const char* content_type) {
        for (int round = 0; round < kRounds; ++round) {
            store.Put("shared/key", bytes, content_type);
        }
    };
    std::thread writer_a(writer, std::cref(a), "text/a");
    std::thread writer_b(writer, std::cref(b), "text/b");
    writer_a.join();
    writer_b.join();
    done.store(true);
    reader.join();

    EXPECT_EQ(torn.load(), 0);
    auto final_bytes = store.Get("shared/key");
    ASSERT_TRUE(final_bytes.has_value());
    auto info = store.Stat("shared/key");
    ASSERT_TRUE(info.has_value());
    EXPECT_EQ(info->sha256_hex, OpenSslSha256Hex(*final_bytes));
    EXPECT_TRUE(*final_bytes == a || *final_bytes == b);
    // Exactly the committed metadata and its data file remain: no temp files, no stale versions.
    EXPECT_EQ(FilesUnder(root_).size(), 2u);
}

TEST_F(LocalStoreTest, SignatureIsDeterministicAndMatchesOpenSslHmac) {
    auto store = MakeStore();
    SignedUrl get = store.SignedGetUrl("photos/7/full.jpg", seconds(300), "Morning Run.jpg");
    std::string expected_get_sig =
        OpenSslHmacBase64Url(kSigningKey, "strava1-object-url-v1\nGET\nphotos/7/full.jpg\n1764000300\nMorning Run.jpg");
    EXPECT_EQ(get.url,
              "https://objects.example.test/v1/objects/photos/7/full.jpg?expires=1764000300"
              "&filename=Morning%20Run.jpg&sig=" +
                  expected_get_sig);
    EXPECT_EQ(get.expires_at, SystemTime{seconds(1'764'000'300)});
    EXPECT_EQ(store.SignedGetUrl("photos/7/full.jpg", seconds(300), "Morning Run.jpg").url, get.url);

    SignedUrl put = store.SignedPutUrl("uploads/u1/a.fit", seconds(60), "application/vnd.ant.fit", 1'048'576);
    std::string expected_put_sig = OpenSslHmacBase64Url(
        kSigningKey, "strava1-object-url-v1\nPUT\nuploads/u1/a.fit\n1764000060\napplication/vnd.ant.fit\n1048576");
    EXPECT_EQ(put.url,
              "https://objects.example.test/v1/objects/uploads/u1/a.fit?expires=1764000060"
              "&content_type=application%2Fvnd.ant.fit&max_bytes=1048576&sig=" +
                  expected_put_sig);
}

TEST_F(LocalStoreTest, ValidSignedUrlsAreAccepted) {
    auto store = MakeStore();
    SplitUrl get = Split(store.SignedGetUrl("a/b.gpx", seconds(600), "ride.gpx").url);
    SignedUrlCheck check = store.VerifySignedUrl(SignedMethod::kGet, get.key, get.query, clock_.now);
    ASSERT_EQ(check.verdict, SignedUrlVerdict::kValid);
    EXPECT_EQ(check.grant.key, "a/b.gpx");
    EXPECT_EQ(check.grant.download_filename, "ride.gpx");
    EXPECT_EQ(check.grant.expires_unix_s, 1'764'000'600);

    SplitUrl plain = Split(store.SignedGetUrl("a/b.gpx", seconds(600), std::nullopt).url);
    EXPECT_FALSE(plain.query.filename.has_value());
    EXPECT_EQ(store.VerifySignedUrl(SignedMethod::kGet, plain.key, plain.query, clock_.now).verdict,
              SignedUrlVerdict::kValid);

    SplitUrl put = Split(store.SignedPutUrl("a/c.jpg", seconds(60), "image/jpeg", 5'000'000).url);
    check = store.VerifySignedUrl(SignedMethod::kPut, put.key, put.query, clock_.now);
    ASSERT_EQ(check.verdict, SignedUrlVerdict::kValid);
    EXPECT_EQ(check.grant.content_type, "image/jpeg");
    EXPECT_EQ(check.grant.max_bytes, 5'000'000u);
}

TEST_F(LocalStoreTest, TamperedSignedUrlsAreRefused) {
    auto store = MakeStore();
    SplitUrl get = Split(store.SignedGetUrl("a/b.gpx", seconds(600), "ride.gpx").url);
    auto verify = [&](SignedMethod method, const std::string& key, const SignedQuery& query) {
        return store.VerifySignedUrl(method, key, query, clock_.now).verdict;
    };

    EXPECT_EQ(verify(SignedMethod::kGet, "a/b.gpy", get.query), SignedUrlVerdict::kBadSignature);
    EXPECT_EQ(verify(SignedMethod::kGet, "a/b.gpx/x", get.query), SignedUrlVerdict::kBadSignature);

    SignedQuery later = get.query;
    later.expires = std::to_string(std::stoll(*get.query.expires) + 1);
    EXPECT_EQ(verify(SignedMethod::kGet, get.key, later), SignedUrlVerdict::kBadSignature);

    SignedQuery flipped = get.query;
    (*flipped.sig)[3] = (*flipped.sig)[3] == 'A' ? 'B' : 'A';
    EXPECT_EQ(verify(SignedMethod::kGet, get.key, flipped), SignedUrlVerdict::kBadSignature);

    SignedQuery truncated = get.query;
    truncated.sig->pop_back();
    EXPECT_NE(verify(SignedMethod::kGet, get.key, truncated), SignedUrlVerdict::kValid);

    SignedQuery renamed = get.query;
    renamed.filename = "other.gpx";
    EXPECT_EQ(verify(SignedMethod::kGet, get.key, renamed), SignedUrlVerdict::kBadSignature);
    SignedQuery unnamed = get.query;
    unnamed.filename.reset();
    EXPECT_EQ(verify(SignedMethod::kGet, get.key, unnamed), SignedUrlVerdict::kBadSignature);

    SignedQuery no_sig = get.query;
    no_sig.sig.reset();
    EXPECT_EQ(verify(SignedMethod::kGet, get.key, no_sig), SignedUrlVerdict::kMalformed);
    SignedQuery bad_expiry = get.query;
    bad_expiry.expires = "-5";
    EXPECT_EQ(verify(SignedMethod::kGet, get.key, bad_expiry), SignedUrlVerdict::kMalformed);
    EXPECT_EQ(verify(SignedMethod::kGet, "../etc/passwd", get.query), SignedUrlVerdict::kMalformed);

    SplitUrl put = Split(store.SignedPutUrl("a/c.jpg", seconds(60), "image/jpeg", 1000).url);
    SignedQuery bigger = put.query;
    bigger.max_bytes = "1000000";
    EXPECT_EQ(verify(SignedMethod::kPut, put.key, bigger), SignedUrlVerdict::kBadSignature);
    SignedQuery other_type = put.query;
    other_type.content_type = "text/html";
    EXPECT_EQ(verify(SignedMethod::kPut, put.key, other_type), SignedUrlVerdict::kBadSignature);

    // Another signing key does not verify.
    LocalObjectStore other(root_, std::string(kSigningKey) + "x", std::string(kBaseUrl), clock_);
    EXPECT_EQ(other.VerifySignedUrl(SignedMethod::kGet, get.key, get.query, clock_.now).verdict,
              SignedUrlVerdict::kBadSignature);
}

TEST_F(LocalStoreTest, ExpiredSignedUrlsAreRefused) {
    auto store = MakeStore();
    SplitUrl get = Split(store.SignedGetUrl("a/b", seconds(60), std::nullopt).url);
    SystemTime expiry{seconds(1'764'000'060)};
    EXPECT_EQ(store.VerifySignedUrl(SignedMethod::kGet, get.key, get.query, expiry).verdict, SignedUrlVerdict::kValid);
    EXPECT_EQ(store.VerifySignedUrl(SignedMethod::kGet, get.key, get.query, expiry + seconds(1)).verdict,
              SignedUrlVerdict::kExpired);
    EXPECT_EQ(store.VerifySignedUrl(SignedMethod::kGet, get.key, get.query, expiry + seconds(86'400)).verdict,
              SignedUrlVerdict::kExpired);
}

TEST_F(LocalStoreTest, WrongMethodIsRefused) {
    auto store = MakeStore();
    SplitUrl get = Split(store.SignedGetUrl("a/b", seconds(60), std::nullopt).url);
    EXPECT_NE(store.VerifySignedUrl(SignedMethod::kPut, get.key, get.query, clock_.now).verdict,
              SignedUrlVerdict::kValid);
    SplitUrl put = Split(store.SignedPutUrl("a/b", seconds(60), "image/jpeg", 10).url);
    EXPECT_NE(store.VerifySignedUrl(SignedMethod::kGet, put.key, put.query, clock_.now).verdict,
              SignedUrlVerdict::kValid);
    // Even with the PUT-only parameters supplied, a GET signature does not authorise a PUT.
    SignedQuery forged = get.query;
    forged.content_type = "image/jpeg";
    forged.max_bytes = "10";
    EXPECT_EQ(store.VerifySignedUrl(SignedMethod::kPut, get.key, forged, clock_.now).verdict,
              SignedUrlVerdict::kBadSignature);
}

TEST_F(LocalStoreTest, SignedUrlArgumentsAreValidated) {
    auto store = MakeStore();
    EXPECT_EQ(KindOf([&] { store.SignedGetUrl("a", seconds(0), std::nullopt); }), ErrorKind::kInvalidArgument);
    EXPECT_EQ(KindOf([&] { store.SignedGetUrl("a", kMaxSignedUrlLifetime + seconds(1), std::nullopt); }),
              ErrorKind::kInvalidArgument);
    // The longest lifetime allowed: a URL that expires exactly that far ahead.
    EXPECT_EQ(store.SignedGetUrl("a", kMaxSignedUrlLifetime, std::nullopt).expires_at,
              clock_.now + kMaxSignedUrlLifetime);
    EXPECT_EQ(KindOf([&] { store.SignedGetUrl("a", seconds(60), "bad\"name"); }), ErrorKind::kInvalidArgument);
    EXPECT_EQ(KindOf([&] { store.SignedGetUrl("a", seconds(60), "dir/name"); }), ErrorKind::kInvalidArgument);
    EXPECT_EQ(KindOf([&] { store.SignedPutUrl("a", seconds(60), "image/jpeg", 0); }), ErrorKind::kInvalidArgument);
    EXPECT_EQ(KindOf([&] { store.SignedPutUrl("a", seconds(60), "", 10); }), ErrorKind::kInvalidArgument);
    EXPECT_EQ(KindOf([&] { LocalObjectStore(root_, "short", std::string(kBaseUrl), clock_); }),
              ErrorKind::kInvalidArgument);
    // "/" (or "") gives path-only URLs, for a server that does not know its public address.
    LocalObjectStore relative(root_, std::string(kSigningKey), "/", clock_);
    SignedUrl url = relative.SignedGetUrl("a/b.fit", seconds(60), std::nullopt);
    EXPECT_EQ(url.url.rfind("/v1/objects/a/b.fit?expires=", 0), 0u) << url.url;
    auto query = ParseSignedQuery(url.url.substr(url.url.find('?') + 1));
    ASSERT_TRUE(query);
    EXPECT_EQ(relative.VerifySignedUrl(SignedMethod::kGet, "a/b.fit", *query, clock_.now).verdict, SignedUrlVerdict::kValid);
}

TEST(ParseSignedQueryTest, DecodesAndRejectsMalformedQueries) {
    auto query = ParseSignedQuery("expires=12&content_type=image%2Fjpeg&max_bytes=5&sig=abc");
    ASSERT_TRUE(query.has_value());
    EXPECT_EQ(query->expires, "12");
    EXPECT_EQ(query->content_type, "image/jpeg");
    EXPECT_EQ(query->max_bytes, "5");
    EXPECT_EQ(query->sig, "abc");
    EXPECT_FALSE(query->filename.has_value());
    EXPECT_TRUE(ParseSignedQuery("").has_value());

    EXPECT_FALSE(ParseSignedQuery("expires=1&expires=2").has_value());
    EXPECT_FALSE(ParseSignedQuery("expires=1&other=2").has_value());
    EXPECT_FALSE(ParseSignedQuery("expires").has_value());
    EXPECT_FALSE(ParseSignedQuery("filename=%4").has_value());
    EXPECT_FALSE(ParseSignedQuery("filename=%zz").has_value());
}

}  // namespace
}  // namespace strava1::storage
