#!/usr/bin/env python3
"""docs/api/openapi.yaml -> openapi.json, for the copy compiled into the binary (served at /openapi.json).

Plain scalars are read by the YAML 1.2 core schema, as the web build's `yaml` package reads them, not
PyYAML's YAML 1.1 defaults: `yes`, `no`, `on` and `off` stay strings, dates stay strings. An e2e test
checks that the served document equals what the `yaml` package makes of the file.
"""
import json
import re
import sys

try:
    import yaml
except ImportError:
    sys.exit('openapi_to_json.py: the Python yaml module is missing: install python3-yaml (scripts/deps.sh does)')


class CoreSchemaLoader(yaml.SafeLoader):
    pass


CoreSchemaLoader.yaml_implicit_resolvers = {}
for tag, pattern, first in [
    ('bool', r'^(?:true|True|TRUE|false|False|FALSE)$', 'tTfF'),
    ('null', r'^(?:~|null|Null|NULL|)$', ['~', 'n', 'N', '']),
    ('int', r'^(?:[-+]?[0-9]+|0o[0-7]+|0x[0-9a-fA-F]+)$', '-+0123456789'),
    ('float', r'^(?:[-+]?(?:\.[0-9]+|[0-9]+(?:\.[0-9]*)?)(?:[eE][-+]?[0-9]+)?|[-+]?\.(?:inf|Inf|INF)|\.(?:nan|NaN|NAN))$',
     '-+0123456789.'),
]:
    CoreSchemaLoader.add_implicit_resolver('tag:yaml.org,2002:' + tag, re.compile(pattern), list(first))


def core_int(loader, node):
    text = loader.construct_scalar(node)
    if text.startswith('0o'):
        return int(text[2:], 8)
    if text.startswith('0x'):
        return int(text[2:], 16)
    return int(text, 10)  # "012" is twelve in YAML 1.2, not octal


CoreSchemaLoader.add_constructor('tag:yaml.org,2002:int', core_int)


def main() -> int:
    if len(sys.argv) != 3:
        print('usage: openapi_to_json.py OPENAPI.yaml OUT.json', file=sys.stderr)
        return 2
    with open(sys.argv[1], encoding='utf-8') as source:
        document = yaml.load(source, Loader=CoreSchemaLoader)
    text = json.dumps(document, indent=2, ensure_ascii=False, allow_nan=False) + '\n'
    with open(sys.argv[2], 'w', encoding='utf-8') as out:
        out.write(text)
    return 0


if __name__ == '__main__':
    sys.exit(main())
