"""The OpenAPI documents as a profile asserts them: `mock` all of it, `real` not what `x-unverified` marks.

What relaxing an unverified node means depends on where it is:

- a schema: accepts anything (`{}`); under `not` the `not` goes (its claim is the unverified one);
- a branch of a `oneOf`/`anyOf`: `{}` would make the whole union accept anything, so the branch keeps its JSON
  types (its own and its properties', a `const` or `enum` standing for its type) and gives way to the verified
  branches: a body one of them claims (its type and its required `const` properties) must conform to it;
- a response (inline or `$ref`): its content schemas accept anything;
- a request parameter: an optional one is not sent (the real service may not know it), a required one may be
  anything;
- an operation: any status is tolerated.
"""

from __future__ import annotations

import copy
from typing import Any

VALUE_KEYS = ("const", "enum")
SCHEMA_KEYS = ("type", "const", "enum", "allOf", "anyOf", "oneOf", "not", "required", "properties", "items")


def for_profile(spec: dict[str, Any], profile: str) -> dict[str, Any]:
    """The spec as `profile` asserts it (a copy; `mock`: unchanged)."""
    spec = copy.deepcopy(spec)
    if profile != "real":
        return spec
    relaxed: dict[str, Any] = _relax(spec, spec)
    for path_item in relaxed.get("paths", {}).values():
        for op in path_item.values():
            if isinstance(op, dict) and "x-unverified" in op and "responses" in op:
                op["responses"].setdefault("default", {"description": "unverified: any status"})
    return relaxed


def _relax(node: Any, spec: dict[str, Any]) -> Any:
    if isinstance(node, list):
        kept = [v for v in node if not _unverified_optional_parameter(v)]
        return [_relax(v, spec) for v in kept]
    if not isinstance(node, dict):
        return node
    if "x-unverified" in node and "in" in node and "name" in node:  # a required parameter: any value
        return {**node, "schema": {}}
    if "x-unverified" in node:
        if any(k in node for k in SCHEMA_KEYS):  # a schema
            return {"x-unverified": node["x-unverified"]}
        response = _resolve(node, spec)
        if "content" in response:  # a response, inline or by reference
            return {**response, "content": {kind: {"schema": {}} for kind in response["content"]},
                    "x-unverified": node["x-unverified"]}  # fmt: skip
    out: dict[str, Any] = {}
    for key, value in node.items():
        if key == "not" and isinstance(value, dict) and "x-unverified" in value:
            continue
        if key in ("oneOf", "anyOf") and isinstance(value, list):
            out[key] = _relax_union(value, spec)
        else:
            out[key] = _relax(value, spec)
    return out


def _relax_union(branches: list[Any], spec: dict[str, Any]) -> list[Any]:
    verified = [b for b in branches if not (isinstance(b, dict) and "x-unverified" in b)]
    claims = [_claim(_resolve(b, spec)) for b in verified]
    out = []
    for branch in branches:
        if branch in verified:
            out.append(_relax(branch, spec))
            continue
        relaxed = _types_of(_resolve(branch, spec))
        if claims:
            relaxed["not"] = {"anyOf": claims}
        out.append({**relaxed, "x-unverified": branch["x-unverified"]})
    return out


def _claim(schema: dict[str, Any]) -> dict[str, Any]:
    """What a branch claims: its JSON type and its required `const` properties (e.g. `active: true`)."""
    claim: dict[str, Any] = {k: schema[k] for k in ("type",) if k in schema}
    props = schema.get("properties", {})
    consts = {
        name: {"const": props[name]["const"]} for name in schema.get("required", []) if "const" in props.get(name, {})
    }
    if consts:
        claim.update(required=sorted(consts), properties=consts)
    return claim


def _types_of(schema: dict[str, Any]) -> dict[str, Any]:
    """A schema's JSON types, without its values: its own type and its properties' (a const or an enum stands for
    its values' types); nothing else of it is kept."""
    out: dict[str, Any] = {}
    if "type" in schema:
        out["type"] = schema["type"]
    elif any(k in schema for k in VALUE_KEYS):
        values = [schema["const"]] if "const" in schema else list(schema["enum"])
        kinds = sorted({_json_type(v) for v in values})
        out["type"] = kinds[0] if len(kinds) == 1 else kinds
    props = schema.get("properties")
    if isinstance(props, dict):
        out["properties"] = {name: _types_of(p) for name, p in props.items() if isinstance(p, dict)}
    return out


def _json_type(value: Any) -> str:
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, int):
        return "integer"
    kinds = {float: "number", str: "string", list: "array", dict: "object", type(None): "null"}
    return kinds[type(value)]


def _resolve(node: dict[str, Any], spec: dict[str, Any]) -> dict[str, Any]:
    """`node` with a local `$ref` followed (other keys of `node` are dropped by the reference)."""
    ref = node.get("$ref")
    if not (isinstance(ref, str) and ref.startswith("#/")):
        return node
    target: Any = spec
    for part in ref[2:].split("/"):
        target = target[part.replace("~1", "/").replace("~0", "~")]
    return _resolve(target, spec) if isinstance(target, dict) else node


def _unverified_optional_parameter(node: Any) -> bool:
    return (
        isinstance(node, dict)
        and "in" in node
        and "name" in node
        and "x-unverified" in node
        and not node.get("required")
    )
