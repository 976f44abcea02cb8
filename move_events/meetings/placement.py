"""The search behind the meeting scheduler, on plain integers (see scheduling.py for the public API).

Meetings, participants and slots are indices; a participant's slots are bit masks, so "free for both"
is one ``&``. Placement is a most-constrained-first greedy, then ejection chains: to place a stuck
meeting in slot s, the meetings blocking it there (a participant's other meeting, or any meeting when s
has no table left) are moved elsewhere, recursively, within a depth and work budget. Every change goes
through a journal, so a failed chain is rolled back exactly. With two slots this is the alternating-path
(Kempe chain) swap of edge colouring; with more it also routes round unavailability and full slots.
A cap per session (most meetings a person may have in one session) is kept by a mask of the sessions in
which a person is full: such slots are not free for them, and a chain that would put them in one must
first take out one of their meetings in that session.
Then the passes of augmenting.py (augmenting paths, a plateau search for people left at zero).
A last pass moves meetings to shorten each person's idle gaps without unplacing anything.
"""

from __future__ import annotations

import random
from collections.abc import Iterable

from move_events.meetings.augmenting import Augmenting, _bits

ORDER_BITS = 8  # 256 random slot orders


class Engine(Augmenting):
    """Mutable placement state plus the moves on it. Locked meetings are placed first and never moved."""

    def __init__(
        self,
        *,
        tables: list[int],
        session_masks: list[int],
        ends: list[tuple[int, int]],
        avail: list[int],
        caps: list[int],
        seed: int,
        session_caps: list[int] | None = None,
    ) -> None:
        self.tables = tables
        self.session_masks = session_masks
        self.ends = ends
        self.avail = avail
        self.caps = caps
        n_sessions = len(session_masks)
        self.session_caps = session_caps or [len(tables) + 1] * n_sessions
        self.session_of = [0] * len(tables)  # slot -> index of its session in session_masks
        for k, mask in enumerate(session_masks):
            for s in _bits(mask):
                self.session_of[s] = k
        self.rng = random.Random(seed)
        # Slots are tried in a random order; drawing one of these ready-made orders costs one random
        # number instead of a shuffle per attempt (the search's hottest loop).
        self.orders = [self.rng.sample(range(len(tables)), len(tables)) for _ in range(1 << ORDER_BITS)]
        n_people, n_slots = len(avail), len(tables)
        self.busy: list[dict[int, int]] = [{} for _ in range(n_people)]
        self.booked = [0] * n_people  # bit mask of slots with a meeting
        self.load = [0] * n_people
        self.session_load = [[0] * n_sessions for _ in range(n_people)]
        self.full = [0] * n_people  # bit mask of the slots of sessions in which a person is at the cap
        self.slot_of = [-1] * len(ends)
        self.locked = [False] * len(ends)
        self.in_slot: list[set[int]] = [set() for _ in range(n_slots)]
        self.open = sum(1 << s for s in range(n_slots) if tables[s] > 0)
        self.journal: list[tuple[int, int]] = []  # (meeting, slot it was placed in, or -1 - slot if removed)
        self.budget = 0
        self.visited: set[int] = set()
        self.waiting: list[set[int]] = [set() for _ in range(n_people)]  # unplaced meetings per person
        for m, (u, v) in enumerate(ends):
            self.waiting[u].add(m)
            self.waiting[v].add(m)
        # Most meetings a person can have, slots alone: per session min(its cap, available slots), then
        # no more than the personal cap. A person at it can take a meeting only by giving up another.
        self.most = [
            min(
                caps[p],
                sum(
                    min(c, (avail[p] & sm).bit_count())
                    for sm, c in zip(session_masks, self.session_caps, strict=True)
                ),
            )
            for p in range(n_people)
        ]
        # People with a request that could be placed on its own (a slot both are available in, no cap of
        # 0): the fairness pass keeps none of them at zero meetings where it can.
        self.placeable = [False] * n_people
        for u, v in ends:
            if avail[u] & avail[v] and self.most[u] and self.most[v]:
                self.placeable[u] = self.placeable[v] = True
        self.placed = 0
        self.walk_steps = 0  # longest ejection walk (walk_insert) the search tries; 0: none
        self.walk_left = 0  # steps left for all ejection walks together
        self.zeros = sum(self.placeable)  # placeable people with no meeting
        requests = [0] * n_people
        for u, v in ends:
            requests[u] += 1
            requests[v] += 1
        # No schedule has more meetings than this (tables; half the person-slots on offer): the search
        # stops early when it gets there with nobody left at zero.
        self.ceiling = min(sum(tables), sum(min(r, b) for r, b in zip(requests, self.most, strict=True)) // 2)

    # -- elementary moves ---------------------------------------------------------------------------
    def _put(self, m: int, s: int) -> None:
        u, v = self.ends[m]
        bit = 1 << s
        self.busy[u][s] = m
        self.busy[v][s] = m
        self.booked[u] |= bit
        self.booked[v] |= bit
        self.load[u] += 1
        self.load[v] += 1
        k = self.session_of[s]
        for p in (u, v):
            self.session_load[p][k] += 1
            if self.session_load[p][k] >= self.session_caps[k]:
                self.full[p] |= self.session_masks[k]
        self.slot_of[m] = s
        self.in_slot[s].add(m)
        self.placed += 1
        self.zeros -= (self.load[u] == 1 and self.placeable[u]) + (self.load[v] == 1 and self.placeable[v])
        self.waiting[u].discard(m)
        self.waiting[v].discard(m)
        if len(self.in_slot[s]) >= self.tables[s]:
            self.open &= ~bit

    def _take(self, m: int) -> int:
        s = self.slot_of[m]
        u, v = self.ends[m]
        bit = 1 << s
        del self.busy[u][s]
        del self.busy[v][s]
        self.booked[u] &= ~bit
        self.booked[v] &= ~bit
        self.load[u] -= 1
        self.load[v] -= 1
        k = self.session_of[s]
        for p in (u, v):
            self.session_load[p][k] -= 1
            if self.session_load[p][k] < self.session_caps[k]:
                self.full[p] &= ~self.session_masks[k]
        self.slot_of[m] = -1
        self.in_slot[s].discard(m)
        self.placed -= 1
        self.zeros += (self.load[u] == 0 and self.placeable[u]) + (self.load[v] == 0 and self.placeable[v])
        self.open |= bit
        self.waiting[u].add(m)
        self.waiting[v].add(m)
        return s

    def place(self, m: int, s: int) -> None:
        self._put(m, s)
        self.journal.append((m, s))

    def remove(self, m: int) -> None:
        self.journal.append((m, -1 - self._take(m)))

    def rollback(self, mark: int) -> None:
        while len(self.journal) > mark:
            m, s = self.journal.pop()
            if s >= 0:
                self._take(m)
            else:
                self._put(m, -1 - s)

    def lock(self, m: int, s: int) -> None:
        self._put(m, s)
        self.locked[m] = True

    def replace(self, moving: Iterable[int], placed: Iterable[tuple[int, int]]) -> None:
        """Take the meetings of ``moving`` out and put ``placed`` (meeting, slot) in: a whole new
        schedule for those meetings, with no way back (the journal is cleared)."""
        for m in moving:
            if self.slot_of[m] >= 0:
                self._take(m)
        for m, s in placed:
            self._put(m, s)
        self.journal.clear()

    # -- costs ----------------------------------------------------------------------------------------
    def gaps(self, booked: int) -> int:
        """Idle slots between a person's first and last meeting, counted within each session."""
        total = 0
        for sm in self.session_masks:
            b = booked & sm
            if b:
                low = (b & -b).bit_length()
                total += b.bit_length() - low + 1 - b.bit_count()
        return total

    def free_for(self, m: int) -> int:
        """Slots where both sides are available, have no meeting, and are under their session cap (the
        session of m's own slot, if placed, counts as under the cap for it)."""
        u, v = self.ends[m]
        full = self.full[u] | self.full[v]
        if self.slot_of[m] >= 0:
            full &= ~self.session_masks[self.session_of[self.slot_of[m]]]
        return self.avail[u] & self.avail[v] & ~self.booked[u] & ~self.booked[v] & ~full

    def best_slot(self, m: int, mask: int) -> int:
        """The slot in mask that adds the fewest idle gaps for both sides (earliest on a tie)."""
        u, v = self.ends[m]
        bu, bv = self.booked[u], self.booked[v]
        best, best_cost = -1, 1 << 30
        for s in _bits(mask):
            bit = 1 << s
            cost = self.gaps(bu | bit) + self.gaps(bv | bit)
            if cost < best_cost:
                best, best_cost = s, cost
        return best

    def under_cap(self, m: int) -> bool:
        u, v = self.ends[m]
        return self.load[u] < self.caps[u] and self.load[v] < self.caps[v]

    def first_fit(self) -> None:
        """Each unplaced meeting, in index (id) order, in the earliest slot free for both with a table."""
        for m in range(len(self.ends)):
            if self.slot_of[m] < 0 and self.under_cap(m):
                free = self.free_for(m) & self.open
                if free:
                    self.place(m, (free & -free).bit_length() - 1)

    # -- search ---------------------------------------------------------------------------------------
    def insert(self, m: int, depth: int, budget: int) -> bool:
        """Place an unplaced meeting, moving others along an ejection chain if needed."""
        if self.slot_of[m] >= 0:  # placed meanwhile, in the stead of a meeting evicted by another chain
            return True
        self.budget = budget
        self.visited = {m}
        return self._insert(m, depth, 0)

    def _insert(self, m: int, depth: int, exclude: int) -> bool:
        if not self.under_cap(m):
            return depth > 0 and self._insert_over_cap(m, depth, exclude)
        u, v = self.ends[m]
        cand = self.avail[u] & self.avail[v] & ~exclude
        direct = cand & ~self.booked[u] & ~self.booked[v] & self.open & ~self.full[u] & ~self.full[v]
        if direct:
            self.place(m, self.best_slot(m, direct))
            return True
        if depth == 0:
            return False
        order = self.orders[self.rng.getrandbits(ORDER_BITS)]
        for s in order:
            if not cand >> s & 1:
                continue
            self.budget -= 1
            if self.budget < 0:
                return False
            blockers = {b for b in (self.busy[u].get(s), self.busy[v].get(s)) if b is not None}
            for p in (u, v):  # at the cap in s's session: one of p's meetings there must go
                if self.full[p] >> s & 1 and s not in self.busy[p]:
                    blockers.add(self._session_blocker(p, s))
            if any(b is None or self.locked[b] or b in self.visited for b in blockers):
                continue
            if not any(self.slot_of[b] == s for b in blockers) and not self.open >> s & 1:
                # no table left in s: evict a movable meeting from s
                movable = [g for g in self.in_slot[s] if not self.locked[g] and g not in self.visited]
                if not movable:
                    continue
                direct_movers = [g for g in movable if self.free_for(g) & ~(1 << s) & self.open]
                blockers.add(direct_movers[0] if direct_movers else self.rng.choice(movable))
            mark = len(self.journal)
            for b in blockers:
                self.remove(b)
                self.visited.add(b)
            if (self.full[u] | self.full[v]) >> s & 1:  # over the session cap through locked meetings
                self.rollback(mark)
                continue
            self.place(m, s)
            if all(self._relocate_or_replace(b, depth - 1, 1 << s) for b in sorted(blockers)):
                return True
            self.rollback(mark)
        return False

    def _session_blocker(self, p: int, s: int) -> int | None:
        """One of p's movable meetings in the session of slot s (preferring one that can move at once)."""
        mask = self.session_masks[self.session_of[s]]
        busy = self.busy[p]
        movable = [
            g for t in _bits(self.booked[p] & mask) if not self.locked[g := busy[t]] and g not in self.visited
        ]
        if not movable:
            return None
        others = ~mask & self.open
        direct = next((g for g in movable if self.free_for(g) & others), None)
        return direct if direct is not None else self.rng.choice(movable)

    def _insert_over_cap(self, m: int, depth: int, exclude: int) -> bool:
        """Make room under a participant's cap: take out one of their meetings g, put m in, then put in
        a waiting meeting of g's other participant, whose cap g freed. One meeting more in all."""
        full = [p for p in self.ends[m] if self.load[p] >= self.caps[p]]
        if len(full) != 1:
            return False
        p = full[0]
        for g in sorted(self.busy[p].values()):
            if self.locked[g] or g in self.visited:
                continue
            self.budget -= 1
            if self.budget < 0:
                return False
            mark = len(self.journal)
            self.remove(g)
            self.visited.add(g)
            other = self.ends[g][1] if self.ends[g][0] == p else self.ends[g][0]
            if self._insert(m, depth - 1, exclude) and self._place_one_waiting(other, depth - 1):
                return True
            self.rollback(mark)
        return False

    def _place_one_waiting(self, person: int, depth: int) -> bool:
        waiting = sorted(self.waiting[person] - self.visited)
        if len(waiting) > 4:
            waiting = self.rng.sample(waiting, 4)
        for g in waiting:
            self.visited.add(g)
            if self._insert(g, depth, 0):
                return True
        return False

    def _relocate_or_replace(self, b: int, depth: int, exclude: int) -> bool:
        """Re-place an evicted meeting elsewhere, or leave it out and place in its stead another waiting
        meeting of one of its participants (the freed seat makes room): either way nothing is lost."""
        if self._insert(b, depth, exclude):
            return True
        if depth == 0:
            return False
        u, v = self.ends[b]
        waiting = sorted((self.waiting[u] | self.waiting[v]) - self.visited)
        if len(waiting) > 4:
            waiting = self.rng.sample(waiting, 4)
        for g in waiting:
            self.visited.add(g)
            if self._insert(g, depth - 1, 0):
                return True
        return False

    def compact(self, max_passes: int = 8) -> None:
        """Move single meetings to slots that shorten both sides' idle gaps; never unplaces anything."""
        movable = [m for m in range(len(self.ends)) if self.slot_of[m] >= 0 and not self.locked[m]]
        for _ in range(max_passes):
            improved = False
            for m in movable:
                s = self.slot_of[m]
                u, v = self.ends[m]
                targets = self.free_for(m) & self.open  # free_for keeps session caps
                if not targets:
                    continue
                bit = 1 << s
                bu, bv = self.booked[u] & ~bit, self.booked[v] & ~bit
                best, best_cost = s, self.gaps(bu | bit) + self.gaps(bv | bit)
                for t in _bits(targets):
                    tb = 1 << t
                    cost = self.gaps(bu | tb) + self.gaps(bv | tb)
                    if cost < best_cost:
                        best, best_cost = t, cost
                if best != s:
                    self._take(m)
                    self._put(m, best)
                    improved = True
            if not improved:
                return
