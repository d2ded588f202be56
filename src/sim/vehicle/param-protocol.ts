/**
 * The simulated copter's side of the MAVLink parameter protocol (PARAM_REQUEST_LIST / _READ, PARAM_SET): the
 * PARAM_VALUE and PARAM_ERROR answers the recorded ArduCopter sends. The values are the ParamTable's.
 */
import type { MavLinkData } from 'node-mavlink';
import { common, ParamError } from '../../vehicle/mavlink/messages.js';
import { freshMessage } from '../../vehicle/mavlink/fresh.js';
import type { ParamTable } from './params.js';

type Peer = { sysid: number; compid: number };

export interface ParamHost {
  readonly params: ParamTable;
  emit(data: MavLinkData): void;
  /** A parameter was set (before its new value is sent back). */
  changed(name: string): void;
}

export class ParamProtocol {
  constructor(private readonly h: ParamHost) {}

  /** PARAM_REQUEST_LIST: every parameter, in index order. */
  list(): void {
    for (let i = 0; i < this.h.params.count; i++) this.h.emit(this.value(this.h.params.nameAt(i)!, i));
  }

  value(name: string, index: number): common.ParamValue {
    const m = freshMessage(common.ParamValue);
    m.paramId = name;
    m.paramValue = this.h.params.get(name);
    m.paramType = 9;
    m.paramCount = this.h.params.count;
    m.paramIndex = index;
    return m;
  }

  private error(name: string, index: number, from: Peer): void {
    const e = new ParamError();
    e.targetSystem = from.sysid;
    e.targetComponent = from.compid;
    e.paramId = name;
    e.paramIndex = index;
    e.error = 1;
    this.h.emit(e);
  }

  set(s: common.ParamSet, from: Peer): void {
    const name = s.paramId.replace(/\0.*$/, '');
    if (!this.h.params.set(name, s.paramValue)) {
      this.error(name, -1, from);
      return;
    }
    this.h.changed(name);
    this.h.emit(this.value(name, 65535));
  }

  read(r: common.ParamRequestRead, from: Peer): void {
    const name = r.paramIndex >= 0 ? this.h.params.nameAt(r.paramIndex) : r.paramId.replace(/\0.*$/, '');
    if (name === undefined || !this.h.params.has(name)) {
      this.error(r.paramId.replace(/\0.*$/, ''), r.paramIndex, from);
      return;
    }
    this.h.emit(this.value(name, this.h.params.index(name)));
  }
}
