"""Prints a statement of people search as the server sends it: the pieces of a C++ string literal
(kSearchUsers, or the constant named) in features/accounts/src/repository.cpp, joined, so the
benchmark cannot drift from the server.

    python3 bench/search/statement.py features/accounts/src/repository.cpp [kSetSearchSettings]
"""
import re
import sys

source = open(sys.argv[1], encoding="utf-8").read()
name = sys.argv[2] if len(sys.argv) > 2 else "kSearchUsers"
body = source[source.index(f"constexpr const char* {name} ="):]
body = body[: body.index(";\n")]
pieces = re.findall(r'"((?:[^"\\]|\\.)*)"', body)
print("".join(pieces).replace('\\"', '"').replace("\\\\", "\\"))
