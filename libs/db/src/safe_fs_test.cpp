#include "safe_fs.hpp"

#include <gtest/gtest.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <stdexcept>
#include <string>

namespace strava1::db::safe_fs {
namespace {

namespace fs = std::filesystem;

void WriteFile(const fs::path& file, const std::string& text) { std::ofstream(file, std::ios::trunc) << text; }

struct stat Lstat(const fs::path& path) {
    struct stat st {};
    EXPECT_EQ(::lstat(path.c_str(), &st), 0) << path;
    return st;
}

class SafeFsTest : public ::testing::Test {
protected:
    void SetUp() override {
        std::string pattern = "/tmp/strava1-safe-fs-XXXXXX";
        ASSERT_NE(::mkdtemp(pattern.data()), nullptr);
        root_ = pattern;
        // Outside the tree the operations work on: must come out unchanged.
        victim_ = root_ / "victim";
        fs::create_directories(victim_);
        ASSERT_EQ(::chmod(victim_.c_str(), 0755), 0);
        WriteFile(victim_ / "precious", "keep me\n");
        ASSERT_EQ(::chmod((victim_ / "precious").c_str(), 0644), 0);
        tree_ = root_ / "tree";
        fs::create_directories(tree_);
        parent_ = OpenDirectory(tree_);
    }
    void TearDown() override {
        std::error_code ec;
        fs::remove_all(root_, ec);
    }
    void ExpectVictimUntouched() const {
        EXPECT_EQ(Lstat(victim_).st_mode & 07777, 0755u);
        EXPECT_EQ(Lstat(victim_).st_uid, ::geteuid());
        EXPECT_EQ(Lstat(victim_ / "precious").st_mode & 07777, 0644u);
        EXPECT_EQ(Lstat(victim_ / "precious").st_uid, ::geteuid());
        std::ifstream in(victim_ / "precious");
        std::string line;
        std::getline(in, line);
        EXPECT_EQ(line, "keep me");
    }

