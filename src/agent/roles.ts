/**
 * The team as one drone sees it: who is searching, whose remainder is orphaned, and which members a finished
 * drone may help. Pure: every agent computes it alike from the same facts, membership and time.
 */
import type { AssistOwner } from '../sectors/index.js';
import type { Activity, NodeId, StatusFact } from '../wire/facts.js';
import type { LocalPoint } from '../wire/frame-of-reference.js';

/**
 * A suspected member's remainder is planned for only after this much silence. On a busy band (10%: a heartbeat
 * every 30 s) membership declares the death at 180 s anyway, and acting on suspicion at 90 s took the
 * remainders of drones merely cut off by a radio partition (overlap up to 15% on generated towns); on the 1%
 * sub-band (a heartbeat every 150 s) suspicion comes at 450 s and death at 900 s.
 */
const SUSPICION_ACTS_AFTER_S = 300;
/**
 * Searching members that fell silent together (within CUT_OFF_WINDOW_S of each other) are more likely cut off by
 * a radio partition than lost: they keep their sectors until the silence has lasted this long, seconds, though
 * membership may declare them dead earlier. Each side of a partition taking the other's remainder searched it
 * twice: generated town 9 (a partition of 546 s) overlapped 11.8%, now 2.4%, at 3.03 × the ideal instead of
 * 2.55; two crashes 43 s apart (town 5) now wait too: 2.80 × instead of 2.34. Holding 600 s cost more time
 * (3.30 × on town 5) for no less overlap.
 */
const CUT_OFF_HOLD_S = 450;
const CUT_OFF_WINDOW_S = 90;

/** What one drone knows of its team when it works out the roles. */
export interface TeamView {
  readonly self: NodeId;
  readonly roster: readonly NodeId[];
  /** This drone's own activity (its newest status may not be out yet). */
  readonly activity: Activity;
  /** Members the membership view does not consider dead (self included). */
  readonly live: readonly NodeId[];
  /** Members not heard from for a while, with their freshest evidence of life (mission seconds). */
  readonly suspects: readonly { readonly id: NodeId; readonly heardS: number }[];
  /** The newest status of each member. */
  readonly statusOf: ReadonlyMap<NodeId, StatusFact>;
  /** Newest mission time of any fact each member made itself: when it was last alive. */
  readonly lastMadeS: ReadonlyMap<NodeId, number>;
  /** Mission seconds now. */
  readonly now: number;
}

/**
 * Who is searching, and whose remainder is orphaned: members that died (membership), went home early
 * (battery, recall), lost their flight controller or yielded to a pilot. Members that finished their
 * sector ('transit', 'landed') are neither.
 */
export function roles(v: TeamView): { recipients: NodeId[]; orphaned: NodeId[] } {
  const live = new Set(v.live);
  // A drone that hears nobody at all is more likely deaf (jammed, cut off) than the last one alive: it keeps
  // its own sector and takes no one else's on silence alone.
  const hearsSomeone = [...live].some((id) => id !== v.self);
  // A member still searching that went silent long enough to be suspected is planned for as lost, though
  // membership waits longer before declaring it dead: its remainder goes after everyone's own sector, so a
  // false suspicion costs nothing unless it lasts until the others have finished theirs, and a member heard
  // again takes its remainder back. Declaring deaths that early would cost false deaths under load.
  const now = v.now;
  const suspected = new Set(hearsSomeone ? v.suspects.filter((m) => now - m.heardS >= SUSPICION_ACTS_AFTER_S).map((m) => m.id) : []);
  const recipients: NodeId[] = [];
  const orphaned: NodeId[] = [];
  const cutOff = cutOffTogether(v);
  for (const id of v.roster) {
    const activity = id === v.self ? v.activity : v.statusOf.get(id)?.activity;
    const silentMidSector = id !== v.self && suspected.has(id) && (activity === undefined || activity === 'launching' || activity === 'searching');
    const alive = id === v.self || (live.has(id) && !silentMidSector) || !hearsSomeone || cutOff.has(id);
    // members that finished their sector stay recipients while airborne ('transit'), so a finish never moves
    // anyone's share; they come back if a later loss gives them one
    if (alive && (activity === undefined || activity === 'launching' || activity === 'searching' || activity === 'transit')) recipients.push(id);
    else if (!alive || activity === 'returning' || activity === 'override' || activity === 'failsafe' || activity === 'fc_lost' || activity === 'idle')
      orphaned.push(id);
  }
  return { recipients, orphaned };
}

/** Searching members silent for under CUT_OFF_HOLD_S whose silence began with another's (see CUT_OFF_HOLD_S). */
function cutOffTogether(v: TeamView): Set<NodeId> {
  const now = v.now;
  const since = new Map<NodeId, number>();
  for (const id of v.roster) {
    if (id === v.self || v.statusOf.get(id)?.activity !== 'searching') continue;
    const last = v.lastMadeS.get(id);
    if (last !== undefined && now - last > CUT_OFF_WINDOW_S) since.set(id, last);
  }
  const out = new Set<NodeId>();
  for (const [id, last] of since)
    if (now - last < CUT_OFF_HOLD_S && [...since].some(([other, t]) => other !== id && Math.abs(t - last) <= CUT_OFF_WINDOW_S)) out.add(id);
  return out;
}

/**
 * The members a drone whose own work is done may help (searching, their unsearched cells), and the helpers
 * that share them out (this drone first, then the members in 'transit'). Only members whose newest fact is
 * fresher than `freshS` count, unless a searching member alone went silent.
 */
export function assistParties(
  v: TeamView,
  here: LocalPoint,
  recipients: readonly NodeId[],
  freshS: number,
  remainingOf: (id: NodeId) => number[],
): { owners: AssistOwner[]; helpers: { id: NodeId; pos: LocalPoint }[] } {
  const nowS = v.now;
  const owners: AssistOwner[] = [];
  const helpers = [{ id: v.self, pos: here }];
  // A searching member that alone went silent has more likely crashed than been cut off (a partition silences a
  // group at once): its far end is helped with now, not after membership gives up on it. If it is alive after
  // all, it flies the lanes it hears searched no more, and the far end is what it would have flown last.
  const silent = recipients.filter((id) => id !== v.self && v.statusOf.get(id)?.activity === 'searching' && nowS - (v.lastMadeS.get(id) ?? -Infinity) > freshS);
  for (const id of recipients) {
    const s = v.statusOf.get(id);
    if (id === v.self || !s) continue;
    if (nowS - (v.lastMadeS.get(id) ?? s.t) > freshS && !(silent.length === 1 && silent[0] === id)) continue;
    if (s.activity === 'transit') helpers.push({ id, pos: s.pos });
    else if (s.activity === 'searching') owners.push({ id, pos: s.pos, remaining: remainingOf(id) });
  }
  return { owners, helpers };
}
