/**
 * The real Prometheus scrapes the collector as the README's security section
 * says (a bearer token for /metrics, honor_labels): label values with quotes,
 * backslashes and line feeds arrive exactly as sent (escapePrometheusLabelValue
 * of the shared semconv module).
 */
import { escapePrometheusLabelValue } from '@tokenmeter/instrumentation/semconv';
import { startPrometheus, waitFor } from '@tokenmeter/testkit';
import type { RunningPrometheus } from '@tokenmeter/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningCollector } from '../../src/index.js';
import { encodeSpans, post, startTestCollector } from '../helpers/otlp.js';

const TRICKY = 'o\'brien "the \\ boss"\nline two';

describe('Prometheus scrapes /metrics with the metrics token', () => {
  let c: RunningCollector;
  let prometheus: RunningPrometheus;
  beforeAll(async () => {
    c = await startTestCollector({ TOKENMETER_COLLECTOR_METRICS_TOKEN: 'scrape-secret' });
    const target = new URL(c.metricsUrl).host;
    prometheus = await startPrometheus({
      config: [
        'global:',
        '  scrape_interval: 1s',
        'scrape_configs:',
        '  - job_name: tokenmeter-collector',
        '    honor_labels: true',
        '    authorization:',
        '      type: Bearer',
        '      credentials: scrape-secret',
        '    static_configs:',
        `      - targets: ["${target}"]`,
        '',
      ].join('\n'),
    });
  });
  afterAll(async () => {
    await prometheus?.stop();
    await c?.shutdown();
  });

  it('escapes label values as the exposition format requires', () => {
    expect(escapePrometheusLabelValue(TRICKY)).toBe('o\'brien \\"the \\\\ boss\\"\\nline two');
    expect(escapePrometheusLabelValue('plain-user_1')).toBe('plain-user_1');
  });

  it('stores the tricky user id exactly, scraped with the token', async () => {
    const body = await encodeSpans('third-party', { 'service.name': 'escape' }, [
      { attributes: { 'gen_ai.provider.name': 'openai', 'gen_ai.operation.name': 'chat', 'gen_ai.request.model': 'gpt-4o-mini', 'gen_ai.usage.input_tokens': 5, 'gen_ai.usage.output_tokens': 1, 'user.id': TRICKY } },
    ]);
    expect((await post(c, '/v1/traces', body)).status).toBe(200);
    const rows = await waitFor(
      async () => {
        const r = await prometheus.query('tokenmeter_requests_total{job="escape"}');
        return r.length > 0 ? r : undefined;
      },
      { what: 'the series in Prometheus', timeoutMillis: 20_000 },
    );
    expect(rows.map((r) => r.metric.user_id)).toEqual([TRICKY]);
    const [up] = await prometheus.query('up{job="tokenmeter-collector"}');
    expect(up?.value[1]).toBe('1');
  });
});
