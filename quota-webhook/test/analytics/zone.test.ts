import { describe, expect, it } from 'vitest';
import { nextWindowStart, offsetAt, windowStart } from '../../src/quotas/periods.js';
import { Random } from '../../src/analytics/methods/stats.js';
import { nextStartOf, offsetChanges, startOf, zoneOffset } from '../../src/analytics/zone.js';

const ZONES = ['Europe/Berlin', 'America/New_York', 'Asia/Kolkata', 'Australia/Lord_Howe', 'America/Santiago', 'Pacific/Chatham', 'America/Havana', 'Asia/Tehran', 'UTC'];
const PERIODS = ['hour', 'day', 'week', 'month'] as const;
const FROM = Date.parse('2025-01-01T00:00:00Z');
const TO = Date.parse('2027-12-31T00:00:00Z');

describe('fast zone arithmetic agrees with the quota periods', () => {
  for (const tz of ZONES) {
    it(`${tz}: offsets, window starts and next starts around every change and at random instants`, () => {
      const rng = new Random(tz.length);
      const instants: number[] = [];
      for (const c of offsetChanges(FROM, TO, tz)) {
        for (let t = c.at - 26 * 3_600_000; t < c.at + 26 * 3_600_000; t += 900_000) instants.push(t);
      }
      for (let i = 0; i < 150; i++) instants.push(FROM + Math.floor(rng.next() * (TO - FROM)));
      for (const t of instants) {
        expect(zoneOffset(t, tz), `${tz} offset ${new Date(t).toISOString()}`).toBe(offsetAt(t, tz));
        for (const p of PERIODS) {
          expect(startOf(p, t, tz), `${tz} ${p} ${new Date(t).toISOString()}`).toBe(windowStart(p, t, tz));
          expect(nextStartOf(p, t, tz), `${tz} next ${p} ${new Date(t).toISOString()}`).toBe(nextWindowStart(p, t, tz));
        }
      }
      if (['Europe/Berlin', 'America/New_York', 'Australia/Lord_Howe', 'America/Santiago', 'Pacific/Chatham', 'America/Havana'].includes(tz)) {
        expect(offsetChanges(FROM, TO, tz).length).toBe(6);
      }
    });
  }
});
