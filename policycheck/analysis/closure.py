"""Transitive closures over a name graph as bitmasks, in linear time, cycles included.

Tarjan's strongly connected components, iterative (a 100,000-deep chain needs no
recursion), memoised across calls: every member of a cycle gets the same closure.
Memory is one int per node, never a path per pair of nodes.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, MutableMapping


def close(
    roots: Iterable[str],
    successors: Callable[[str], Iterable[str]],
    value: Callable[[str], int],
    memo: MutableMapping[str, int],
) -> None:
    """Fill `memo[n]` with the OR of `value` over every node reachable from n (n included)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    acc: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    for root in roots:
        if root in memo or root in index:
            continue
        work = [(root, iter(successors(root)))]
        index[root] = low[root] = len(index)
        acc[root] = value(root)
        stack.append(root)
        on_stack.add(root)
        while work:
            node, it = work[-1]
            pushed = False
            for nxt in it:
                done = memo.get(nxt)
                if done is not None:
                    acc[node] |= done
                elif nxt not in index:
                    index[nxt] = low[nxt] = len(index)
                    acc[nxt] = value(nxt)
                    stack.append(nxt)
                    on_stack.add(nxt)
                    work.append((nxt, iter(successors(nxt))))
                    pushed = True
                    break
                elif nxt in on_stack:
                    low[node] = min(low[node], index[nxt])
            if pushed:
                continue
            work.pop()
            if low[node] == index[node]:
                members = []
                total = 0
                while True:
                    member = stack.pop()
                    on_stack.discard(member)
                    members.append(member)
                    total |= acc[member]
                    if member == node:
                        break
                for member in members:
                    memo[member] = total
            if work:
                parent = work[-1][0]
                low[parent] = min(low[parent], low[node])
                acc[parent] |= memo.get(node, acc[node])
