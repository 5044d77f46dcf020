"""Check live responses against an OpenAPI 3.1 document of `contracts/` (status declared, headers, media type,
JSON body against the schema with jsonschema_rs), and record which operations a test exercised."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import httpx
import jsonschema_rs
import yaml

CONTRACTS = Path(__file__).resolve().parents[2] / "contracts"


class Contract:
    def __init__(self, name: str) -> None:
        self.spec: dict[str, Any] = yaml.safe_load((CONTRACTS / f"{name}.yaml").read_text(encoding="utf-8"))
        self.seen: set[tuple[str, str]] = set()

    def _resolve(self, node: dict[str, Any]) -> dict[str, Any]:
        while "$ref" in node:
            target: Any = self.spec
            for part in node["$ref"].removeprefix("#/").split("/"):
                target = target[part]
            node = {**target, **{k: v for k, v in node.items() if k != "$ref"}}
        return node

    def _validate(self, schema: dict[str, Any], value: Any, where: str) -> None:
        document = {**schema, "components": self.spec.get("components", {})}
        errors = [e.message for e in jsonschema_rs.validator_for(document).iter_errors(value)]
        assert not errors, f"{where}: {errors}"

    def check(self, method: str, template: str, response: httpx.Response) -> None:
        operation = self.spec["paths"][template][method.lower()]
        where = f"{method} {template} -> {response.status_code}"
        declared = operation["responses"]
        assert str(response.status_code) in declared, f"{where}: status not declared in the contract"
        spec = self._resolve(declared[str(response.status_code)])
        for name, header in spec.get("headers", {}).items():
            header = self._resolve(header)
            value = response.headers.get(name)
            if header.get("required"):
                assert value is not None, f"{where}: header {name} missing"
            if value is not None and "schema" in header:
                self._validate(header["schema"], value, f"{where} header {name}")
        content = spec.get("content")
        if content:
            media = response.headers.get("content-type", "").replace(" ", "").lower()
            declared_media = {k.replace(" ", "").lower(): v for k, v in content.items()}
            if media not in declared_media:  # a declared type without parameters accepts any charset
                media = media.split(";", 1)[0]
            assert media in declared_media, f"{where}: media type {media!r} not in {sorted(declared_media)}"
            if "json" in media:
                self._validate(declared_media[media]["schema"], json.loads(response.content), where)
        self.seen.add((method.upper(), template))

    def unexercised(self) -> list[str]:
        all_ops = {(m.upper(), p) for p, item in self.spec["paths"].items() for m in item if m != "parameters"}
        return sorted(f"{m} {p}" for m, p in all_ops - self.seen)
