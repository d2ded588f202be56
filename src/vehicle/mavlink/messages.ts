/**
 * The MAVLink message set Murmur speaks: node-mavlink's generated classes (minimal + common + ardupilotmega)
 * plus PARAM_ERROR (345), which ArduPilot sends for unknown parameters but mavlink-mappings does not carry yet.
 */
import { MavLinkData, MavLinkPacketField, minimal, common, standard, ardupilotmega } from 'node-mavlink';
import type { MavLinkDataConstructor } from 'node-mavlink';

/** PARAM_ERROR (common.xml, work in progress upstream): field order is the wire order (largest type first). */
export class ParamError extends MavLinkData {
  static override MSG_ID = 345;
  static override MSG_NAME = 'PARAM_ERROR';
  static override PAYLOAD_LENGTH = 21;
  /** CRC_EXTRA from the message definition; checked against calculateCrcExtra in the tests. */
  static override MAGIC_NUMBER = 209;
  static override FIELDS = [
    new MavLinkPacketField('param_index', 'paramIndex', 0, false, 2, 'int16_t', ''),
    new MavLinkPacketField('target_system', 'targetSystem', 2, false, 1, 'uint8_t', ''),
    new MavLinkPacketField('target_component', 'targetComponent', 3, false, 1, 'uint8_t', ''),
    new MavLinkPacketField('param_id', 'paramId', 4, false, 1, 'char[]', '', 16),
    new MavLinkPacketField('error', 'error', 20, false, 1, 'uint8_t', ''),
  ];
  paramIndex = 0;
  targetSystem = 0;
  targetComponent = 0;
  paramId = '';
  /** MAV_PARAM_ERROR: 1 DOES_NOT_EXIST, 2 VALUE_OUT_OF_RANGE, 3 PERMISSION_DENIED, 4 COMPONENT_NOT_FOUND, 5 READ_ONLY */
  error = 0;
}

export const REGISTRY: Record<number, MavLinkDataConstructor<MavLinkData>> = {
  ...minimal.REGISTRY,
  ...common.REGISTRY,
  ...standard.REGISTRY,
  ...ardupilotmega.REGISTRY,
  [ParamError.MSG_ID]: ParamError,
};

export { minimal, common, standard, ardupilotmega };

/** Message ids used across the adapter and the simulated vehicle. */
export const MSG = {
  HEARTBEAT: 0,
  SYS_STATUS: 1,
  SYSTEM_TIME: 2,
  SET_MODE: 11,
  PARAM_REQUEST_READ: 20,
  PARAM_REQUEST_LIST: 21,
  PARAM_VALUE: 22,
  PARAM_SET: 23,
  GPS_RAW_INT: 24,
  ATTITUDE: 30,
  GLOBAL_POSITION_INT: 33,
  MISSION_ITEM: 39,
  MISSION_REQUEST: 40,
  MISSION_CURRENT: 42,
  MISSION_REQUEST_LIST: 43,
  MISSION_COUNT: 44,
  MISSION_CLEAR_ALL: 45,
  MISSION_ITEM_REACHED: 46,
  MISSION_ACK: 47,
  MISSION_REQUEST_INT: 51,
  MISSION_ITEM_INT: 73,
  VFR_HUD: 74,
  COMMAND_INT: 75,
  COMMAND_LONG: 76,
  COMMAND_ACK: 77,
  SET_POSITION_TARGET_GLOBAL_INT: 86,
  TIMESYNC: 111,
  BATTERY_STATUS: 147,
  AUTOPILOT_VERSION: 148,
  HOME_POSITION: 242,
  MESSAGE_INTERVAL: 244,
  EXTENDED_SYS_STATE: 245,
  STATUSTEXT: 253,
  SETUP_SIGNING: 256,
  PARAM_ERROR: 345,
} as const;

/** MAV_CMD numbers used here (the typed command classes default to target 1/1, so we build COMMAND_LONG ourselves). */
export const CMD = {
  NAV_WAYPOINT: 16,
  NAV_LOITER_UNLIM: 17,
  NAV_LOITER_TIME: 19,
  NAV_RETURN_TO_LAUNCH: 20,
  NAV_LAND: 21,
  NAV_TAKEOFF: 22,
  CONDITION_YAW: 115,
  DO_SET_MODE: 176,
  DO_CHANGE_SPEED: 178,
  DO_REPOSITION: 192,
  DO_SET_MISSION_CURRENT: 224,
  MISSION_START: 300,
  COMPONENT_ARM_DISARM: 400,
  GET_MESSAGE_INTERVAL: 510,
  SET_MESSAGE_INTERVAL: 511,
  REQUEST_MESSAGE: 512,
  REQUEST_AUTOPILOT_CAPABILITIES: 520,
} as const;

export const MAV_RESULT_NAMES: Record<number, string> = {
  0: 'ACCEPTED',
  1: 'TEMPORARILY_REJECTED',
  2: 'DENIED',
  3: 'UNSUPPORTED',
  4: 'FAILED',
  5: 'IN_PROGRESS',
  6: 'CANCELLED',
  7: 'COMMAND_LONG_ONLY',
  8: 'COMMAND_INT_ONLY',
  9: 'COMMAND_UNSUPPORTED_MAV_FRAME',
};

export const MAV_MISSION_RESULT_NAMES: Record<number, string> = {
  0: 'ACCEPTED',
  1: 'ERROR',
  2: 'UNSUPPORTED_FRAME',
  3: 'UNSUPPORTED',
  4: 'NO_SPACE',
  5: 'INVALID',
  13: 'INVALID_SEQUENCE',
  14: 'DENIED',
  15: 'OPERATION_CANCELLED',
};

/** ArduCopter custom modes (ArduCopter/mode.h), the subset the adapter and the simulated vehicle know. */
export const COPTER_MODES = {
  STABILIZE: 0,
  ALT_HOLD: 2,
  AUTO: 3,
  GUIDED: 4,
  LOITER: 5,
  RTL: 6,
  LAND: 9,
  BRAKE: 17,
  SMART_RTL: 21,
} as const;
export type CopterModeName = keyof typeof COPTER_MODES;

export function modeName(custom: number): string {
  for (const [n, v] of Object.entries(COPTER_MODES)) if (v === custom) return n;
  return `MODE_${custom}`;
}

export const MAV_STATE = { UNINIT: 0, BOOT: 1, CALIBRATING: 2, STANDBY: 3, ACTIVE: 4, CRITICAL: 5, EMERGENCY: 6 } as const;
export const MAV_TYPE = { QUADROTOR: 2, GCS: 6, ONBOARD_CONTROLLER: 18 } as const;
export const MAV_AUTOPILOT = { ARDUPILOTMEGA: 3, INVALID: 8 } as const;
export const MAV_FRAME = { GLOBAL: 0, MISSION: 2, GLOBAL_RELATIVE_ALT: 3, GLOBAL_INT: 5, GLOBAL_RELATIVE_ALT_INT: 6 } as const;
export const SEVERITY = { EMERGENCY: 0, ALERT: 1, CRITICAL: 2, ERROR: 3, WARNING: 4, NOTICE: 5, INFO: 6, DEBUG: 7 } as const;
