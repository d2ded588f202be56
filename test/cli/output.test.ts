import { test } from 'node:test';
import assert from 'node:assert/strict';
import { stageProgress } from '../../src/cli/output.js';
import { findings } from '../../src/cli/commands/demo.js';

function fakeStream(isTTY: boolean) {
  const writes: string[] = [];
  return { stream: { isTTY, write: (s: string) => writes.push(s) } as unknown as NodeJS.WriteStream, writes };
}

test('progress off a terminal is one line per quarter, on a terminal one line rewritten', () => {
  const file = fakeStream(false);
  const p = stageProgress('searched', file.stream);
  // 236 progress reports, as a 30-minute search gives
  for (let i = 0; i <= 235; i++) p(i * 8, Math.min(100, (i / 235) * 100));
  p.end();
  assert.deepEqual(file.writes, ['t=0 s  searched 0.0%\n', 't=472 s  searched 25.1%\n', 't=944 s  searched 50.2%\n', 't=1416 s  searched 75.3%\n', 't=1880 s  searched 100.0%\n']);

  const tty = fakeStream(true);
  const q = stageProgress('searched', tty.stream);
  for (let i = 0; i <= 10; i++) q(i, i * 10);
  q.end();
  assert.equal(tty.writes.filter((w) => w.includes('\n')).length, 1, 'one newline, at the end');
  assert.ok(tty.writes.slice(0, -1).every((w) => w.startsWith('\r')));
});

test('the demo ends saying what the search found', () => {
  const line = findings({
    victims_total: 24, victims_in_area: 24, victims_found: 23, victims_found_outside: 0, victims_found_in_area: 23, victims_missed_in_view: 1, victims_never_in_view: 0, false_positives: 2, coverage_pct: 99.64, area_seen_pct: 94.7, overlap_pct: 0.3,
    time_ratio: 1.25, time_to_priority_seen_s: null, priority_ideal_s: null, priority_bound_s: null,
    time_to_full_coverage_s: 1503, ideal_time_s: 1200, time_to_95pct_victims_s: 1100, sighting_to_all_maps_p95_s: 12, max_duty_cycle_pct: 4,
    bytes_on_air: 1, facts_created: 1, facts_lost: 0, drones_lost: 2, false_deaths: 0, drone_seconds_flown: 1, nofly_drone_s: 0, simulated_s: 1600,
  });
  assert.equal(line, 'found 23 of 24 victims in the area (2 false sightings), searched 99.6% of the cells in 25.1 min of mission time, 2 drones lost, 0 s in no-fly zones');
});
