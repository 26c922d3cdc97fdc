"""YAML as framing reads it (corpus headers, sidecars, codebooks): safe, without aliases, without duplicate keys.

Aliases (``*name``) are refused because nested aliases expand exponentially: a 326-byte header can ask for gigabytes
of memory ("billion laughs"). A duplicated key is refused because plain YAML keeps the last value silently.

>>> load_yaml("title: One\\nlanguage: en\\n")
{'title': 'One', 'language': 'en'}
>>> load_yaml("a: &x [1, 2]\\nb: *x\\n")  # doctest: +ELLIPSIS
Traceback (most recent call last):
yaml.composer.ComposerError: aliases (*x) are not allowed ...
"""

from __future__ import annotations

import yaml


class StrictLoader(yaml.SafeLoader):
    """A SafeLoader that refuses aliases and duplicate keys in a mapping."""

    def compose_node(self, parent, index):
        if self.check_event(yaml.AliasEvent):
            event = self.peek_event()
            raise yaml.composer.ComposerError(
                None, None, f"aliases (*{event.anchor}) are not allowed in framing's YAML files; write the value out",
                event.start_mark)
        return super().compose_node(parent, index)

    def construct_mapping(self, node, deep=False):
        seen = set()
        for key_node, _ in node.value:
            key = self.construct_object(key_node, deep=True)
            if key in seen:
                raise yaml.constructor.ConstructorError(None, None, f"duplicate key {key!r}", key_node.start_mark)
            seen.add(key)
        return super().construct_mapping(node, deep=deep)


def load_yaml(text: str) -> object:
    """Parse YAML text with ``StrictLoader``; errors are ``yaml.YAMLError`` with a ``problem_mark`` (line) when known."""
    return yaml.load(text, Loader=StrictLoader)  # noqa: S506 - StrictLoader is a SafeLoader
