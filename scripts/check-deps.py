#!/usr/bin/python3
"""Checks the module dependency rules of ARCHITECTURE.md section 4 (stdlib only).

    scripts/check-deps.py [--root DIR]

Scans every `#include "..."` (and `#include <strava1/...>`) in libs/, features/, apps/, migrations/,
tests/ and bench/, resolves it to the module that provides it, and reports each broken rule as
`file:line: rule: detail`. Also checks each module's CMakeLists.txt: the strava1:: targets it links
must obey the same rules, and every other module it includes must be reachable through them.

Tables: each migrations/NNNN_*.sql names the module that owns it in its first comment ("owned by
features/accounts"; its first features/<name> or libs/<name>), and owns the tables it creates. The
SQL in a feature's sources (string literals outside test files) and in a migration may name only
tables of its own module: another module's data comes through its contract in include/ (rule
"foreign-table"). A foreign key (REFERENCES) to another module's table is not a read and is allowed.
Exit status: 0 clean, 1 on any violation.

Modules: libs/<name>, migrations (the embedded-migrations library), features/<name>, apps/<name>.
A module's public contract is include/strava1/<name>/; everything else in it is private.
"""

import argparse
import os
import re
import sys
from dataclasses import dataclass, field

# What each infrastructure library may include besides itself (ARCHITECTURE.md section 4). This table
# is the rule: change it in the same commit as the architecture document, never to silence a finding.
_UPPER_INFRA = frozenset({"base", "db", "jobs", "http", "auth"})
LIB_DEPS = {
    "base": frozenset(),
    "geo": frozenset({"base"}),
    "formats": frozenset({"base", "geo"}),
    # Pure: no I/O, deterministic, fuzzable.
    "analytics": frozenset({"base", "geo", "formats"}),
    "db": frozenset({"base"}),
    "migrations": frozenset({"base", "db"}),
    "jobs": frozenset({"base", "db"}),
    # The idempotency-key store (ARCHITECTURE.md section 6) keeps its keys in PostgreSQL.
    "http": frozenset({"base", "db"}),
    # The feature platform: the registry every module registers with, and what features share.
    "app": frozenset({"base", "db", "http", "jobs"}),
    "auth": frozenset({"base"}),
    "realtime": _UPPER_INFRA,
    "storage": _UPPER_INFRA,
    # The map tile proxy: its routes slice, a disk cache and libcurl (ARCHITECTURE.md section 4).
    "tiles": _UPPER_INFRA,
    "push": _UPPER_INFRA,
    # Test-only helpers may build on every library (but never on features or apps).
    "testing": None,
}
# Test files may also use the test helpers and the migrated schema, whatever their module's layer.
TEST_ONLY_EXTRA = frozenset({"testing", "migrations"})

TEST_SUFFIXES = ("_test.cpp", "_pgtest.cpp", "_redistest.cpp", "_benchmark.cpp", "_fuzz.cpp")
SOURCE_SUFFIXES = (".h", ".hh", ".hpp", ".hxx", ".ipp", ".inl", ".c", ".cc", ".cpp", ".cxx")
SCANNED_DIRS = ("libs", "features", "apps", "migrations", "tests", "bench")
SKIPPED_DIRS = {"node_modules", "build", ".git", "corpus", "crashes"}

_INCLUDE = re.compile(r'^\s*#\s*include\s*(?:"([^"]+)"|<(strava1/[^>]+)>)')
# A statement naming a table it reads or changes (not REFERENCES: a foreign key names an id).
_TABLE_USE = re.compile(r"\b(FROM|JOIN|INTO|UPDATE|TABLE|TRUNCATE)\s+(?:ONLY\s+|IF\s+(?:NOT\s+)?EXISTS\s+)?"
                        r"([A-Za-z_][A-Za-z0-9_]*)", re.IGNORECASE)