    fs::path root_;
    fs::path victim_;
    fs::path tree_;
    Fd parent_;
};

TEST_F(SafeFsTest, RemoveTreeRemovesLinksNotWhatTheyPointAt) {
    fs::create_directories(tree_ / "doomed" / "sub");
    WriteFile(tree_ / "doomed" / "sub" / "file", "x");
    fs::create_directory_symlink(victim_, tree_ / "doomed" / "link-to-dir");
    fs::create_symlink(victim_ / "precious", tree_ / "doomed" / "sub" / "link-to-file");

    RemoveTreeAt(parent_.Get(), "doomed", tree_ / "doomed");

    EXPECT_FALSE(fs::exists(fs::symlink_status(tree_ / "doomed")));
    ExpectVictimUntouched();
    RemoveTreeAt(parent_.Get(), "doomed", tree_ / "doomed");  // nothing there: fine
}

TEST_F(SafeFsTest, RemoveTreeOfALinkRemovesOnlyTheLink) {
    fs::create_directory_symlink(victim_, tree_ / "link");
    RemoveTreeAt(parent_.Get(), "link", tree_ / "link");
    EXPECT_FALSE(fs::exists(fs::symlink_status(tree_ / "link")));
    ExpectVictimUntouched();
}

TEST_F(SafeFsTest, MakeDirectoryReplacesALinkAndChangesNothingItPointsAt) {
    fs::create_directory_symlink(victim_, tree_ / "run");
    Fd dir = MakeDirectoryAt(parent_.Get(), "run", 0700, Owner{::geteuid(), ::getegid()}, tree_ / "run");
    ASSERT_TRUE(dir.Valid());
    const struct stat st = Lstat(tree_ / "run");
    EXPECT_TRUE(S_ISDIR(st.st_mode));
    EXPECT_EQ(st.st_mode & 07777, 0700u);
    ExpectVictimUntouched();
}

TEST_F(SafeFsTest, MakeDirectoryFollowsALinkOnlyWhenAskedTo) {
    fs::create_directory_symlink(victim_, tree_ / "moved");
    Fd dir = MakeDirectoryAt(parent_.Get(), "moved", 0750, std::nullopt, tree_ / "moved", true);
    EXPECT_TRUE(fs::is_symlink(tree_ / "moved")) << "a normal user's own link is kept";
    EXPECT_EQ(Lstat(victim_).st_mode & 07777, 0750u);
}

TEST_F(SafeFsTest, MakeDirectoryAdjustsAnExistingDirectoryAndRefusesAFile) {
    fs::create_directories(tree_ / "run");
    ASSERT_EQ(::chmod((tree_ / "run").c_str(), 0777), 0);
    MakeDirectoryAt(parent_.Get(), "run", 0700, std::nullopt, tree_ / "run");
    EXPECT_EQ(Lstat(tree_ / "run").st_mode & 07777, 0700u);

    WriteFile(tree_ / "file", "x");
    EXPECT_THROW(MakeDirectoryAt(parent_.Get(), "file", 0700, std::nullopt, tree_ / "file"), std::runtime_error);
}

TEST_F(SafeFsTest, OpenDirectoryRefusesALinkNamingIt) {
    fs::create_directory_symlink(victim_, tree_ / "pg");
    try {
        OpenDirectoryAt(parent_.Get(), "pg", tree_ / "pg");
        ADD_FAILURE() << "a link must not be opened";
    } catch (const std::runtime_error& e) {
        EXPECT_NE(std::string(e.what()).find("is a symbolic link"), std::string::npos) << e.what();
    }
    EXPECT_TRUE(OpenDirectoryAt(parent_.Get(), "pg", tree_ / "pg", true).Valid());
}

TEST_F(SafeFsTest, OpenFileNeverFollowsALink) {
    fs::create_symlink(victim_ / "created", tree_ / "pg.lock");
    Fd fd = OpenFileAt(parent_.Get(), "pg.lock", O_RDWR | O_CREAT, 0600);
    EXPECT_FALSE(fd.Valid());
    EXPECT_EQ(errno, ELOOP);
    EXPECT_FALSE(fs::exists(victim_ / "created"));
}

TEST_F(SafeFsTest, ChownTreeGivesAwayOnlyWhatBelongsToTheOldOwner) {
    if (::geteuid() != 0) {
        GTEST_SKIP() << "changing owners needs root";
    }
    constexpr uid_t kOld = 4242;
    constexpr uid_t kNew = 4343;
    const fs::path cluster = tree_ / "pg";
    fs::create_directories(cluster / "base" / "1");
    WriteFile(cluster / "PG_VERSION", "15\n");
    WriteFile(cluster / "base" / "1" / "1259", "x");
    fs::create_directory_symlink(victim_, cluster / "base" / "link-to-dir");
    fs::create_symlink(victim_ / "precious", cluster / "link-to-file");
    // A hard link to a file of someone else (root), and a directory others may write in.
    ASSERT_EQ(::link((victim_ / "precious").c_str(), (cluster / "hard-link").c_str()), 0);
    fs::create_directories(cluster / "open");
    WriteFile(cluster / "open" / "planted", "x");
    for (const fs::path& path : {cluster, cluster / "base", cluster / "base" / "1", cluster / "PG_VERSION",
                                 cluster / "base" / "1" / "1259", cluster / "open", cluster / "open" / "planted"}) {
        ASSERT_EQ(::chown(path.c_str(), kOld, kOld), 0) << path;
    }
    for (const fs::path& link : {cluster / "base" / "link-to-dir", cluster / "link-to-file"}) {
        ASSERT_EQ(::lchown(link.c_str(), kOld, kOld), 0) << link;
    }
    ASSERT_EQ(::chmod((cluster / "open").c_str(), 0777), 0);

    const Fd dir = OpenDirectoryAt(parent_.Get(), "pg", cluster);
    ChownTree(dir.Get(), kOld, Owner{kNew, kNew}, cluster);

    for (const fs::path& path :
         {cluster, cluster / "base", cluster / "base" / "1", cluster / "PG_VERSION", cluster / "base" / "1" / "1259",
          cluster / "base" / "link-to-dir", cluster / "link-to-file", cluster / "open"}) {
        EXPECT_EQ(Lstat(path).st_uid, kNew) << path;
    }
    EXPECT_EQ(Lstat(cluster / "open" / "planted").st_uid, kOld) << "a directory others can write is not entered";
    EXPECT_EQ(Lstat(cluster / "hard-link").st_uid, 0u) << "someone else's file is not taken";
    ExpectVictimUntouched();
}

TEST_F(SafeFsTest, IsEmptyDirectoryCountsEntries) {
    fs::create_directories(tree_ / "empty");
    EXPECT_TRUE(IsEmptyDirectory(OpenDirectoryAt(parent_.Get(), "empty", tree_ / "empty").Get(), tree_ / "empty"));
    WriteFile(tree_ / "empty" / "x", "");
    EXPECT_FALSE(IsEmptyDirectory(OpenDirectoryAt(parent_.Get(), "empty", tree_ / "empty").Get(), tree_ / "empty"));
}

}  // namespace
}  // namespace strava1::db::safe_fs
