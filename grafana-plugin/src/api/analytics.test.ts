import { evidenceRows, getBudgetRisks, type Recommendation } from './analytics';
import * as controlPlane from './controlPlane';
import { byDifficulty, bySavings } from '../components/recommendations/sort';

const rec = (id: string, savings: string, difficulty: Recommendation['difficulty']): Recommendation => ({
  id,
  kind: 'caching',
  title: id,
  subject: { scope: 'feature', name: 'x' },
  estimated_monthly_savings_usd: savings,
  difficulty,
  confidence: 0.9,
  evidence: [],
});

jest.mock('./controlPlane', () => ({ ...jest.requireActual('./controlPlane'), cpGet: jest.fn() }));

describe('budget risks', () => {
  test('one forecast per named cost subject, every limit it returns; "*" and non-cost limits are not asked for', async () => {
    jest.mocked(controlPlane.cpGet).mockImplementation(async (_path, q) => {
      const { scope, subject } = q as { scope: string; subject: string };
      return {
        budgets: [
          { id: `q-${subject}`, kind: 'quota', scope, subject, utilization: 0.5, crossed: false, limit_usd: '10' },
        ],
      };
    });
    const risks = await getBudgetRisks(
      [
        { scope: 'department', subject: 'research', metric: 'cost' },
        { scope: 'department', subject: 'research' },
        { scope: 'user', subject: 'ada', metric: 'cost' },
        { scope: 'department', subject: '*', metric: 'cost' },
        { scope: 'user', subject: 'bob', metric: 'tokens' },
      ],
      'Europe/Berlin'
    );
    expect(jest.mocked(controlPlane.cpGet).mock.calls).toEqual([
      [
        '/analytics/forecast',
        { metric: 'cost', horizon: 'month_end', scope: 'department', subject: 'research', tz: 'Europe/Berlin' },
      ],
      ['/analytics/forecast', { metric: 'cost', horizon: 'month_end', scope: 'user', subject: 'ada', tz: 'Europe/Berlin' }],
    ]);
    expect(risks.map((r) => r.id)).toEqual(['q-research', 'q-ada']);
  });
});

describe('recommendations', () => {
  test('evidence reads as label/value pairs from either shape', () => {
    expect(evidenceRows([{ label: 'calls', value: 120 }])).toEqual([{ label: 'calls', value: '120' }]);
    expect(evidenceRows({ repeated_prefix_tokens: 6000, model: 'claude-sonnet-4-5' })).toEqual([
      { label: 'repeated_prefix_tokens', value: '6000' },
      { label: 'model', value: 'claude-sonnet-4-5' },
    ]);
    expect(evidenceRows(undefined)).toEqual([]);
  });

  test('sort by savings is exact, easier first on a tie; by difficulty, then larger savings', () => {
    const list = [rec('a', '9.99', 'low'), rec('b', '10.00', 'high'), rec('c', '10', 'low'), rec('d', '100', 'medium')];
    expect([...list].sort(bySavings).map((r) => r.id)).toEqual(['a', 'b', 'c', 'd']);
    expect([...list].sort(byDifficulty).map((r) => r.id)).toEqual(['c', 'a', 'd', 'b']);
  });
});