_CREATE_TABLE = re.compile(r"\bCREATE\s+TABLE\s+(?:IF\s+NOT\s+EXISTS\s+)?([A-Za-z_][A-Za-z0-9_]*)", re.IGNORECASE)
_OWNER = re.compile(r"\b((?:features|libs)/[a-z_]+)")
# Migrations that landed naming another module's table, and why they may (files are never edited).
LANDED_FOREIGN_TABLES = {
    # ADR 0011: accounts owns users.hide_endpoints_m (a profile setting of /v1/me); 0008 records it.
    ("migrations/0003_activities.sql", "users"),
}
_TARGET = re.compile(r"\bstrava1::(\w+)")
_TEST_EXE = re.compile(r"\bstrava1_\w+_(?:test|pgtest|redistest)\b")


@dataclass
class Module:
    kind: str  # "lib", "feature", "app", or "other" (tests/, bench/: not a module, only checked)
    name: str
    root: str  # repository-relative directory
    deps: dict = field(default_factory=dict)  # linked module name -> CMakeLists.txt line
    test_deps: dict = field(default_factory=dict)
    has_cmake: bool = False

    @property
    def label(self):
        return self.root


@dataclass
class Include:
    file: str
    line: int
    text: str
    target: object = None  # Module or None (third-party or unresolved)
    path: str = None  # repository-relative path the include names, where known


