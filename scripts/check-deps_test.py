#!/usr/bin/python3
"""Tests for scripts/check-deps.py: small fake trees, one broken rule each, plus a clean tree.

    /usr/bin/python3 scripts/check-deps_test.py
"""

import os
import subprocess
import sys
import tempfile
import unittest

CHECKER = os.path.join(os.path.dirname(os.path.abspath(__file__)), "check-deps.py")

# A small tree that obeys every rule and exercises the allowed edges: layers, private headers via the
# module's own include path, a test-only helper header, test files using libs/testing and migrations,
# feature-to-feature through include/, apps/ wiring features, and a fuzz target.
CLEAN_TREE = {
    "libs/base/CMakeLists.txt": "strava1_module(base DEPS Boost::json OpenSSL::Crypto)\n",
    "libs/base/include/strava1/base/error.hpp": "#pragma once\n#include <string>\n",
    "libs/base/src/error.cpp": '#include "strava1/base/error.hpp"\n',
    "libs/geo/CMakeLists.txt": "strava1_module(geo DEPS strava1::base)\n",
    "libs/geo/include/strava1/geo/polyline.hpp": '#pragma once\n#include "strava1/base/error.hpp"\n',
    "libs/formats/CMakeLists.txt": "strava1_module(formats DEPS strava1::geo)\n",
    "libs/formats/include/strava1/formats/gpx.hpp": '#pragma once\n#include "strava1/geo/polyline.hpp"\n',
    "libs/analytics/CMakeLists.txt": "strava1_module(analytics DEPS strava1::formats)\n",
    "libs/analytics/src/splits.cpp": '#include "strava1/formats/gpx.hpp"\n#include "strava1/base/error.hpp"\n',
    "libs/db/CMakeLists.txt": "strava1_module(db DEPS strava1::base PkgConfig::LIBPQ\n"
                              "              TEST_DEPS strava1::testing)\n",
    "libs/db/include/strava1/db/pool.hpp": '#pragma once\n#include "strava1/base/error.hpp"\n',
    "libs/db/include/strava1/db/migrations.hpp": "#pragma once\n",
    "libs/db/src/connection.hpp": "#pragma once\n",
    "libs/db/src/pool.cpp": '#include "strava1/db/pool.hpp"\n#include "connection.hpp"\n',
    "libs/db/src/pool_pgtest.cpp": '#include "strava1/testing/pg.hpp"\n#include "strava1/migrations/all.hpp"\n',
    "migrations/CMakeLists.txt": "add_library(strava1_migrations STATIC embedded.cpp)\n"
                                 "target_link_libraries(strava1_migrations PUBLIC strava1::db)\n",
    "migrations/embedded.cpp.in": '#include "strava1/migrations/all.hpp"\n',
    "migrations/include/strava1/migrations/all.hpp": '#pragma once\n#include "strava1/db/migrations.hpp"\n',
    "libs/testing/CMakeLists.txt": "strava1_module(testing DEPS strava1::db strava1::migrations GTest::gtest)\n",
    "libs/testing/include/strava1/testing/pg.hpp": '#pragma once\n#include "strava1/base/error.hpp"\n',
    "libs/testing/src/pg.cpp": '#include "strava1/testing/pg.hpp"\n#include "strava1/migrations/all.hpp"\n',
    "libs/auth/CMakeLists.txt": "strava1_module(auth DEPS strava1::base OpenSSL::Crypto TEST_DEPS strava1::testing)\n",
    "libs/auth/include/strava1/auth/jwt.hpp": "#pragma once\n",
    "libs/auth/src/jwt.cpp": '#include "strava1/auth/jwt.hpp"\n#include "strava1/base/error.hpp"\n',
    "libs/auth/src/test_support.hpp": '#pragma once\n#include "strava1/testing/pg.hpp"\n',
    "libs/auth/src/jwt_test.cpp": '#include "test_support.hpp"\n#include <gtest/gtest.h>\n',
    "libs/http/CMakeLists.txt": "strava1_module(http DEPS strava1::base strava1::db)\n",
    "libs/http/src/server.cpp": '#include "strava1/db/pool.hpp"\n',
    "libs/http/include/strava1/http/server.hpp": '#pragma once\n#include "strava1/base/error.hpp"\n',
    "features/accounts/CMakeLists.txt": "strava1_module(accounts DEPS strava1::http strava1::auth)\n",
    "features/accounts/include/strava1/accounts/module.hpp": '#pragma once\n#include "strava1/http/server.hpp"\n',
    "features/accounts/include/strava1/accounts/events.hpp": "#pragma once\n",
    "features/accounts/src/service.hpp": "#pragma once\n",
    "features/accounts/src/service.cpp": '#include "service.hpp"\n#include "strava1/auth/jwt.hpp"\n',
    "features/accounts/src/repository.cpp": 'const char* kFind = "SELECT id FROM users WHERE id = $1";\n',
    "features/social/CMakeLists.txt": "strava1_module(social DEPS strava1::accounts)\n",
    "features/social/src/feed.cpp": '#include "strava1/accounts/events.hpp"\n'
                                    '// Reads no FROM users: comments are not SQL.\n'
                                    'const char* kFeed = "SELECT a.id FROM follows f "\n'
                                    '                    "JOIN follows g ON g.id = f.id";\n'
                                    'const char* kWhy = "ask accounts, not the users table";\n',
    "features/social/src/feed_pgtest.cpp": 'const char* kSetUp = "INSERT INTO users (email) VALUES (1)";\n',
    "migrations/0001_accounts.sql": "-- Accounts (owned by features/accounts).\n"
                                    "CREATE TABLE users (id bigint PRIMARY KEY);\n",
    "migrations/0002_social.sql": "-- Follows (owned by features/social).\n"
                                  "CREATE TABLE follows (id bigint REFERENCES users (id));\n",
    "apps/strava1/CMakeLists.txt": "add_executable(strava1 main.cpp)\n"
                                   "target_link_libraries(strava1 PRIVATE strava1::accounts strava1::social)\n",
    "apps/strava1/main.cpp": '#include "serve.hpp"\n#include "strava1/accounts/module.hpp"\n',
    "apps/strava1/serve.hpp": "#pragma once\n",
    "tests/fuzz/jwt_fuzz.cpp": '#include "strava1/auth/jwt.hpp"\n',
}


