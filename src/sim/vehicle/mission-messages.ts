/**
 * The vehicle's side of the MAVLink mission protocol, shared by missions (type 0) and fences (type 1): the
 * answers ArduCopter sends while a plan is uploaded to it. It asks with MISSION_REQUEST (40), never _INT,
 * whatever the client sends (recorded).
 */
import { common } from '../../vehicle/mavlink/messages.js';

export interface MissionPeer {
  readonly sysid: number;
  readonly compid: number;
}

export function missionAck(type: number, to: MissionPeer, missionType: number): common.MissionAck {
  const a = new common.MissionAck();
  a.targetSystem = to.sysid;
  a.targetComponent = to.compid;
  a.type = type;
  a.missionType = missionType;
  a.opaqueId = 0;
  return a;
}

export function missionCount(count: number, to: MissionPeer, missionType: number): common.MissionCount {
  const c = new common.MissionCount();
  c.targetSystem = to.sysid;
  c.targetComponent = to.compid;
  c.count = count;
  c.missionType = missionType;
  return c;
}

export function missionRequest(seq: number, to: MissionPeer, missionType: number): common.MissionRequest {
  const r = new common.MissionRequest();
  r.targetSystem = to.sysid;
  r.targetComponent = to.compid;
  r.seq = seq;
  r.missionType = missionType;
  return r;
}
