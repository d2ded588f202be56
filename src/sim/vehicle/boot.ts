/**
 * What ArduCopter 4.8.0-dev SITL says by itself while it boots, as recorded (../shared/ardupilot-behaviour,
 * behaviour.json facts boot_STABILIZE / main): STATUSTEXTs and the unsolicited PARAM_VALUEs of parameters the
 * firmware sets itself (36 in the first 10 s), and when the navigation sources come up. Data, not code.
 */
import { SEVERITY } from '../../vehicle/mavlink/messages.js';

/** Boot messages (seconds after start, severity, text). */
export const BOOT_TEXTS: ReadonlyArray<readonly [number, number, string]> = [
  [0.32, SEVERITY.INFO, 'Calibrating barometer'],
  [1.92, SEVERITY.INFO, 'Barometer 1 calibration complete'],
  [2.45, SEVERITY.INFO, 'ArduPilot Ready'],
  [2.45, SEVERITY.INFO, 'AHRS: DCM active'],
  [4.45, SEVERITY.INFO, 'EKF3 IMU0 initialised'],
  [4.45, SEVERITY.INFO, 'AHRS: EKF3 active'],
  [5.8, SEVERITY.INFO, 'EKF3 IMU0 tilt alignment complete'],
  [5.89, SEVERITY.INFO, 'EKF3 IMU0 MAG0 initial yaw alignment complete'],
  [9.8, SEVERITY.INFO, 'GPS 1: probing for u-blox at 230400 baud'],
  [9.83, SEVERITY.INFO, 'GPS 1: detected u-blox'],
  [20.02, SEVERITY.INFO, 'EKF3 IMU0 origin set'],
  [41.62, SEVERITY.INFO, 'EKF3 IMU0 is using GPS'],
];

/** Unsolicited PARAM_VALUEs (seconds after start, name, value), as recorded in the first 20 s (boot_GUIDED). */
export const BOOT_PARAMS: ReadonlyArray<readonly [number, string, number]> = [
  [0.05, 'MOT_PWM_MIN', 1000],
  [0.05, 'MOT_PWM_MAX', 2000],
  [0.21, 'ESC_CALIBRATION', 0],
  [0.21, 'RELAY1_FUNCTION', 1],
  [0.22, 'COMPASS_DEV_ID', 97539],
  [0.22, 'COMPASS_EXTERNAL', 1],
  [0.22, 'COMPASS_DEV_ID2', 131874],
  [0.22, 'COMPASS_DEV_ID3', 263178],
  [0.22, 'COMPASS_DEV_ID', 97539],
  [0.22, 'COMPASS_DEV_ID2', 131874],
  [0.22, 'COMPASS_DEV_ID3', 263178],
  [0.33, 'CAM1_TYPE', 0],
  [0.33, 'CAM2_TYPE', 0],
  [0.33, 'BARO_ALT_OFFSET', 0],
  [1.92, 'BARO1_GND_PRESS', 94502.828125],
  [1.92, 'BARO2_GND_PRESS', 94502.140625],
  [1.92, 'INS_GYR_ID', 2752772],
  [1.92, 'INS_ACC_ID', 2753028],
  [1.92, 'INS_GYR2_ID', 2752780],
  [1.92, 'INS_ACC2_ID', 2753036],
  [2.45, 'INS_GYROFFS_X', 2.8366837796056643e-5],
  [2.45, 'INS_GYROFFS_Y', 3.148327232338488e-5],
  [2.45, 'INS_GYROFFS_Z', 2.8666690923273563e-5],
  [2.45, 'INS_GYR_ID', 2752772],
  [2.45, 'INS_GYR1_CALTEMP', 25.018352508544922],
  [2.45, 'INS_GYR2OFFS_X', 5.6666027376195416e-5],
  [2.45, 'INS_GYR2OFFS_Y', 3.078790177823976e-5],
  [2.45, 'INS_GYR2OFFS_Z', 3.2747302611824125e-5],
  [2.45, 'INS_GYR2_ID', 2752780],
  [2.45, 'INS_GYR2_CALTEMP', 25.018352508544922],
  [2.45, 'INS_GYR3OFFS_X', 0],
  [2.45, 'INS_GYR3OFFS_Y', 0],
  [2.45, 'INS_GYR3OFFS_Z', 0],
  [2.45, 'INS_GYR3_ID', 0],
  [2.45, 'ARMING_SKIPCHK', 0],
  [3.45, 'EK3_SRC1_POSXY', 3],
  [20.02, 'MIS_TOTAL', 1],
  [20.05, 'BARO1_GND_PRESS', 101325.0625],
  [20.05, 'BARO2_GND_PRESS', 101324.5390625],
];

/** AP_Stats saves STAT_RUNTIME (seconds) every 30 s: the first one was recorded at 30.45 s. */
export const STAT_RUNTIME_FIRST_MS = 30_450;
export const STAT_RUNTIME_EVERY_MS = 30_000;

/**
 * GLOBAL_POSITION_INT carries lat 0, lon 0, alt 0, relative_alt 0 until the GPS is detected: on real SITL the
 * first position came at 10.05 s (samples at 5 Hz), after "GPS 1: detected u-blox" at 9.83 s.
 */
export const POSITION_FROM_MS = 9_830;
/** EKF_STATUS_REPORT flags seen on real SITL: uninitialised, then attitude/velocity/vertical with constant position mode, then all (GPS used). */
export const EKF_FLAGS_UNINITIALISED = 0x400;
export const EKF_FLAGS_NO_GPS = 0xa7;
export const EKF_FLAGS_GPS = 0x33f;
/**
 * The boot timeline the arming checks and telemetry follow (ms after start): the firmware is ready, its status
 * leaves BOOT, the gyros settle (STABILIZE armable), the EKF is up, home is set, GPS is used for position and
 * arming in a position mode passes.
 */
export const BOOT_READY_MS = 2450;
export const BOOT_STATUS_MS = 2700;
export const STABILIZE_ARMABLE_MS = 24_300;
export const GPS_ARMABLE_MS = 42_600;
export const GPS_USED_MS = 41_620;
export const HOME_SET_MS = 20_050;
export const EKF_ACTIVE_MS = 4450;