def run_checker(tree):
    with tempfile.TemporaryDirectory() as root:
        for path, text in tree.items():
            full = os.path.join(root, path)
            os.makedirs(os.path.dirname(full), exist_ok=True)
            with open(full, "w", encoding="utf-8") as handle:
                handle.write(text)
        result = subprocess.run([sys.executable, CHECKER, "--root", root], capture_output=True, text=True,
                                check=False)
    return result.returncode, result.stdout.splitlines()


class CheckDepsTest(unittest.TestCase):
    def assert_one_violation(self, changes, location, rule):
        tree = dict(CLEAN_TREE)
        tree.update(changes)
        status, lines = run_checker(tree)
        self.assertEqual(status, 1, lines)
        self.assertEqual(len(lines), 1, lines)
        self.assertTrue(lines[0].startswith(f"{location}: {rule}: "), lines[0])

    def test_clean_tree_passes(self):
        status, lines = run_checker(CLEAN_TREE)
        self.assertEqual(status, 0, lines)
        self.assertEqual(len(lines), 1)
        self.assertTrue(lines[0].startswith("check-deps: ok"), lines)

    def test_base_may_not_include_a_higher_layer(self):
        self.assert_one_violation({"libs/base/src/error.cpp": '#include "strava1/base/error.hpp"\n'
                                                              '#include "strava1/geo/polyline.hpp"\n'},
                                  "libs/base/src/error.cpp:2", "layer")

    def test_geo_may_not_include_formats(self):
        self.assert_one_violation({"libs/geo/src/simplify.cpp": '#include "strava1/formats/gpx.hpp"\n'},
                                  "libs/geo/src/simplify.cpp:1", "layer")

    def test_analytics_stays_pure(self):
        self.assert_one_violation({"libs/analytics/src/load.cpp": '#include "strava1/db/pool.hpp"\n'},
                                  "libs/analytics/src/load.cpp:1", "analytics-pure")

    def test_libs_never_include_features(self):
        self.assert_one_violation({"libs/http/src/server.cpp": '#include "strava1/db/pool.hpp"\n'
                                                               '#include "strava1/accounts/events.hpp"\n'},
                                  "libs/http/src/server.cpp:2", "libs-no-features")

    def test_feature_may_not_reach_into_another_features_src(self):
        self.assert_one_violation({"features/social/src/feed.cpp": '#include "../../accounts/src/service.hpp"\n'},
                                  "features/social/src/feed.cpp:1", "private-src")

    def test_repository_relative_path_into_src_is_private_too(self):
        self.assert_one_violation({"apps/strava1/main.cpp": '#include "features/accounts/src/service.hpp"\n'},
                                  "apps/strava1/main.cpp:1", "private-src")

    def test_private_header_named_like_a_public_one(self):
        self.assert_one_violation({"libs/http/src/pool_user.cpp": '#include "strava1/db/connection.hpp"\n'},
                                  "libs/http/src/pool_user.cpp:1", "private-src")

    def test_public_header_may_not_include_its_own_src(self):
        self.assert_one_violation(
            {"libs/db/include/strava1/db/pool.hpp": '#pragma once\n#include "../../../src/connection.hpp"\n'},
            "libs/db/include/strava1/db/pool.hpp:2", "private-src")

    def test_public_header_may_not_rely_on_the_private_include_path(self):
        self.assert_one_violation({"libs/db/include/strava1/db/pool.hpp": '#pragma once\n#include "connection.hpp"\n'},
                                  "libs/db/include/strava1/db/pool.hpp:2", "private-src")

    def test_nothing_includes_apps(self):
        self.assert_one_violation({"features/accounts/src/service.cpp": '#include "../../../apps/strava1/serve.hpp"\n'},
                                  "features/accounts/src/service.cpp:1", "no-apps-include")

    def test_testing_only_in_test_files(self):
        self.assert_one_violation({"libs/db/src/pool.cpp": '#include "strava1/testing/pg.hpp"\n'},
                                  "libs/db/src/pool.cpp:1", "testing-only-in-tests")

    def test_helper_header_used_by_production_code_is_not_test_only(self):
        self.assert_one_violation({"libs/auth/src/jwt.cpp": '#include "test_support.hpp"\n'},
                                  "libs/auth/src/test_support.hpp:2", "testing-only-in-tests")

    def test_apps_use_testing_only_in_their_test_files(self):
        # The composition root's in-process route tests (ADR 0005) compose the real app, which only
        # apps/ may include; its production code still never sees libs/testing.
        self.assert_one_violation({"apps/strava1/main.cpp": '#include "strava1/testing/pg.hpp"\n',
                                   "apps/strava1/routes_pgtest.cpp": '#include "strava1/testing/pg.hpp"\n',
                                   "apps/strava1/CMakeLists.txt": "add_executable(strava1 main.cpp)\n"
                                                                  "target_link_libraries(strava1_app_pgtest PRIVATE\n"
                                                                  "                      strava1::testing)\n"},
                                  "apps/strava1/main.cpp:1", "testing-only-in-tests")

    def test_include_must_be_reachable_through_cmake_deps(self):
        self.assert_one_violation({"libs/auth/CMakeLists.txt": "strava1_module(auth TEST_DEPS strava1::testing)\n"},
                                  "libs/auth/src/jwt.cpp:2", "cmake-deps")

    def test_test_deps_do_not_count_for_library_code(self):
        self.assert_one_violation({"libs/http/CMakeLists.txt": "strava1_module(http DEPS strava1::base\n"
                                                               "               TEST_DEPS strava1::db)\n"},
                                  "libs/http/src/server.cpp:1", "cmake-deps")

    def test_cmake_deps_obey_the_layers(self):
        self.assert_one_violation({"libs/base/CMakeLists.txt": "strava1_module(base\n    DEPS strava1::db)\n"},
                                  "libs/base/CMakeLists.txt:2", "layer")

    def test_testing_belongs_in_test_deps(self):
        self.assert_one_violation({"libs/auth/CMakeLists.txt": "strava1_module(auth DEPS strava1::base "
                                                               "strava1::testing)\n"},
                                  "libs/auth/CMakeLists.txt:1", "testing-only-in-tests")

    def test_unknown_module(self):
        self.assert_one_violation({"features/social/src/feed.cpp": '#include "strava1/accounts/events.hpp"\n'
                                                                   '#include <strava1/nosuch/thing.hpp>\n'},
                                  "features/social/src/feed.cpp:2", "unknown-module")

    def test_feature_sql_may_not_name_another_features_table(self):
        self.assert_one_violation({"features/social/src/feed.cpp": 'const char* kFeed =\n'
                                                                   '    "SELECT f.id, u.display_name FROM follows f "\n'
                                                                   '    "JOIN users u ON u.id = f.id";\n'},
                                  "features/social/src/feed.cpp:3", "foreign-table")

    def test_split_literals_and_raw_strings_are_read_as_one_statement(self):
        self.assert_one_violation({"features/social/src/feed.cpp": 'auto a = "DELETE FROM "\n'
                                                                   '         "users WHERE id = $1";\n'},
                                  "features/social/src/feed.cpp:2", "foreign-table")
        self.assert_one_violation({"features/social/src/feed.cpp": 'auto a = R"sql(\n'
                                                                   'UPDATE users SET x = 1)sql";\n'},
                                  "features/social/src/feed.cpp:2", "foreign-table")

    def test_a_migration_may_not_change_another_modules_table(self):
        self.assert_one_violation({"migrations/0002_social.sql": "-- Follows (owned by features/social).\n"
                                                                 "CREATE TABLE follows (id bigint);\n"
                                                                 "ALTER TABLE users ADD COLUMN x int;\n"},
                                  "migrations/0002_social.sql:3", "foreign-table")

    def test_a_migration_names_its_owner(self):
        self.assert_one_violation({"migrations/0003_misc.sql": "-- Something.\nCREATE TABLE misc (id int);\n"},
                                  "migrations/0003_misc.sql:1", "foreign-table")

    def test_feature_may_not_use_another_features_private_header_by_public_name(self):
        self.assert_one_violation({"features/social/src/feed.cpp": '#include "strava1/accounts/service.hpp"\n'},
                                  "features/social/src/feed.cpp:1", "private-src")

    def test_new_library_must_be_placed_in_the_layer_table(self):
        self.assert_one_violation({"libs/gizmo/CMakeLists.txt": "strava1_module(gizmo DEPS strava1::base)\n"},
                                  "libs/gizmo/CMakeLists.txt:1", "layer")


if __name__ == "__main__":
    unittest.main()
