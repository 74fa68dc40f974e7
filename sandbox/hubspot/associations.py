"""Associations between records, stored once per direction.

An edge ``from -> to`` always has its reverse ``to -> from``. Most edges carry only the
unlabelled HUBSPOT_DEFINED type of their pair (``task -> company`` = 192); those store no type
data at all. Other types (primary, user-defined labels) are kept per edge in ``extra``.
Archived records keep their edges (HubSpot restores them with the record); readers skip them.
"""

from __future__ import annotations

from collections.abc import Iterable

from sandbox.hubspot.objecttypes import DEFAULT_TYPE_ID, REVERSE_TYPE_ID, TYPE_LABEL

AssocType = tuple[str, int]  # (category, type id)
HUBSPOT_DEFINED = "HUBSPOT_DEFINED"


class AssociationGraph:
    def __init__(self) -> None:
        self._edges: dict[tuple[str, str], dict[int, list[int]]] = {}
        self._extra: dict[tuple[str, str, int, int], tuple[AssocType, ...]] = {}

    def targets(self, from_type: str, from_id: int, to_type: str) -> list[int]:
        return self._edges.get((from_type, to_type), {}).get(from_id, [])

    def pairs_from(self, from_type: str) -> list[str]:
        return [to for (source, to), edges in self._edges.items() if source == from_type and edges]

    def types(
        self, from_type: str, from_id: int, to_type: str, to_id: int
    ) -> tuple[AssocType, ...]:
        extra = self._extra.get((from_type, to_type, from_id, to_id))
        if extra is not None:
            return extra
        return ((HUBSPOT_DEFINED, DEFAULT_TYPE_ID[(from_type, to_type)]),)

    def add(
        self,
        from_type: str,
        from_id: int,
        to_type: str,
        to_id: int,
        types: Iterable[AssocType] = (),
    ) -> None:
        """Associate both ways; ``types`` (from -> to) are added to what the edge already has."""
        wanted = list(types) or [(HUBSPOT_DEFINED, DEFAULT_TYPE_ID[(from_type, to_type)])]
        self._link(from_type, from_id, to_type, to_id, wanted)
        reverse = [(cat, REVERSE_TYPE_ID.get(type_id, type_id)) for cat, type_id in wanted]
        self._link(to_type, to_id, from_type, from_id, reverse)

    def add_default_bulk(
        self, from_type: str, to_type: str, pairs: Iterable[tuple[int, int]]
    ) -> None:
        """Fixture loading: default-typed edges without duplicate checks beyond a set."""
        forward = self._edges.setdefault((from_type, to_type), {})
        backward = self._edges.setdefault((to_type, from_type), {})
        for from_id, to_id in pairs:
            forward.setdefault(from_id, []).append(to_id)
            backward.setdefault(to_id, []).append(from_id)

    def dedupe(self) -> None:
        for edges in self._edges.values():
            for key, ids in edges.items():
                if len(ids) > 1:
                    edges[key] = list(dict.fromkeys(ids))

    def remove(self, from_type: str, from_id: int, to_type: str, to_id: int) -> bool:
        removed = self._unlink(from_type, from_id, to_type, to_id)
        self._unlink(to_type, to_id, from_type, from_id)
        return removed

    def _link(
        self, from_type: str, from_id: int, to_type: str, to_id: int, types: list[AssocType]
    ) -> None:
        edges = self._edges.setdefault((from_type, to_type), {})
        ids = edges.setdefault(from_id, [])
        key = (from_type, to_type, from_id, to_id)
        default = ((HUBSPOT_DEFINED, DEFAULT_TYPE_ID[(from_type, to_type)]),)
        if to_id in ids:
            current = self._extra.get(key, default)
            merged = tuple(dict.fromkeys((*current, *types)))
        else:
            ids.append(to_id)
            merged = tuple(dict.fromkeys(types))
        if merged == default:
            self._extra.pop(key, None)
        else:
            self._extra[key] = merged

    def _unlink(self, from_type: str, from_id: int, to_type: str, to_id: int) -> bool:
        ids = self._edges.get((from_type, to_type), {}).get(from_id)
        if not ids or to_id not in ids:
            return False
        ids.remove(to_id)
        self._extra.pop((from_type, to_type, from_id, to_id), None)
        return True


def type_json(category: str, type_id: int) -> dict[str, object]:
    """A v4 ``associationTypes`` entry."""
    return {"category": category, "typeId": type_id, "label": TYPE_LABEL.get(type_id)}
