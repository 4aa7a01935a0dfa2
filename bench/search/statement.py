"""Prints people search's statement as the server sends it: the pieces of the C++ string literal
kSearchUsers in features/accounts/src/repository.cpp, joined (so the benchmark cannot drift from it).

    python3 bench/search/statement.py features/accounts/src/repository.cpp
"""
import re
import sys

source = open(sys.argv[1], encoding="utf-8").read()
body = source[source.index("constexpr const char* kSearchUsers ="):]
body = body[: body.index(";\n")]
pieces = re.findall(r'"((?:[^"\\]|\\.)*)"', body)
print("".join(pieces).replace('\\"', '"').replace("\\\\", "\\"))
