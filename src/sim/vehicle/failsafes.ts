/**
 * The simulated copter's battery and ground-station failsafes: when they trip, what they say and which mode
 * they switch to (BATT_FS_*_ACT, FS_GCS_*), as the recorded ArduCopter does.
 */
import { COPTER_MODES, SEVERITY } from '../../vehicle/mavlink/messages.js';
import type { SimBattery } from './battery.js';
import type { ParamTable } from './params.js';

const M = COPTER_MODES;

/** What the failsafes act on. */
export interface FailsafeHost {
  readonly params: ParamTable;
  readonly battery: SimBattery;
  armed(): boolean;
  airborne(): boolean;
  text(severity: number, text: string): void;
  enterMode(mode: number): boolean;
  disarm(text: string): void;
}

export class SimFailsafes {
  /** The battery failsafe reached so far (it never goes back). */
  batteryLevel: 'none' | 'low' | 'critical' = 'none';
  /** The ground-station failsafe is on (the ground station went silent in flight). */
  gcsActive = false;
  /** Vehicle time of the last heartbeat from the ground station (MAV_GCS_SYSID), if any since it was set. */
  gcsLastHeartbeat: number | undefined;
  private lowSince: number | undefined;
  private crtSince: number | undefined;

  constructor(private readonly h: FailsafeHost) {}

  checkBattery(now: number): void {
    const v = this.h.battery.voltage();
    const cap = this.h.params.get('BATT_CAPACITY');
    const remainingMah = cap - this.h.battery.consumedMah;
    const timer = this.h.params.get('BATT_LOW_TIMER') * 1000;
    const crtV = this.h.params.get('BATT_CRT_VOLT');
    const lowV = this.h.params.get('BATT_LOW_VOLT');
    const crtMah = this.h.params.get('BATT_CRT_MAH');
    const lowMah = this.h.params.get('BATT_LOW_MAH');
    const crtNow = crtV > 0 && v < crtV;
    const lowNow = lowV > 0 && v < lowV;
    this.crtSince = crtNow ? (this.crtSince ?? now) : undefined;
    this.lowSince = lowNow ? (this.lowSince ?? now) : undefined;
    const critical = (this.crtSince !== undefined && now - this.crtSince >= timer) || (crtMah > 0 && remainingMah < crtMah);
    const low = (this.lowSince !== undefined && now - this.lowSince >= timer) || (lowMah > 0 && remainingMah < lowMah);
    if (critical && this.batteryLevel !== 'critical') {
      this.batteryLevel = 'critical';
      this.h.text(SEVERITY.WARNING, `Battery 1 is critical ${v.toFixed(2)}V used ${Math.round(this.h.battery.consumedMah)} mAh`);
      this.batteryAction(this.h.params.get('BATT_FS_CRT_ACT'));
    } else if (low && this.batteryLevel === 'none') {
      this.batteryLevel = 'low';
      this.h.text(SEVERITY.WARNING, `Battery 1 is low ${v.toFixed(2)}V used ${Math.round(this.h.battery.consumedMah)} mAh`);
      this.batteryAction(this.h.params.get('BATT_FS_LOW_ACT'));
    }
  }

  /** BATT_FS_*_ACT: 0 none, 1 LAND, 2 RTL, 3 SmartRTL→RTL, 4 SmartRTL→LAND, 5 terminate. */
  private batteryAction(action: number): void {
    this.h.text(SEVERITY.WARNING, 'Battery Failsafe');
    if (!this.h.armed() || action === 0) return;
    if (!this.h.airborne()) {
      this.h.disarm('Disarming motors');
      return;
    }
    if (action === 1 || action === 4) this.h.enterMode(M.LAND);
    else if (action === 2 || action === 3) this.h.enterMode(M.RTL);
    else if (action === 5) this.h.disarm('Disarming motors');
  }

  checkGcs(now: number): void {
    if (this.h.params.get('FS_GCS_ENABLE') === 0 || this.gcsLastHeartbeat === undefined) return;
    const silent = now - this.gcsLastHeartbeat > this.h.params.get('FS_GCS_TIMEOUT') * 1000;
    if (silent && !this.gcsActive && this.h.armed() && this.h.airborne()) {
      this.gcsActive = true;
      this.h.text(SEVERITY.CRITICAL, 'GCS Failsafe');
      this.h.enterMode(M.RTL);
    } else if (!silent && this.gcsActive) {
      this.gcsActive = false;
      this.h.text(SEVERITY.CRITICAL, 'GCS Failsafe Cleared');
    }
  }
}
