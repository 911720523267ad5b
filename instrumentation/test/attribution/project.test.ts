/** `tokenmeter.project` (TOKENMETER_PROJECT, headers, baggage, withAttribution) is a metric label and a span attribute, like feature. */
import { metrics } from '@opentelemetry/api';
import { waitFor } from '@tokenmeter/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { withAttribution } from '../../src/attribution/context.js';
import { startTokenmeter, type TokenmeterHandle } from '../../src/sdk.js';
import { createProvider } from '../fixtures/provider.js';
import { record, type Recorder } from '../fixtures/recorder.js';
import { OPENAI_MAJORS } from '../openai/majors.js';

const openai7 = OPENAI_MAJORS[0]!;
let recorder: Recorder;
let handle: TokenmeterHandle;

beforeAll(() => {
  recorder = record({ openai: [openai7.moduleExports] });
  handle = startTokenmeter({ env: { OTEL_EXPORTER_PROMETHEUS_HOST: '127.0.0.1', OTEL_EXPORTER_PROMETHEUS_PORT: '0', TOKENMETER_DEPARTMENT: 'research' }, strict: true });
});
afterAll(async () => {
  await handle.shutdown();
  metrics.disable();
});

describe('project attribution', () => {
  it('lands on the metrics as tokenmeter_project and on the span as tokenmeter.project', async () => {
    const client = new openai7.OpenAI({ apiKey: 'test', fetch: createProvider().fetch, maxRetries: 0 });
    await withAttribution({ project: 'atlas', feature: 'search' }, () => client.chat.completions.create({ model: 'gpt-4.1-mini', messages: [{ role: 'user', content: 'hi' }] }));
    await client.chat.completions.create({ model: 'gpt-4.1-mini', messages: [{ role: 'user', content: 'no project' }] });
    const span = recorder.spans().find((s) => s.attributes['tokenmeter.project'] !== undefined);
    expect(span?.attributes).toMatchObject({ 'tokenmeter.project': 'atlas', 'tokenmeter.department': 'research', 'tokenmeter.feature': 'search' });
    const port = await waitFor(() => handle.prometheusPort(), { what: 'the endpoint' });
    const text = await (await fetch(`http://127.0.0.1:${port}/metrics`)).text();
    const requests = text.split('\n').filter((line) => line.startsWith('tokenmeter_requests_total{'));
    expect(requests.filter((line) => line.includes('tokenmeter_project="atlas"') && line.includes('tokenmeter_feature="search"'))).toHaveLength(1);
    // A call without a project has no such label (never the empty string).
    expect(requests.filter((line) => !line.includes('tokenmeter_project=') && line.includes('tokenmeter_department="research"'))).toHaveLength(1);
  });
});