class Checker:
    def __init__(self, root):
        self.root = root
        self.modules = {}  # root dir -> Module
        self.providers = {}  # public include name ("db") -> Module
        self.files = []  # repository-relative source files
        self.includes = []
        self.violations = []

    # ---------------------------------------------------------------- discovery

    def module_of(self, path):
        parts = path.split("/")
        if parts[0] in ("libs", "features", "apps") and len(parts) > 2:
            key, kind, name = "/".join(parts[:2]), {"libs": "lib", "features": "feature", "apps": "app"}[parts[0]], parts[1]
        elif parts[0] == "migrations" and len(parts) > 1:
            key, kind, name = "migrations", "lib", "migrations"
        elif parts[0] in ("tests", "bench") and len(parts) > 1:
            key, kind, name = parts[0], "other", parts[0]
        else:
            return None
        if key not in self.modules:
            self.modules[key] = Module(kind, name, key)
        return self.modules[key]

    def discover(self):
        for top in SCANNED_DIRS:
            base = os.path.join(self.root, top)
            if not os.path.isdir(base):
                continue
            for dirpath, dirnames, filenames in os.walk(base):
                dirnames[:] = sorted(d for d in dirnames if d not in SKIPPED_DIRS)
                for name in sorted(filenames):
                    rel = os.path.relpath(os.path.join(dirpath, name), self.root).replace(os.sep, "/")
                    stem = name[:-3] if name.endswith(".in") else name
                    if stem.endswith(SOURCE_SUFFIXES):
                        self.files.append(rel)
                        self.module_of(rel)
                    elif name == "CMakeLists.txt":
                        self.module_of(rel)
        for module in list(self.modules.values()):
            include_dir = os.path.join(self.root, module.root, "include", "strava1")
            if module.kind != "other" and os.path.isdir(include_dir):
                for public in sorted(os.listdir(include_dir)):
                    self.providers.setdefault(public, module)
            self.read_cmake(module)

    def read_cmake(self, module):
        path = os.path.join(self.root, module.root, "CMakeLists.txt")
        if module.kind == "other" or not os.path.isfile(path):
            return
        module.has_cmake = True
        section = "DEPS"
        with open(path, encoding="utf-8", errors="replace") as handle:
            for number, line in enumerate(handle, 1):
                code = line.split("#", 1)[0]
                # Within strava1_module(...), strava1:: targets after TEST_DEPS are test-only, and so are
                # those a command names for a test executable (strava1_<name>_test/_pgtest/_redistest,
                # e.g. apps/strava1's in-process route tests); any other strava1:: target in the file
                # (target_link_libraries, ...) is a library dependency.
                for token in re.finditer(r"\bTEST_DEPS\b|\bDEPS\b|\)|" + _TEST_EXE.pattern + "|" + _TARGET.pattern,
                                         code):
                    word = token.group(0)
                    if word in ("DEPS", ")"):
                        section = "DEPS"
                    elif word == "TEST_DEPS" or _TEST_EXE.fullmatch(word):
                        section = "TEST_DEPS"
                    else:
                        bucket = module.test_deps if section == "TEST_DEPS" else module.deps
                        bucket.setdefault(token.group(1), number)

    # ---------------------------------------------------------------- resolution

    def exists(self, rel):
        return os.path.isfile(os.path.join(self.root, rel))

    def resolve(self, file, text):
        """The module an include reaches and the repository-relative path it names (None if unknown)."""
        if text.startswith("strava1/"):
            parts = text.split("/")
            provider = self.providers.get(parts[1]) if len(parts) > 2 else None
            if provider is None:
                return None, None
            return provider, f"{provider.root}/include/{text}"
        if text.split("/")[0] in SCANNED_DIRS:
            candidate = os.path.normpath(text).replace(os.sep, "/")
        else:
            candidate = os.path.normpath(os.path.join(os.path.dirname(file), text)).replace(os.sep, "/")
        if candidate.startswith("../"):
            return None, None
        target = self.module_of(candidate)
        if target is None:
            return None, None
        own = self.module_of(file)
        if target is own and not self.exists(candidate):
            # Found through the module's own include directories: its src/ is one when compiling it.
            private = f"{own.root}/src/{text}"
            return own, (private if self.exists(private) else None)
        return target, candidate

    def area(self, module, path):
        """"include" for a module's public headers, "src" for everything else in it."""
        if path is not None and path.startswith(f"{module.root}/include/"):
            return "include"
        return "src"

    def scan(self):
        for file in self.files:
            with open(os.path.join(self.root, file), encoding="utf-8", errors="replace") as handle:
                for number, line in enumerate(handle, 1):
                    match = _INCLUDE.match(line)
                    if match:
                        text = match.group(1) or match.group(2)
                        target, path = self.resolve(file, text)
                        self.includes.append(Include(file, number, text, target, path))

    # ---------------------------------------------------------------- rules

    def report(self, file, line, rule, detail):
        self.violations.append((file, line, f"{rule}: {detail}"))

    def test_only_files(self):
        """Test files by name, plus headers that only test files (transitively) include."""
        includers = {}
        for inc in self.includes:
            if inc.path is not None:
                includers.setdefault(inc.path, set()).add(inc.file)
        test_only = {f for f in self.files if f.endswith(TEST_SUFFIXES)}
        changed = True
        while changed:
            changed = False
            for file in self.files:
                users = includers.get(file)
                if file not in test_only and users and users <= test_only:
                    test_only.add(file)
                    changed = True
        return test_only

    def allowed(self, source, target, test_file):
        """None if `source` may use `target`, else (rule, detail)."""
        if target.kind == "app":
            return "no-apps-include", f"nothing includes apps/ (reaches {target.root})"
        if target.kind == "lib" and target.name == "testing":
            if source.kind == "app" and not test_file:
                return "testing-only-in-tests", "apps/ never use libs/testing (outside their test files)"
            if not test_file:
                return "testing-only-in-tests", "libs/testing is only for *_test/_pgtest/_redistest/_benchmark/_fuzz files"
        if source.kind != "lib":
            return None
        if target.kind == "feature":
            return "libs-no-features", f"infrastructure library {source.root} never includes features/ ({target.root})"
        if target.kind != "lib":
            return None
        if source.name not in LIB_DEPS:
            return None  # reported once, as a library missing from the layer table
        allowed = LIB_DEPS[source.name]
        if allowed is None:
            return None
        if test_file:
            allowed = allowed | TEST_ONLY_EXTRA
        if target.name not in allowed:
            rule = "analytics-pure" if source.name == "analytics" else "layer"
            names = ", ".join(sorted(allowed)) or "no other module"
            return rule, f"{source.name} may not depend on {target.name} ({source.name} may use: {names})"
        return None

    def closure(self, names):
        """Modules reachable through linked strava1:: targets (library dependencies are PUBLIC)."""
        by_name = {}
        for module in self.modules.values():
            if module.kind != "other":
                by_name.setdefault(module.name, module)
        seen, stack = set(), list(names)
        while stack:
            name = stack.pop()
            if name in seen:
                continue
            seen.add(name)
            module = by_name.get(name)
            if module is not None:
                stack.extend(module.deps)
        return seen

    def check(self):
        for module in sorted(self.modules.values(), key=lambda m: m.root):
            if module.kind == "lib" and module.name not in LIB_DEPS:
                self.report(f"{module.root}/CMakeLists.txt" if module.has_cmake else module.root, 1, "layer",
                            f"library {module.name} is not in the layer table of scripts/check-deps.py")
        test_only = self.test_only_files()
        for inc in self.includes:
            source = self.module_of(inc.file)
            target = inc.target
            if inc.text.startswith("strava1/") and target is None:
                self.report(inc.file, inc.line, "unknown-module",
                            f"no module provides include/strava1/{inc.text.split('/')[1]}/ for \"{inc.text}\"")
                continue
            if target is None:
                continue
            if target is source:
                if inc.path and self.area(source, inc.file) == "include" and self.area(source, inc.path) == "src":
                    self.report(inc.file, inc.line, "private-src",
                                f"public header includes the private \"{inc.text}\"; public headers use only include/")
                continue
            if target.kind == "app":
                self.report(inc.file, inc.line, "no-apps-include", f"nothing includes apps/ (\"{inc.text}\")")
                continue
            if self.area(target, inc.path) != "include":
                self.report(inc.file, inc.line, "private-src",
                            f"\"{inc.text}\" is private to {target.root}; include its public strava1/{target.name}/ header")
                continue
            if inc.text.startswith("strava1/") and not self.exists(inc.path):
                private = f"{target.root}/src/{inc.text.split('/', 2)[2]}"
                if self.exists(private):
                    self.report(inc.file, inc.line, "private-src",
                                f"\"{inc.text}\" names {private}, private to {target.root}")
                    continue
            test_file = inc.file in test_only
            problem = self.allowed(source, target, test_file)
            if problem:
                self.report(inc.file, inc.line, *problem)
                continue
            if source.has_cmake and source.kind != "other":
                linked = set(source.deps) | (set(source.test_deps) if test_file else set())
                if target.name not in self.closure(linked):
                    where = "DEPS or TEST_DEPS" if test_file else "DEPS"
                    self.report(inc.file, inc.line, "cmake-deps",
                                f"includes strava1/{target.name}/ but {source.root}/CMakeLists.txt does not link "
                                f"strava1::{target.name} through its {where}")
        self.check_cmake()
        self.check_tables()

    # ---------------------------------------------------------------- tables

    def migration_files(self):
        base = os.path.join(self.root, "migrations")
        if not os.path.isdir(base):
            return []
        return sorted(f"migrations/{name}" for name in os.listdir(base) if re.match(r"^\d{4}_.*\.sql$", name))

    @staticmethod
    def strip_sql_comments(text):
        return re.sub(r"--[^\n]*", lambda m: " " * len(m.group(0)), text)

    def table_owners(self):
        """Table name -> owning module root, from the migrations; also each migration's owner."""
        owners, migration_owner = {}, {}
        for rel in self.migration_files():
            with open(os.path.join(self.root, rel), encoding="utf-8", errors="replace") as handle:
                text = handle.read()
            header = []
            for line in text.splitlines():
                if not line.startswith("--"):
                    break
                header.append(line)
            owner = _OWNER.search("\n".join(header))
            if owner is None:
                self.report(rel, 1, "foreign-table", "the first comment must name the owning module "
                                                     "(\"owned by features/<name>\" or \"libs/<name>\")")
                continue
            migration_owner[rel] = owner.group(1)
            for match in _CREATE_TABLE.finditer(self.strip_sql_comments(text)):
                owners.setdefault(match.group(1).lower(), owner.group(1))
        return owners, migration_owner

    @staticmethod
    def string_literals(text):
        """Each run of adjacent C++ string literals (plain and raw) in `text`, as the list of its
        pieces (line, contents): adjacent literals are one string to the compiler, so one statement."""
        runs = []
        pos, length = 0, len(text)
        pending, last_end = None, -1
        literal = re.compile(r'R"([^(\s]*)\(|"|//|/\*|\'')
        while pos < length:
            match = literal.search(text, pos)
            if match is None:
                break
            token = match.group(0)
            start = match.start()
            if token == "//":
                pos = text.find("\n", start)
                pos = length if pos < 0 else pos
                continue
            if token == "/*":
                end = text.find("*/", start + 2)
                pos = length if end < 0 else end + 2
                continue
            if token == "'":
                end = start + 1
                while end < length and text[end] != "'":
                    end += 2 if text[end] == "\\" else 1
                pos = end + 1
                continue
            if token.startswith("R"):
                closing = ")" + match.group(1) + '"'
                end = text.find(closing, match.end())
                end = length if end < 0 else end
                contents, pos = text[match.end():end], end + len(closing)
            else:
                end = start + 1
                while end < length and text[end] != '"' and text[end] != "\n":
                    end += 2 if text[end] == "\\" else 1
                contents, pos = text[start + 1:end], end + 1
            piece = (text.count("\n", 0, start) + 1, contents)
            if pending is not None and text[last_end:start].strip() == "":
                pending.append(piece)
            else:
                if pending is not None:
                    runs.append(pending)
                pending = [piece]
            last_end = pos
        if pending is not None:
            runs.append(pending)
        return runs

    def check_tables(self):
        owners, migration_owner = self.table_owners()
        test_only = self.test_only_files()

        def check(rel, pieces, own):
            sql = "".join(contents for _, contents in pieces)
            for match in _TABLE_USE.finditer(sql):
                table = match.group(2).lower()
                owner = owners.get(table)
                if owner is None or owner == own or (rel, table) in LANDED_FOREIGN_TABLES:
                    continue
                at, line = match.start(2), pieces[0][0]
                for piece_line, contents in pieces:
                    if at < len(contents):
                        line = piece_line + contents.count("\n", 0, at)
                        break
                    at -= len(contents)
                self.report(rel, line, "foreign-table",
                            f"{own} names {owner}'s table {table} ({match.group(1).upper()} {match.group(2)}); "
                            f"use {owner}'s contract in include/ instead")

        for rel, own in migration_owner.items():
            with open(os.path.join(self.root, rel), encoding="utf-8", errors="replace") as handle:
                check(rel, [(1, self.strip_sql_comments(handle.read()))], own)
        for rel in self.files:
            module = self.module_of(rel)
            if module is None or module.kind != "feature" or rel in test_only:
                continue
            with open(os.path.join(self.root, rel), encoding="utf-8", errors="replace") as handle:
                text = handle.read()
            for pieces in self.string_literals(text):
                check(rel, pieces, module.root)

    def check_cmake(self):
        by_name = {m.name: m for m in self.modules.values() if m.kind != "other"}
        for module in sorted(self.modules.values(), key=lambda m: m.root):
            if not module.has_cmake:
                continue
            cmake = f"{module.root}/CMakeLists.txt"
            for test_file, deps in ((False, module.deps), (True, module.test_deps)):
                for name, line in sorted(deps.items(), key=lambda item: item[1]):
                    target = by_name.get(name)
                    if target is None or target is module:
                        continue
                    problem = self.allowed(module, target, test_file)
                    if problem:
                        rule, detail = problem
                        if rule == "testing-only-in-tests" and module.kind != "app":
                            detail = "strava1::testing belongs in TEST_DEPS, never DEPS"
                        self.report(cmake, line, rule, f"links strava1::{name}: {detail}")

    def run(self):
        self.discover()
        self.scan()
        self.check()
        return sorted(set(self.violations))


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    default_root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    parser.add_argument("--root", default=default_root, help="repository root (default: this checkout)")
    args = parser.parse_args(argv)
    checker = Checker(os.path.abspath(args.root))
    violations = checker.run()
    for file, line, message in violations:
        print(f"{file}:{line}: {message}")
    modules = sum(1 for m in checker.modules.values() if m.kind != "other")
    if violations:
        print(f"check-deps: {len(violations)} violation(s) in {len(checker.files)} files", file=sys.stderr)
        return 1
    print(f"check-deps: ok ({len(checker.files)} files, {len(checker.includes)} includes, {modules} modules)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
