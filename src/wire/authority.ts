/**
 * Who may make the swarm do something. Operators (ground stations, `role: operator` in the keyring) may
 * command: recall, land, hold, resume (command facts), zones, search and priority areas, missions (area
 * facts), rescued and withdrawn (supersedes of another member's fact). A drone may report what it sees and
 * withdraw or resolve its own reports, nothing more. Agents and maps call `mayAct` before acting on a fact;
 * the origin it checks is an authenticated one (the gossip layer passes on only facts proven to come from
 * their origin, see docs/wire.md).
 */
import type { Fact, NodeId } from './facts.js';

/** Facts that change what drones do on an operator's word. */
export function isOperatorFact(f: Fact): boolean {
  switch (f.kind) {
    case 'command':
    case 'area':
    case 'mission':
      return true;
    case 'supersede':
      // A member may settle its own report (a false alarm it saw itself); settling another's is an order.
      return f.target.origin !== f.origin && (f.outcome === 'rescued' || f.outcome === 'withdrawn');
    default:
      return false;
  }
}

/** Whether a fact may be acted on: operator facts only from an operator. Without a role list, nobody commands. */
export function mayAct(f: Fact, isOperator: ((id: NodeId) => boolean) | undefined): boolean {
  return !isOperatorFact(f) || (isOperator?.(f.origin) ?? false);
}
