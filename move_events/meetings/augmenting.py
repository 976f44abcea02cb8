"""Improvement passes of the scheduler's search, mixed into ``placement.Engine`` (same state, same
journal): augmenting paths over people (a person short of meetings takes one from someone who gets
another in its stead, and so on), augmenting paths through free seats of one slot, and a plateau search
that keeps the total while moving meetings to people left with none, and ejection walks (a longer,
narrower repair than placement's chains, for small events). Every pass is bounded by counts of
work, never by time, so the result depends only on the inputs and the seed.
"""

from __future__ import annotations

PATH_WORK = 1000  # work units (meetings looked at) for one breadth-first search of slot_paths
WORSE_SHARE = 0.05  # how often improve keeps a move that places one meeting fewer
WALK_HAND = 3  # most meetings an ejection walk carries at once


def _bits(mask: int) -> list[int]:
    out = []
    while mask:
        low = mask & -mask
        out.append(low.bit_length() - 1)
        mask ^= low
    return out


class Augmenting:
    """Methods only: the state (loads, masks, journal, rng) is ``placement.Engine``'s."""

    def done(self) -> bool:
        """As many meetings as any schedule can have, and nobody with a placeable request at zero."""
        return self.placed >= self.ceiling and not self.zeros

    def saturated(self, m: int) -> bool:
        """A side of m has as many meetings as it can ever have: m can only go in in the stead of one."""
        u, v = self.ends[m]
        return self.load[u] >= self.most[u] or self.load[v] >= self.most[v]

    def augment(self, depth: int, budget: int, work: int, length: int = 8) -> int:
        """Augmenting paths of the b-matching: from a person below their most meetings, alternate a
        waiting meeting, a placed one, a waiting one ... to another such person; taking the placed ones
        out and putting the waiting ones in (along ejection chains for the slots) gives each person on the
        path as many meetings as before and the two ends one more: one meeting more in all. Breadth-first,
        at most ``length`` waiting meetings a path, until ``work`` meetings have been looked at; returns
        how many paths were applied."""
        gained = 0
        self.path_work = 0
        for x in range(len(self.load)):
            while self.load[x] < self.most[x] and self.waiting[x]:
                if not self._augment_from(x, depth, budget, length):
                    break
                gained += 1
            if self.path_work > work:
                break
        return gained

    def slot_paths(self, work: int) -> int:
        """Augmenting paths through free seats: a person x with a free slot f (available, under the caps)
        takes a waiting meeting with w in f; if w already meets d in f, that meeting goes and d now has f
        free, and so on until someone free in f is reached (one meeting more in all). A step may also take
        out a meeting of a side at its cap (its partner then has that meeting's slot free), or move one of
        the person's own meetings into f (their free slot is then that meeting's old slot). Breadth-first
        over (person, free slot); returns how many paths were applied."""
        gained = 0
        self.path_work = 0
        for x in range(len(self.load)):
            while self.load[x] < self.most[x] and self.waiting[x] and self._slot_path(x):
                gained += 1
            if self.path_work > work:
                break
        return gained

    def _free(self, p: int, keep: int = -1) -> int:
        """Slots p is available in, has no meeting in and is under the session cap in (the session of
        slot ``keep`` counts as under the cap: p's meeting there is the one that would move)."""
        full = self.full[p]
        if keep >= 0:
            full &= ~self.session_masks[self.session_of[keep]]
        return self.avail[p] & ~self.booked[p] & ~full

    def _slot_path(self, x: int) -> bool:
        if self.load[x] >= self.caps[x]:
            return False
        parent: dict[tuple[int, int], tuple[tuple[int, int] | None, tuple]] = {}
        frontier = [(x, f) for f in _bits(self._free(x))]
        for state in frontier:
            parent[state] = (None, ())
        head = 0

        def reach(state: tuple[int, int], prev: tuple[int, int], ops: tuple) -> None:
            if state not in parent:
                parent[state] = (prev, ops)
                frontier.append(state)

        spent = self.path_work
        while head < len(frontier) and self.path_work - spent < PATH_WORK:
            c, f = frontier[head]
            head += 1
            self.path_work += 1 + len(self.waiting[c])
            bit = 1 << f
            for m in sorted(self.waiting[c]):
                u, v = self.ends[m]
                w = v if u == c else u
                if not self.avail[w] & bit or w == x:
                    continue
                g = self.busy[w].get(f)
                if g is None:
                    if not self.open & bit:
                        continue
                    if self.load[w] < self.caps[w] and not self.full[w] & bit:
                        if self._apply_ops((c, f), parent, (("p", m, f),)):
                            return True
                        continue
                    # w at a cap: one of w's meetings (in f's session, if that is the cap) goes
                    session = self.session_masks[self.session_of[f]] if self.full[w] & bit else -1
                    for t, h in sorted(self.busy[w].items()):
                        if session >> t & 1 and not self.locked[h]:
                            a, b = self.ends[h]
                            reach((b if a == w else a, t), (c, f), (("r", h), ("p", m, f)))
                    continue
                if self.locked[g]:
                    continue
                a, b = self.ends[g]
                d = b if a == w else a
                reach((d, f), (c, f), (("r", g), ("p", m, f)))
                for t in _bits(self._free(w, f) & self.avail[d] & ~bit):  # or g moves to t
                    if self.free_for(g) >> t & 1 and self.open >> t & 1:
                        if self._apply_ops((c, f), parent, (("r", g), ("p", m, f), ("p", g, t))):
                            return True
                    elif t in self.busy[d] and not self.locked[g2 := self.busy[d][t]]:
                        a, b = self.ends[g2]
                        ops = (("r", g), ("p", m, f), ("r", g2), ("p", g, t))
                        reach((b if a == d else a, t), (c, f), ops)
            for t, h in sorted(self.busy[c].items()):  # move one of c's own meetings into f
                if self.locked[h]:
                    continue
                a, b = self.ends[h]
                if self._free(b if a == c else a, t) & bit:
                    reach((c, t), (c, f), (("r", h), ("p", h, f)))
        return False

    def _apply_ops(self, state: tuple[int, int], parent: dict, last: tuple) -> bool:
        steps = [last]
        while True:
            prev, ops = parent[state]
            if prev is None:
                break
            steps.append(ops)
            state = prev
        self.path_work += 10 * len(steps)
        placed = self.placed
        mark = len(self.journal)
        for ops in reversed(steps):
            for op in ops:
                if op[0] == "r":
                    if self.slot_of[op[1]] < 0:
                        break
                    self.remove(op[1])
                else:
                    _, m, f = op
                    ok = self.free_for(m) >> f & 1 and self.open >> f & 1 and self.under_cap(m)
                    if self.slot_of[m] >= 0 or not ok:
                        break
                    self.place(m, f)
            else:
                continue
            break
        else:
            if self.placed > placed:
                return True
        self.rollback(mark)
        return False

    def _augment_from(self, x: int, depth: int, budget: int, length: int) -> bool:
        reach_odd: dict[int, tuple[int, int]] = {}  # person -> (waiting meeting, person before)
        reach_even: dict[int, tuple[int, int]] = {x: (-1, -1)}  # person -> (placed meeting, person before)
        frontier = [x]
        for _ in range(length):
            odd = []
            for a in frontier:
                self.path_work += 1 + len(self.waiting[a])
                for m in sorted(self.waiting[a]):
                    u, v = self.ends[m]
                    b = v if u == a else u
                    if b in reach_odd or not self.avail[u] & self.avail[v]:
                        continue
                    reach_odd[b] = (m, a)
                    if (
                        b != x
                        and self.load[b] < self.most[b]
                        and self._apply_path(b, reach_odd, reach_even, depth, budget)
                    ):
                        return True
                    odd.append(b)
            frontier = []
            for b in odd:
                for g in sorted(self.busy[b].values()):
                    if self.locked[g]:
                        continue
                    u, v = self.ends[g]
                    c = v if u == b else u
                    if c not in reach_even:
                        reach_even[c] = (g, b)
                        frontier.append(c)
        return False

    def _apply_path(self, end: int, reach_odd: dict, reach_even: dict, depth: int, budget: int) -> bool:
        adds, drops = [], []
        b = end
        seen = set()
        while True:
            m, a = reach_odd[b]
            adds.append(m)
            g, c = reach_even[a]
            if g < 0:
                break
            if g in seen:
                return False
            seen.add(g)
            drops.append(g)
            b = c
        placed = self.placed
        mark = len(self.journal)
        self.path_work += 100 * len(adds)  # putting the path in place costs far more than finding it
        self.visited = set(adds) | set(drops)
        for g in drops:
            self.remove(g)
        if all(self._insert_fresh(m, depth, budget) for m in adds) and self.placed > placed:
            return True
        self.rollback(mark)
        if self.walk_steps:
            for g in drops:
                self.remove(g)
            walked = all(self.slot_of[m] >= 0 or self.walk_insert(m, self.walk_steps) for m in adds)
            if walked and self.placed > placed:
                return True
            self.rollback(mark)
        # The slots did not give way one meeting at a time: take out every meeting of the people on the
        # path and put them and the path's new ones back together, hardest first.
        people = {p for m in adds for p in self.ends[m]}
        again = sorted({g for p in people for g in self.busy[p].values() if not self.locked[g]} - set(drops))
        for g in drops + again:
            self.remove(g)
        todo = sorted(adds + again, key=lambda m: (self.free_for(m).bit_count(), m))
        self.visited = set(todo) | set(drops)
        for m in todo:
            self._insert_fresh(m, depth, budget)
        if self.placed > placed:
            return True
        self.rollback(mark)
        return False

    def walk_insert(self, m: int, steps: int, hand: int = WALK_HAND) -> bool:
        """Place unplaced m by repair: put a meeting in hand in the slot (both sides available) where the
        fewest meetings stand in its way (a side's meeting there, one of a side's meetings in a session
        at its cap, a meeting at the slot's last table), take those out and carry them on, never straight
        back to the slot they came from, until everything in hand fits (at most ``hand`` in hand, at
        most ``steps`` steps). On failure nothing has changed."""
        mark = len(self.journal)
        if not self.under_cap(m):
            return False
        holes = [m]
        self.visited = set()
        tabu: dict[int, int] = {}
        rng = self.rng
        for _ in range(steps):
            if not holes:
                return True
            self.path_work += 1
            self.walk_left -= 1
            if self.walk_left < 0:
                break
            hole = holes.pop(rng.randrange(len(holes)))
            u, v = self.ends[hole]
            back = tabu.get(hole, -1)
            cand = self.avail[u] & self.avail[v] & ~(1 << back if back >= 0 else 0)
            if self.load[u] >= self.caps[u] or self.load[v] >= self.caps[v]:
                break
            direct = self.free_for(hole) & self.open & cand
            if direct:
                self.place(hole, self.best_slot(hole, direct))
                continue
            options: list[tuple[int, set[int]]] = []
            fewest = hand - len(holes) + 1
            for s in _bits(cand):
                blockers = {b for b in (self.busy[u].get(s), self.busy[v].get(s)) if b is not None}
                for p in (u, v):
                    if self.full[p] >> s & 1 and s not in self.busy[p]:
                        blockers.add(self._session_blocker(p, s))
                table = not blockers and not self.open >> s & 1  # no table left in s: one meeting goes
                n = len(blockers) + table
                if None in blockers or any(self.locked[b] for b in blockers) or n > fewest:
                    continue
                if n < fewest:
                    options, fewest = [], n
                options.append((s, blockers))
            if not options:
                break
            s, blockers = options[rng.randrange(len(options))]
            if not blockers and not self.open >> s & 1:
                movable = sorted(g for g in self.in_slot[s] if not self.locked[g])
                if not movable:
                    break
                blockers = {movable[rng.randrange(len(movable))]}
            for b in sorted(blockers):
                tabu[b] = self.slot_of[b]
                self.remove(b)
                holes.append(b)
            if (self.full[u] | self.full[v]) >> s & 1 or not self.open >> s & 1:
                break
            self.place(hole, s)
        else:
            if not holes:
                return True
        self.rollback(mark)
        return False

    def _insert_fresh(self, m: int, depth: int, budget: int) -> bool:
        self.budget = budget
        return self.slot_of[m] >= 0 or self._insert(m, depth, 0)

    def improve(self, moves: int, depth: int, budget: int, stall: int) -> None:
        """Plateau search after the greedy and the chains: put a waiting meeting in a slot both sides
        are available in, taking out what stands in its way there (the sides' meetings in that slot, one
        of a side's meetings if it is at a cap, a meeting at the slot's last table), then put each
        meeting taken out back elsewhere or, in its stead, another waiting meeting of its people. A move
        is kept if it places no fewer meetings and leaves no more placeable people at zero meetings,
        otherwise rolled back; equal moves are kept, so the search walks the plateau to the moves that
        gain (longer augmenting paths than one chain finds). Half the moves start from a person at zero.
        ``moves`` bounds the work, so the result depends on the inputs and the seed only."""
        self.best_score, self.best = (self.placed, -self.zeros), list(self.slot_of)
        self._walk(moves, depth, budget, stall)
        if (self.placed, -self.zeros) < self.best_score:  # back to the best state seen
            unlocked = [m for m in range(len(self.ends)) if not self.locked[m]]
            self.replace(unlocked, [(m, self.best[m]) for m in unlocked if self.best[m] >= 0])
        self.journal.clear()

    def _walk(self, moves: int, depth: int, budget: int, stall: int) -> None:
        rng = self.rng
        zero_people: list[int] = []
        slack: list[int] = []
        best, since = self.best_score, 0
        for step in range(moves):
            if step % 64 == 0:
                zero_people = [p for p in range(len(self.load)) if self.placeable[p] and not self.load[p]]
                slack = [p for p in range(len(self.load)) if self.load[p] < self.most[p] and self.waiting[p]]
                if not slack:
                    return
                if self.best_score > best:
                    best, since = self.best_score, step
                elif step - since > stall:  # nothing better for a long while: stop
                    return
            if zero_people and rng.random() < 0.5:
                z = rng.choice(zero_people)
                if self.load[z]:
                    continue
            else:
                z = rng.choice(slack)
                if self.load[z] >= self.most[z]:
                    continue
            options = sorted(
                g for g in self.waiting[z] if self.avail[self.ends[g][0]] & self.avail[self.ends[g][1]]
            )
            if not options:
                continue
            m = rng.choice(options)
            self._move(m, depth, budget)

    def _accept(self, placed: int, zeros: int) -> bool:
        """Keep a move that places more, or as many with no more people at zero; now and then (the
        random walk's way out of a plateau) one that places one meeting fewer. The best state seen is
        kept aside and restored at the end of ``improve``."""
        if (self.placed, -self.zeros) >= (placed, -zeros) or (
            self.placed == placed - 1 and self.rng.random() < WORSE_SHARE
        ):
            self.journal.clear()
            if (self.placed, -self.zeros) > self.best_score:
                self.best_score = (self.placed, -self.zeros)
                self.best = list(self.slot_of)
            return True
        return False

    def _move(self, m: int, depth: int, budget: int) -> bool:
        u, v = self.ends[m]
        best: list[int] = []
        fewest = 9
        for t in _bits(self.avail[u] & self.avail[v]):  # the slots that need the fewest meetings out
            n = (t in self.busy[u]) + (t in self.busy[v])
            n += not n and not self.open >> t & 1  # taking out a side's meeting there frees a table too
            n += (self.full[u] >> t & 1) + (self.full[v] >> t & 1)
            if n < fewest:
                best, fewest = [t], n
            elif n == fewest:
                best.append(t)
        s = best[self.rng.randrange(len(best))]
        placed, zeros = self.placed, self.zeros
        mark = len(self.journal)
        self.budget = budget
        self.visited = {m}
        out: list[int] = []

        def take(g: int | None) -> bool:
            if g is None or self.locked[g]:
                return False
            if self.slot_of[g] >= 0:
                self.remove(g)
                self.visited.add(g)
                out.append(g)
            return True

        ok = all(take(self.busy[p].get(s)) for p in (u, v) if s in self.busy[p])
        for p in (u, v):
            if ok and self.full[p] >> s & 1:
                ok = take(self._session_blocker(p, s))
            if ok and self.load[p] >= self.caps[p]:
                mine = sorted(g for g in self.busy[p].values() if not self.locked[g])
                ok = take(self.rng.choice(mine) if mine else None)
        if ok and not self.open >> s & 1:
            movable = sorted(g for g in self.in_slot[s] if not self.locked[g])
            ok = take(self.rng.choice(movable) if movable else None)
        if ok and self.under_cap(m) and self.free_for(m) >> s & 1 and self.open >> s & 1:
            self.place(m, s)
            for g in out:
                if self.slot_of[g] < 0 and not self._relocate_or_replace(g, depth, 0) and self.walk_steps:
                    self.walk_insert(g, self.walk_steps)
            if self._accept(placed, zeros):
                return True
        self.rollback(mark)
        return False
