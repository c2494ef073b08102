"""A pilot's lineage: the original idea and every adaptation of it, across areas.

The whole family comes from two queries whatever its size: one recursive query (``WITH
RECURSIVE``, which SQLite and PostgreSQL both run) walks up ``adapted_from`` to the root and down
again to every descendant, annotated with indicator status counts; a second reads the indicators
that the outcome comparison shows. The tree itself is built in Python.

``adapted_from`` should never form a cycle, but the admin can edit it freely: ``UNION`` (not
``UNION ALL``) makes the recursive walks stop at a row they have already seen, and the Python
walks keep a visited set, so a cycle shows as a tree cut where it closes.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from urllib.parse import urlencode

from django.db.models import Count, Q
from django.db.models.expressions import RawSQL

from pilots.models import Indicator, IndicatorDefinition, Pilot

# A family larger than this shows its oldest members; real lineages are a handful of areas.
MAX_NODES = 200
# The comparison page takes the original and at most five adaptations.
MAX_COMPARED = 6
GOOD_STATUSES = (Indicator.Status.ON_TRACK, Indicator.Status.REACHED)


@dataclass(eq=False)
class LineageNode:
    """One pilot of the family, with its progress in indicator counts."""

    pilot: Pilot
    depth: int
    is_current: bool
    indicator_count: int
    good_count: int
    children: list[LineageNode] = field(default_factory=list)


@dataclass(frozen=True)
class Step:
    """One piece of the nested list, so a template can draw any depth without recursion.

    ``kind`` is "open" (a nested list of the node's adaptations), "close" (end of that list),
    "item" (a node's list item begins) or "end_item" (it ends).
    """

    kind: str
    node: LineageNode


@dataclass
class ComparedValue:
    node: LineageNode
    indicator: Indicator


@dataclass
class SharedIndicator:
    """A catalogue indicator the original shares with at least one compared adaptation."""

    definition: IndicatorDefinition
    values: list[ComparedValue]


@dataclass
class Lineage:
    root: LineageNode
    current: LineageNode
    ancestors: list[LineageNode]  # from the root down to the current pilot's parent
    size: int
    compared: list[LineageNode] = field(default_factory=list)
    shared_indicators: list[SharedIndicator] = field(default_factory=list)

    @property
    def steps(self) -> list[Step]:
        return list(_steps(self.root))

    @property
    def compare_query(self) -> str:
        """``pilots=<original>&pilots=<adaptation>…`` for the comparison page."""
        return urlencode([("pilots", node.pilot.slug) for node in self.compared])


# The ids of every pilot in the family of the pilot whose id is given (twice) as the parameter:
# walk up adapted_from to the root (a pilot without one), then down to every descendant.
FAMILY_SQL = """
WITH RECURSIVE lineage_up(node_id, parent_id) AS (
    SELECT id, adapted_from_id FROM pilots_pilot WHERE id = %s
    UNION
    SELECT p.id, p.adapted_from_id FROM pilots_pilot p JOIN lineage_up u ON p.id = u.parent_id
), lineage_down(node_id) AS (
    SELECT COALESCE((SELECT node_id FROM lineage_up WHERE parent_id IS NULL LIMIT 1), %s)
    UNION
    SELECT p.id FROM pilots_pilot p JOIN lineage_down d ON p.adapted_from_id = d.node_id
)
SELECT node_id FROM lineage_down
"""


def family(pilot: Pilot) -> list[Pilot]:
    """Every pilot of the lineage, oldest first, with its area and indicator status counts."""
    return list(
        # A constant statement; the only values go in as parameters.
        Pilot.objects.filter(pk__in=RawSQL(FAMILY_SQL, (pilot.pk, pilot.pk)))  # noqa: S611
        .select_related("area")
        .annotate(
            lineage_indicator_count=Count("indicators"),
            lineage_good_count=Count("indicators", filter=Q(indicators__status__in=GOOD_STATUSES)),
        )
        .order_by("created_at", "pk")[:MAX_NODES]
    )


def build(pilot: Pilot, members: list[Pilot]) -> Lineage:
    """Arrange the family into a tree from its root; nothing here touches the database."""
    by_id = {member.pk: member for member in members}
    by_id.setdefault(pilot.pk, pilot)
    root_id = pilot.pk
    seen = {root_id}
    while (parent_id := by_id[root_id].adapted_from_id) in by_id and parent_id not in seen:
        seen.add(parent_id)
        root_id = parent_id

    children: dict[int, list[Pilot]] = {}
    for member in by_id.values():
        if member.adapted_from_id is not None:
            children.setdefault(member.adapted_from_id, []).append(member)

    def make(member: Pilot, depth: int) -> LineageNode:
        return LineageNode(
            pilot=member,
            depth=depth,
            is_current=member.pk == pilot.pk,
            indicator_count=getattr(member, "lineage_indicator_count", 0),
            good_count=getattr(member, "lineage_good_count", 0),
        )

    root = make(by_id[root_id], 0)
    nodes = {root_id: root}
    queue = [root]
    for node in queue:  # breadth first; the queue grows while it is read
        kids = sorted(
            children.get(node.pilot.pk, []),
            key=lambda kid: (kid.area.name, kid.created_at, kid.pk),
        )
        for kid in kids:
            if kid.pk in nodes:
                continue
            child = make(kid, node.depth + 1)
            nodes[kid.pk] = child
            node.children.append(child)
            queue.append(child)

    # Outside the tree only when the family was cut at MAX_NODES.
    current = nodes.get(pilot.pk) or make(pilot, 0)
    ancestors: list[LineageNode] = []
    parent_id = current.pilot.adapted_from_id
    while current is not root and parent_id in nodes:
        ancestors.insert(0, nodes[parent_id])
        if nodes[parent_id] is root:
            break
        parent_id = nodes[parent_id].pilot.adapted_from_id
    lineage = Lineage(root=root, current=current, ancestors=ancestors, size=len(nodes))
    lineage.compared = _compared(lineage, queue)
    return lineage


def _compared(lineage: Lineage, breadth_first: list[LineageNode]) -> list[LineageNode]:
    """The original, the current pilot, then the nearest adaptations, active ones first."""
    chosen = [lineage.root]
    if lineage.current is not lineage.root:
        chosen.append(lineage.current)
    others = [node for node in breadth_first if node not in chosen]
    others.sort(key=lambda node: node.pilot.archived_at is not None)  # stable: keeps BFS order
    return (chosen + others)[:MAX_COMPARED]


def add_shared_indicators(lineage: Lineage) -> None:
    """Fill in the indicators the original shares with a compared adaptation (one query)."""
    nodes = {node.pilot.pk: node for node in lineage.compared}
    by_definition: dict[int, dict[int, Indicator]] = {}
    for indicator in Indicator.objects.filter(pilot_id__in=list(nodes)).select_related(
        "definition"
    ):
        by_definition.setdefault(indicator.definition_id, {})[indicator.pilot_id] = indicator
    root_id = lineage.root.pilot.pk
    shared = []
    for per_pilot in by_definition.values():
        if root_id not in per_pilot or len(per_pilot) < 2:
            continue
        values = [
            ComparedValue(node=node, indicator=per_pilot[node.pilot.pk])
            for node in lineage.compared
            if node.pilot.pk in per_pilot
        ]
        shared.append(SharedIndicator(definition=per_pilot[root_id].definition, values=values))
    shared.sort(key=lambda row: row.definition.code)
    lineage.shared_indicators = shared


def lineage_for(pilot: Pilot) -> Lineage | None:
    """The pilot's lineage, or None for a pilot that was neither adapted from nor adapted."""
    lineage = build(pilot, family(pilot))
    # Asked even for a lone pilot: the pilot page keeps one query count for every pilot.
    add_shared_indicators(lineage)
    return lineage if lineage.size > 1 else None


def _steps(root: LineageNode) -> Iterator[Step]:
    # An explicit stack, so a deep (or corrupt) lineage cannot exhaust Python's recursion.
    stack: list[tuple[str, LineageNode]] = [("visit", root)]
    while stack:
        action, node = stack.pop()
        if action != "visit":
            yield Step(action, node)
            continue
        yield Step("item", node)
        stack.append(("end_item", node))
        if node.children:
            stack.append(("close", node))
            stack.extend(("visit", child) for child in reversed(node.children))
            stack.append(("open", node))
