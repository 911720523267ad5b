import { emptyForm, formFromBudget, formFromQuota, validateQuotaForm, type QuotaFormValues } from './quotaForm';

const form = (over: Partial<QuotaFormValues> = {}): QuotaFormValues => ({
  ...emptyForm('quota', 'UTC'),
  subject: 'research',
  limit: '50',
  ...over,
});

describe('validateQuotaForm', () => {
  test('a valid quota becomes exactly the body POST /quotas takes', () => {
    expect(
      validateQuotaForm(
        form({
          id: 'research-monthly',
          name: ' Research ',
          timezone: 'Europe/Berlin',
          enforcement: 'hard',
          thresholds: '100, 80 %, 90',
          org: 'acme',
        })
      )
    ).toEqual({
      ok: true,
      kind: 'quota',
      value: {
        id: 'research-monthly',
        name: 'Research',
        scope: 'department',
        subject: 'research',
        period: 'month',
        timezone: 'Europe/Berlin',
        thresholds: [0.8, 0.9, 1],
        org: 'acme',
        metric: 'cost',
        limit: 50,
        enforcement: 'hard',
      },
    });
  });

  test('a budget sends amount, no metric or enforcement', () => {
    const v = validateQuotaForm({
      ...emptyForm('budget', 'UTC'),
      id: 'budget-q1',
      subject: '*',
      scope: 'user',
      limit: '12.5',
    });
    expect(v).toEqual({
      ok: true,
      kind: 'budget',
      value: {
        id: 'budget-q1',
        scope: 'user',
        subject: '*',
        period: 'month',
        timezone: 'UTC',
        thresholds: [0.8, 0.9, 1],
        amount: 12.5,
      },
    });
  });

  test.each([
    [{ limit: '' }, 'limit', 'Enter a number'],
    [{ limit: '-5' }, 'limit', 'Must be greater than 0'],
    [{ limit: '2e15' }, 'limit', 'Must be at most 1e15'],
    [{ metric: 'tokens' as const, limit: '10.5' }, 'limit', 'A tokens limit is a whole number'],
    [{ subject: '  ' }, 'subject', 'Name the subject, or "*" for every subject of the scope'],
    [{ id: 'has space' }, 'id', 'Use 1–128 letters, digits, ".", "_", ":" or "-", starting with a letter or digit'],
    [{ timezone: 'Mars/Olympus' }, 'timezone', 'Use an IANA time zone such as "Europe/Berlin" or "UTC"'],
    [{ thresholds: '' }, 'thresholds', 'List at least one threshold'],
    [{ thresholds: '80, 80' }, 'thresholds', 'A threshold is repeated'],
    [{ thresholds: '0, 50' }, 'thresholds', 'Each threshold is a percentage above 0 and at most 1000'],
    [{ thresholds: 'abc' }, 'thresholds', 'Each threshold is a percentage above 0 and at most 1000'],
  ])('%o → %s: %s', (over, field, message) => {
    const v = validateQuotaForm(form(over));
    expect(v.ok).toBe(false);
    expect(!v.ok && v.errors[field as keyof QuotaFormValues]).toBe(message);
  });

  test('a budget id must start with budget-', () => {
    const v = validateQuotaForm({ ...emptyForm('budget', 'UTC'), id: 'q1', subject: 'a', limit: '1' });
    expect(!v.ok && v.errors.id).toBe('A budget id must start with "budget-"');
  });

  test('an empty time zone means UTC', () => {
    const v = validateQuotaForm(form({ timezone: '' }));
    expect(v.ok && v.value.timezone).toBe('UTC');
  });
});

describe('forms from stored quotas and budgets', () => {
  test('a stored quota round-trips through the form', () => {
    const q = {
      id: 'q',
      name: 'Q',
      scope: 'user' as const,
      subject: '*',
      metric: 'requests' as const,
      period: 'day' as const,
      timezone: 'Asia/Tokyo',
      limit: 1000,
      enforcement: 'hard' as const,
      thresholds: [0.5, 0.95],
      created_at: '',
      updated_at: '',
    };
    const f = formFromQuota(q);
    expect(f.thresholds).toBe('50, 95');
    const v = validateQuotaForm(f);
    expect(v).toEqual({
      ok: true,
      kind: 'quota',
      value: {
        id: 'q',
        name: 'Q',
        scope: 'user',
        subject: '*',
        metric: 'requests',
        period: 'day',
        timezone: 'Asia/Tokyo',
        limit: 1000,
        enforcement: 'hard',
        thresholds: [0.5, 0.95],
      },
    });
  });

  test('a stored budget fills the limit from its amount', () => {
    const f = formFromBudget({
      id: 'budget-a',
      scope: 'org',
      subject: 'acme',
      amount: 900,
      period: 'month',
      timezone: 'UTC',
      thresholds: [1],
      created_at: '',
      updated_at: '',
    });
    expect(f).toEqual(expect.objectContaining({ kind: 'budget', limit: '900', thresholds: '100' }));
  });
});
