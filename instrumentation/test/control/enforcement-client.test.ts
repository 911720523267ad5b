import { freePort } from '@tokenmeter/testkit';
import { waitFor } from '@tokenmeter/testkit';
import { describe, expect, it } from 'vitest';
import { EnforcementClient } from '../../src/control/enforcement-client.js';

describe('EnforcementClient with nothing listening', () => {
  it('reports the control plane down once, keeps retrying, and never becomes ready', async () => {
    const warnings: string[] = [];
    const availability: boolean[] = [];
    let polls = 0;
    const client = new EnforcementClient({
      url: `http://127.0.0.1:${await freePort()}`,
      onState: () => undefined,
      onAvailability: (available) => availability.push(available),
      reconnectInitialMillis: 20,
      reconnectMaxMillis: 50,
      pollIntervalMillis: 50,
      logger: { warn: (m) => warnings.push(m), info: () => undefined },
      fetch: (input, init) => {
        polls++;
        return fetch(input, init);
      },
    });
    expect(client.status).toBe('connecting');
    client.start();
    await waitFor(() => client.status === 'down', { what: 'status down' });
    const pollsWhenDown = polls;
    await waitFor(() => polls >= pollsWhenDown + 5, { intervalMillis: 5, what: 'five more failed polls' }); // and the reconnects between them
    expect(client.available).toBe(false);
    expect(warnings.filter((m) => m.includes('is unreachable'))).toHaveLength(1);
    expect(availability).toEqual([false]);
    expect(await client.ready(50)).toBe(false);
    await client.stop();
    await client.stop();
  });
});
